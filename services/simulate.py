"""The simulate job: a scenario on its own staffing or a plan's, replications added while a
target's verdict is open, the JSON document, the interval tables, the run kept."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from scenarios.plan_file import check_plan_fits
from scenarios.schema import Scenario
from services.common import Kept, keep_run, open_store, run_on, source_id, staffing_of

if TYPE_CHECKING:
    from sim.results import Results


@dataclass(frozen=True)
class SimulationRun:
    """A finished simulation: its document (``wfm simulate --json``), its results and where
    the run was kept."""

    document: dict[str, Any]
    results: Results
    kept: Kept

    def tables(self) -> dict[str, pd.DataFrame]:
        """The interval tables by name: all tiers, by tier, and each group's occupancy."""
        return {
            "intervals": self.results.interval_table(),
            "intervals_by_tier": self.results.interval_table(by_tier=True),
            "occupancy": self.results.group_interval_table(),
        }


def run_simulation(
    model: Scenario,
    file: str,
    *,
    plan: dict[str, Any] | None = None,
    plan_source: Path | str | None = None,
    replications: int = 10,
    max_replications: int | None = None,
    seed: int = 0,
    confidence: float = 0.95,
    tolerance: float = 0.02,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[float], None] | None = None,
    scheduler: str | None = None,
    store: Path | None = None,
    keep: bool = True,
    scenario_file: Path | None = None,
    origin: str | None = None,
) -> SimulationRun:
    """Simulate `model` (read from `file`, the name errors give) on its own staffing or on
    `plan`'s shifts (a ``wfm optimise`` document from `plan_source`, which must have been made
    for this scenario), `replications` at first and more, up to `max_replications`, while a
    verdict is open (`sim.sequential`), on `executor` or the Dask `scheduler` (`run_on`); keep
    the run in `store` unless not `keep`. The inputs are checked before the store is opened or
    a cluster reached. `origin` is recorded with the parameters ("app" for the app's runs)."""
    from sim.sequential import simulate_until_decided
    from sim.verdict import DecisionRule

    label = str(plan_source or "plan")
    if plan is not None:
        check_plan_fits(model, plan, label)
    staffing, _ = staffing_of(model, file, None if plan is None else plan["shifts"], label)
    store = open_store(store, keep)
    with run_on(executor, scheduler) as where:
        results = simulate_until_decided(
            model,
            staffing,
            seed,
            replications,
            max_replications or replications,
            DecisionRule(confidence, tolerance),
            executor=where,
            workers=workers,
            progress=progress,
        )
    document = results.to_json()
    params = {
        "replications": replications, "max_replications": max_replications,
        "confidence": confidence, "tolerance": tolerance, "plan": source_id(plan_source),
    }  # fmt: skip
    if origin is not None:
        params["from"] = origin
    kept = keep_run(store, "simulate", model, scenario_file, params, seed, document)
    return SimulationRun(document, results, kept)
