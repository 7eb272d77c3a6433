"""Agents needed per interval and agent group: the analytic first pass.

Each contact type's requirement comes from Erlang A where it has patience, else Erlang C
(`optimise.erlang`), for its strictest target (the highest service level among its own and its
tiers' targets, at the shortest threshold among them; 80 % in 20 s without any), with its
channel's concurrency, and where the volume has a day-to-day forecast error (`overdispersion`)
for the target's expectation over it (the simulator's verdicts judge expected levels, and a
busy day costs more service than a quiet day gives back). Contact types sharing a skill add
up. A skill's requirement goes to the agent group that lists the skill earliest (the group
routing tries first); other groups start at zero. This never counts a flexible agent in
full towards every skill it has: how much shared capacity multi-skill groups add is measured
by the simulation in `optimise.loop`, which raises the requirement where targets fail.
Requirements stay fractional; the shift model rounds.

Volumes are `scenarios.demand.expected_offered`: after self-service, with repeats and
escalations. Deferred (e-mail) work is not queueing in the Erlang sense: its requirement is its
whole workload spread evenly over the channel's business hours in the horizon (agents just busy
enough to clear it), which the simulation then corrects for the answer-time target.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

from optimise.sizing import agents_needed
from scenarios.demand import expected_offered, open_mask
from scenarios.load import ScenarioError
from scenarios.schema import DAY_MIN, MAX_AGENTS, ContactType, Scenario, clock_minutes
from sim.routing import routing_table

DEFAULT_SERVICE_LEVEL = 0.8
DEFAULT_ANSWER_WITHIN_S = 20.0


def strictest_target(scenario: Scenario, contact_type: ContactType) -> tuple[float, float]:
    """(service level, answer within s) that the analytic pass staffs a contact type for."""
    targets = [t for t in scenario.targets if t.contact_type == contact_type.name]
    if not targets:
        return DEFAULT_SERVICE_LEVEL, DEFAULT_ANSWER_WITHIN_S
    return max(t.service_level for t in targets), min(t.answer_within_s for t in targets)


def analytic_requirement(scenario: Scenario) -> dict[str, np.ndarray]:
    """Agents needed on duty per group, ``(days, intervals_per_day)`` floats."""
    horizon = scenario.horizon
    routing = routing_table(scenario)
    shape = (horizon.days, horizon.intervals_per_day)
    per_skill = [np.zeros(shape) for _ in routing.skills]
    offered = expected_offered(scenario)
    for t, ct in enumerate(scenario.contact_types):
        channel = scenario.channel_of(ct)
        if channel.kind == "email":
            per_skill[routing.type_skill[t]] += _deferred_requirement(
                offered[t], ct.handle_time.mean, open_mask(channel.business_hours, horizon),
                horizon.interval_s,
            )  # fmt: skip
            continue
        level, within_s = strictest_target(scenario, ct)
        rate = offered[t] / horizon.interval_s
        per_skill[routing.type_skill[t]] += agents_needed(
            rate,
            ct.handle_time.mean,
            answer_within_s=within_s,
            service_level=level,
            patience_s=ct.patience.mean if ct.patience is not None else None,
            concurrency=scenario.channel_of(ct).concurrency,
            volume_cv=None if ct.volume.overdispersion is None else ct.volume.overdispersion.cv,
        )
    requirement = {g.name: np.zeros(shape) for g in scenario.agent_groups}
    for s, needed in enumerate(per_skill):
        first = routing.type_skill.index(s)  # any contact type of the skill has the same groups
        primary = scenario.agent_groups[routing.type_groups[first][0]]
        requirement[primary.name] += needed
    return requirement


def _deferred_requirement(
    volume: np.ndarray, handle_s: float, is_open: np.ndarray, interval_s: float
) -> np.ndarray:
    """Agents per interval that clear `volume` (contacts per interval) of `handle_s`-second work
    by working evenly through the open intervals of the horizon."""
    open_s = is_open.sum() * interval_s
    if open_s == 0:
        return np.zeros(volume.shape)
    return np.where(is_open, volume.sum() * handle_s / open_s, 0.0)


def read_requirement_csv(path: str | Path, scenario: Scenario) -> dict[str, np.ndarray]:
    """A planner's requirement from CSV columns ``day,start,group,agents`` (day 0-based, start
    ``HH:MM`` on the scenario's interval grid); intervals not listed need no one.
    Raises `ScenarioError` naming the file, row and column of a bad cell."""
    horizon = scenario.horizon
    file = str(path)
    shape = (horizon.days, horizon.intervals_per_day)
    requirement = {g.name: np.zeros(shape) for g in scenario.agent_groups}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise ScenarioError(file, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(file, "", f"cannot read: {err}") from None
    if not rows:
        raise ScenarioError(file, "", "expected a header day,start,group,agents and rows")
    missing = {"day", "start", "group", "agents"} - set(rows[0])
    if missing:
        raise ScenarioError(file, "header", f"missing column(s) {', '.join(sorted(missing))}")
    for number, row in enumerate(rows, start=2):
        where = f"row {number}"
        day = _cell(row, "day", file, where, int)
        if not 0 <= day < horizon.days:
            raise ScenarioError(
                file, f"{where}, column day", f"expected 0..{horizon.days - 1}, got {day}"
            )
        try:
            minutes = clock_minutes(row["start"])
        except ValueError:
            raise ScenarioError(
                file, f"{where}, column start", f"expected HH:MM, got {row['start']!r}"
            ) from None
        if minutes % horizon.interval_min or minutes >= DAY_MIN:
            raise ScenarioError(
                file,
                f"{where}, column start",
                f"expected the start of a {horizon.interval_min}-min interval, got {row['start']}",
            )
        if row["group"] not in requirement:
            raise ScenarioError(
                file, f"{where}, column group", f"unknown agent group {row['group']!r}"
            )
        agents = _cell(row, "agents", file, where, float)
        if not 0 <= agents <= MAX_AGENTS:
            raise ScenarioError(
                file, f"{where}, column agents", f"expected 0 to {MAX_AGENTS:,}, got {agents:g}"
            )
        requirement[row["group"]][day, minutes // horizon.interval_min] = agents
    return requirement


def _cell(row: dict[str, str], column: str, file: str, where: str, kind: type) -> Any:
    try:
        value = kind(row[column])
    except (TypeError, ValueError):
        expected = "a whole number" if kind is int else "a number"
        raise ScenarioError(
            file, f"{where}, column {column}", f"expected {expected}, got {row[column]!r}"
        ) from None
    if kind is float and not math.isfinite(value):
        raise ScenarioError(file, f"{where}, column {column}", f"expected a number, got {value}")
    return value
