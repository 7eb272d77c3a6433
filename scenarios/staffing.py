"""Agents on duty per group over the horizon, from counts or from shifts.

A shift row is the format of an optimised plan's shifts: ``{"group", "day", "start" (HH:MM),
"length_h", "count", "breaks": [{"start" (HH:MM), "length_min"}]}`` with `day` a horizon day.
Agents on break are off duty. Shifts past the horizon's end wrap to its start when the horizon
is cyclic and are cut off otherwise.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scenarios.demand import agents_per_interval
from scenarios.schema import DAY_MIN, WEEKDAYS, AgentGroup, Scenario, clock_minutes


def minutes_per_interval(
    start_abs_min: int, length_min: int, interval_min: int, horizon_min: int, cyclic: bool
) -> dict[int, int]:
    """Minutes of ``[start, start + length)`` falling in each interval of the horizon; the part
    past the end wraps to the start when `cyclic`, and is dropped otherwise."""
    out: dict[int, int] = {}
    position, end = start_abs_min, start_abs_min + length_min
    while position < end:
        if position >= horizon_min and not cyclic:
            break
        here = position % horizon_min
        k = here // interval_min
        step = min(end - position, (k + 1) * interval_min - here)
        out[k] = out.get(k, 0) + step
        position += step
    return out


def plan_step_min(scenario: Scenario, shifts: list[dict[str, Any]]) -> int:
    """The coarsest grid (minutes) on which every interval, shift and break starts and ends."""
    step = scenario.horizon.interval_min
    for row in shifts:
        step = math.gcd(step, clock_minutes(row["start"]), round(row["length_h"] * 60))
        for b in row["breaks"]:
            step = math.gcd(step, clock_minutes(b["start"]), b["length_min"])
    return step


def on_duty(
    scenario: Scenario,
    shifts: list[dict[str, Any]],
    step_min: int | None = None,
    net_of_breaks: bool = True,
) -> dict[str, np.ndarray]:
    """Agents working (net of breaks; or on shift, breaks included, when not `net_of_breaks`)
    per group, ``(days, steps_per_day)``, on a grid of `step_min` minutes (default
    `plan_step_min`; it must divide every shift and break time) -- the staffing the simulator
    runs the shifts with. Groups without shifts get zeros."""
    horizon = scenario.horizon
    step = plan_step_min(scenario, shifts) if step_min is None else step_min
    per_day = DAY_MIN // step
    minutes = covered_minutes(scenario, shifts, step, net_of_breaks)
    out = {}
    for g, group in enumerate(scenario.agent_groups):
        agents = np.zeros(horizon.days * per_day, dtype=np.int64)
        for k in range(agents.size):
            agents[k] = minutes.get((g, k), 0) // step
        out[group.name] = agents.reshape(horizon.days, per_day)
    return out


def shift_rows(scenario: Scenario, group: AgentGroup) -> list[dict[str, Any]]:
    """A group's `shifts` as plan shift rows, weekday names expanded to every such horizon day."""
    horizon = scenario.horizon
    rows = []
    for shift in group.shifts or []:
        if isinstance(shift.day, int):
            days = [shift.day]
        else:
            weekday = WEEKDAYS.index(shift.day)
            days = [d for d in range(horizon.days) if (horizon.first_weekday + d) % 7 == weekday]
        breaks = [{"start": b.start, "length_min": b.length_min} for b in shift.breaks]
        for day in days:
            rows.append(
                {
                    "group": group.name,
                    "day": day,
                    "start": shift.start,
                    "length_h": shift.length_min / 60,
                    "count": shift.count,
                    "breaks": breaks,
                }
            )
    return rows


def group_staffing(scenario: Scenario, net_of_breaks: bool = True) -> dict[str, np.ndarray]:
    """Agents on duty per group as the scenario gives them (`agents` or `shifts`; agents on
    break count only when not `net_of_breaks`), ``(days, steps_per_day)`` on the coarsest grid
    that fits every interval, shift and break. Every group must be staffed."""
    for group in scenario.agent_groups:
        if not group.staffed:
            raise ValueError(f"agent group {group.name!r} has no agents or shifts to simulate with")
    rows = [row for g in scenario.agent_groups for row in shift_rows(scenario, g)]
    step = plan_step_min(scenario, rows)
    from_shifts = on_duty(scenario, rows, step, net_of_breaks)
    repeat = scenario.horizon.interval_min // step
    return {
        g.name: from_shifts[g.name]
        if g.shifts is not None
        else np.repeat(agents_per_interval(g, scenario.horizon), repeat, axis=1)
        for g in scenario.agent_groups
    }


def covered_minutes(
    scenario: Scenario, shifts: list[dict[str, Any]], step_min: int, net_of_breaks: bool = True
) -> dict[tuple[int, int], int]:
    """Agent-minutes worked (net of breaks, unless not `net_of_breaks`) per (group index, step)
    by the shift rows."""
    horizon = scenario.horizon
    horizon_min = horizon.days * DAY_MIN
    index = {g.name: i for i, g in enumerate(scenario.agent_groups)}
    out: dict[tuple[int, int], int] = {}
    for row in shifts:
        g = index[row["group"]]
        start = row["day"] * DAY_MIN + clock_minutes(row["start"])
        spans = [(start, round(row["length_h"] * 60), 1)]
        for b in row["breaks"] if net_of_breaks else []:
            offset = (clock_minutes(b["start"]) - clock_minutes(row["start"])) % DAY_MIN
            spans.append((start + offset, b["length_min"], -1))
        for begin, length, sign in spans:
            minutes = minutes_per_interval(begin, length, step_min, horizon_min, horizon.cyclic)
            for k, m in minutes.items():
                out[g, k] = out.get((g, k), 0) + sign * m * row["count"]
    return out
