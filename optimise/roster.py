"""Rostering: named agents on the shifts of a staffing plan over 1 to 4 weeks, with CP-SAT.

The plan (the ``shifts`` rows of ``wfm optimise``) covers one week and repeats every rostered
week: a row ``{"group", "template", "day", "start", "count", "length_h", "paid_h", "breaks"}``
asks for `count` agents of `group` on that shift on plan day `day` (0..6) of every week. The
roster decides which agent works which of those shifts.

Days. Roster day ``d`` (0-based over the whole roster, ``0 .. 7 * weeks - 1``) is plan day
``d % 7`` of week ``d // 7``; its weekday is ``(first_weekday + d) % 7`` with Monday = 0 (day 0
is a Monday unless told otherwise). A shift belongs to the day it starts on, also when it crosses
midnight; an agent's *day off* is a day on which no shift of theirs starts. Rostered weeks are
the 7-day blocks from day 0 (Mon..Sun with the default start). A shift's paid hours count in the
week it starts in.

Hard rules (named as in `Roster.violated_rules` and `Roster.binding`):

- ``coverage``: every plan shift on every rostered day gets `count` agents of its group (never
  more); made soft with a large penalty per missing agent-shift so that a roster always exists;
- ``one_shift_per_day``: at most one shift a day per agent, and only shifts of the agent's group;
- ``rest_11h``: at least 11 h between the end of one shift and the start of the next, across
  midnight and from one week into the next;
- ``max_consecutive_days``: at most 5 working days in a row;
- ``two_days_off``: two consecutive days off inside every rostered week;
- ``max_hours_week`` / ``min_hours_week``: weekly paid hours within the agent's bounds (the
  minimum is soft with a large penalty per hour short: a plan may not hold enough work);
- ``unavailable``: no shift starts on a day the agent is unavailable.

Soft terms, in decreasing weight: fair shares of weekend shifts (starting on a Saturday or a
Sunday) and of night shifts (at least 3 h of the shift between 22:00 and 06:00) - within each
group the largest per-agent count over the roster, plus the spread between the largest and the
smallest count, is minimised; then preferences (a penalty per shift that matches none of the
agent's preferred templates or kinds: ``early`` starts before 10:00, ``late`` starts at or after
12:00, ``night`` as above; early and late exclude night).

When some shifts stay unfilled, the roster is ``partial`` and the model is solved again with one
rule relaxed at a time (coverage only) to say which rules are *binding*: relaxing them alone
would fill more agent-shifts. ``headcount`` is binding when even with all those rules relaxed a
group has more shifts on a day than agents.

Privacy: agent names appear only in a roster built without `pseudonymise`; with it, every output
(assignments, per-agent summaries, notes, JSON) carries `pseudonym` IDs instead. Errors name
agents by their position (``agents[3]``) or CSV row, never by name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

from scenarios.schema import WEEKDAYS, clock_minutes

DAY_MIN = 1440
MAX_WEEKS = 4
MIN_REST_MIN = 11 * 60
MAX_DAYS_IN_ROW = 5
WORK_DAYS_PER_WEEK = 5
MAX_HOURS_IN_WEEK = 168.0
WEEKEND = (5, 6)  # Saturday, Sunday (Monday = 0)
NIGHT_FROM_MIN, NIGHT_TO_MIN = 22 * 60, 6 * 60  # the night window, 22:00 .. 06:00
NIGHT_MIN_OVERLAP_MIN = 3 * 60  # a night shift has at least this much of itself in the window
EARLY_BEFORE_MIN = 10 * 60  # an early shift starts before 10:00
LATE_FROM_MIN = 12 * 60  # a late shift starts at or after 12:00
SHIFT_KINDS = ("early", "late", "night")

# Objective weights, integers. A missing agent-shift outweighs any hours shortfall of one shift
# (8 h = 48 000), which outweighs every fairness and preference term of a realistic roster.
W_UNFILLED = 100_000  # per missing agent-shift
W_SHORT = 100  # per paid minute below an agent's weekly minimum
W_FAIR = 10  # per unit of a group's largest weekend/night count and per unit of its spread
EXP_A, EXP_B, EXP_SYM = 1, 1, None
W_PREF = 1  # per shift matching none of the agent's preferences

HARD_RULES = {
    "coverage": "every plan shift on every rostered day gets `count` agents of its group",
    "one_shift_per_day": "at most one shift a day per agent, of the agent's group",
    "rest_11h": "at least 11 h between the end of one shift and the start of the next",
    "max_consecutive_days": f"at most {MAX_DAYS_IN_ROW} working days in a row",
    "two_days_off": "two consecutive days off in every rostered week",
    "max_hours_week": "weekly paid hours at most the agent's maximum",
    "min_hours_week": "weekly paid hours at least the agent's minimum",
    "unavailable": "no work on the agent's unavailable days",
}
# Rules whose relaxation may fill more shifts: tried one at a time when shifts stay unfilled.
RELAXABLE = ("rest_11h", "max_consecutive_days", "two_days_off", "max_hours_week", "unavailable")

CSV_COLUMNS = ("agent", "group", "min_hours_week", "max_hours_week", "unavailable", "prefers")
_DAY_NAMES = {name: name for name in WEEKDAYS} | {
    full: full[:3]
    for full in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


class RosterInputError(ValueError):
    """Bad roster input, as one line: ``FILE: row N, column X: expected ..., got ...`` for a CSV,
    ``plan.shifts[i].field: expected ..., got ...`` for a plan, ``agents[i].field: ...`` for
    agents given in code. `file`, `row` and `column` are set when known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.file, self.row, self.column = file, row, column


