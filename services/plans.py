"""The optimise and roster jobs: the cheapest shifts whose simulated service meets the targets,
then named agents on a plan's shifts."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from report.tables import shift_table
from scenarios.schema import Scenario
from services.common import Kept, keep_run, open_store, require_shift_model, run_on

if TYPE_CHECKING:  # the roster's CP-SAT model is slow to import, and only rosters need it
    from optimise.roster import Agent, Roster


@dataclass(frozen=True)
class PlanRun:
    """A finished optimisation: the plan document (``wfm optimise --json``) and where the run
    was kept."""

    document: dict[str, Any]
    kept: Kept

    def tables(self) -> dict[str, pd.DataFrame]:
        """The plan as tables by name: its shifts (breaks as text) and its coverage."""
        return {
            "shifts": shift_table(self.document["shifts"]),
            "coverage": pd.DataFrame(self.document["coverage"]),
        }


def run_optimisation(
    model: Scenario,
    file: str,
    *,
    requirements: Path | None = None,
    replications: int = 10,
    max_replications: int | None = None,
    confidence: float = 0.95,
    tolerance: float = 0.02,
    max_rounds: int = 30,
    time_limit_s: float = 30.0,
    soft: bool = False,
    budget: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
    scheduler: str | None = None,
    store: Path | None = None,
    keep: bool = True,
    scenario_file: Path | None = None,
    origin: str | None = None,
) -> PlanRun:
    """The cheapest verified plan for `model` (read from `file`; `optimise.loop.optimise`), or
    the schedule of a planner's `requirements` CSV as given, on `executor` or the Dask
    `scheduler` (`run_on`); keep the run in `store` unless not `keep`. The inputs are checked
    before the store or a cluster is used. `progress(message)` follows the search's stages."""
    from optimise.loop import optimise
    from optimise.requirements import read_requirement_csv
    from sim.metrics import json_safe

    require_shift_model(model, file)
    needed = None if requirements is None else read_requirement_csv(requirements, model)
    store = open_store(store, keep)
    with run_on(executor, scheduler) as where:
        result = optimise(
            model, needed, seed=seed, replications=replications,
            max_replications=max_replications, confidence=confidence, tolerance=tolerance,
            max_rounds=max_rounds, time_limit_s=time_limit_s, workers=workers, executor=where,
            soft=soft, budget=budget, progress=progress,
        )  # fmt: skip
    document = json_safe(result.to_json())
    if scenario_file is not None:
        document |= {"scenario_file": str(scenario_file)}
    params = {
        "replications": replications, "max_replications": max_replications,
        "confidence": confidence, "tolerance": tolerance, "max_rounds": max_rounds,
        "time_limit_s": time_limit_s, "soft": soft,
        "budget": budget, "requirements": None if requirements is None else str(requirements),
    }  # fmt: skip
    if origin is not None:
        params["from"] = origin
    kept = keep_run(store, "optimise", model, scenario_file, params, seed, document)
    return PlanRun(document, kept)


@dataclass(frozen=True)
class RosterRun:
    """A finished roster and the agents it was built for."""

    roster: Roster
    agents: list[Agent]
    weeks: int

    def tables(self) -> dict[str, pd.DataFrame]:
        """The assignments (breaks as text) by name."""
        return {"assignments": shift_table(self.roster.assignments)}

    def summary(self) -> str:
        """One line: status, shifts assigned and left, rules not met or binding."""
        roster, weeks = self.roster, self.weeks
        return (
            f"roster {roster.status}: {len(roster.assignments)} shifts assigned to "
            f"{len(self.agents)} agents over {weeks} week{'s' if weeks > 1 else ''}, "
            f"{roster.unfilled_agent_shifts} left unfilled"
            + (f"; rules not met: {', '.join(roster.violated_rules)}"
               if roster.violated_rules else "")
            + (f"; binding: {', '.join(roster.binding_rules)}" if roster.binding_rules else "")
        )  # fmt: skip


def run_roster(
    plan: dict[str, Any],
    plan_file: str,
    *,
    agents_csv: Path | None = None,
    weeks: int = 1,
    pseudonymise: bool = False,
    time_limit_s: float = 30.0,
) -> RosterRun:
    """Named agents on `plan`'s shifts (a ``wfm optimise`` document read from `plan_file`) for
    `weeks` weeks under the working-time rules: the agents of `agents_csv`, or as many
    anonymous ones as the plan needs. `RosterInputError` naming `plan_file` for a plan or
    agents that cannot be rostered."""
    from optimise.roster import RosterInputError, build_roster, generate_agents, read_agents_csv

    people = read_agents_csv(agents_csv) if agents_csv is not None else generate_agents(plan, weeks)
    try:
        roster = build_roster(
            plan, people, weeks, time_limit_s=time_limit_s, pseudonymise=pseudonymise,
            first_weekday=plan.get("first_weekday", 0),
        )  # fmt: skip
    except RosterInputError as err:
        raise RosterInputError(f"{plan_file}: {err}") from None
    return RosterRun(roster, people, weeks)
