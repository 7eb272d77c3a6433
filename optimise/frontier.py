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
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from scenarios.schema import Scenario
from scenarios.staffing import group_staffing
from sim.replicate import simulate_many
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
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "results"}


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
    given, else to `workers` local processes (`sim.replicate.simulate_many`). Only the base point
    (factor 1) keeps its simulation (`results`): a point's results are megabytes.
    """
    base = CostedStaffing.of(scenario, staffing, breaks, base_cost)
    scaled = [base.scaled(factor) for factor in factors]
    # Every replication of every factor is one task: the sweep fills the pool or the cluster.
    runs = simulate_many([(scenario, working) for working, _ in scaled], seed, replications,
                         executor, workers, progress)  # fmt: skip
    points = []
    for factor, (working, resting), results in zip(factors, scaled, runs, strict=True):
        hours = base.hours(working, resting)
        points.append(
            FrontierPoint(
                factor=float(factor),
                agent_hours=sum(hours.values()),
                cost=base.cost(hours),
                **service(results),
                results=results if _is_base(factor) else None,
            )
        )
    return points


def service(results: Results) -> dict[str, Any]:
    """How a staffing served: the live channels' service level and abandon rate (Stats), and
    how many of the scenario's targets it met."""
    centre = results.centre_kpis()
    met = [row["met"] for row in results.target_results()]
    return {
        "service_level": centre["service_level"],
        "abandon_rate": centre["abandon_rate"],
        "targets_met": sum(met),
        "targets": len(met),
    }


@dataclass(frozen=True)
class CostedStaffing:
    """A staffing to scale, and how to cost it: agents working and on break per group
    ``(days, steps_per_day)``, each step `step_h` hours long; the groups' `pay` per hour; the
    staffing's own cost when known (a plan's, which also counts its templates' cost factors)."""

    working: Mapping[str, np.ndarray]
    breaks: Mapping[str, np.ndarray]
    step_h: float
    pay: Mapping[str, float | None]
    base_cost: float | None

    @classmethod
    def of(
        cls,
        scenario: Scenario,
        staffing: Mapping[str, np.ndarray] | None,
        breaks: Mapping[str, np.ndarray] | None,
        base_cost: float | None,
    ) -> CostedStaffing:
        """`staffing` and `breaks`, or the scenario's own (`breaks` is read only with
        `staffing`)."""
        if staffing is None:
            staffing = group_staffing(scenario)
            gross = group_staffing(scenario, net_of_breaks=False)
            breaks = {name: gross[name] - staffing[name] for name in staffing}
        breaks = breaks or {name: np.zeros_like(agents) for name, agents in staffing.items()}
        step_h = scenario.horizon.days * 24 / next(iter(staffing.values())).size
        pay = {g.name: g.cost_per_hour for g in scenario.agent_groups}
        return cls(staffing, breaks, step_h, pay, base_cost)

    def scaled(self, factor: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Agents working and on break times `factor`, rounded half up to whole agents."""

        def scale(agents: np.ndarray) -> np.ndarray:
            return np.floor(np.asarray(agents, dtype=float) * factor + 0.5).astype(np.int64)

        return (
            {name: scale(a) for name, a in self.working.items()},
            {name: scale(a) for name, a in self.breaks.items()},
        )

    def hours(
        self, working: Mapping[str, np.ndarray], resting: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Agent-hours on shift (breaks included) per group."""
        return {n: float((working[n] + resting[n]).sum()) * self.step_h for n in working}

    def cost(self, hours: Mapping[str, float]) -> float | None:
        """The cost of `hours` per group. With a base cost, each group's hours cost what its
        base hours did: the base cost shared among the groups by their pay times hours (by
        hours where some pay is missing). Else each group's pay; None without either."""
        base = self.hours(self.working, self.breaks)
        paid = all(self.pay[name] is not None for name in base)
        if self.base_cost is not None and sum(base.values()) > 0:
            weight = {n: base[n] * (self.pay[n] if paid else 1.0) for n in base}
            total = sum(weight.values()) or sum(base.values())
            return sum(
                self.base_cost * weight[n] / total * hours[n] / base[n]
                for n in hours
                if base[n] > 0
            ) + sum(  # a group with no base hours costs its pay
                hours[n] * (self.pay[n] or 0.0) for n in hours if base[n] == 0
            )
        if not paid:
            return None
        return sum(hours[name] * self.pay[name] for name in hours)


def _is_base(factor: float) -> bool:
    return abs(factor - 1.0) < 1e-9


def base_point(points: Sequence[FrontierPoint]) -> FrontierPoint:
    """The sweep's point at the base headcount (factor 1); ValueError when it has none."""
    for point in points:
        if _is_base(point.factor):
            return point
    raise ValueError("the headcount sweep has no point at factor 1 (the base staffing)")
