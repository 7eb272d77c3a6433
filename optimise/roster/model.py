"""The roster's CP-SAT model (the rules are listed in `optimise.roster`): `_build` makes a
`_RosterModel` (the model and the variables read after it): the variables, then one builder
per rule, in a fixed order (the order variables and constraints are made in steers CP-SAT's
search, so it must not change): coverage, one shift a day, unavailable days, 11 h rest,
consecutive days, two days off, weekly hours, then the soft fairness and preference terms.
Each builder's docstring names the rule it enforces.

Also here: `_clashes` (which shift pairs break the rest rule), `_kind_counts` (per-agent weekend
and night counts, over variables or a solution) and `_solve`, one CP-SAT solve. The objectives
of the two phases are set in `solve`, the diagnosis's in `diagnosis`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from optimise.cpsat import new_solver, status_name
from optimise.roster.inputs import _Problem
from optimise.roster.rules import (
    MAX_DAYS_IN_ROW,
    MIN_REST_MIN,
    W_FAIR,
    W_PREF,
    WEEKEND,
    WORK_DAYS_PER_WEEK,
)
from scenarios.schema import DAY_MIN


@dataclass
class _RosterModel:
    """A built model and the variables that the phase objectives, the hint and the solution
    read."""

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


def _build(p: _Problem, relax: frozenset[str] = frozenset(), quality: bool = True) -> _RosterModel:
    """The CP-SAT model without its objective. Rules named in `relax` are left out (``rest_11h``
    then only forbids overlapping shifts); without `quality` the fairness and preference terms
    are left out (for the diagnosis)."""
    model = cp_model.CpModel()
    agents_of: dict[str, list[int]] = defaultdict(list)
    for a, agent in enumerate(p.agents):
        agents_of[agent.group].append(a)
    x, on_day = _shift_vars(model, p, agents_of)
    works = _day_vars(model, p)
    missing = _coverage(model, p, x, agents_of)
    _one_shift_per_day(model, works, on_day)
    if "unavailable" not in relax:
        _unavailable(model, p, works)
    _rest(model, p, x, 0 if "rest_11h" in relax else MIN_REST_MIN)
    if "max_consecutive_days" not in relax:
        _max_consecutive_days(model, p, works)
    rests = {} if "two_days_off" in relax else _two_days_off(model, p, works)
    shortfall = _weekly_hours(model, p, on_day, "max_hours_week" not in relax)
    terms = []
    fair = {}
    if quality:
        fair = _fairness(model, p, x)
        terms = [W_FAIR * (2 * most - least) for most, least, _ in fair.values()]
        terms.append(_preferences(p, x))
    return _RosterModel(model, x, missing, works, rests, shortfall, sum(terms), fair)


def _shift_vars(
    model: cp_model.CpModel, p: _Problem, agents_of: Mapping[str, list[int]]
) -> tuple[
    dict[tuple[int, int, int], cp_model.IntVar],
    dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]],
]:
    """Variables x[a, d, s] = agent a works plan slot s on roster day d, for the agents of the
    slot's group only; and per (agent, roster day) the (slot, variable) pairs of that day."""
    slots_on = [p.slots_on(d) for d in range(7)]
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    on_day: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for d in range(p.days):
        for s in slots_on[d % 7]:
            for a in agents_of.get(p.slots[s].group, []):
                var = model.new_bool_var(f"x_a{a}_d{d}_s{s}")
                x[a, d, s] = var
                on_day[a, d].append((s, var))
    return x, on_day


def _day_vars(model: cp_model.CpModel, p: _Problem) -> dict[tuple[int, int], cp_model.IntVar]:
    """Variables works[a, d] = agent a works on roster day d (tied to x by one_shift_per_day)."""
    works = {}
    for a in range(len(p.agents)):
        for d in range(p.days):
            works[a, d] = model.new_bool_var(f"work_a{a}_d{d}")
    return works


def _coverage(
    model: cp_model.CpModel,
    p: _Problem,
    x: Mapping[tuple[int, int, int], cp_model.IntVar],
    agents_of: Mapping[str, list[int]],
) -> dict[tuple[int, int], cp_model.IntVar]:
    """coverage: each plan shift on each roster day gets `count` agents; returns the agents
    missing per (roster day, slot), which the objective penalises."""
    slots_on = [p.slots_on(d) for d in range(7)]
    missing = {}
    for d in range(p.days):
        for s in slots_on[d % 7]:
            slot = p.slots[s]
            missing[d, s] = model.new_int_var(0, slot.count, f"missing_d{d}_s{s}")
            takers = [x[a, d, s] for a in agents_of.get(slot.group, [])]
            model.add(sum(takers) + missing[d, s] == slot.count)
    return missing


def _one_shift_per_day(
    model: cp_model.CpModel,
    works: Mapping[tuple[int, int], cp_model.IntVar],
    on_day: Mapping[tuple[int, int], list[tuple[int, cp_model.IntVar]]],
) -> None:
    """one_shift_per_day: an agent works at most one shift a day, and `works` says whether any."""
    for (a, d), var in works.items():
        model.add(sum(v for _, v in on_day.get((a, d), [])) == var)


