"""The roster's inputs, read and checked: agents from a CSV file (`read_agents_csv`) or made up
for a plan (`generate_agents`), the plan's shifts as `_Slot`s (`_plan_slots`), and `_problem`,
which checks everything `build_roster` is given and indexes it as a `_Problem` (agents and
slots by position, roster days 0 .. 7 * weeks - 1, pseudonyms when asked).

Errors are `RosterInputError`s naming the file, row and column, or the field, never an agent's
name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimise.roster.rules import (
    MAX_HOURS_IN_WEEK,
    MAX_WEEKS,
    SHIFT_KINDS,
    WORK_DAYS_PER_WEEK,
)
from optimise.roster.types import Agent, RosterInputError, _Slot, pseudonym
from scenarios.schema import DAY_MIN, WEEKDAYS, clock_minutes

CSV_COLUMNS = ("agent", "group", "min_hours_week", "max_hours_week", "unavailable", "prefers")
_DAY_NAMES = {name: name for name in WEEKDAYS} | {
    full: full[:3]
    for full in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


def read_agents_csv(path: str | Path) -> list[Agent]:
    """Agents from a CSV file with columns ``agent,group`` and optionally ``min_hours_week``,
    ``max_hours_week`` (paid hours, 0..168), ``unavailable`` (``;``-separated roster days
    ``0 .. 7 * weeks - 1`` and/or weekday names ``mon`` .. ``sun``) and ``prefers``
    (``;``-separated template names and/or ``early``, ``late``, ``night``).

    Rows are numbered as in a spreadsheet (the header is row 1); blank lines are skipped. Raises
    `RosterInputError` with ``FILE: row N, column X: expected ..., got ...``. Names are never
    echoed in errors.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterInputError(
            f"{path}: expected UTF-8 text, got an undecodable byte at offset {exc.start}",
            file=str(path),
        ) from None
    except OSError as exc:
        raise RosterInputError(
            f"{path}: cannot read: {exc.strerror or exc}", file=str(path)
        ) from None

    def fail(row: int, column: str | None, expected: str, got: Any) -> RosterInputError:
        where = f"row {row}, column {column}" if column else f"row {row}"
        return RosterInputError(
            f"{path}: {where}: expected {expected}, got {got}",
            file=str(path),
            row=row,
            column=column,
        )

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise fail(reader.line_num, None, "well-formed CSV", str(exc)) from None
    records = [(n, row) for n, row in records if any(cell.strip() for cell in row)]
    if not records:
        raise fail(1, None, "a header with at least the columns agent,group", "an empty file")
    header_row, raw_header = records[0]
    header = [cell.strip().lower() for cell in raw_header]
    for i, name in enumerate(header):
        if name not in CSV_COLUMNS:
            raise fail(header_row, name or f"#{i + 1}", f"one of {', '.join(CSV_COLUMNS)}",
                       repr(raw_header[i]))  # fmt: skip
        if name in header[:i]:
            raise fail(header_row, name, "each column once", "it twice")
    for required in ("agent", "group"):
        if required not in header:
            raise fail(header_row, required, f"a column {required!r}",
                       f"columns {', '.join(header)}")  # fmt: skip

    agents: list[Agent] = []
    first_row: dict[str, int] = {}
    for number, row in records[1:]:
        if len(row) != len(header):
            raise fail(number, None, f"{len(header)} values (one per column)", len(row))
        cells = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
        name, group = cells["agent"], cells["group"]
        if not name:
            raise fail(number, "agent", "a name", "an empty cell")
        if name in first_row:
            raise fail(number, "agent", "a name not used before",
                       f"the name on row {first_row[name]}")  # fmt: skip
        first_row[name] = number
        if not group:
            raise fail(number, "group", "a group name", "an empty cell")
        hours: dict[str, float | None] = {}
        for column in ("min_hours_week", "max_hours_week"):
            cell = cells.get(column, "")
            if not cell:
                hours[column] = None
                continue
            try:
                value = float(cell)
            except ValueError:
                value = math.nan
            if not 0 <= value <= MAX_HOURS_IN_WEEK:
                raise fail(number, column, f"hours from 0 to {MAX_HOURS_IN_WEEK:g} or empty",
                           repr(cell))  # fmt: skip
            hours[column] = value
        low, high = hours["min_hours_week"], hours["max_hours_week"]
        if low is not None and high is not None and low > high:
            raise fail(number, "max_hours_week", f"at least min_hours_week ({low:g})", f"{high:g}")
        days: set[int] = set()
        weekdays: set[str] = set()
        for token in _tokens(cells.get("unavailable", "")):
            if token.isascii() and token.isdigit():
                days.add(int(token))
            elif token.lower() in _DAY_NAMES:
                weekdays.add(_DAY_NAMES[token.lower()])
            else:
                raise fail(number, "unavailable",
                           "roster days (0, 1, ...) or weekday names (mon..sun) separated by ';'",
                           repr(token))  # fmt: skip
        prefers = tuple(
            t.lower() if t.lower() in SHIFT_KINDS else t for t in _tokens(cells.get("prefers", ""))
        )
        agents.append(Agent(name, group, low, high, frozenset(days), frozenset(weekdays), prefers))
    if not agents:
        raise fail(header_row + 1, None, "at least one agent row", "none")
    return agents


