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
week it starts in. The roster knows nothing of the days before it: the rest and consecutive-day
rules start afresh on day 0, unless the roster is `cyclic` (it then repeats, its last day
running into its first).

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
Sunday) and of night shifts (at least 3 h of the shift between 22:00 and 06:00, breaks included):
within each group the largest per-agent count over the roster, plus the spread between the
largest and the smallest count, is minimised; then preferences (a penalty per shift that matches
none of the agent's preferred templates or kinds: ``early`` starts before 10:00, ``late`` starts
at or after 12:00, ``night`` as above; early and late exclude night). There is no term for equal
workloads: the weekly hour bounds are the lever for that.

Solving. A quick day-by-day roster that meets every hard rule (staggered days off, each shift to
the agents who worked least) starts the search. Phase 1 minimises the missing agent-shifts, then
the hours below the weekly minimums, then the largest share of missing agents among a group's
weekday, weekend and night shifts (so that what stays unfilled is spread rather than all nights).
Phase 2 keeps those totals and minimises the fairness and preference terms. Plan rows that differ
only in their breaks are one shift for the model; their break placements are handed out after.

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

# Objective weights, integers, in lexicographic order: a missing agent-shift outweighs any hours
# shortfall of one shift (8 h = 4.8e6), which outweighs the balance of what stays unfilled. The
# roster is solved in two phases (coverage, then fairness and preferences), see `build_roster`.
W_UNFILLED = 10_000_000  # per missing agent-shift
W_SHORT = 10_000  # per paid minute below an agent's weekly minimum
W_BALANCE = 1  # per mille of the largest share of missing agents among a group's shift classes
W_FAIR = 10  # per unit of a group's largest weekend/night count and per unit of its spread
W_SMOOTH = 2  # per shift an agent's weekend/night count lies outside the group's average band
W_PREF = 1  # per shift matching none of the agent's preferences
PHASE1_SHARE = 0.5  # of the time limit, at most, for the first (coverage) solve
MIN_PHASE2_S = 0.5  # the second solve gets at least this (s), hinted with the first's roster

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

    - `status`: ``optimal`` or ``feasible`` (every hard rule met; optimal when both phases are
      proven best), ``partial`` (some shifts unfilled or some weekly minimum not reached: see
      `unfilled`, `violated_rules` and `binding`). ``infeasible`` belongs to the optimiser's
      status words but is never returned: covering is soft, and should the solver find nothing
      in time the quick roster stands in (`solver_status` then says ``unknown``).
    - `assignments`: ``{"agent", "group", "week", "day", "template", "start", "end", "paid_h",
      "length_h", "breaks"}`` sorted by week, day, start; `day` is the plan day (0..6), the roster
      day is ``7 * week + day``; `end` is a clock time (at or before `start` when the shift ends
      the next day).
    - `unfilled`: ``{"week", "day", "group", "template", "start", "missing"}``, missing agents.
    - `violated_rules`: names of hard rules not met (``coverage``, ``min_hours_week``).
    - `binding`: ``{"rule", "agent_shifts", "exact", "message"}`` for each rule that alone
      stops at least `agent_shifts` more agent-shifts from being filled (exactly that many when
      `exact`); ``headcount``: agent-shifts that no relaxation can fill, for want of agents;
      ``combined``: when no rule binds alone, the rules together.
    - `objective`: its parts: ``unfilled_agent_shifts``, ``min_hours_shortfall_h``,
      ``unfilled_worst_share_permille`` (per group, the largest share of missing agents among
      its weekday, weekend and night shifts, summed), ``fairness_max`` and ``fairness_spread``
      (sums over groups and kinds of the largest weekend / night count and of max - min),
      ``preference_misses``, and ``value``, their weighted sum.
    - `agents`: per-agent summary (shifts, paid hours per week, weekend and night shifts).
    - `fairness`: ``{group: {"weekend"|"night": {"min", "max"}}}`` per-agent counts.
    - `gaps`: ``{"cover", "quality"}``, each phase's relative gap (objective - proven bound) /
      objective as CP-SAT left it (0 when proven optimal or when the objective is 0, None when
      the phase found no solution in its time): phase 1
      minimises what stays unfilled, phase 2 the fairness and preference terms.
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
    gaps: dict[str, float | None] = field(default_factory=dict)
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
            "gaps": self.gaps,
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
    """A plan shift: `count` agents of `group` from `start_min` (minutes after midnight of plan
    day `day`) for `length_min`, paid `paid_min`. Plan rows differing only in their breaks are
    one slot: `variants` holds each break placement with its count (they add up to `count`)."""

    group: str
    template: str
    day: int
    start_min: int
    length_min: int
    paid_min: int
    paid_h: float
    count: int
    variants: tuple[tuple[tuple[tuple[str, int], ...], int], ...]  # ((start, min), ...), count

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


