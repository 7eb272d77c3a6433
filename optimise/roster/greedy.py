"""The quick roster that starts the search: `_quick_roster` builds, day by day, the best of four
greedy rosters that meet every hard rule (some shifts may stay unfilled; it also stands in for
the solver's answer should CP-SAT find nothing in time), `_quick_gaps` measures what such a
roster leaves missing and short, and `_hint` hands any roster to CP-SAT as its first solution.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from optimise.roster.inputs import _Problem
from optimise.roster.model import _clashes, _kind_counts, _RosterModel
from optimise.roster.result import _worst_shares
from optimise.roster.rules import MAX_DAYS_IN_ROW, MIN_REST_MIN, WEEKEND
from optimise.roster.types import _Slot


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


def _hint(built: _RosterModel, p: _Problem, chosen: set[tuple[int, int, int]]) -> None:
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