def generate_agents(
    plan: Mapping[str, Any], weeks: int, spare: float = 0.1, *, max_hours_week: float = 48.0
) -> list[Agent]:
    """Enough anonymous agents per group (``GROUP-001``, ...) to cover the plan with rest days.

    The minimum per group is the largest of: its shifts per week over 5 working days per agent,
    its busiest day's shifts (one shift a day each), and its weekly paid hours over
    `max_hours_week` (h). `spare` (a share, e.g. 0.1) is added on top and rounded up. The plan
    repeats every week, so `weeks` (1..4) does not change the count.
    """
    _check_weeks(weeks)
    if not (isinstance(spare, (int, float)) and 0 <= spare <= 10):
        raise RosterInputError(f"spare: expected a share from 0 to 10, got {spare!r}")
    if not max_hours_week > 0:
        raise RosterInputError(f"max_hours_week: expected hours > 0, got {max_hours_week!r}")
    slots = _plan_slots(plan)
    per_week: dict[str, int] = defaultdict(int)
    per_day: dict[tuple[str, int], int] = defaultdict(int)
    paid_min: dict[str, int] = defaultdict(int)
    for slot in slots:
        per_week[slot.group] += slot.count
        per_day[slot.group, slot.day] += slot.count
        paid_min[slot.group] += slot.count * slot.paid_min
    agents = []
    for group in sorted(per_week):
        peak = max(n for (g, _), n in per_day.items() if g == group)
        least = max(
            math.ceil(per_week[group] / WORK_DAYS_PER_WEEK),
            peak,
            math.ceil(paid_min[group] / 60 / max_hours_week - 1e-9),
        )
        total = math.ceil(least * (1 + spare) - 1e-9)
        width = max(3, len(str(total)))
        agents += [Agent(f"{group}-{i:0{width}d}", group) for i in range(1, total + 1)]
    return agents


def _tokens(cell: str) -> list[str]:
    return [t.strip() for t in cell.split(";") if t.strip()]


def _check_weeks(weeks: Any) -> None:
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise RosterInputError(
            f"weeks: expected a whole number from 1 to {MAX_WEEKS}, got {weeks!r}"
        )