# --- the model ---------------------------------------------------------------------------------


@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[int, int, int], cp_model.IntVar]  # (agent, roster day, slot) -> works it
    missing: dict[tuple[int, int], cp_model.IntVar]  # (roster day, slot) -> agents missing
    works: dict[tuple[int, int], cp_model.IntVar]  # (agent, roster day) -> works that day
    rests: dict[tuple[int, int], cp_model.IntVar]  # (agent, roster day) -> off then and next day
    shortfall: dict[tuple[int, int], cp_model.IntVar]  # (agent, week) -> paid minutes short
    quality: Any  # linear expression: the weighted fairness and preference terms
    fair: dict[tuple[str, str], tuple[Any, Any, list[Any]]]  # largest, smallest, counts
    # Variables added for an objective, to hint too: group -> largest share missing (phase 1);
    # (group, kind) -> per agent (above the average band, below it) (phase 2).
    worst: dict[str, cp_model.IntVar] = field(default_factory=dict)
    bands: dict[tuple[str, str], tuple[int, int, list[tuple[Any, Any]]]] = field(
        default_factory=dict
    )


def _build(p: _Problem, relax: frozenset[str] = frozenset(), quality: bool = True) -> _Model:
    """The CP-SAT model without its objective. Rules named in `relax` are left out (``rest_11h``
    then only forbids overlapping shifts); without `quality` the fairness and preference terms
    are left out (for the diagnosis)."""
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
    rests = {}
    if "two_days_off" not in relax:
        for a in range(len(p.agents)):
            for w in range(p.weeks):
                pairs = []
                for i in range(6):
                    d = 7 * w + i
                    pair = rests[a, d] = model.new_bool_var(f"off_a{a}_d{d}")
                    model.add_implication(pair, works[a, d].Not())
                    model.add_implication(pair, works[a, d + 1].Not())
                    pairs.append(pair)
                model.add_bool_or(pairs)
                # Implied, for a stronger linear relaxation: at most 5 working days in the week.
                model.add(sum(works[a, d] for d in range(7 * w, 7 * w + 7)) <= WORK_DAYS_PER_WEEK)

    # Weekly hours: paid hours of the shifts starting in each week within the agent's bounds.
    shortfall = {}
    for a in range(len(p.agents)):
        for w in range(p.weeks):
            paid = sum(
                p.slots[s].paid_min * var
                for d in range(7 * w, 7 * w + 7)
                for s, var in on_day.get((a, d), [])
            )
            if "max_hours_week" not in relax:
                model.add(paid <= p.max_paid_min[a])
            if p.min_paid_min[a] > 0:
                short = model.new_int_var(0, p.min_paid_min[a], f"short_a{a}_w{w}")
                model.add(paid + short >= p.min_paid_min[a])
                shortfall[a, w] = short

    terms = []
    fair = {}
    if quality:
        # Fairness: within each group, the largest weekend / night count plus its spread.
        for (group, kind), counts in _kind_counts(p, x).items():
            most = model.new_int_var(0, n_days, f"most_{kind}_{group}")
            least = model.new_int_var(0, n_days, f"least_{kind}_{group}")
            for count in counts:
                model.add(count <= most)
                model.add(count >= least)
            terms.append(W_FAIR * (2 * most - least))
            fair[group, kind] = (most, least, counts)

        # Preferences: a small penalty per shift matching none of the agent's preferences.
        misses = [
            var
            for (a, _, s), var in x.items()
            if p.prefers[a] and not (p.prefers[a] & p.slots[s].kinds())
        ]
        terms.append(W_PREF * sum(misses))
    return _Model(model, x, missing, works, rests, shortfall, sum(terms), fair)


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


