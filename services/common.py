"""What every job shares: the checks that refuse a scenario unfit for a job in one line, the
staffing a job runs on (the scenario's own or a plan's shifts), a file's identity as a run's
parameter, and keeping a finished run in the run store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from runs.store import RunRecord, StoreError
from scenarios.load import ScenarioError
from scenarios.plan_file import plan_staffing
from scenarios.schema import Scenario

Staffing = dict[str, np.ndarray]  # agents per group, ``(days, steps_per_day)``


@dataclass(frozen=True)
class Kept:
    """Where a finished run went: its ID in the store at `store`, or why it was not kept
    (`run_id` and `problem` None: the job was asked not to keep it)."""

    run_id: str | None = None
    problem: str | None = None
    store: Path | None = None


@contextmanager
def run_on(executor: Executor | None, scheduler: str | None) -> Iterator[Executor | None]:
    """Where a job's tasks go for the block: `executor` when given (the app's pool), else the
    Dask scheduler at `scheduler` (or ``$WFM_DASK_SCHEDULER``; `ClusterError` when it cannot be
    used), else None: a local pool (`sim.tasks`)."""
    if executor is not None:
        yield executor
        return
    from sim.cluster import executor_for, scheduler_address

    with executor_for(scheduler_address(scheduler)) as found:
        yield found


def require_staffing(model: Scenario, file: str) -> None:
    """`ScenarioError` naming `file` unless every agent group has agents or shifts."""
    for i, group in enumerate(model.agent_groups):
        if not group.staffed:
            raise ScenarioError(
                file,
                f"agent_groups[{i}].agents",
                "required to simulate (give the agents on duty or their shifts, or plan them "
                "with `wfm optimise` and pass the plan with --plan)",
            )


def require_shift_model(model: Scenario, file: str) -> None:
    """`ScenarioError` naming `file` unless the scenario has shift templates and every group
    a pay rate: what the optimiser needs."""
    if not model.shift_templates:
        raise ScenarioError(file, "shift_templates", "required to optimise (none given)")
    for i, group in enumerate(model.agent_groups):
        if group.cost_per_hour is None:
            raise ScenarioError(file, f"agent_groups[{i}].cost_per_hour", "required to optimise")


def require_incident(model: Scenario, file: str, incident: str, plans: list[str]) -> None:
    """`ScenarioError` naming `file` unless `incident` is one of the scenario's incidents and
    each of `plans` one of its response plans."""
    names = [i.name for i in model.incidents]
    if incident not in names:
        listed = f"incidents: {', '.join(names)}" if names else "the scenario has no incidents"
        raise ScenarioError(file, "incidents", f"no incident named {incident!r} ({listed})")
    own = [p.name for p in model.response_plans if p.incident == incident]
    for name in plans:
        if name not in own:
            listed = ", ".join(own) if own else "none"
            raise ScenarioError(
                file,
                "response_plans",
                f"no response plan {name!r} for incident {incident!r} (its plans: {listed})",
            )


def staffing_of(
    model: Scenario, file: str, shifts: list[dict[str, Any]] | None, plan_file: str
) -> tuple[Staffing | None, Staffing | None]:
    """Agents working and on break per group from a plan's `shifts` (read from `plan_file`);
    ``(None, None)`` for the scenario's own staffing, which it must have (`require_staffing`
    on `file`)."""
    if shifts is None:
        require_staffing(model, file)
        return None, None
    return plan_staffing(model, shifts, plan_file)


def source_id(source: Path | str | None) -> dict[str, str] | None:
    """A plan or file as a run's parameter: a file's name and the SHA-256 of its bytes, or the
    name the app knows it by."""
    if source is None:
        return None
    if isinstance(source, str):
        return {"name": source}
    return {"file": str(source), "sha256": hashlib.sha256(source.read_bytes()).hexdigest()}


def keep_run(
    store: Path | None,
    command: str,
    model: Scenario,
    scenario_file: Path | None,
    params: dict[str, Any],
    seed: int,
    document: dict[str, Any],
) -> Kept:
    """Keep a finished run of a scenario in the store at `store` (None: not kept)."""
    from runs.record import run_record

    return keep_record(
        store, lambda: run_record(command, model, scenario_file, params, seed, document)
    )


def keep_record(store: Path | None, record: Callable[[], RunRecord]) -> Kept:
    """Keep the run `record()` makes in the store at `store` (None: not kept). A store that
    fails costs the run nothing: the problem comes back in `Kept` for the front-end to show."""
    if store is None:
        return Kept()
    from runs.store import save_run

    try:
        run_id = save_run(store, record())
    except StoreError as err:
        return Kept(problem=str(err), store=store)
    return Kept(run_id=run_id, store=store)


def open_store(given: Path | None, keep: bool = True) -> Path | None:
    """The run store a job keeps its run in (None: not kept), opened once before any work so
    that a store that cannot be written is refused at the start (`StoreError`)."""
    from runs.store import connect, store_path

    path = store_path(given, keep=keep)
    if path is not None:
        with connect(path):
            pass
    return path