def _unavailable(
    model: cp_model.CpModel, p: _Problem, works: Mapping[tuple[int, int], cp_model.IntVar]
) -> None:
    """unavailable: no shift on an agent's unavailable days."""
    for a, days in enumerate(p.off):
        for d in days:
            model.add(works[a, d] == 0)


def _rest(
    model: cp_model.CpModel,
    p: _Problem,
    x: Mapping[tuple[int, int, int], cp_model.IntVar],
    min_gap: int,
) -> None:
    """rest_11h: at least `min_gap` minutes from the end of a shift to the start of the agent's
    next one (11 h; 0 when relaxed, which still forbids overlapping shifts)."""
    clashes = _clashes(p, min_gap)
    for (a, d, s), var in x.items():
        later = []
        for k, s2 in clashes[s]:
            d2 = d + k
            if d2 >= p.days:
                if not p.cyclic:
                    continue
                d2 %= p.days
            if (a, d2, s2) in x:
                later.append(x[a, d2, s2])
        if later:
            model.add_at_most_one([var, *later])


def _max_consecutive_days(
    model: cp_model.CpModel, p: _Problem, works: Mapping[tuple[int, int], cp_model.IntVar]
) -> None:
    """max_consecutive_days: at most 5 working days in any 6 days in a row."""
    n_days = p.days
    window = MAX_DAYS_IN_ROW + 1
    firsts = range(n_days) if p.cyclic else range(n_days - window + 1)
    for a in range(len(p.agents)):
        for first in firsts:
            model.add(sum(works[a, (first + k) % n_days] for k in range(window)) <= MAX_DAYS_IN_ROW)


def _two_days_off(
    model: cp_model.CpModel, p: _Problem, works: Mapping[tuple[int, int], cp_model.IntVar]
) -> dict[tuple[int, int], cp_model.IntVar]:
    """two_days_off: two consecutive days off inside every rostered week; returns per (agent,
    roster day d) the variable saying the agent is off on d and d + 1."""
    rests = {}
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
    return rests


def _weekly_hours(
    model: cp_model.CpModel,
    p: _Problem,
    on_day: Mapping[tuple[int, int], list[tuple[int, cp_model.IntVar]]],
    cap: bool,
) -> dict[tuple[int, int], cp_model.IntVar]:
    """max_hours_week (when `cap`) and min_hours_week: the paid minutes of the shifts starting
    in each week within the agent's bounds; returns the paid minutes short of the minimum per
    (agent, week), which the objective penalises."""
    shortfall = {}
    for a in range(len(p.agents)):
        for w in range(p.weeks):
            paid = sum(
                p.slots[s].paid_min * var
                for d in range(7 * w, 7 * w + 7)
                for s, var in on_day.get((a, d), [])
            )
            if cap:
                model.add(paid <= p.max_paid_min[a])
            if p.min_paid_min[a] > 0:
                short = model.new_int_var(0, p.min_paid_min[a], f"short_a{a}_w{w}")
                model.add(paid + short >= p.min_paid_min[a])
                shortfall[a, w] = short
    return shortfall


def _fairness(
    model: cp_model.CpModel, p: _Problem, x: Mapping[tuple[int, int, int], cp_model.IntVar]
) -> dict[tuple[str, str], tuple[Any, Any, list[Any]]]:
    """Fairness (soft): per group and kind (weekend, night), variables bounding every agent's
    count from above and below; returns (largest, smallest, counts) per (group, kind)."""
    fair = {}
    for (group, kind), counts in _kind_counts(p, x).items():
        most = model.new_int_var(0, p.days, f"most_{kind}_{group}")
        least = model.new_int_var(0, p.days, f"least_{kind}_{group}")
        for count in counts:
            model.add(count <= most)
            model.add(count >= least)
        fair[group, kind] = (most, least, counts)
    return fair


def _preferences(p: _Problem, x: Mapping[tuple[int, int, int], cp_model.IntVar]) -> Any:
    """Preferences (soft): a penalty of `W_PREF` per shift matching none of the agent's
    preferences, as a linear expression (no constraint)."""
    misses = [
        var
        for (a, _, s), var in x.items()
        if p.prefers[a] and not (p.prefers[a] & p.slots[s].kinds())
    ]
    return W_PREF * sum(misses)


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


def _solve(
    model: cp_model.CpModel, time_limit_s: float, workers: int
) -> tuple[str, cp_model.CpSolver]:
    """Solve with `workers` threads for at most `time_limit_s` seconds of wall clock (random seed
    0); the status as a word (``optimal``, ``feasible``, ``infeasible`` or ``unknown``)."""
    solver = new_solver(workers, wall_s=time_limit_s, seed=0)
    code = solver.solve(model)
    if code == cp_model.MODEL_INVALID:  # a bug here, not a user mistake
        raise RuntimeError(f"roster model invalid: {model.validate()}")
    return status_name(code), solver
