"""Reading a capacity file (`scenarios.schema.capacity`) with the files it names: the
representative week's scenario, its optimised plan and a ``wfm forecast`` output, each checked,
and the volume factor of every week of the plan.

A week's volume factor is its volume relative to the representative week: the yearly growth
compounded weekly, ``(1 + growth_per_year) ** (week / 52)``, times the week's seasonal factor
(``weekly_factors``), or, from a forecast, the forecast's total for the week over the
scenario's weekly volume (the growth then applies on top of the forecast: give 0 when the
forecast already has its trend).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scenarios.demand import scenario_volume
from scenarios.load import load, read_yaml, validated
from scenarios.plan_file import check_plan_fits, read_plan
from scenarios.safe_read import ScenarioError
from scenarios.schema import Scenario
from scenarios.schema.capacity import CapacityPlan


@dataclass(frozen=True)
class CapacityInputs:
    """A checked capacity file: its model, the scenario and plan it names, and the mean
    volume factor of each week (``weeks``,)."""

    file: str
    capacity: CapacityPlan
    scenario: Scenario
    scenario_file: Path
    week_plan: dict[str, Any] | None
    volume_factors: np.ndarray


def load_capacity(path: Path, changes: Mapping[str, Any] | None = None) -> CapacityInputs:
    """The capacity file at `path` and what it names, its top-level fields replaced by
    `changes` when given (a what-if: the files it names are still found beside `path`);
    `ScenarioError` (one line naming the file and field) when anything is not valid."""
    file = str(path)
    data = read_yaml(path, "capacity plan")
    if changes and isinstance(data, dict):
        data = {**data, **changes}
    capacity = validated(CapacityPlan, data, file, "capacity")
    scenario_file = path.parent / capacity.scenario
    scenario = load(scenario_file)
    groups = {g.name: g for g in scenario.agent_groups}
    for k, group in enumerate(capacity.groups):
        if group.name not in groups:
            raise ScenarioError(file, f"groups[{k}].name", f"{group.name!r} is not an agent group "
                                f"of {scenario_file} (it has: {', '.join(groups)})")  # fmt: skip
        if groups[group.name].cost_per_hour is None:
            raise ScenarioError(file, f"groups[{k}].name", f"{scenario_file} gives {group.name!r} "
                                "no cost_per_hour, which the plan's pay needs")  # fmt: skip
    week_plan = None
    if capacity.plan is not None:
        plan_file = path.parent / capacity.plan
        week_plan = read_plan(plan_file)
        check_plan_fits(scenario, week_plan, str(plan_file))
    return CapacityInputs(file, capacity, scenario, scenario_file, week_plan,
                          _volume_factors(capacity, scenario, path.parent, file))  # fmt: skip


def _volume_factors(
    capacity: CapacityPlan, scenario: Scenario, folder: Path, file: str
) -> np.ndarray:
    demand, weeks = capacity.demand, capacity.weeks
    growth = (1 + demand.growth_per_year) ** (np.arange(weeks) / 52)
    if demand.weekly_factors is not None:
        return growth * np.asarray(demand.weekly_factors)
    if demand.forecast is not None:
        return growth * _forecast_factors(folder / demand.forecast, capacity, scenario, file)
    return growth


def _forecast_factors(
    path: Path, capacity: CapacityPlan, scenario: Scenario, file: str
) -> np.ndarray:
    """Each week's forecast total over the scenario's weekly volume."""
    try:
        table = pd.read_csv(path, usecols=["interval_start", "forecast"])
        starts = pd.to_datetime(table["interval_start"], format="%Y-%m-%d %H:%M")
    except (OSError, ValueError) as err:
        raise ScenarioError(file, "demand.forecast", f"{path}: expected a `wfm forecast` CSV "
                            f"({str(err).splitlines()[0]})") from None  # fmt: skip
    start = pd.Timestamp(capacity.start)
    week = ((starts - start) // pd.Timedelta(days=7)).to_numpy()
    inside = (week >= 0) & (week < capacity.weeks)
    totals = np.bincount(week[inside], table["forecast"].to_numpy(float)[inside],
                         minlength=capacity.weeks)  # fmt: skip
    covered = np.bincount(week[inside], minlength=capacity.weeks)
    if covered.min() == 0:
        missing = capacity.start + timedelta(weeks=int(np.argmin(covered)))
        raise ScenarioError(file, "demand.forecast", f"{path} has no forecast for the week of "
                            f"{missing} (it must cover every week of the plan)")  # fmt: skip
    days = scenario.horizon.days
    week_volume = sum(float(scenario_volume(scenario, ct).sum()) for ct in scenario.contact_types)
    return totals / (week_volume * 7 / days)
