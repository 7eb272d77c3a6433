"""Rostering 200 agents over 4 weeks: wfm's ``build_roster`` beside pyworkforce's roster.

What is measured
----------------
One instance, given to both in one run with the same time limit (60 s by default) and two
CP-SAT workers:

* 200 agents of one group, 28 days, three 8-hour shifts a day: ``early`` 06:00-14:00, ``late``
  14:00-22:00, ``night`` 22:00-06:00 (8 paid hours each, no breaks: pyworkforce has none);
* agents needed per shift: 60 / 50 / 20 on weekdays, 40 / 35 / 15 on Saturday and Sunday --
  830 agent-shifts a week, 83 % of what 200 agents working 5 days can give;
* wfm's rules: one shift a day, 11 h rest, at most 5 days in a row, two consecutive days off
  in every week, 32 to 40 paid hours a week, fair shares of weekend and night shifts;
* variant *b* adds, from a seeded generator, 3 unavailable days per agent over the 4 weeks (in
  three different weeks: three in one week can leave no way to work 32 h with two days off
  together, which wfm would rightly report as a partial roster) and a preferred shift kind for
  30 % of the agents.

pyworkforce is given what it can express of the same rules: ``required_resources`` per day and
shift, at most one shift a day (built in), ``min_working_hours`` 128 h over the 4 weeks,
``max_resting`` 12 days (so at least 16 working days), and in variant *b* ``banned_shifts``
for every unavailable day and ``resources_preferences``. The 11 h rest would be its
``non_sequential_shifts`` (late -> early, night -> early, night -> late), but pyworkforce 0.5.1
writes that constraint as ``sum over j of (x[d][origin] * banned[origin][j] + x[d+1][j]) <= 1``:
the origin counts once per destination, so an origin with two destinations can never be worked,
and any origin forbids every shift the next day. With the three pairs the model is infeasible
(row "with rest pairs"); the other pyworkforce rows leave them out, and the check counts the
rest breaks in their rosters. It has no rule for
days in a row, days off together, weekly maxima or fairness, and its objective is the fewest
paid hours (``required_resources`` is a floor), while wfm's is coverage first, then fairness
and preferences. The two searches therefore answer different questions; what compares is the
status each reaches in the time, the gap to its own proven bound, and -- checked here on each
output, independently of either tool -- whether the roster covers the requirement and keeps
wfm's rules.

pyworkforce sets ``solver.num_search_workers`` as an attribute, which does not reach CP-SAT's
parameters: it runs with CP-SAT's default workers (all cores, 2 here). wfm runs with
``workers=2``. Times are wall clock around the call (model building included).

Usage::

    python benchmarks/roster_bench.py [--time-limit S] [--agents N] [--markdown]

It takes about 2 x 2 x the time limit (4 minutes at 60 s).
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from optimise.roster import Agent, build_roster
from scenarios.schema import clock_text

WEEKS = 4
DAYS = 7 * WEEKS
SHIFTS = {"early": (6 * 60, 8), "late": (14 * 60, 8), "night": (22 * 60, 8)}  # start min, h
WEEKDAY_NEED = {"early": 60, "late": 50, "night": 20}
WEEKEND_NEED = {"early": 40, "late": 35, "night": 15}
MIN_HOURS_WEEK, MAX_HOURS_WEEK = 32, 40
REST_BREAKERS = [("late", "early"), ("night", "early"), ("night", "late")]  # < 11 h apart
UNAVAILABLE_DAYS = 3
PREFERRING_SHARE = 0.3


@dataclass
class Outcome:
    """One tool's answer, checked."""

    tool: str
    status: str
    seconds: float
    gap: str
    agent_shifts: int
    unfilled: int
    broken: dict[str, int]
    preference_hits: str


def need(day: int, shift: str) -> int:
    """Agents needed on roster `day` (Monday = 0) for `shift`."""
    return (WEEKEND_NEED if day % 7 >= 5 else WEEKDAY_NEED)[shift]


