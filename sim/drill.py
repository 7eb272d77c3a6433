"""Drills: an incident run on top of the normal staffing, its response plans compared.

Every response plan is run with the same seeds, so they meet the same contacts and the same
surge (common random numbers); only the levers differ. This module runs the replications
(`drill`, `run_drill_replication`); `sim.drill_score` scores each one, and `sim.drill_result`
sums them up per plan. The names of both are importable from here too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

import numpy as np

from scenarios.schema import Response, Scenario
from scenarios.staffing import group_staffing
from sim.arrivals import draw_contacts
from sim.behaviour import plan_behaviour
from sim.drill_result import AS_GIVEN, DrillResult
from sim.drill_score import (
    BIN_S,
    HOLD_S,
    LEAD_IN_S,
    SCORES,
    TIMELINE,
    DrillReplication,
    recover_level,
    score,
    scored_period,
    timeline_bins,
)
from sim.incident import Drill
from sim.replicate import build_centre, per_step
from sim.surge import draw_surge, merge

__all__ = [
    "AS_GIVEN", "BIN_S", "HOLD_S", "LEAD_IN_S", "SCORES", "TIMELINE", "DrillReplication",
    "DrillResult", "drill", "recover_level", "run_drill_replication", "score", "scored_period",
    "timeline_bins",
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
) -> DrillResult:
    """Run `incident` on `staffing` (default: the scenario's own, with its breaks) under its
    own response (or `response`) and under each response plan named in `compare`, on the same
    seeds."""
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
    jobs = [(name, r) for name in responses for r in range(replications)]

    def args(name: str, r: int) -> tuple:
        return (scenario, staffing, breaks, incident, responses[name], seed, r)

    workers = workers or os.cpu_count() or 1
    if executor is None and (workers == 1 or len(jobs) == 1):
        outcomes = [run_drill_replication(*args(name, r)) for name, r in jobs]
    else:
        own = executor is None
        pool = executor or ProcessPoolExecutor(max_workers=min(workers, len(jobs)))
        try:
            futures = [pool.submit(run_drill_replication, *args(name, r)) for name, r in jobs]
            outcomes = [f.result() for f in futures]
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
    plans: dict[str, list[DrillReplication]] = {name: [] for name in responses}
    for (name, _), outcome in zip(jobs, outcomes, strict=True):
        plans[name].append(outcome)
    return DrillResult(scenario, chosen, seed, plans)
