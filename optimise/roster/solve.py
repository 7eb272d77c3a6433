"""`build_roster`: the two CP-SAT phases, started from the quick roster. Phase 1 minimises what
stays unfilled (with `_worst_share` spreading it over weekday, weekend and night shifts), phase 2
keeps that and minimises the fairness and preference terms (with `_fair_terms`, a smoother
fairness term for the search). The diagnosis of binding rules follows when shifts stay unfilled.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from optimise.cpsat import relative_gap
from optimise.roster.diagnosis import _diagnose
from optimise.roster.greedy import _hint, _perfect, _quick_gaps, _quick_roster
from optimise.roster.inputs import _Problem, _problem
from optimise.roster.model import _build, _RosterModel, _solve
from optimise.roster.result import _class_of, _fill, _input_notes
from optimise.roster.rules import (
    MIN_PHASE2_S,
    PHASE1_SHARE,
    W_BALANCE,
    W_SHORT,
    W_SMOOTH,
    W_UNFILLED,
)
from optimise.roster.types import Agent, Roster, RosterInputError


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
    cover_gap = relative_gap(first, solver)
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
    roster.gaps = {"cover": cover_gap, "quality": relative_gap(second, solver)}
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


def _worst_share(built: _RosterModel, p: _Problem) -> Any:
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


def _fair_terms(built: _RosterModel, p: _Problem, missing: Mapping[tuple[int, int], int]) -> Any:
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
