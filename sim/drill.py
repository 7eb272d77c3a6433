"""Drills: an incident run on top of the normal staffing, its response plans compared.

Every response plan is run with the same seeds, so they meet the same contacts and the same
surge (common random numbers); only the levers differ. This module runs the replications
(`drill`, `run_drill_replication`); `sim.drill_score` scores each one, and `sim.drill_result`
sums them up per plan. The names of both are importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from scenarios.schema import Incident, Response, Scenario
from scenarios.staffing import group_staffing
from sim.arrivals import draw_contacts
from sim.behaviour import plan_behaviour
from sim.drill_result import AS_GIVEN, DrillResult
from sim.drill_score import DrillReplication, score
from sim.incident import Drill
from sim.replicate import build_centre, per_step
from sim.surge import draw_surge, merge
from sim.tasks import run_tasks

__all__ = [
    "AS_GIVEN", "DrillBatch", "DrillResult", "drill", "drill_batch", "run_drill_replication",
]  # fmt: skip


def run_drill_replication(
    scenario: Scenario,
    staffing: Mapping[str, np.ndarray],
    breaks: Mapping[str, np.ndarray] | None,
    incident_name: str,
    response: Response,
    seed: int,
    replication: int,
) -> DrillReplication:
    """Simulate replication `replication` of the incident under `response` and score it.
    `staffing` and `breaks` (agents on break) are ``(days, steps)`` per group."""
    incident = scenario.incident(incident_name)
    if breaks is None:
        on_break = np.zeros_like(per_step(scenario, staffing))
    else:
        on_break = per_step(scenario, breaks)
    contacts = merge(
        draw_contacts(scenario, seed, replication),
        draw_surge(scenario, incident, seed, replication),
    )
    behaviour = plan_behaviour(scenario, seed, replication)
    controller = Drill(scenario, incident, response, behaviour, on_break, seed, replication)
    centre = build_centre(scenario, staffing, seed, replication, contacts, behaviour, controller)
    record = centre.run()
    return score(scenario, incident, response, record, controller.log)


@dataclass(frozen=True)
class DrillBatch:
    """A drill's replications as tasks for `sim.tasks.run_tasks` (`run_drill_replication`'s
    arguments), and what sums their outcomes up: several drills' batches can run together."""

    scenario: Scenario
    incident: Incident
    seed: int
    responses: dict[str, Response]
    tasks: list[tuple]
    names: list[str]  # the response each task runs under, by name

    def result(self, outcomes: Sequence[DrillReplication]) -> DrillResult:
        """The drill's result from its tasks' outcomes, in the order of `tasks`."""
        plans: dict[str, list[DrillReplication]] = {name: [] for name in self.responses}
        for name, outcome in zip(self.names, outcomes, strict=True):
            plans[name].append(outcome)
        return DrillResult(self.scenario, self.incident, self.seed, plans)


def drill_batch(
    scenario: Scenario,
    incident: str,
    staffing: Mapping[str, np.ndarray] | None = None,
    breaks: Mapping[str, np.ndarray] | None = None,
    compare: Sequence[str] = (),
    seed: int = 0,
    replications: int = 10,
    response: Response | None = None,
) -> DrillBatch:
    """The replications of `incident` on `staffing` (default: the scenario's own, with its
    breaks) under its own response (or `response`) and under each response plan named in
    `compare`, on the same seeds."""
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    chosen = scenario.incident(incident)
    if staffing is None:
        staffing = group_staffing(scenario)
        gross = group_staffing(scenario, net_of_breaks=False)
        breaks = {name: gross[name] - staffing[name] for name in staffing}
    responses = {AS_GIVEN: response or chosen.response}
    for name in compare:
        responses[name] = scenario.response_of(chosen, name)
    names = [name for name in responses for _ in range(replications)]
    tasks = [(scenario, staffing, breaks, incident, responses[name], seed, r)
             for name in responses for r in range(replications)]  # fmt: skip
    return DrillBatch(scenario, chosen, seed, responses, tasks, names)


def drill(
    scenario: Scenario,
    incident: str,
    staffing: Mapping[str, np.ndarray] | None = None,
    breaks: Mapping[str, np.ndarray] | None = None,
    compare: Sequence[str] = (),
    seed: int = 0,
    replications: int = 10,
    executor: Executor | None = None,
    workers: int | None = None,
    response: Response | None = None,
    progress: Callable[[float], None] | None = None,
) -> DrillResult:
    """Run `incident` on `staffing` (default: the scenario's own, with its breaks) under its
    own response (or `response`) and under each response plan named in `compare`, on the same
    seeds (`drill_batch`); `progress(fraction)` follows the replications."""
    batch = drill_batch(scenario, incident, staffing, breaks, compare, seed, replications,
                        response)  # fmt: skip
    outcomes = run_tasks(run_drill_replication, batch.tasks, executor=executor,
                         workers=workers, progress=progress)  # fmt: skip
    return batch.result(outcomes)