def wfm_plan() -> dict:
    """The one-week plan that `build_roster` repeats."""
    rows = []
    for day in range(7):
        for shift, (start_min, length_h) in SHIFTS.items():
            rows.append(
                {
                    "group": "pool",
                    "template": shift,
                    "day": day,
                    "start": clock_text(start_min),
                    "length_h": length_h,
                    "count": need(day, shift),
                }
            )
    return {"first_weekday": 0, "shifts": rows}


def agent_constraints(n: int, with_wishes: bool) -> tuple[list[set[int]], list[str | None]]:
    """Per agent: its unavailable roster days and its preferred shift (or None), seeded."""
    rng = random.Random(20261125)
    unavailable: list[set[int]] = [set() for _ in range(n)]
    prefers: list[str | None] = [None] * n
    if with_wishes:
        for a in range(n):
            weeks = rng.sample(range(WEEKS), UNAVAILABLE_DAYS)
            unavailable[a] = {7 * w + rng.randrange(7) for w in weeks}
            if rng.random() < PREFERRING_SHARE:
                prefers[a] = rng.choice(list(SHIFTS))
    return unavailable, prefers


def check(
    worked: dict[int, dict[int, str]], n: int, unavailable: list[set[int]]
) -> tuple[int, dict[str, int]]:
    """Unfilled agent-shifts and, per wfm rule, how many agents (or agent-weeks) break it.

    `worked[a][day]` is the shift agent `a` works on `day`.
    """
    staffed: dict[tuple[int, str], int] = defaultdict(int)
    for days in worked.values():
        for day, shift in days.items():
            staffed[day, shift] += 1
    unfilled = sum(max(need(d, s) - staffed[d, s], 0) for d in range(DAYS) for s in SHIFTS)
    broken = dict.fromkeys(
        ("rest_11h", "max_consecutive_days", "two_days_off", "hours_week", "unavailable"), 0
    )
    for a in range(n):
        days = worked.get(a, {})
        if any((days.get(d), days.get(d + 1)) in REST_BREAKERS for d in range(DAYS - 1)):
            broken["rest_11h"] += 1
        run = longest = 0
        for d in range(DAYS):
            run = run + 1 if d in days else 0
            longest = max(longest, run)
        broken["max_consecutive_days"] += longest > 5
        for w in range(WEEKS):
            week = range(7 * w, 7 * w + 7)
            if not any(d not in days and d + 1 not in days for d in week[:-1]):
                broken["two_days_off"] += 1
            hours = 8 * sum(d in days for d in week)
            broken["hours_week"] += not MIN_HOURS_WEEK <= hours <= MAX_HOURS_WEEK
        broken["unavailable"] += bool(unavailable[a] & days.keys())
    return unfilled, broken


def hits(worked: dict[int, dict[int, str]], prefers: list[str | None]) -> str:
    """Shifts of preferring agents that match their preference, as 'k of n'."""
    shifts = [(a, s) for a, days in worked.items() if prefers[a] for s in days.values()]
    if not shifts:
        return "-"
    return f"{sum(prefers[a] == s for a, s in shifts)} of {len(shifts)}"