def _plan_slots(plan: Mapping[str, Any]) -> list[_Slot]:
    """The plan's rows with a count > 0, checked; errors name ``plan.shifts[i].field``."""
    rows = plan.get("shifts") if isinstance(plan, Mapping) else None
    if not isinstance(rows, list):
        raise RosterInputError(f"plan.shifts: expected a list of shifts, got {type(rows).__name__}")

    def fail(where: str, expected: str, got: Any) -> RosterInputError:
        return RosterInputError(f"{where}: expected {expected}, got {got!r}")

    def number(row: Mapping[str, Any], key: str, where: str) -> float:
        value = row.get(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise fail(f"{where}.{key}", "a number", value)
        return float(value)

    merged: dict[tuple, list] = {}
    for i, row in enumerate(rows):
        where = f"plan.shifts[{i}]"
        if not isinstance(row, Mapping):
            raise fail(where, "a mapping", row)
        for key in ("group", "template"):
            if not isinstance(row.get(key), str) or not row[key]:
                raise fail(f"{where}.{key}", "a name", row.get(key))
        day, count = row.get("day"), row.get("count")
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise fail(f"{where}.day", "a plan day from 0 to 6", day)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise fail(f"{where}.count", "a whole number >= 0", count)
        start = _clock_of(row.get("start"), f"{where}.start")
        length_h = number(row, "length_h", where)
        if not 0 < length_h <= 24:
            raise fail(f"{where}.length_h", "hours > 0 and <= 24", row["length_h"])
        paid_h = number(row, "paid_h", where) if "paid_h" in row else length_h
        if not 0 <= paid_h <= length_h:
            raise fail(f"{where}.paid_h", f"hours from 0 to length_h ({length_h:g})", paid_h)
        breaks = row.get("breaks", [])
        if not isinstance(breaks, list):
            raise fail(f"{where}.breaks", "a list", breaks)
        parsed_breaks = []
        for j, b in enumerate(breaks):
            if not isinstance(b, Mapping):
                raise fail(f"{where}.breaks[{j}]", "a mapping", b)
            _clock_of(b.get("start"), f"{where}.breaks[{j}].start")
            length = b.get("length_min")
            if isinstance(length, bool) or not isinstance(length, int) or length <= 0:
                raise fail(f"{where}.breaks[{j}].length_min", "whole minutes > 0", length)
            parsed_breaks.append((b["start"], length))
        if count:
            key = (row["group"], row["template"], day, start, round(length_h * 60),
                   round(paid_h * 60))  # fmt: skip
            merged.setdefault(key, [paid_h, []])[1].append((tuple(parsed_breaks), count))
    slots = []
    for (group, template, day, start, length, paid), (paid_h, variants) in merged.items():
        count = sum(n for _, n in variants)
        slots.append(
            _Slot(group, template, day, start, length, paid, paid_h, count, tuple(variants))
        )
    return slots


def _clock_of(value: Any, where: str) -> int:
    try:
        minutes = clock_minutes(value)
    except ValueError:
        minutes = DAY_MIN
    if minutes >= DAY_MIN:
        raise RosterInputError(f"{where}: expected a clock time HH:MM before 24:00, got {value!r}")
    return minutes


@dataclass
class _Problem:
    """Checked input, indexed: agents by position, slots by position, roster days 0..D-1."""

    agents: list[Agent]
    slots: list[_Slot]
    weeks: int
    first_weekday: int
    cyclic: bool
    min_paid_min: list[int]  # per agent, per week
    max_paid_min: list[int]
    off: list[set[int]]  # per agent: unavailable roster days
    prefers: list[set[str]]
    names: list[str]  # as shown in outputs (pseudonyms when asked)

    @property
    def days(self) -> int:
        return 7 * self.weeks

    def weekday(self, day: int) -> int:
        return (self.first_weekday + day) % 7

    def slots_on(self, day: int) -> list[int]:
        return [s for s, slot in enumerate(self.slots) if slot.day == day % 7]


def _problem(
    plan: Mapping[str, Any],
    agents: Sequence[Agent],
    weeks: int,
    first_weekday: int,
    cyclic: bool,
    min_hours_week: float,
    max_hours_week: float,
    pseudonymise: bool,
) -> _Problem:
    _check_weeks(weeks)
    for key, value in (("min_hours_week", min_hours_week), ("max_hours_week", max_hours_week)):
        if not (isinstance(value, (int, float)) and 0 <= value <= MAX_HOURS_IN_WEEK):
            raise RosterInputError(f"{key}: expected hours from 0 to 168, got {value!r}")
    if min_hours_week > max_hours_week:
        raise RosterInputError(
            f"max_hours_week: expected at least min_hours_week ({min_hours_week:g}), "
            f"got {max_hours_week:g}"
        )
    slots = _plan_slots(plan)
    seen: dict[str, int] = {}
    low, high, off, prefers = [], [], [], []
    days = 7 * weeks
    for i, agent in enumerate(agents):
        where = f"agents[{i}]"
        if not isinstance(agent, Agent):
            raise RosterInputError(f"{where}: expected an Agent, got {type(agent).__name__}")
        if not agent.name or not agent.group:
            raise RosterInputError(f"{where}: expected a name and a group, got an empty one")
        if agent.name in seen:
            raise RosterInputError(f"{where}.name: expected a name not used before, "
                                   f"got the name of agents[{seen[agent.name]}]")  # fmt: skip
        seen[agent.name] = i
        lo = min_hours_week if agent.min_hours_week is None else agent.min_hours_week
        hi = max_hours_week if agent.max_hours_week is None else agent.max_hours_week
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi))
        if not numbers or not 0 <= lo <= hi <= MAX_HOURS_IN_WEEK:
            raise RosterInputError(f"{where}: expected 0 <= min_hours_week <= max_hours_week "
                                   f"<= 168, got {lo!r} and {hi!r}")  # fmt: skip
        bad = [d for d in agent.unavailable if not isinstance(d, int) or d < 0]
        bad += sorted(agent.unavailable_weekdays - set(WEEKDAYS))
        if bad:
            raise RosterInputError(f"{where}.unavailable: expected roster days >= 0 or weekday "
                                   f"names mon..sun, got {bad[0]!r}")  # fmt: skip
        low.append(round(lo * 60))
        high.append(round(hi * 60))
        off.append({d for d in range(days) if agent.is_unavailable(d, first_weekday)})
        prefers.append(set(agent.prefers))
    names = [a.name for a in agents]
    if pseudonymise:
        names = _pseudonyms(agents)
    return _Problem(list(agents), slots, weeks, first_weekday, cyclic, low, high, off, prefers,
                    names)  # fmt: skip


def _pseudonyms(agents: Sequence[Agent]) -> list[str]:
    """`pseudonym` of every agent; the rare names whose 8 hex digits collide get more digits."""
    ids = [pseudonym(a.name, a.group) for a in agents]
    digits = 8
    while len(set(ids)) < len(ids) and digits < 64:
        digits += 4
        counts: dict[str, int] = defaultdict(int)
        for i in ids:
            counts[i] += 1
        ids = [
            f"{a.group}-A{hashlib.sha256(a.name.encode('utf-8')).hexdigest()[:digits]}"
            if counts[i] > 1
            else i
            for a, i in zip(agents, ids, strict=True)
        ]
    return ids