def _rest_pairs(
    p: _Problem, members: Mapping[str, list[int]], week: int, weekends: Mapping[int, int]
) -> dict[int, int]:
    """For the quick roster: each agent's planned days off in `week`, two in a row from weekday
    index 0..5, staggered so that each day keeps as many agents as its shifts need, on the
    agent's unavailable days where possible. Agents with the most `weekends` worked so far
    choose first, so they get the roomiest days off."""
    pair = {}
    for group, agents in members.items():
        need = [0] * 7
        for slot in p.slots:
            if slot.group == group:
                need[slot.day] += slot.count
        spare = [len(agents) - n for n in need]
        for a in sorted(agents, key=lambda a: (-weekends.get(a, 0), a)):
            off = p.off[a]

            def roomy(i: int, off: set[int] = off, spare: list[int] = spare) -> tuple:
                on_leave = (7 * week + i in off) + (7 * week + i + 1 in off)
                return on_leave, min(spare[i], spare[i + 1]), -i

            first = max(range(6), key=roomy)
            spare[first] -= 1
            spare[first + 1] -= 1
            pair[a] = first
    return pair


def _perfect(p: _Problem, chosen: set[tuple[int, int, int]]) -> bool:
    """True when `chosen` fills every shift and every weekly minimum (phase 1's best)."""
    missing, short = _quick_gaps(p, chosen)
    return short == 0 and not any(missing.values())


