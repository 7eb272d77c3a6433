"""A solution turned into a `Roster`: `_fill` writes the assignments (with each slot's break
placements handed out by `_hand_out_breaks`), the unfilled rows (`_unfilled_rows`), the violated
rules, the per-agent summaries, the fairness counts and the objective's parts; `_input_notes`
gives the warnings about the input. `_class_of` and `_worst_shares` measure how what stays
unfilled spreads over a group's weekday, weekend and night shifts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from optimise.roster.inputs import _Problem
from optimise.roster.model import _kind_counts
from optimise.roster.rules import (
    SHIFT_KINDS,
    W_BALANCE,
    W_FAIR,
    W_PREF,
    W_SHORT,
    W_UNFILLED,
    WEEKEND,
)
from optimise.roster.types import Roster
from scenarios.schema import clock_text


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
                "start": clock_text(slot.start_min),
                "end": clock_text(slot.end_min),
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
        {"week": w, "day": day, "group": g, "template": t, "start": clock_text(m), "missing": n}
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


def _class_of(p: _Problem, d: int, s: int) -> tuple[str, bool, bool]:
    """(group, weekend, night) of plan slot `s` on roster day `d`."""
    slot = p.slots[s]
    return slot.group, p.weekday(d) in WEEKEND, slot.night


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