def run_wfm(n: int, with_wishes: bool, time_limit_s: float) -> Outcome:
    """`build_roster` on the instance, its output checked."""
    unavailable, prefers = agent_constraints(n, with_wishes)
    agents = [
        Agent(
            f"A{a:03d}",
            "pool",
            unavailable=frozenset(unavailable[a]),
            prefers=(prefers[a],) if prefers[a] else (),
        )
        for a in range(n)
    ]
    started = time.perf_counter()
    roster = build_roster(
        wfm_plan(), agents, WEEKS, time_limit_s=time_limit_s, workers=2,
        min_hours_week=MIN_HOURS_WEEK, max_hours_week=MAX_HOURS_WEEK, diagnose=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    worked: dict[int, dict[int, str]] = defaultdict(dict)
    for row in roster.assignments:
        worked[int(row["agent"][1:])][7 * row["week"] + row["day"]] = row["template"]
    unfilled, broken = check(worked, n, unavailable)
    gaps = ", ".join(
        f"{phase} {'-' if g is None else f'{100 * g:.2f}%'}" for phase, g in roster.gaps.items()
    )
    return Outcome(
        "wfm build_roster", roster.status, seconds, gaps,
        sum(len(d) for d in worked.values()), unfilled, broken, hits(worked, prefers),
    )  # fmt: skip


def run_pyworkforce(
    n: int, with_wishes: bool, time_limit_s: float, rest_pairs: bool = False
) -> Outcome:
    """pyworkforce's `MinHoursRoster` on what it can express of the instance, checked; with
    `rest_pairs` its ``non_sequential_shifts`` get the pairs that break the 11 h rest."""
    from pyworkforce.rostering.binary_programming import MinHoursRoster

    unavailable, prefers = agent_constraints(n, with_wishes)
    names = [f"A{a:03d}" for a in range(n)]
    solver = MinHoursRoster(
        num_days=DAYS,
        resources=names,
        shifts=list(SHIFTS),
        shifts_hours=[h for _, h in SHIFTS.values()],
        min_working_hours=MIN_HOURS_WEEK * WEEKS,
        banned_shifts=[
            {"resource": names[a], "shift": s, "day": d}
            for a in range(n) for d in sorted(unavailable[a]) for s in SHIFTS
        ],
        max_resting=DAYS - MIN_HOURS_WEEK * WEEKS // 8,
        required_resources={s: [need(d, s) for d in range(DAYS)] for s in SHIFTS},
        non_sequential_shifts=[
            {"origin": o, "destination": d} for o, d in REST_BREAKERS if rest_pairs
        ],
        resources_preferences=[
            {"resource": names[a], "shift": prefers[a]} for a in range(n) if prefers[a]
        ],
        max_search_time=time_limit_s,
    )  # fmt: skip
    started = time.perf_counter()
    answer = solver.solve()
    seconds = time.perf_counter() - started
    worked: dict[int, dict[int, str]] = defaultdict(dict)
    if answer["status"] in ("OPTIMAL", "FEASIBLE"):
        for row in answer["resource_shifts"]:
            worked[names.index(row["resource"])][row["day"]] = row["shift"]
        value, bound = solver.solver.ObjectiveValue(), solver.solver.BestObjectiveBound()
        gap = f"{100 * max(value - bound, 0) / value:.2f}%" if value > 0 else "0.00%"
    else:
        gap = "-"
    unfilled, broken = check(worked, n, unavailable)
    return Outcome(
        "pyworkforce MinHoursRoster" + (" with rest pairs" if rest_pairs else ""),
        answer["status"].lower(), seconds, gap,
        sum(len(d) for d in worked.values()), unfilled, broken, hits(worked, prefers),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    header = (
        "| Variant | Tool | Status | Wall (s) | Gap to own bound | Agent-shifts | Unfilled "
        "| Agents breaking rest / 5-in-a-row / unavailable | Agent-weeks without 2 days off "
        "together / outside 32-40 h | Preferred shifts |"
    )
    lines = [header, "|" + "---|" * 10]
    runs = [
        ("a: rules", lambda: run_wfm(args.agents, False, args.time_limit)),
        ("a: rules", lambda: run_pyworkforce(args.agents, False, args.time_limit, True)),
        ("a: rules", lambda: run_pyworkforce(args.agents, False, args.time_limit)),
        ("b: + unavailable days, preferences", lambda: run_wfm(args.agents, True, args.time_limit)),
        ("b: + unavailable days, preferences",
         lambda: run_pyworkforce(args.agents, True, args.time_limit)),
    ]  # fmt: skip
    for variant, run in runs:
        o = run()
        b = o.broken
        checked = (
            f"{b['rest_11h']} / {b['max_consecutive_days']} / {b['unavailable']} "
            f"| {b['two_days_off']} / {b['hours_week']}"
            if o.agent_shifts
            else "- | -"
        )
        lines.append(
            f"| {variant} | {o.tool} | {o.status} | {o.seconds:.1f} | {o.gap} "
            f"| {o.agent_shifts:,} | {o.unfilled} | {checked} | {o.preference_hits} |"
        )
        if not args.markdown:
            print(lines[-1], flush=True)
    if args.markdown:
        print(
            f"{args.agents} agents x {DAYS} days x {len(SHIFTS)} shifts, "
            f"time limit {args.time_limit:g} s each, 2 CP-SAT workers.\n"
        )
        print("\n".join(lines))


if __name__ == "__main__":
    main()
