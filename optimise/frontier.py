"""The cost against service-level frontier of a staffing: what more or fewer agents buy.

A headcount sweep scales every group's agents on duty (and on break) by each factor, rounds to
whole agents, and simulates every point on the same seed (common random numbers, so the curve
is smooth and its differences are the staffing's, not the noise's). A point's cost is its
agent-hours on shift (breaks included, as a plan pays them) times each group's
`cost_per_hour`, or, given a plan's own cost (which also counts its shift templates' cost
factors), that cost per agent-hour times the point's agent-hours. Its service level is the
live channels' contacts taken together, each against its own type's threshold
(`Results.centre_kpis`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

from scenarios.schema import Scenario
from scenarios.staffing import group_staffing
from sim.replicate import simulate
from sim.results import Results

DEFAULT_FACTORS = (0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2)


@dataclass(frozen=True)
class FrontierPoint:
    """One staffing level of the sweep: `factor` x the base headcount."""

    factor: float
    agent_hours: float  # on shift over the horizon, breaks included
    cost: float | None  # None when a group has no cost_per_hour
    service_level: dict[str, Any]  # Stat: mean, ci95_low, ci95_high
    abandon_rate: dict[str, Any]
    targets_met: int  # of the scenario's targets, met at the point estimate
    targets: int
    results: Results | None  # the base point's simulation (its tables and targets); else None

    def to_json(self) -> dict[str, Any]:
        """The point's figures (its simulation left out)."""
        return {
            "factor": self.factor,
            "agent_hours": self.agent_hours,
            "cost": self.cost,
            "service_level": self.service_level,
            "abandon_rate": self.abandon_rate,
            "targets_met": self.targets_met,
            "targets": self.targets,
        }


def headcount_frontier(
    scenario: Scenario,
    staffing: Mapping[str, np.ndarray] | None = None,
    breaks: Mapping[str, np.ndarray] | None = None,
    factors: Sequence[float] = DEFAULT_FACTORS,
    seed: int = 0,
    replications: int = 5,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
    base_cost: float | None = None,
    executor: Executor | None = None,
) -> list[FrontierPoint]:
    """Simulate the staffing scaled by each of `factors` and return the points in that order.

    `staffing` and `breaks` map each group to its agents working and on break,
    ``(days, steps_per_day)`` (a plan's, from `scenarios.plan_file.plan_staffing`); default:
    the scenario's own, breaks included (`breaks` is read only with `staffing`). `base_cost` is
    the cost of the unscaled staffing (a plan's ``cost``); without it, costs come from the
    groups' pay. `progress(fraction)` follows the whole sweep. Work goes to `executor` when
    given, else to `workers` local processes (`sim.replicate.simulate`). Only the base point
    (factor 1) keeps its simulation (`results`): a point's results are megabytes.
    """
    if staffing is None:
        staffing = group_staffing(scenario)
        gross = group_staffing(scenario, net_of_breaks=False)
        breaks = {name: gross[name] - staffing[name] for name in staffing}
    breaks = breaks or {name: np.zeros_like(agents) for name, agents in staffing.items()}
    pay = {g.name: g.cost_per_hour for g in scenario.agent_groups}
    step_h = scenario.horizon.days * 24 / next(iter(staffing.values())).size
    base_hours = sum(float((staffing[n] + breaks[n]).sum()) for n in staffing) * step_h
    points = []
    for i, factor in enumerate(factors):
        working = {name: _scaled(agents, factor) for name, agents in staffing.items()}
        resting = {name: _scaled(agents, factor) for name, agents in breaks.items()}
        hours = {name: float((working[name] + resting[name]).sum()) * step_h for name in working}
        within = None if progress is None else _part(progress, i, len(factors))
        results = simulate(
            scenario,
            working,
            seed=seed,
            replications=replications,
            executor=executor,
            workers=workers,
            progress=within,
        )
        centre = results.centre_kpis()
        met = [row["met"] for row in results.target_results()]
        points.append(
            FrontierPoint(
                factor=float(factor),
                agent_hours=sum(hours.values()),
                cost=_cost(hours, pay, base_cost, base_hours),
                service_level=centre["service_level"],
                abandon_rate=centre["abandon_rate"],
                targets_met=sum(met),
                targets=len(met),
                results=results if _is_base(factor) else None,
            )
        )
    return points


def _is_base(factor: float) -> bool:
    return abs(factor - 1.0) < 1e-9


def _cost(
    hours: dict[str, float],
    pay: dict[str, float | None],
    base_cost: float | None,
    base_hours: float,
) -> float | None:
    """A point's cost: the base cost per agent-hour, else each group's pay; None without
    either."""
    if base_cost is not None and base_hours > 0:
        return base_cost * sum(hours.values()) / base_hours
    if any(pay[name] is None for name in hours):
        return None
    return sum(hours[name] * pay[name] for name in hours)


def _scaled(agents: np.ndarray, factor: float) -> np.ndarray:
    """Agents scaled by `factor`, rounded half up to whole agents."""
    return np.floor(np.asarray(agents, dtype=float) * factor + 0.5).astype(np.int64)


def _part(progress: Callable[[float], None], i: int, n: int) -> Callable[[float], None]:
    return lambda fraction: progress((i + fraction) / n)


def base_point(points: Sequence[FrontierPoint]) -> FrontierPoint:
    """The sweep's point at the base headcount (factor 1); ValueError when it has none."""
    for point in points:
        if _is_base(point.factor):
            return point
    raise ValueError("the headcount sweep has no point at factor 1 (the base staffing)")
