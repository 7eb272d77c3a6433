"""The drill job: an incident layered on the normal staffing, run under its response (or one
given) and the response plans to compare, scored; the JSON document and the run kept."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenarios.schema import Response, Scenario
from services.common import (
    Kept,
    keep_run,
    open_store,
    require_incident,
    run_on,
    source_id,
    staffing_of,
)


@dataclass(frozen=True)
class DrillRun:
    """A finished drill: its document (``wfm drill --json``) and where the run was kept."""

    document: dict[str, Any]
    kept: Kept


def run_drill(
    model: Scenario,
    file: str,
    incident: str,
    *,
    plan: dict[str, Any] | None = None,
    plan_source: Path | str | None = None,
    compare: list[str] | None = None,
    response: tuple[str, Response] | None = None,
    replications: int = 10,
    seed: int = 0,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[float], None] | None = None,
    scheduler: str | None = None,
    store: Path | None = None,
    keep: bool = True,
    scenario_file: Path | None = None,
    origin: str | None = None,
) -> DrillRun:
    """Run `incident` of `model` (read from `file`) on its own staffing or on `plan`'s shifts
    under the incident's response, or under `response` (its name and the response, e.g. the
    app's levers), and under each response plan named in `compare`, on the same seeds; keep
    the run in `store` unless not `keep`; on `executor` or the Dask `scheduler` (`run_on`),
    after the inputs are checked. `progress(fraction)` follows the replications."""
    from sim.drill import drill

    names = list(compare or [])
    require_incident(model, file, incident, names)
    shifts = None if plan is None else plan["shifts"]
    staffing, breaks = staffing_of(model, file, shifts, str(plan_source or "plan"))
    store = open_store(store, keep)
    with run_on(executor, scheduler) as where:
        document = drill(
            model,
            incident,
            staffing,
            breaks,
            compare=names,
            seed=seed,
            replications=replications,
            executor=where,
            workers=workers,
            response=None if response is None else response[1],
            progress=progress,
        ).to_json()
    params: dict[str, Any] = {"incident": incident, "plan": source_id(plan_source)}
    if response is not None:
        params["response"] = response[0]
    params |= {"compare": names, "replications": replications}
    if origin is not None:
        params["from"] = origin
    kept = keep_run(store, "drill", model, scenario_file, params, seed, document)
    return DrillRun(document, kept)
