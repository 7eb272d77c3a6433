"""Standby reserve sizing: the fewest on-call agents with which each surge-target incident meets
its targets, on top of the normal plan.

Each incident named in the scenario's `surge_targets` has a `response.reserve` lever (its group,
activation delay and on-call cost factor); only its `agents` are chosen, against the targets a
reserve's size can move: recovery and the abandon rate (`SIZED_TARGETS`). The report and
response times depend on detection and the levers' delays, not on how many agents are called
in; the plan reports them as they come out. For one incident the
count is searched on common random numbers (`sim.drill` with the loop's seed): 0 if the targets
hold without a reserve, else doubling until they hold, then bisecting between the last count
that failed and the first that held. The count found is then checked with an independent seed
and raised in steps of an eighth (at least one agent) until that check holds too. A group's
reserve is the largest any of its incidents needs; each incident is then scored with it.

On call, a reserve agent costs `cost_factor` times the group's `cost_per_hour` for every hour of
the horizon (the incident may come at any time); the hours it works once activated are not
costed here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scenarios.schema import Incident, Reserve, Scenario
from sim.drill import DrillResult, drill

MAX_RESERVE = 2048  # a search past this many agents stops: the targets are out of reach
VERIFY_SEED_OFFSET = 2_000_003
SIZED_TARGETS = ("recover_min", "abandon_rate")
MAX_VERIFY_STEPS = 8


@dataclass
class ReserveSizing:
    """Reserve agents per group (None: out of reach), their on-call cost, each incident's
    result with them, and the counts tried: ``(agents, met, seed)``."""

    groups: dict[str, dict[str, Any]]
    incidents: dict[str, dict[str, Any]]
    searches: dict[str, list[tuple[int, bool, int]]] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        return sum(g["cost"] for g in self.groups.values())

    @property
    def targets_met(self) -> bool:
        """True when every incident meets the targets the reserve was sized for."""
        return all(i["sized_targets_met"] for i in self.incidents.values())

    def to_json(self) -> dict[str, Any]:
        """The plan JSON's ``reserve``."""
        return {
            "groups": self.groups,
            "cost": self.cost,
            "targets_met": self.targets_met,
            "incidents": self.incidents,
            "searches": {name: [list(step) for step in s] for name, s in self.searches.items()},
        }


def size_reserve(
    scenario: Scenario,
    staffing: Mapping[str, np.ndarray],
    breaks: Mapping[str, np.ndarray] | None = None,
    *,
    seed: int = 0,
    replications: int = 10,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReserveSizing:
    """The smallest reserve per group meeting every surge target on `staffing` (agents on duty
    per group and step, `breaks` those on break)."""
    say = progress or (lambda _message: None)

    def run(incident: Incident, agents: int, run_seed: int) -> DrillResult:
        reserve = incident.response.reserve.model_copy(update={"agents": agents})
        response = incident.response.model_copy(update={"reserve": reserve})
        return drill(scenario, incident.name, staffing, breaks, seed=run_seed,
                     replications=replications, executor=executor, workers=workers,
                     response=response)  # fmt: skip

    needed: dict[str, int | None] = {}  # None: no reserve up to MAX_RESERVE is enough
    searches: dict[str, list[tuple[int, bool, int]]] = {}
    for name in scenario.surge_targets:
        incident = scenario.incident(name)
        agents, searches[name] = _size_one(incident, run, seed, say)
        group = incident.response.reserve.group
        known = needed.get(group, 0)
        needed[group] = None if agents is None or known is None else max(known, agents)

    groups = {}
    for name, agents in needed.items():
        lever = _lever(scenario, name)
        pay = next(g for g in scenario.agent_groups if g.name == name).cost_per_hour or 0.0
        hours = scenario.horizon.days * 24.0
        groups[name] = {
            "agents": agents,
            "activation_delay_min": lever.activation_delay_min,
            "cost_factor": lever.cost_factor,
            "on_call_h": hours,
            "cost": 0.0 if agents is None else agents * pay * lever.cost_factor * hours,
        }
    incidents = {}
    for name in scenario.surge_targets:
        incident = scenario.incident(name)
        agents = needed[incident.response.reserve.group]
        entry: dict[str, Any] = {"reserve_group": incident.response.reserve.group,
                                 "reserve_agents": agents}  # fmt: skip
        if agents is None:
            entry |= {"sized_targets_met": False, "targets_met": False,
                      "message": f"out of reach: not met with {MAX_RESERVE} agents"}  # fmt: skip
        else:
            result = run(incident, agents, seed + VERIFY_SEED_OFFSET)
            plan = result.plan_json("as given")
            entry |= {
                "sized_targets_met": result.met(metrics=SIZED_TARGETS),
                **{k: plan[k] for k in ("scorecard", "recovered", "targets", "targets_met")},
            }
        incidents[name] = entry
    return ReserveSizing(groups, incidents, searches)


def _size_one(
    incident: Incident,
    run: Callable[[Incident, int, int], DrillResult],
    seed: int,
    say: Callable[[str], None],
) -> tuple[int | None, list[tuple[int, bool, int]]]:
    """The reserve one incident needs (None: out of reach), and the counts tried."""
    steps: list[tuple[int, bool, int]] = []

    def holds(agents: int, run_seed: int) -> bool:
        met = run(incident, agents, run_seed).met(metrics=SIZED_TARGETS)
        steps.append((agents, met, run_seed))
        say(f"reserve for {incident.name}: {agents} agents, targets {_word(met)}")
        return met

    agents = smallest_count(lambda n: holds(n, seed))
    for _ in range(MAX_VERIFY_STEPS):
        if agents is None or holds(agents, seed + VERIFY_SEED_OFFSET):
            break
        agents += max(1, math.ceil(agents / 8))
    return agents, steps


def smallest_count(holds: Callable[[int], bool]) -> int | None:
    """The smallest count for which `holds` is true, assuming it stays true above it; None if
    not even `MAX_RESERVE` is enough."""
    if holds(0):
        return 0
    failed, agents = 0, 1
    while not holds(agents):
        failed = agents
        if agents >= MAX_RESERVE:
            return None
        agents = min(2 * agents, MAX_RESERVE)
    while agents - failed > 1:
        middle = (agents + failed) // 2
        if holds(middle):
            agents = middle
        else:
            failed = middle
    return agents


def _lever(scenario: Scenario, group: str) -> Reserve:
    """The reserve lever of the first surge-target incident drawing on `group`."""
    return next(
        scenario.incident(n).response.reserve
        for n in scenario.surge_targets
        if scenario.incident(n).response.reserve.group == group
    )


def _word(met: bool) -> str:
    return "met" if met else "missed"
