"""The sweep job: a grid of what-ifs simulated point by point (optionally with an incident's
drill at each), the JSON document and table, the run kept."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from scenarios.load import from_dict
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
class SweepRun:
    """A finished sweep: its document (``wfm sweep --json``), the grid as a table and where the
    run was kept."""

    document: dict[str, Any]
    table: pd.DataFrame
    kept: Kept


def run_sweep(
    mapping: Mapping[str, Any],
    file: str,
    axes_text: list[str],
    *,
    plan: dict[str, Any] | None = None,
    plan_source: Path | str | None = None,
    incident: str | None = None,
    replications: int = 3,
    seed: int = 0,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[float], None] | None = None,
    scheduler: str | None = None,
    store: Path | None = None,
    keep: bool = True,
    scenario_file: Path | None = None,
) -> SweepRun:
    """Simulate every combination of the axes (``NAME=START:STOP:STEP`` or ``NAME=A,B,C``
    each) of the scenario `mapping` (parsed YAML read from `file`), on its own staffing or on
    `plan`'s shifts, costed at the plan's rate, on `executor` or the Dask `scheduler`
    (`run_on`); keep the run in `store` unless not `keep`. `SweepError` for a malformed axis,
    `ScenarioError` for a scenario unfit for it, both before the store or a cluster is used."""
    from optimise.sweep import parse_axis, sweep, sweep_table

    axes = [parse_axis(text) for text in axes_text]
    model = from_dict(mapping, file)
    if incident is not None:
        require_incident(model, file, incident, [])
    shifts = None if plan is None else plan["shifts"]
    staffing, breaks = staffing_of(model, file, shifts, str(plan_source or "plan"))
    store = open_store(store, keep)
    with run_on(executor, scheduler) as where:
        points = sweep(
            mapping, axes, staffing, breaks, incident=incident, seed=seed,
            replications=replications, executor=where, workers=workers, progress=progress,
            base_cost=None if plan is None else plan.get("cost"),
        )  # fmt: skip
    document = {
        "scenario": model.name, "seed": seed, "replications": replications,
        "incident": incident, "plan": source_id(plan_source),
        "axes": {a.name: list(a.values) for a in axes},
        "points": [p.to_json() for p in points],
    }  # fmt: skip
    params = {k: document[k] for k in ("replications", "incident", "plan", "axes")}
    kept = keep_run(store, "sweep", model, scenario_file, params, seed, document)
    return SweepRun(document, sweep_table(points), kept)
