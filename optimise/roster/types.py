"""The roster's data types: `RosterInputError`, `Agent` (one named agent), `Roster` (the
answer, with its JSON) and `_Slot` (one plan shift as the model sees it); also `is_night`, which
`_Slot` needs, and `pseudonym`, an agent's stable ID in pseudonymised outputs.

Reading and checking input is in `inputs`; filling a `Roster` from a solution is in
`result`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from optimise.roster.rules import (
    EARLY_BEFORE_MIN,
    LATE_FROM_MIN,
    NIGHT_FROM_MIN,
    NIGHT_MIN_OVERLAP_MIN,
    NIGHT_TO_MIN,
)
from scenarios.schema import DAY_MIN, WEEKDAYS


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
