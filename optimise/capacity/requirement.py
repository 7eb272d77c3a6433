"""The requirement curve: per agent group, the agent-hours a week needs as a function of its
volume factor, measured by planning the representative week at a few factors with the whole
simulation-optimisation (`optimise.loop.optimise`), the plan given for factor 1 reused.

Between the measured points the curve is a monotone cubic (PCHIP) through them, after each
group's points are made non-decreasing in the factor (a plan at a higher volume that came out
a little cheaper, within the search's noise, is lifted to its neighbour's hours; the JSON says
which). Beyond the points it is proportional to the factor from the nearest end point.
Required FTE = agent-hours / (paid hours a week x (1 - shrinkage)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.interpolate import PchipInterpolator

from scenarios.edit import scaled_volume
from scenarios.load import from_dict
from scenarios.safe_read import ScenarioError
from scenarios.schema import Scenario

MAX_STEP = 0.15  # the widest gap between two measured factors
WEEK_DAYS = 7


@dataclass(frozen=True)
class CurvePoint:
    """One measured point: the factor, each group's agent-hours a week, and whether a group's
    hours were lifted to keep the curve non-decreasing."""

    volume_factor: float
    agent_hours: dict[str, float]
    lifted: tuple[str, ...] = ()
    from_plan: bool = False


@dataclass(frozen=True)
class RequirementCurve:
    """The measured points and, per group, the agent-hours a week at any volume factor."""

    points: list[CurvePoint]

    def agent_hours(self, group: str, factors: np.ndarray) -> np.ndarray:
        """Agent-hours a week `group` needs at each of `factors` (any shape)."""
        xs = np.array([p.volume_factor for p in self.points])
        ys = np.array([p.agent_hours[group] for p in self.points])
        factors = np.asarray(factors, dtype=float)
        inside = (
            PchipInterpolator(xs, ys)(np.clip(factors, xs[0], xs[-1])) if len(xs) > 1 else ys[0]
        )
        low = ys[0] * factors / xs[0]
        high = ys[-1] * factors / xs[-1]
        return np.where(factors < xs[0], low, np.where(factors > xs[-1], high, inside))


def curve_from_document(document: dict[str, Any], groups: list[str], file: str) -> RequirementCurve:
    """The curve a ``wfm capacity --json`` document measured (its ``requirement_curve``), for
    `groups`; `ScenarioError` naming `file` when it lacks one of them or is not such a
    document."""
    given = document.get("requirement_curve")
    if not isinstance(given, dict):
        raise ScenarioError(file, "requirement_curve", "expected the JSON of `wfm capacity`")
    missing = [g for g in groups if g not in given]
    if missing:
        raise ScenarioError(file, "requirement_curve", f"has no curve for {missing[0]!r}")
    try:
        factors = [float(p["volume_factor"]) for p in given[groups[0]]]
        points = [
            CurvePoint(factor, {g: float(given[g][k]["agent_hours"]) for g in groups},
                       from_plan=bool(given[groups[0]][k].get("from_plan")))
            for k, factor in enumerate(factors)
        ]  # fmt: skip
    except (KeyError, IndexError, TypeError, ValueError):
        raise ScenarioError(file, "requirement_curve", "expected points of volume_factor and "
                            "agent_hours for every group") from None  # fmt: skip
    if not points or factors != sorted(set(factors)):
        raise ScenarioError(file, "requirement_curve", "expected increasing volume factors")
    return RequirementCurve(_non_decreasing(points))


def curve_factors(volume_factors: np.ndarray, cv: float) -> list[float]:
    """The factors to measure: from the lowest week less two standard deviations of its noise
    to the highest plus two, 1 included, at most `MAX_STEP` apart."""
    low = min(float(np.min(volume_factors)) * (1 - 2 * cv), 1.0)
    high = max(float(np.max(volume_factors)) * (1 + 2 * cv), 1.0)
    factors = {1.0}
    for end in (low, high):
        steps = int(np.ceil(abs(end - 1.0) / MAX_STEP))
        factors.update(np.round(np.linspace(1.0, end, steps + 1), 4).tolist())
    return sorted(factors)


def group_hours(scenario: Scenario, shifts: list[dict[str, Any]]) -> dict[str, float]:
    """Agent-hours a week of each group in a plan's `shifts` (breaks included, as paid)."""
    length_h = {t.name: t.length_h for t in scenario.shift_templates}
    hours = dict.fromkeys((g.name for g in scenario.agent_groups), 0.0)
    for shift in shifts:
        hours[shift["group"]] += shift["count"] * length_h[shift["template"]]
    weeks = scenario.horizon.days / WEEK_DAYS
    return {group: total / weeks for group, total in hours.items()}


def measure_curve(
    mapping: dict[str, Any],
    file: str,
    factors: list[float],
    plan_shifts: list[dict[str, Any]] | None,
    plan: Callable[[Scenario], list[dict[str, Any]]],
    progress: Callable[[str], None] | None = None,
) -> RequirementCurve:
    """The curve of the scenario `mapping` (read from `file`) measured at `factors`: at 1 the
    given plan's shifts when there are some, elsewhere ``plan(scenario)``'s (the caller's
    optimiser, with its seed and settings)."""
    points = []
    for factor in factors:
        scenario = from_dict(_scaled(mapping, factor), file)
        if factor == 1.0 and plan_shifts is not None:
            points.append(CurvePoint(factor, group_hours(scenario, plan_shifts), from_plan=True))
            continue
        if progress is not None:
            progress(f"planning the week at {factor:.0%} of its volume")
        points.append(CurvePoint(factor, group_hours(scenario, plan(scenario))))
    return RequirementCurve(_non_decreasing(points))


def _scaled(mapping: dict[str, Any], factor: float) -> dict[str, Any]:
    scaled = dict(mapping)
    scaled["contact_types"] = [
        {**ct, "volume": scaled_volume(ct["volume"], factor)} for ct in mapping["contact_types"]
    ]
    return scaled


def _non_decreasing(points: list[CurvePoint]) -> list[CurvePoint]:
    """Each group's hours lifted to the largest at a lower factor."""
    fixed: list[CurvePoint] = []
    for point in sorted(points, key=lambda p: p.volume_factor):
        hours, lifted = dict(point.agent_hours), []
        if fixed:
            for group, value in hours.items():
                if value < fixed[-1].agent_hours[group]:
                    hours[group], lifted = fixed[-1].agent_hours[group], [*lifted, group]
        fixed.append(CurvePoint(point.volume_factor, hours, tuple(lifted), point.from_plan))
    return fixed