# --- data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    """One named agent of an agent group.

    `min_hours_week` and `max_hours_week` bound the paid hours (h) of every rostered week; None
    takes the defaults of `build_roster`. `unavailable` holds roster days (0-based over the whole
    roster, ``0 .. 7 * weeks - 1``; days beyond the roster are ignored), `unavailable_weekdays`
    weekday names (``"mon"`` .. ``"sun"``) unavailable in every week. `prefers` holds template
    names and/or the kinds ``early``, ``late``, ``night``.
    """

    name: str
    group: str
    min_hours_week: float | None = None
    max_hours_week: float | None = None
    unavailable: frozenset[int] = frozenset()
    unavailable_weekdays: frozenset[str] = frozenset()
    prefers: tuple[str, ...] = ()

    def is_unavailable(self, day: int, first_weekday: int = 0) -> bool:
        """True when the agent cannot work on roster `day` (day 0 has weekday `first_weekday`,
        Monday = 0)."""
        return day in self.unavailable or (
            WEEKDAYS[(first_weekday + day) % 7] in self.unavailable_weekdays
        )


@dataclass
class Roster:
    """The rostering answer. Hours are paid hours (h); days and weeks are 0-based.

    - `status`: ``optimal`` or ``feasible`` (every hard rule met; optimal when the objective is
      proven best), ``partial`` (some shifts unfilled or some weekly minimum not reached: see
      `unfilled`, `violated_rules` and `binding`), ``infeasible`` (no roster found in time).
    - `assignments`: ``{"agent", "group", "week", "day", "template", "start", "end", "paid_h",
      "length_h", "breaks"}`` sorted by week, day, start; `day` is the plan day (0..6), the roster
      day is ``7 * week + day``; `end` is a clock time (at or before `start` when the shift ends
      the next day).
    - `unfilled`: ``{"week", "day", "group", "template", "start", "missing"}``, missing agents.
    - `violated_rules`: names of hard rules not met (``coverage``, ``min_hours_week``).
    - `binding`: ``{"rule", "agent_shifts", "message"}`` for each rule that alone stops
      `agent_shifts` more agent-shifts from being filled; ``headcount``: `agent_shifts` that no
      relaxation can fill, for want of agents.
    - `objective`: its parts: ``unfilled_agent_shifts``, ``min_hours_shortfall_h``,
      ``fairness_max`` and ``fairness_spread`` (sums over groups of the largest weekend and
      night counts and of max - min), ``preference_misses``, and the weighted ``value``.
    - `agents`: per-agent summary (shifts, paid hours per week, weekend and night shifts).
    - `fairness`: ``{group: {"weekend"|"night": {"min", "max"}}}`` per-agent counts.
    """

    status: str
    weeks: int
    assignments: list[dict[str, Any]] = field(default_factory=list)
    unfilled: list[dict[str, Any]] = field(default_factory=list)
    violated_rules: list[str] = field(default_factory=list)
    binding: list[dict[str, Any]] = field(default_factory=list)
    objective: dict[str, float] = field(default_factory=dict)
    agents: list[dict[str, Any]] = field(default_factory=list)
    fairness: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    solver_status: str = ""
    solve_time_s: float = 0.0
    diagnosis_time_s: float = 0.0
    first_weekday: int = 0
    pseudonymised: bool = False

    @property
    def binding_rules(self) -> list[str]:
        """Names of the binding rules."""
        return [b["rule"] for b in self.binding]

    @property
    def unfilled_agent_shifts(self) -> int:
        return sum(u["missing"] for u in self.unfilled)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, ready for JSON."""
        return {
            "status": self.status,
            "weeks": self.weeks,
            "first_weekday": self.first_weekday,
            "pseudonymised": self.pseudonymised,
            "solver_status": self.solver_status,
            "solve_time_s": round(self.solve_time_s, 3),
            "diagnosis_time_s": round(self.diagnosis_time_s, 3),
            "objective": self.objective,
            "violated_rules": self.violated_rules,
            "binding": self.binding,
            "unfilled": self.unfilled,
            "fairness": self.fairness,
            "notes": self.notes,
            "agents": self.agents,
            "assignments": self.assignments,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The roster as JSON text (see `to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


@dataclass(frozen=True)
class _Slot:
    """One plan row: `count` agents of `group` from `start_min` (minutes after midnight of plan
    day `day`) for `length_min`, paid `paid_min`."""

    group: str
    template: str
    day: int
    start_min: int
    length_min: int
    paid_min: int
    paid_h: float
    count: int
    breaks: tuple[tuple[str, int], ...]

    @property
    def end_min(self) -> int:
        return self.start_min + self.length_min

    @property
    def night(self) -> bool:
        return is_night(self.start_min, self.length_min)

    def kinds(self) -> set[str]:
        """The preference words this shift matches: its template and its kind."""
        if self.night:
            kind = "night"
        elif self.start_min < EARLY_BEFORE_MIN:
            kind = "early"
        elif self.start_min >= LATE_FROM_MIN:
            kind = "late"
        else:
            kind = ""
        return {self.template, kind} - {""}


def is_night(start_min: int, length_min: int) -> bool:
    """True when a shift starting `start_min` minutes after midnight and lasting `length_min`
    minutes spends at least 3 h between 22:00 and 06:00 (breaks included)."""
    end = start_min + length_min
    inside = 0
    for day in (-1, 0, 1):
        lo, hi = day * DAY_MIN + NIGHT_FROM_MIN, (day + 1) * DAY_MIN + NIGHT_TO_MIN
        inside += max(0, min(end, hi) - max(start_min, lo))
    return inside >= NIGHT_MIN_OVERLAP_MIN


def pseudonym(name: str, group: str) -> str:
    """Stable pseudonymous ID of an agent: ``GROUP-A`` + the first 8 hex digits of the SHA-256 of
    the name (UTF-8). The same name gives the same ID on every run.

    It is a pseudonym, not anonymisation: whoever can guess a name can check it against the ID.
    """
    return f"{group}-A{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


# --- input -------------------------------------------------------------------------------------


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

    slots = []
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
            slots.append(
                _Slot(row["group"], row["template"], day, start, round(length_h * 60),
                      round(paid_h * 60), paid_h, count, tuple(parsed_breaks))
            )  # fmt: skip
    return slots


def _clock_of(value: Any, where: str) -> int:
    try:
        minutes = clock_minutes(value)
    except ValueError:
        minutes = DAY_MIN
    if minutes >= DAY_MIN:
        raise RosterInputError(f"{where}: expected a clock time HH:MM before 24:00, got {value!r}")
    return minutes


def _clock(minutes: int) -> str:
    minutes %= DAY_MIN
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- the problem -------------------------------------------------------------------------------


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
    if (
        isinstance(first_weekday, bool)
        or not isinstance(first_weekday, int)
        or not 0 <= first_weekday <= 6
    ):
        raise RosterInputError(f"first_weekday: expected 0 (Monday) to 6, got {first_weekday!r}")
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
        if not 0 <= lo <= hi <= MAX_HOURS_IN_WEEK:
            raise RosterInputError(f"{where}: expected 0 <= min_hours_week <= max_hours_week "
                                   f"<= 168, got {lo:g} and {hi:g}")  # fmt: skip
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


# --- the model ---------------------------------------------------------------------------------


@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[int, int, int], cp_model.IntVar]  # (agent, roster day, slot) -> works it
    missing: dict[tuple[int, int], cp_model.IntVar]  # (roster day, slot) -> agents missing


def _build(p: _Problem, relax: frozenset[str] = frozenset(), full: bool = True) -> _Model:
    """The CP-SAT model. Rules named in `relax` are left out (``rest_11h`` then only forbids
    overlapping shifts); without `full` the objective is coverage alone (for the diagnosis)."""
    model = cp_model.CpModel()
    n_days = p.days
    agents_of: dict[str, list[int]] = defaultdict(list)
    for a, agent in enumerate(p.agents):
        agents_of[agent.group].append(a)
    slots_on = [p.slots_on(d) for d in range(7)]

    # Variables: x[a, d, s] = agent a works plan slot s on roster day d (own group only).
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    on_day: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for d in range(n_days):
        for s in slots_on[d % 7]:
            for a in agents_of.get(p.slots[s].group, []):
                var = model.new_bool_var(f"x_a{a}_d{d}_s{s}")
                x[a, d, s] = var
                on_day[a, d].append((s, var))
    works = {}
    for a in range(len(p.agents)):
        for d in range(n_days):
            works[a, d] = model.new_bool_var(f"work_a{a}_d{d}")

    # Coverage: each plan shift on each rostered day gets `count` agents, missing ones penalised.
    missing = {}
    for d in range(n_days):
        for s in slots_on[d % 7]:
            slot = p.slots[s]
            missing[d, s] = model.new_int_var(0, slot.count, f"missing_d{d}_s{s}")
            takers = [x[a, d, s] for a in agents_of.get(slot.group, [])]
            model.add(sum(takers) + missing[d, s] == slot.count)

    # One shift a day: an agent works at most one shift per day; `works` says whether any.
    for (a, d), var in works.items():
        model.add(sum(v for _, v in on_day.get((a, d), [])) == var)

    # Unavailability: no shift on an agent's unavailable days.
    if "unavailable" not in relax:
        for a, days in enumerate(p.off):
            for d in days:
                model.add(works[a, d] == 0)

    # Rest: at least 11 h from the end of a shift to the start of the agent's next one.
    min_gap = 0 if "rest_11h" in relax else MIN_REST_MIN
    clashes = _clashes(p, min_gap)
    for (a, d, s), var in x.items():
        later = []
        for k, s2 in clashes[s]:
            d2 = d + k
            if d2 >= n_days:
                if not p.cyclic:
                    continue
                d2 %= n_days
            if (a, d2, s2) in x:
                later.append(x[a, d2, s2])
        if later:
            model.add_at_most_one([var, *later])

    # Consecutive days: at most 5 working days in any 6 days in a row.
    if "max_consecutive_days" not in relax:
        window = MAX_DAYS_IN_ROW + 1
        firsts = range(n_days) if p.cyclic else range(n_days - window + 1)
        for a in range(len(p.agents)):
            for first in firsts:
                model.add(
                    sum(works[a, (first + k) % n_days] for k in range(window)) <= MAX_DAYS_IN_ROW
                )

    # Days off: two consecutive days off inside every rostered week.
    if "two_days_off" not in relax:
        for a in range(len(p.agents)):
            for w in range(p.weeks):
                pairs = []
                for i in range(6):
                    d = 7 * w + i
                    pair = model.new_bool_var(f"off_a{a}_d{d}")
                    model.add_implication(pair, works[a, d].Not())
                    model.add_implication(pair, works[a, d + 1].Not())
                    pairs.append(pair)
                model.add_bool_or(pairs)
                # Implied, for a stronger linear relaxation: at most 5 working days in the week.
                model.add(sum(works[a, d] for d in range(7 * w, 7 * w + 7)) <= WORK_DAYS_PER_WEEK)

    # Weekly hours: paid hours of the shifts starting in each week within the agent's bounds.
    shortfall = []
    for a in range(len(p.agents)):
        for w in range(p.weeks):
            paid = sum(
                p.slots[s].paid_min * var
                for d in range(7 * w, 7 * w + 7)
                for s, var in on_day.get((a, d), [])
            )
            if "max_hours_week" not in relax:
                model.add(paid <= p.max_paid_min[a])
            if full and p.min_paid_min[a] > 0:
                short = model.new_int_var(0, p.min_paid_min[a], f"short_a{a}_w{w}")
                model.add(paid + short >= p.min_paid_min[a])
                shortfall.append(short)

    objective = W_UNFILLED * sum(missing.values())
    if full:
        objective += W_SHORT * sum(shortfall)

        # Fairness: within each group, the largest weekend / night count and its spread.
        for counts in _kind_counts(p, x).values():
            if len(counts) < 1:
                continue
            most = model.new_int_var(0, n_days, "")
            least = model.new_int_var(0, n_days, "")
            for count in counts:
                model.add(count <= most)
                model.add(count >= least)
            objective += W_FAIR * (EXP_A * most + EXP_B * (most - least))
        if EXP_SYM:
            classes = defaultdict(list)
            for a, agent in enumerate(p.agents):
                classes[agent.group, p.min_paid_min[a], p.max_paid_min[a], frozenset(p.off[a]), frozenset(p.prefers[a])].append(a)
            kc = _kind_counts(p, x)
            for members in classes.values():
                if EXP_SYM == "total":
                    keys = {a: sum(works[a, d] for d in range(n_days)) for a in members}
                else:
                    g = p.agents[members[0]].group
                    allm = [a for a, agent in enumerate(p.agents) if agent.group == g]
                    cnt = kc.get((g, EXP_SYM))
                    if cnt is None:
                        continue
                    keys = dict(zip(allm, cnt))
                for a1, a2 in zip(members, members[1:]):
                    model.add(keys[a1] >= keys[a2])

        # Preferences: a small penalty per shift matching none of the agent's preferences.
        misses = [
            var
            for (a, _, s), var in x.items()
            if p.prefers[a] and not (p.prefers[a] & p.slots[s].kinds())
        ]
        objective += W_PREF * sum(misses)

    model.minimize(objective)
    return _Model(model, x, missing)


def _clashes(p: _Problem, min_gap: int) -> list[list[tuple[int, int]]]:
    """For each slot: the (days later, slot) pairs that start less than `min_gap` minutes after
    it ends (a shift ends at most 48 h after its day begins, so 1 or 2 days later)."""
    out: list[list[tuple[int, int]]] = []
    for slot in p.slots:
        clash = []
        for k in (1, 2):
            for s2, other in enumerate(p.slots):
                same_group = other.group == slot.group
                if same_group and other.day == (slot.day + k) % 7:
                    gap = k * DAY_MIN + other.start_min - slot.end_min
                    if gap < min_gap:
                        clash.append((k, s2))
        out.append(clash)
    return out


def _kind_counts(p: _Problem, x: Mapping[tuple[int, int, int], Any]) -> dict[tuple[str, str], list]:
    """Per (group, "weekend"|"night"): each agent's count of such shifts, as sums of `x` values
    (variables or solved 0/1); kinds a group's plan lacks are left out."""
    weekend = {d for d in range(p.days) if p.weekday(d) in WEEKEND}
    terms: dict[tuple[str, str], dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for (a, d, s), var in x.items():
        slot = p.slots[s]
        if d in weekend:
            terms[slot.group, "weekend"][a].append(var)
        if slot.night:
            terms[slot.group, "night"][a].append(var)
    out = {}
    for (group, kind), per_agent in terms.items():
        members = [a for a, agent in enumerate(p.agents) if agent.group == group]
        out[group, kind] = [sum(per_agent.get(a, [])) for a in members]
    return out


# --- solving -----------------------------------------------------------------------------------


_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "model_invalid",
    cp_model.UNKNOWN: "unknown",
}


def _solve(built: _Model, time_limit_s: float, workers: int) -> tuple[str, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = 0
    code = solver.solve(built.model)
    if code == cp_model.MODEL_INVALID:  # a bug here, not a user mistake
        raise RuntimeError(f"roster model invalid: {built.model.validate()}")
    return _STATUS.get(code, "unknown"), solver


def build_roster(
    plan: Mapping[str, Any],
    agents: Sequence[Agent],
    weeks: int,
    *,
    time_limit_s: float = 30.0,
    workers: int = 2,
    min_hours_week: float = 0,
    max_hours_week: float = 48,
    pseudonymise: bool = False,
    first_weekday: int = 0,
    cyclic: bool = False,
    diagnose: bool = True,
) -> Roster:
    """Assign `agents` to the shifts of `plan` (one week, repeated) over `weeks` weeks (1..4).

    `min_hours_week` and `max_hours_week` (paid h) apply to agents without their own bounds.
    `time_limit_s` (s) bounds the main CP-SAT solve on `workers` threads; when shifts stay
    unfilled and `diagnose` is set, the diagnosis solves take at most another `time_limit_s`.
    `first_weekday` is the weekday of day 0 (Monday = 0; a scenario's
    ``horizon.first_weekday``). With `cyclic` the roster repeats: its last day runs into its
    first for the rest and consecutive-day rules. With `pseudonymise` every output names agents
    by `pseudonym`. Raises `RosterInputError` for bad input.
    """
    if not (isinstance(time_limit_s, (int, float)) and time_limit_s > 0):
        raise RosterInputError(f"time_limit_s: expected seconds > 0, got {time_limit_s!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise RosterInputError(f"workers: expected a whole number >= 1, got {workers!r}")
    p = _problem(plan, agents, weeks, first_weekday, cyclic, min_hours_week, max_hours_week,
                 pseudonymise)  # fmt: skip
    started = time.perf_counter()
    built = _build(p)
    status, solver = _solve(built, time_limit_s, workers)
    solve_time = time.perf_counter() - started
    roster = Roster(
        status="infeasible",
        weeks=weeks,
        solver_status=status,
        solve_time_s=solve_time,
        first_weekday=first_weekday,
        pseudonymised=pseudonymise,
    )
    roster.notes += _input_notes(p)
    if status not in ("optimal", "feasible"):
        roster.unfilled = _unfilled_rows(p, {(d, s): p.slots[s].count for d, s in built.missing})
        roster.violated_rules = ["coverage"]
        roster.objective = {"unfilled_agent_shifts": roster.unfilled_agent_shifts}
        roster.notes.append(f"no roster found within {time_limit_s:g} s (solver: {status})")
        return roster

    chosen = [(a, d, s) for (a, d, s), var in built.x.items() if solver.boolean_value(var)]
    missing = {key: solver.value(var) for key, var in built.missing.items()}
    _fill(roster, p, chosen, missing)
    roster.objective["value"] = solver.objective_value
    roster.status = "partial" if roster.violated_rules else status
    if roster.unfilled and diagnose:
        started = time.perf_counter()
        roster.binding = _diagnose(p, roster.unfilled_agent_shifts, time_limit_s, workers)
        roster.diagnosis_time_s = time.perf_counter() - started
    return roster


def _fill(roster: Roster, p: _Problem, chosen: list[tuple[int, int, int]], missing: dict) -> None:
    """Assignments, unfilled shifts, violated rules, summaries and objective parts of a solution."""
    rows = []
    paid = defaultdict(float)
    paid_min = defaultdict(int)
    for a, d, s in chosen:
        slot = p.slots[s]
        rows.append(
            {
                "agent": p.names[a],
                "group": slot.group,
                "week": d // 7,
                "day": d % 7,
                "template": slot.template,
                "start": _clock(slot.start_min),
                "end": _clock(slot.end_min),
                "paid_h": slot.paid_h,
                "length_h": slot.length_min / 60,
                "breaks": [{"start": b, "length_min": m} for b, m in slot.breaks],
            }
        )
        paid[a, d // 7] += slot.paid_h
        paid_min[a, d // 7] += slot.paid_min
    rows.sort(
        key=lambda r: (r["week"], r["day"], r["start"], r["group"], r["template"], r["agent"])
    )
    roster.assignments = rows
    roster.unfilled = _unfilled_rows(p, missing)

    short_h = 0.0
    for a in range(len(p.agents)):
        for w in range(p.weeks):
            gap = p.min_paid_min[a] - paid_min[a, w]
            if gap > 0:
                short_h += gap / 60
                roster.notes.append(
                    f"{p.names[a]}: week {w}: {paid[a, w]:g} h paid, below the weekly minimum "
                    f"of {p.min_paid_min[a] / 60:g} h"
                )
    if roster.unfilled:
        roster.violated_rules.append("coverage")
    if short_h > 0:
        roster.violated_rules.append("min_hours_week")

    solved = {key: 1 for key in chosen}
    by_agent: dict[int, dict[str, int]] = defaultdict(lambda: {"weekend": 0, "night": 0})
    spread = most = 0
    for (group, kind), counts in sorted(_kind_counts(p, solved).items()):
        members = [a for a, agent in enumerate(p.agents) if agent.group == group]
        for a, count in zip(members, counts, strict=True):
            by_agent[a][kind] = int(count)
        if counts:
            lo, hi = int(min(counts)), int(max(counts))
            roster.fairness.setdefault(group, {})[kind] = {"min": lo, "max": hi}
            spread += hi - lo
            most += hi
    misses = sum(
        1 for a, _, s in chosen if p.prefers[a] and not (p.prefers[a] & p.slots[s].kinds())
    )
    shifts = defaultdict(int)
    for a, _, _ in chosen:
        shifts[a] += 1
    roster.agents = sorted(
        (
            {
                "agent": p.names[a],
                "group": agent.group,
                "shifts": shifts[a],
                "paid_h_by_week": [round(paid[a, w], 4) for w in range(p.weeks)],
                "weekend_shifts": by_agent[a]["weekend"],
                "night_shifts": by_agent[a]["night"],
            }
            for a, agent in enumerate(p.agents)
        ),
        key=lambda r: (r["group"], r["agent"]),
    )
    roster.objective = {
        "unfilled_agent_shifts": roster.unfilled_agent_shifts,
        "min_hours_shortfall_h": round(short_h, 4),
        "fairness_max": most,
        "fairness_spread": spread,
        "preference_misses": misses,
    }


def _unfilled_rows(p: _Problem, missing: Mapping[tuple[int, int], int]) -> list[dict[str, Any]]:
    """Missing agents per (week, day, group, template, start), plan rows that differ only in
    their breaks merged."""
    merged: dict[tuple, int] = defaultdict(int)
    for (d, s), n in missing.items():
        if n:
            slot = p.slots[s]
            merged[d // 7, d % 7, slot.start_min, slot.group, slot.template] += int(n)
    return [
        {"week": w, "day": day, "group": g, "template": t, "start": _clock(m), "missing": n}
        for (w, day, m, g, t), n in sorted(merged.items())
    ]


def _input_notes(p: _Problem) -> list[str]:
    """Warnings about the input that are not errors: groups without agents or without shifts,
    preferences no shift can match."""
    notes = []
    plan_groups = {slot.group for slot in p.slots}
    agent_groups = {a.group for a in p.agents}
    for group in sorted(plan_groups - agent_groups):
        notes.append(f"group {group!r} has shifts in the plan but no agents")
    for group in sorted(agent_groups - plan_groups):
        notes.append(f"group {group!r} has agents but no shifts in the plan")
    words = set(SHIFT_KINDS) | {slot.template for slot in p.slots}
    for a, prefs in enumerate(p.prefers):
        for word in sorted(prefs - words):
            notes.append(f"{p.names[a]}: preference {word!r} matches no template of the plan")
    return notes


def _diagnose(p: _Problem, unfilled: int, time_limit_s: float, workers: int) -> list[dict]:
    """Binding rules: those whose relaxation alone fills more agent-shifts (coverage-only solves
    sharing `time_limit_s`), and ``headcount`` when even with every rule relaxed some group has
    more shifts on a day than agents."""
    rules = [r for r in RELAXABLE if r != "unavailable" or any(p.off)]
    budget = time_limit_s / (len(rules) + 1)
    status, solver = _solve(_build(p, full=False), budget, workers)
    if status in ("optimal", "feasible"):
        unfilled = min(unfilled, round(solver.objective_value / W_UNFILLED))
    binding = []
    for rule in rules:
        status, solver = _solve(_build(p, frozenset({rule}), full=False), budget, workers)
        if status not in ("optimal", "feasible"):
            continue
        gain = unfilled - round(solver.objective_value / W_UNFILLED)
        if gain > 0:
            binding.append(
                {
                    "rule": rule,
                    "agent_shifts": gain,
                    "message": f"{HARD_RULES[rule]}: relaxing this rule alone would fill {gain} "
                    f"more agent-shift{'s' if gain != 1 else ''}",
                }
            )
    # With every rule relaxed, an agent still works one shift a day of their own group.
    headcount: dict[str, int] = defaultdict(int)
    size: dict[str, int] = defaultdict(int)
    for agent in p.agents:
        size[agent.group] += 1
    need: dict[tuple[str, int], int] = defaultdict(int)
    for slot in p.slots:
        need[slot.group, slot.day] += slot.count
    for (group, _), n in need.items():
        headcount[group] += p.weeks * max(0, n - size[group])
    short = {g: n for g, n in headcount.items() if n}
    if short:
        total = sum(short.values())
        groups = ", ".join(f"{g} ({size[g]} agents)" for g in sorted(short))
        binding.append(
            {
                "rule": "headcount",
                "agent_shifts": total,
                "message": f"too few agents: {total} agent-shifts cannot be filled even with "
                f"every rule relaxed, as some days have more shifts than agents in {groups}",
            }
        )
    if not binding and unfilled:
        binding.append(
            {
                "rule": "combined",
                "agent_shifts": 0,
                "message": "no single rule explains the unfilled shifts: the rules bind together "
                "(or the diagnosis ran out of time)",
            }
        )
    return binding
