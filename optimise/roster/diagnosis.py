"""Which rules bind when shifts stay unfilled: `_diagnose` relaxes each relaxable rule alone in
a coverage-only solve and names those that would fill more agent-shifts, plus ``headcount``
(more shifts on a day than agents) or, when no rule binds alone, all of them ``combined``.
`_missing_lower_bound` is the counting bound on what must stay unfilled that the gains are
measured against when phase 1 did not prove its own.
"""

from __future__ import annotations

import math
from collections import defaultdict

from optimise.roster.greedy import _hint
from optimise.roster.inputs import _Problem
from optimise.roster.model import _build, _solve
from optimise.roster.rules import HARD_RULES, RELAXABLE, WORK_DAYS_PER_WEEK


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