def _quick_gaps(
    p: _Problem, chosen: set[tuple[int, int, int]]
) -> tuple[dict[tuple[int, int], int], int]:
    """Missing agents per (roster day, slot), and paid minutes below the weekly minimums."""
    taken = defaultdict(int)
    paid = defaultdict(int)
    for a, d, s in chosen:
        taken[d, s] += 1
        paid[a, d // 7] += p.slots[s].paid_min
    missing = {(d, s): p.slots[s].count - taken[d, s] for d in range(p.days) for s in p.slots_on(d)}
    short = sum(
        max(0, p.min_paid_min[a] - paid[a, w]) for a in range(len(p.agents)) for w in range(p.weeks)
    )
    return missing, short


def _quick_roster(p: _Problem) -> set[tuple[int, int, int]]:
    """The best of four `_greedy` rosters: fewest missing agent-shifts, then fairest weekend and
    night counts."""

    def score(chosen: set[tuple[int, int, int]]) -> tuple[int, int]:
        unfair = 0
        for counts in _kind_counts(p, dict.fromkeys(chosen, 1)).values():
            unfair += 2 * max(counts) - min(counts) if counts else 0
        return -len(chosen), unfair

    rosters = [_greedy(p, rotate, fair) for rotate in (False, True) for fair in (False, True)]
    return min(rosters, key=score)


def _greedy(p: _Problem, rotate: bool, fair_first: bool) -> set[tuple[int, int, int]]:
    """A quick roster meeting every hard rule (some shifts may stay unfilled), to start the
    search from. Day by day, each shift goes to the agents of its group who may take it:
    first those not on a planned day off (`_rest_pairs`, by weekends worked when `rotate`),
    then those with the fewest other shifts still open to them today, then those with the
    fewest weekend / night shifts so far and those who worked the same template the day before
    (in this order when `fair_first`, else the other way round: keeping agents on one kind of
    shift leaves fewer of them idle, as the rest rule forbids going from late to early), then
    those whose preferences the shift matches, then those who worked least."""
    n_days = p.days
    clashes = _clashes(p, MIN_REST_MIN)
    earlier: dict[int, list[tuple[int, int]]] = defaultdict(list)  # slot -> (days before, slot)
    for s, pairs in enumerate(clashes):
        for k, s2 in pairs:
            earlier[s2].append((k, s))
    shift_on: dict[tuple[int, int], int] = {}  # (agent, roster day) -> slot
    paid = defaultdict(int)  # (agent, week) -> paid minutes
    total = defaultdict(int)  # agent -> shifts
    special = defaultdict(int)  # (agent, "weekend"|"night") -> shifts
    members: dict[str, list[int]] = defaultdict(list)
    for a, agent in enumerate(p.agents):
        members[agent.group].append(a)
    rest_pair: dict[int, int] = {}

    def kinds_of(d: int, slot: _Slot) -> list[str]:
        return ["weekend"] * (p.weekday(d) in WEEKEND) + ["night"] * slot.night

    def day(d: int) -> int | None:
        if 0 <= d < n_days:
            return d
        return d % n_days if p.cyclic else None

    def allowed(a: int, d: int, s: int) -> bool:
        slot, w = p.slots[s], d // 7
        if (a, d) in shift_on or d in p.off[a]:
            return False
        if paid[a, w] + slot.paid_min > p.max_paid_min[a]:
            return False
        for k, s2 in clashes[s]:  # shifts starting too soon after this one
            if shift_on.get((a, day(d + k))) == s2:
                return False
        for k, s2 in earlier[s]:  # shifts ending too late before this one
            if shift_on.get((a, day(d - k))) == s2:
                return False
        run = 1  # working days in a row through d
        for step in (-1, 1):
            k = d + step
            while day(k) is not None and (a, day(k)) in shift_on and run <= MAX_DAYS_IN_ROW:
                run, k = run + 1, k + step
        if run > MAX_DAYS_IN_ROW:
            return False
        week = range(7 * w, 7 * w + 7)
        free = [e != d and (a, e) not in shift_on for e in week]
        return any(free[i] and free[i + 1] for i in range(6))

    chosen = set()
    for d in range(n_days):
        if d % 7 == 0:
            weekends = {a: special[a, "weekend"] for a in range(len(p.agents))} if rotate else {}
            rest_pair.update(_rest_pairs(p, members, d // 7, weekends))
        today = sorted(p.slots_on(d), key=lambda s: p.slots[s].start_min)
        left = {s: p.slots[s].count for s in today}  # places still open
        may = {  # the shifts of today each agent may take, as things stand this morning
            a: {s for s in today if p.slots[s].group == agent.group and allowed(a, d, s)}
            for a, agent in enumerate(p.agents)
        }
        for s in today:
            slot = p.slots[s]
            fits = [a for a in members.get(slot.group, []) if s in may[a]]
            kinds = slot.kinds()

            def rank(
                a: int, d: int = d, kinds: set[str] = kinds, slot: _Slot = slot,
                may: dict[int, set[int]] = may, left: dict[int, int] = left,
            ) -> tuple:  # fmt: skip
                before = shift_on.get((a, day(d - 1)))
                same = before is not None and p.slots[before].template == slot.template
                misfit = bool(p.prefers[a]) and not p.prefers[a] & kinds
                planned_off = d % 7 - rest_pair[a] in (0, 1)
                options = sum(1 for s2 in may[a] if left[s2])  # agents with fewer go first
                shares = sum(special[a, kind] for kind in kinds_of(d, slot))
                fair = (shares, not same) if fair_first else (not same, shares)
                return (planned_off, options, *fair, before is not None, misfit,
                        paid[a, d // 7], total[a], a)  # fmt: skip

            fits.sort(key=rank)
            for a in fits[: slot.count]:
                chosen.add((a, d, s))
                shift_on[a, d] = s
                may[a] = set()
                left[s] -= 1
                paid[a, d // 7] += slot.paid_min
                total[a] += 1
                for kind in kinds_of(d, slot):
                    special[a, kind] += 1
    return chosen


def _kind_counts(p: _Problem, x: Mapping[tuple[int, int, int], Any]) -> dict[tuple[str, str], list]:
    """Per (group, "weekend"|"night") that the plan has (and the group has agents): each agent's
    count of such shifts, as sums of the `x` values given (variables, or 1 for a solution's
    assignments; keys not given count 0)."""
    weekend = {d for d in range(p.days) if p.weekday(d) in WEEKEND}
    kinds = set()
    for d in range(p.days):
        for s in p.slots_on(d):
            if d in weekend:
                kinds.add((p.slots[s].group, "weekend"))
            if p.slots[s].night:
                kinds.add((p.slots[s].group, "night"))
    terms: dict[tuple[str, str], dict[int, list]] = {key: defaultdict(list) for key in kinds}
    for (a, d, s), var in x.items():
        slot = p.slots[s]
        if d in weekend:
            terms[slot.group, "weekend"][a].append(var)
        if slot.night:
            terms[slot.group, "night"][a].append(var)
    out = {}
    for (group, kind), per_agent in sorted(terms.items()):
        members = [a for a, agent in enumerate(p.agents) if agent.group == group]
        if members:
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


def _solve(
    model: cp_model.CpModel, time_limit_s: float, workers: int
) -> tuple[str, cp_model.CpSolver]:
    """Solve with `workers` threads for at most `time_limit_s` seconds; the status as a word."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = 0
    code = solver.solve(model)
    if code == cp_model.MODEL_INVALID:  # a bug here, not a user mistake
        raise RuntimeError(f"roster model invalid: {model.validate()}")
    return _STATUS.get(code, "unknown"), solver


def _phase_gap(status: str, solver: cp_model.CpSolver | None) -> float | None:
    """(objective - best bound) / objective of a solve: 0 when proven optimal (or skipped, as
    nothing was left to improve) or when the objective is 0; None when it found no solution."""
    if solver is None or status == "optimal":
        return 0.0
    if status != "feasible":
        return None
    value = solver.objective_value
    if value <= 0:
        return 0.0
    return round(max(value - solver.best_objective_bound, 0.0) / value, 6)


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
    first_weekday: int | None = None,
    cyclic: bool = False,
    diagnose: bool = True,
) -> Roster:
    """Assign `agents` to the shifts of `plan` (one week, repeated) over `weeks` weeks (1..4).

    `min_hours_week` and `max_hours_week` (paid h) apply to agents without their own bounds.
    `time_limit_s` (s) bounds the whole solve (model, quick roster, both CP-SAT phases on
    `workers` threads; phase 1 gets at most half, phase 2 the rest but at least 0.5 s); when
    shifts stay unfilled and `diagnose` is set, the diagnosis takes at most another
    `time_limit_s`. `first_weekday` is the weekday of day 0 (Monday = 0; a scenario's
    ``horizon.first_weekday``); None takes the plan's ``first_weekday``, else Monday. With
    `cyclic` the roster repeats: its last day runs into its first for the rest and
    consecutive-day rules. With `pseudonymise` every output names agents by `pseudonym`.
    Raises `RosterInputError` for bad input.
    """
    if not (isinstance(time_limit_s, (int, float)) and time_limit_s > 0):
        raise RosterInputError(f"time_limit_s: expected seconds > 0, got {time_limit_s!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise RosterInputError(f"workers: expected a whole number >= 1, got {workers!r}")
    where = "first_weekday"
    if first_weekday is None and isinstance(plan, Mapping):
        first_weekday, where = plan.get("first_weekday", 0), "plan.first_weekday"
    if (
        isinstance(first_weekday, bool)
        or not isinstance(first_weekday, int)
        or not 0 <= first_weekday <= 6
    ):
        raise RosterInputError(f"{where}: expected 0 (Monday) to 6, got {first_weekday!r}")
    p = _problem(plan, agents, weeks, first_weekday, cyclic, min_hours_week, max_hours_week,
                 pseudonymise)  # fmt: skip
    started = time.perf_counter()
    built = _build(p)
    model = built.model

    # Phase 1: the fewest missing agent-shifts, then the fewest paid minutes below the minimums,
    # then missing agents spread over weekday, weekend and night shifts in proportion.
    model.minimize(
        W_UNFILLED * sum(built.missing.values())
        + W_SHORT * sum(built.shortfall.values())
        + W_BALANCE * _worst_share(built, p)
    )
    quick = _quick_roster(p)
    _hint(built, p, quick)
    if _perfect(p, quick):  # nothing missing nor short: phase 1 would only prove it
        first, solver = "optimal", None
    else:
        first, solver = _solve(model, PHASE1_SHARE * time_limit_s, workers)
    cover_gap = _phase_gap(first, solver)
    roster = Roster(
        status="infeasible",
        weeks=weeks,
        solver_status=first,
        first_weekday=first_weekday,
        pseudonymised=pseudonymise,
    )
    roster.notes += _input_notes(p)
    if solver is not None and first in ("optimal", "feasible"):
        chosen = {key: solver.boolean_value(var) for key, var in built.x.items()}
        missing = {key: solver.value(var) for key, var in built.missing.items()}
        short_min = sum(solver.value(v) for v in built.shortfall.values())
    else:  # the quick roster stands for phase 1's answer
        if solver is not None:  # never seen: the search starts from the quick roster
            roster.notes.append(f"phase 1 found no roster within its time ({first})")
            first = "feasible"
        chosen = {key: key in quick for key in built.x}
        missing, short_min = _quick_gaps(p, quick)

    # Phase 2: as many weekend, night and other shifts filled and no more shortfall, then the
    # fairest roster, then preferences.
    classes = defaultdict(list)
    for (d, s), var in built.missing.items():
        classes[_class_of(p, d, s)].append((var, missing[d, s]))
    for members in classes.values():
        model.add(sum(var for var, _ in members) == sum(n for _, n in members))
    model.add(sum(built.shortfall.values()) <= short_min)
    smooth = _fair_terms(built, p, missing)
    _hint(built, p, {key for key, on in chosen.items() if on})
    model.minimize(built.quality + smooth)
    remaining = time_limit_s - (time.perf_counter() - started)
    second, solver = _solve(model, max(remaining, MIN_PHASE2_S), workers)
    if second in ("optimal", "feasible"):
        chosen = {key: solver.boolean_value(var) for key, var in built.x.items()}
        missing = {key: solver.value(var) for key, var in built.missing.items()}
    roster.gaps = {"cover": cover_gap, "quality": _phase_gap(second, solver)}
    roster.solve_time_s = time.perf_counter() - started
    roster.solver_status = "optimal" if (first, second) == ("optimal", "optimal") else "feasible"

    _fill(roster, p, [key for key, on in chosen.items() if on], missing)
    roster.status = "partial" if roster.violated_rules else roster.solver_status
    if roster.unfilled and diagnose:
        started = time.perf_counter()
        proven = roster.unfilled_agent_shifts if first == "optimal" else None
        solution = {key for key, on in chosen.items() if on}
        roster.binding = _diagnose(p, proven, solution, time_limit_s, workers)
        roster.diagnosis_time_s = time.perf_counter() - started
    return roster


def _class_of(p: _Problem, d: int, s: int) -> tuple[str, bool, bool]:
    """(group, weekend, night) of plan slot `s` on roster day `d`."""
    slot = p.slots[s]
    return slot.group, p.weekday(d) in WEEKEND, slot.night


def _worst_share(built: _Model, p: _Problem) -> Any:
    """Sum over groups of the largest share (per mille) of missing agents among the group's
    weekday, weekend, weekday-night and weekend-night shifts."""
    demand = defaultdict(int)
    lost = defaultdict(list)
    for (d, s), var in built.missing.items():
        demand[_class_of(p, d, s)] += p.slots[s].count
        lost[_class_of(p, d, s)].append(var)
    worst = built.worst
    for (group, weekend, night), vars_ in lost.items():
        if group not in worst:
            worst[group] = built.model.new_int_var(0, 1000, f"worst_share_{group}")
        share = 1000 * sum(vars_)
        built.model.add(share <= worst[group] * demand[group, weekend, night])
    return sum(worst.values())


def _worst_shares(p: _Problem, missing: Mapping[tuple[int, int], int]) -> dict[str, int]:
    """Per group, `_worst_share` of a solution."""
    demand, lost = defaultdict(int), defaultdict(int)
    for (d, s), n in missing.items():
        demand[_class_of(p, d, s)] += p.slots[s].count
        lost[_class_of(p, d, s)] += n
    worst: dict[str, int] = defaultdict(int)
    for key, n in lost.items():
        worst[key[0]] = max(worst[key[0]], -(-1000 * n // demand[key]))
    return worst


def _fair_terms(built: _Model, p: _Problem, missing: Mapping[tuple[int, int], int]) -> Any:
    """Once the weekend and night shifts filled are known (their totals are fixed in phase 2):
    implied bounds for a sooner proof (a group's largest count of a kind is at least the average,
    the smallest at most), and a smoother fairness term for the search to follow: each agent's
    distance from the average band, weighted `W_SMOOTH`."""
    size = defaultdict(int)
    for agent in p.agents:
        size[agent.group] += 1
    total = defaultdict(int)
    for (d, s), n in missing.items():
        group, weekend, night = _class_of(p, d, s)
        filled = p.slots[s].count - n
        total[group, "weekend"] += filled if weekend else 0
        total[group, "night"] += filled if night else 0
    model = built.model
    distance = []
    for (group, kind), (most, least, counts) in built.fair.items():
        low, high = total[group, kind] // size[group], -(-total[group, kind] // size[group])
        model.add(most >= high)
        model.add(least <= low)
        pairs = []
        for count in counts:
            above = model.new_int_var(0, p.days, "")
            below = model.new_int_var(0, p.days, "")
            model.add(count - high <= above)
            model.add(low - count <= below)
            pairs.append((above, below))
            distance += [above, below]
        built.bands[group, kind] = (low, high, pairs)
    return W_SMOOTH * sum(distance)


def _hint(built: _Model, p: _Problem, chosen: set[tuple[int, int, int]]) -> None:
    """Start the search from the roster `chosen` (a set of (agent, roster day, slot)), with a
    value for every variable so that CP-SAT takes it as a first solution at once."""
    model = built.model
    model.clear_hints()
    for key, var in built.x.items():
        model.add_hint(var, key in chosen)
    days = {(a, d) for a, d, _ in chosen}
    for key, var in built.works.items():
        model.add_hint(var, key in days)
    for (a, d), var in built.rests.items():
        model.add_hint(var, (a, d) not in days and (a, d + 1) not in days)
    missing, _ = _quick_gaps(p, chosen)
    for key, var in built.missing.items():
        model.add_hint(var, missing[key])
    paid = defaultdict(int)
    for a, d, s in chosen:
        paid[a, d // 7] += p.slots[s].paid_min
    for (a, w), var in built.shortfall.items():
        model.add_hint(var, max(0, p.min_paid_min[a] - paid[a, w]))
    worst = _worst_shares(p, missing)
    for group, var in built.worst.items():
        model.add_hint(var, worst.get(group, 0))
    counts = _kind_counts(p, dict.fromkeys(chosen, 1))
    for key, (most, least, _) in built.fair.items():
        model.add_hint(most, max(counts[key], default=0))
        model.add_hint(least, min(counts[key], default=0))
    for key, (low, high, pairs) in built.bands.items():
        for count, (above, below) in zip(counts[key], pairs, strict=True):
            model.add_hint(above, max(0, count - high))
            model.add_hint(below, max(0, low - count))


def _hand_out_breaks(
    p: _Problem, chosen: list[tuple[int, int, int]]
) -> dict[tuple[int, int, int], tuple[tuple[str, int], ...]]:
    """The breaks of each chosen (agent, day, slot): a slot's break placements go to its agents
    in the order of their (output) names."""
    takers = defaultdict(list)
    for a, d, s in chosen:
        takers[d, s].append(a)
    out = {}
    for (d, s), agents in takers.items():
        placements = [b for b, n in p.slots[s].variants for _ in range(n)]
        for a, b in zip(sorted(agents, key=lambda a: p.names[a]), placements, strict=False):
            out[a, d, s] = b
    return out


def _fill(roster: Roster, p: _Problem, chosen: list[tuple[int, int, int]], missing: dict) -> None:
    """Assignments, unfilled shifts, violated rules, summaries and objective parts of a solution."""
    rows = []
    paid = defaultdict(float)
    paid_min = defaultdict(int)
    breaks = _hand_out_breaks(p, chosen)
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
                "breaks": [{"start": b, "length_min": m} for b, m in breaks[a, d, s]],
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
    worst = sum(_worst_shares(p, missing).values())
    roster.objective["unfilled_worst_share_permille"] = worst
    roster.objective["value"] = (
        W_UNFILLED * roster.unfilled_agent_shifts
        + W_SHORT * round(short_h * 60)
        + W_BALANCE * worst
        + W_FAIR * (most + spread)
        + W_PREF * misses
    )


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


def _missing_lower_bound(p: _Problem) -> int:
    """Agent-shifts that must stay unfilled, by counting: per group and week, the shifts beyond
    what its agents can work (5 days, their available days, their maximum hours), or per group
    and day, the shifts beyond its available agents - whichever is more."""
    by_week = 0
    by_day = 0
    for group in {slot.group for slot in p.slots}:
        members = [a for a, agent in enumerate(p.agents) if agent.group == group]
        slots = [slot for slot in p.slots if slot.group == group]
        shortest = min(slot.paid_min for slot in slots)
        for w in range(p.weeks):
            days = range(7 * w, 7 * w + 7)
            can = 0
            for a in members:
                free = sum(1 for d in days if d not in p.off[a])
                by_hours = p.max_paid_min[a] // shortest if shortest else 7
                can += min(WORK_DAYS_PER_WEEK, free, by_hours)
            by_week += max(0, sum(slot.count for slot in slots) - can)
            for d in days:
                free = sum(1 for a in members if d not in p.off[a])
                need = sum(slot.count for slot in slots if slot.day == d % 7)
                by_day += max(0, need - free)
    return max(by_week, by_day)


def _diagnose(
    p: _Problem,
    unfilled: int | None,
    solution: set[tuple[int, int, int]],
    time_limit_s: float,
    workers: int,
) -> list[dict]:
    """Binding rules: those whose relaxation alone fills more agent-shifts, and ``headcount``
    when even with every rule relaxed some group has more shifts on a day than agents.

    Each rule is relaxed in a coverage-only solve started from `solution` (the roster found);
    the solves share `time_limit_s`. A gain counts only when it is certain: the fewest missing
    agent-shifts found with the rule relaxed is below a proven lower bound without relaxation
    (`unfilled` when phase 1 proved it, else from one more solve). So ``agent_shifts`` is a
    lower bound on the gain, exact when the solves are proven optimal (``exact`` says so).
    """
    rules = [r for r in RELAXABLE if r != "unavailable" or any(p.off)]
    budget = time_limit_s / (len(rules) + 2)

    def fewest_missing(relax: frozenset[str]) -> tuple[int, int, bool] | None:
        """(found, lower bound, proven) for the fewest missing agent-shifts."""
        built = _build(p, relax, quality=False)
        built.model.minimize(sum(built.missing.values()))
        _hint(built, p, solution)
        status, solver = _solve(built.model, budget, workers)
        if status not in ("optimal", "feasible"):
            return None
        bound = math.ceil(solver.best_objective_bound - 1e-6)
        return round(solver.objective_value), bound, status == "optimal"

    base_proven = unfilled is not None
    if unfilled is None:
        found = sum(slot.count for slot in p.slots) * p.weeks - len(solution)
        lower = _missing_lower_bound(p)
        if lower < found:
            base = fewest_missing(frozenset())
            lower = max(lower, base[1]) if base else lower
        base_proven = lower >= found
    else:
        lower = unfilled

    def verdict(rule: str, relax: frozenset[str], text: str) -> dict | None:
        relaxed = fewest_missing(relax)
        gain = 0 if relaxed is None else lower - relaxed[0]
        if gain <= 0:
            return None
        exact = base_proven and relaxed is not None and relaxed[2]
        amount = f"{gain}" if exact else f"at least {gain}"
        return {
            "rule": rule,
            "agent_shifts": gain,
            "exact": exact,
            "message": f"{text} would fill {amount} more agent-shift{'s' if gain != 1 else ''}",
        }

    binding = []
    for rule in rules:
        found = verdict(rule, frozenset({rule}), f"{HARD_RULES[rule]}: relaxing this rule alone")
        if found:
            binding.append(found)
    # With every rule relaxed, an agent still works one shift a day of their own group.
    size: dict[str, int] = defaultdict(int)
    for agent in p.agents:
        size[agent.group] += 1
    need: dict[tuple[str, int], int] = defaultdict(int)
    for slot in p.slots:
        need[slot.group, slot.day] += slot.count
    headcount: dict[str, int] = defaultdict(int)
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
                "exact": True,
                "message": f"too few agents: {total} agent-shifts cannot be filled even with "
                f"every rule relaxed, as some days have more shifts than agents in {groups}",
            }
        )
    if not binding:
        text = f"no single rule explains the unfilled shifts; relaxing {', '.join(rules)} together"
        found = verdict("combined", frozenset(rules), text)
        binding.append(
            found
            or {
                "rule": "combined",
                "agent_shifts": 0,
                "exact": False,
                "message": "the diagnosis could not tell within its time which rules bind",
            }
        )
    return binding
