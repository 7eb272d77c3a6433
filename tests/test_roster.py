"""Rostering (optimise.roster): every hard rule checked on small rosters by a checker that reads
the assignments alone, independently of the model."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from optimise.roster import (
    Agent,
    Roster,
    RosterInputError,
    build_roster,
    generate_agents,
    is_night,
    pseudonym,
    read_agents_csv,
)

DAY = 1440
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --- instances ---------------------------------------------------------------------------------


def shift(group: str, template: str, day: int, start: str, count: int, length_h: float = 8.0,
          paid_h: float | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "group": group,
        "template": template,
        "day": day,
        "start": start,
        "count": count,
        "length_h": length_h,
        "paid_h": length_h if paid_h is None else paid_h,
        "breaks": [],
    }


def three_shifts(counts: tuple[int, int, int] = (2, 2, 1), group: str = "pool") -> dict:
    """Early 07:00, late 15:00 and night 23:00 (crossing midnight), 8 h, every day."""
    starts = (("early", "07:00"), ("late", "15:00"), ("night", "23:00"))
    return {
        "shifts": [
            shift(group, template, day, start, count, 8.0, 7.5)
            for day in range(7)
            for (template, start), count in zip(starts, counts, strict=True)
        ]
    }


def solve(plan: dict, agents: list[Agent], weeks: int, **options: Any) -> Roster:
    options.setdefault("time_limit_s", 5.0)
    return build_roster(plan, agents, weeks, **options)


# --- the checker -------------------------------------------------------------------------------


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def check_roster(
    plan: dict,
    agents: list[Agent],
    weeks: int,
    roster: Roster,
    *,
    first_weekday: int = 0,
    min_hours_week: float = 0,
    max_hours_week: float = 48,
    cyclic: bool = False,
) -> list[str]:
    """Every hard rule, verified from `roster.assignments` and `roster.unfilled` alone."""
    problems = []
    n_days = 7 * weeks
    by_id = {(pseudonym(a.name, a.group) if roster.pseudonymised else a.name): a for a in agents}

    # Coverage: assigned + reported missing == the plan's count; never more than the count.
    need: Counter = Counter()
    for row in plan["shifts"]:
        need[row["group"], row["template"], row["day"], row["start"]] += row["count"]
    got: Counter = Counter()
    for a in roster.assignments:
        got[a["week"], a["group"], a["template"], a["day"], a["start"]] += 1
    missing: Counter = Counter()
    for u in roster.unfilled:
        missing[u["week"], u["group"], u["template"], u["day"], u["start"]] += u["missing"]
    for week in range(weeks):
        for key, count in need.items():
            taken, short = got[(week, *key)], missing[(week, *key)]
            if taken > count or taken + short != count:
                problems.append(f"coverage: week {week} {key}: {taken} taken + {short} missing")
    for key in got:
        if key[1:] not in need or not 0 <= key[0] < weeks:
            problems.append(f"coverage: {key} is not a plan shift")

    shifts = defaultdict(list)  # agent -> (absolute start, absolute end, roster day, paid_h)
    for a in roster.assignments:
        agent = by_id.get(a["agent"])
        if agent is None:
            problems.append(f"unknown agent {a['agent']!r}")
            continue
        if a["group"] != agent.group:
            problems.append(f"group: {a['agent']} works for {a['group']}")
        day = 7 * a["week"] + a["day"]
        start = day * DAY + minutes(a["start"])
        shifts[a["agent"]].append((start, start + round(a["length_h"] * 60), day, a["paid_h"]))
        if day in agent.unavailable or (
            WEEKDAY_NAMES[(first_weekday + day) % 7] in agent.unavailable_weekdays
        ):
            problems.append(f"unavailable: {a['agent']} works on day {day}")

    for name, rows in shifts.items():
        agent = by_id[name]
        rows.sort()
        days = [day for _, _, day, _ in rows]
        # One shift a day.
        if len(days) != len(set(days)):
            problems.append(f"one_shift_per_day: {name} has two shifts on a day")
        # Rest: 11 h from the end of a shift to the start of the next (wrapping when cyclic).
        pairs = list(itertools.pairwise(rows))
        if cyclic and rows:
            first = rows[0]
            pairs.append((rows[-1], (first[0] + n_days * DAY, 0, 0, 0)))
        for (_, end, _, _), (next_start, _, _, _) in pairs:
            if next_start - end < 11 * 60:
                problems.append(f"rest_11h: {name}: {next_start - end} min of rest")
        # At most 5 working days in a row.
        working = set(days)
        firsts = range(n_days) if cyclic else range(n_days - 5)
        for first in firsts:
            if all((first + k) % n_days in working for k in range(6)):
                problems.append(f"max_consecutive_days: {name} works 6 days from day {first}")
        # Two consecutive days off in every week; weekly paid hours.
        for week in range(weeks):
            span = range(7 * week, 7 * week + 7)
            if not any(d not in working and d + 1 not in working for d in span[:-1]):
                problems.append(f"two_days_off: {name} has none in week {week}")
            hours = sum(paid for _, _, day, paid in rows if day in span)
            most = agent.max_hours_week if agent.max_hours_week is not None else max_hours_week
            least = agent.min_hours_week if agent.min_hours_week is not None else min_hours_week
            if hours > most + 1e-9:
                problems.append(f"max_hours_week: {name} works {hours} h in week {week}")
            if hours < least - 1e-9 and "min_hours_week" not in roster.violated_rules:
                problems.append(f"min_hours_week: {name} works {hours} h, unreported")
    return problems


def per_agent(roster: Roster, predicate: Any) -> Counter:
    """Count of the assignments matching `predicate`, per agent (agents with none included)."""
    counts = Counter({a["agent"]: 0 for a in roster.agents})
    for a in roster.assignments:
        if predicate(a):
            counts[a["agent"]] += 1
    return counts


# --- the checker itself ------------------------------------------------------------------------


def test_the_checker_catches_broken_rosters() -> None:
    plan = three_shifts()
    agents = generate_agents(plan, 1)
    roster = solve(plan, agents, 1)
    assert check_roster(plan, agents, 1, roster) == []

    def broken(change: Any) -> list[str]:
        copy = Roster(**{**roster.__dict__, "assignments": [dict(a) for a in roster.assignments]})
        change(copy.assignments)
        return check_roster(plan, agents, 1, copy)

    first = roster.assignments[0]
    assert any("coverage" in p for p in broken(lambda rows: rows.pop(0)))
    night = next(a for a in roster.assignments if a["template"] == "night" and a["day"] < 6)
    early_next = {**night, "template": "early", "start": "07:00", "day": night["day"] + 1}
    problems = broken(lambda rows: rows.append(early_next))
    assert any("rest_11h" in p for p in problems)
    assert any("coverage" in p for p in problems)
    same_day = {**first, "template": "late", "start": "15:00"}
    assert any("one_shift_per_day" in p for p in broken(lambda rows: rows.append(same_day)))
    everyone = [{**first, "day": d, "start": "12:00", "template": "x"} for d in range(7)]
    problems = broken(lambda rows: rows.extend(everyone))
    assert any("max_consecutive_days" in p for p in problems)
    assert any("two_days_off" in p for p in problems)
    day = 7 * first["week"] + first["day"]
    stricter = [
        Agent(a.name, a.group, max_hours_week=1, unavailable=frozenset({day}))
        if a.name == first["agent"]
        else a
        for a in agents
    ]
    problems = check_roster(plan, stricter, 1, roster)
    assert any("unavailable" in p for p in problems)
    assert any("max_hours_week" in p for p in problems)


# --- rules -------------------------------------------------------------------------------------


def test_a_feasible_instance_is_fully_staffed_and_meets_every_rule() -> None:
    plan = three_shifts()
    agents = generate_agents(plan, 2)
    assert len(agents) == 8  # 35 shifts a week / 5 days = 7, plus 10 % spare
    roster = solve(plan, agents, 2)
    assert roster.status in ("optimal", "feasible")
    assert roster.unfilled == [] and roster.violated_rules == [] and roster.binding == []
    assert roster.objective["unfilled_agent_shifts"] == 0
    assert len(roster.assignments) == 2 * 35
    assert check_roster(plan, agents, 2, roster) == []
    data = json.loads(roster.to_json())
    assert data["status"] == roster.status and len(data["assignments"]) == 70
    assert set(data["gaps"]) == {"cover", "quality"}
    if roster.status == "optimal":
        assert roster.gaps == {"cover": 0.0, "quality": 0.0}
    else:
        assert all(0 <= g <= 1 for g in roster.gaps.values())
    first = data["assignments"][0]
    assert set(first) >= {"agent", "group", "week", "day", "template", "start", "end", "paid_h"}
    assert first["paid_h"] == 7.5


def test_rest_holds_across_midnight_and_from_one_week_into_the_next() -> None:
    # Night shifts end at 07:00: whoever worked one cannot start at 06:00 the next day, also
    # from Sunday night into the next week's Monday (and, cyclic, from the last week into week 0).
    plan = {
        "shifts": [shift("pool", "night", d, "22:00", 1, 9.0) for d in range(7)]
        + [shift("pool", "early", d, "06:00", 2) for d in range(7)]
    }
    agents = generate_agents(plan, 2)
    for cyclic in (False, True):
        roster = solve(plan, agents, 2, cyclic=cyclic)
        assert roster.status in ("optimal", "feasible")
        assert check_roster(plan, agents, 2, roster, cyclic=cyclic) == []
        nights = {(a["agent"], 7 * a["week"] + a["day"]) for a in roster.assignments
                  if a["template"] == "night"}  # fmt: skip
        for a in roster.assignments:
            day = 7 * a["week"] + a["day"]
            if a["template"] == "early":
                assert (a["agent"], day - 1) not in nights
                if cyclic and day == 0:
                    assert (a["agent"], 13) not in nights


def test_too_few_agents_give_a_partial_roster_naming_unfilled_shifts_and_binding_rules() -> None:
    plan = three_shifts()
    agents = generate_agents(plan, 1)[:3]
    roster = solve(plan, agents, 1, time_limit_s=3.0)
    assert roster.status == "partial"
    assert "coverage" in roster.violated_rules
    assert roster.unfilled and all(
        set(u) == {"week", "day", "group", "template", "start", "missing"} for u in roster.unfilled
    )
    # 3 agents, 5 days each: 15 of 35 agent-shifts at most.
    assert roster.objective["unfilled_agent_shifts"] == sum(u["missing"] for u in roster.unfilled)
    assert roster.objective["unfilled_agent_shifts"] >= 20
    assert "headcount" in roster.binding_rules  # 5 shifts a day, 3 agents
    assert "two_days_off" in roster.binding_rules
    assert check_roster(plan, agents, 1, roster) == []  # the other rules still hold


def test_weekly_maximum_hours_named_when_they_make_coverage_impossible() -> None:
    plan = {"shifts": [shift("pool", "day", d, "09:00", 1) for d in range(7)]}
    agents = [Agent(f"agent {i}", "pool", max_hours_week=16) for i in range(3)]  # 6 shifts/week
    roster = solve(plan, agents, 1, time_limit_s=3.0)
    assert roster.status == "partial"
    assert roster.objective["unfilled_agent_shifts"] == 1
    assert roster.binding_rules == ["max_hours_week"]
    assert "relaxing this rule alone would fill 1 more agent-shift" in roster.binding[0]["message"]
    assert check_roster(plan, agents, 1, roster) == []


def test_rules_that_bind_only_together_are_named_together() -> None:
    # One agent, never on Mondays: working more days needs both the days-off and the
    # consecutive-days rules relaxed, so neither binds alone (with all relaxed: every day).
    plan = {"shifts": [shift("pool", "day", d, "09:00", 1) for d in range(7)]}
    agents = [Agent("Ann", "pool", unavailable_weekdays=frozenset({"mon"}))]
    roster = solve(plan, agents, 2)
    assert roster.objective["unfilled_agent_shifts"] == 4
    assert roster.binding_rules == ["combined"]
    assert roster.binding[0]["agent_shifts"] == 4 and roster.binding[0]["exact"]


def test_break_placements_and_overnight_ends() -> None:
    # Two plan rows differ only in their breaks: one shift for the model, placements handed out.
    night = shift("pool", "night", 0, "23:00", 1, 8.0, 7.5)
    plan = {
        "shifts": [
            {**night, "breaks": [{"start": "02:00", "length_min": 30}]},
            {**night, "breaks": [{"start": "03:00", "length_min": 30}]},
        ]
    }
    agents = [Agent("Ann", "pool"), Agent("Bo", "pool")]
    roster = solve(plan, agents, 1)
    assert roster.status == "optimal"
    assert sorted(a["breaks"][0]["start"] for a in roster.assignments) == ["02:00", "03:00"]
    assert {a["end"] for a in roster.assignments} == {"07:00"}


def test_the_quick_roster_that_starts_the_search_meets_every_hard_rule() -> None:
    # It also stands in for the solver's answer should the solver find nothing in time.
    from optimise.roster.greedy import _quick_gaps, _quick_roster
    from optimise.roster.inputs import _problem
    from optimise.roster.result import _fill

    plan = three_shifts((3, 2, 2))
    agents = [
        *generate_agents(plan, 2, spare=0.0),
        Agent("Ann", "pool", unavailable=frozenset({1, 2, 9}), max_hours_week=24),
    ]
    problem = _problem(plan, agents, 2, 0, False, 0, 48, False)
    quick = _quick_roster(problem)
    missing, _ = _quick_gaps(problem, quick)
    roster = Roster(status="", weeks=2)
    _fill(roster, problem, sorted(quick), missing)
    assert check_roster(plan, agents, 2, roster) == []


def test_unavailable_days_are_respected() -> None:
    plan = {"shifts": [shift("pool", "day", d, "09:00", 2) for d in range(7)]}
    agents = [
        Agent("Ann", "pool", unavailable=frozenset({0, 8, 30})),  # day 30 is past the roster
        Agent("Bo", "pool", unavailable_weekdays=frozenset({"sat", "sun"})),
        Agent("Cy", "pool", unavailable=frozenset(range(7))),  # on leave in week 0
        *(Agent(f"extra {i}", "pool") for i in range(3)),
    ]
    roster = solve(plan, agents, 2)
    assert roster.status in ("optimal", "feasible")
    assert check_roster(plan, agents, 2, roster) == []
    worked = defaultdict(set)
    for a in roster.assignments:
        worked[a["agent"]].add(7 * a["week"] + a["day"])
    assert not worked["Ann"] & {0, 8}
    assert not worked["Bo"] & {5, 6, 12, 13}
    assert not worked["Cy"] & set(range(7))


def test_weekday_names_follow_the_first_weekday() -> None:
    plan = {"shifts": [shift("pool", "day", d, "09:00", 1) for d in range(7)]}
    agents = [Agent("Ann", "pool", unavailable_weekdays=frozenset({"sat"})), Agent("Bo", "pool")]
    for given in ({"first_weekday": 5}, {}):  # day 0 a Saturday, told directly or by the plan
        dated = plan if given else {**plan, "first_weekday": 5}
        roster = solve(dated, agents, 1, diagnose=False, **given)
        assert roster.first_weekday == 5
        assert check_roster(plan, agents, 1, roster, first_weekday=5) == []
        assert all(a["day"] != 0 for a in roster.assignments if a["agent"] == "Ann")


def test_preferences_are_honoured_when_free() -> None:
    # One early and one late shift on weekdays; a late then an early breaks the 11 h rest, so
    # each agent keeps one kind all week and only preferences decide who takes which.
    plan = {
        "shifts": [shift("pool", "early_shift", d, "07:00", 1) for d in range(5)]
        + [shift("pool", "late_shift", d, "14:00", 1) for d in range(5)]
    }
    for prefers_late, prefers_early in (("Ann", "Bo"), ("Bo", "Ann")):
        agents = [
            Agent(prefers_late, "pool", prefers=("late",)),
            Agent(prefers_early, "pool", prefers=("early_shift",)),
        ]
        roster = solve(plan, agents, 1)
        assert roster.status == "optimal"
        assert roster.objective["preference_misses"] == 0
        assert check_roster(plan, agents, 1, roster) == []
        for a in roster.assignments:
            expected = prefers_late if a["template"] == "late_shift" else prefers_early
            assert a["agent"] == expected


def test_weekly_minimum_hours_reported_when_the_plan_has_too_little_work() -> None:
    plan = {"shifts": [shift("pool", "day", d, "09:00", 1) for d in range(5)]}
    agents = [Agent("Ann", "pool", min_hours_week=40), Agent("Bo", "pool", min_hours_week=40)]
    roster = solve(plan, agents, 1, pseudonymise=True)
    assert roster.status == "partial" and roster.violated_rules == ["min_hours_week"]
    assert roster.objective["min_hours_shortfall_h"] == 40
    assert any("below the weekly minimum" in note for note in roster.notes)
    assert "Ann" not in roster.to_json() and "Bo" not in roster.to_json()


def test_weekend_and_night_shifts_are_shared_fairly() -> None:
    # Symmetric: 6 interchangeable agents, 3 day shifts and 1 night shift every day.
    plan = {
        "shifts": [shift("pool", "day", d, "09:00", 3) for d in range(7)]
        + [shift("pool", "night", d, "22:00", 1) for d in range(7)]
    }
    agents = [Agent(f"agent {i}", "pool") for i in range(6)]
    roster = solve(plan, agents, 2)
    assert roster.status in ("optimal", "feasible")
    assert check_roster(plan, agents, 2, roster) == []
    weekend = per_agent(roster, lambda a: a["day"] >= 5)
    nights = per_agent(roster, lambda a: a["template"] == "night")
    assert sum(weekend.values()) == 16 and max(weekend.values()) - min(weekend.values()) <= 1
    assert sum(nights.values()) == 14 and max(nights.values()) - min(nights.values()) <= 1
    assert roster.fairness["pool"]["weekend"] == {"min": 2, "max": 3}
    assert roster.fairness["pool"]["night"] == {"min": 2, "max": 3}


def test_four_weeks() -> None:
    plan = three_shifts()
    agents = generate_agents(plan, 4)
    roster = solve(plan, agents, 4, time_limit_s=10.0)
    assert roster.status in ("optimal", "feasible")
    assert len(roster.assignments) == 4 * 35 and roster.unfilled == []
    assert {a["week"] for a in roster.assignments} == {0, 1, 2, 3}
    assert check_roster(plan, agents, 4, roster) == []


def test_several_groups_work_only_their_own_shifts() -> None:
    plan = {
        "shifts": three_shifts((1, 1, 1), "billing")["shifts"]
        + three_shifts((2, 1, 0), "tech")["shifts"]
    }
    agents = generate_agents(plan, 1)
    assert Counter(a.group for a in agents) == {"billing": 6, "tech": 6}
    assert agents[0].name == "billing-001"
    roster = solve(plan, agents, 1)
    assert roster.status in ("optimal", "feasible")
    assert check_roster(plan, agents, 1, roster) == []


# --- privacy -----------------------------------------------------------------------------------


def test_pseudonymised_output_has_no_names_and_stable_ids() -> None:
    plan = three_shifts()
    names = ["Li Wei", "Zhang Min", "Wang Fang", "Chen Jing", "Liu Yang", "Huang Lei", "Zhao Li",
             "Wu Hao"]  # fmt: skip
    agents = [Agent(name, "pool") for name in names]
    agents[0] = Agent("Li Wei", "pool", prefers=("no_such_template",))  # a note naming the agent
    first = solve(plan, agents, 1, pseudonymise=True)
    second = solve(plan, list(reversed(agents)), 1, pseudonymise=True)
    for roster in (first, second):
        text = roster.to_json()
        assert not any(name in text for name in names)
        assert any(pseudonym("Li Wei", "pool") in note for note in roster.notes)
        assert check_roster(plan, agents, 1, roster) == []
    ids = {a["agent"] for a in first.agents}
    assert ids == {a["agent"] for a in second.agents}
    assert ids == {pseudonym(name, "pool") for name in names}
    assert all(re.fullmatch(r"pool-A[0-9a-f]{8}", i) for i in ids)
    digest = hashlib.sha256(b"Li Wei").hexdigest()
    assert pseudonym("Li Wei", "pool") == f"pool-A{digest[:8]}"
    plain = solve(plan, agents, 1)
    assert {a["agent"] for a in plain.agents} == set(names)


# --- input -------------------------------------------------------------------------------------


def test_read_agents_csv(tmp_path: Path) -> None:
    path = tmp_path / "agents.csv"
    path.write_text(
        "agent,group,min_hours_week,max_hours_week,unavailable,prefers\n"
        "Li Wei,pool,20,40,0;8; Sat,late;night\n"
        "\n"
        "Zhang Min,pool,,,,\n",
        encoding="utf-8",
    )
    first, second = read_agents_csv(path)
    assert first == Agent("Li Wei", "pool", 20.0, 40.0, frozenset({0, 8}), frozenset({"sat"}),
                          ("late", "night"))  # fmt: skip
    assert second == Agent("Zhang Min", "pool")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "row 1"),
        ("agent\nLi Wei\n", "row 1, column group"),
        ("agent,group,shift\nLi Wei,pool,x\n", "row 1, column shift"),
        ("agent,group\n", "row 2"),
        ("agent,group\nLi Wei,pool\n,pool\n", "row 3, column agent"),
        ("agent,group\nLi Wei,\n", "row 2, column group"),
        ("agent,group\nLi Wei,pool\nLi Wei,pool\n", "row 3, column agent"),
        ("agent,group\nLi Wei,pool,extra\n", "row 2"),
        ("agent,group,max_hours_week\nLi Wei,pool,forty\n", "row 2, column max_hours_week"),
        ("agent,group,max_hours_week\nLi Wei,pool,-1\n", "row 2, column max_hours_week"),
        ("agent,group,min_hours_week,max_hours_week\nLi Wei,pool,40,30\n",
         "row 2, column max_hours_week"),
        ("agent,group,unavailable\nLi Wei,pool,1;someday\n", "row 2, column unavailable"),
        ("agent,group,unavailable\nLi Wei,pool,-3\n", "row 2, column unavailable"),
    ],
)  # fmt: skip
def test_csv_errors_are_one_line_with_row_and_column(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "agents.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RosterInputError) as caught:
        read_agents_csv(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {where}: expected ")
    assert "Li Wei" not in message  # names are never echoed


def test_missing_csv_file(tmp_path: Path) -> None:
    with pytest.raises(RosterInputError, match="cannot read"):
        read_agents_csv(tmp_path / "nowhere.csv")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"start": "25:00"}, "plan.shifts[0].start"),
        ({"day": 7}, "plan.shifts[0].day"),
        ({"count": -1}, "plan.shifts[0].count"),
        ({"length_h": 0}, "plan.shifts[0].length_h"),
        ({"paid_h": 9.0}, "plan.shifts[0].paid_h"),
    ],
)
def test_plan_errors_name_the_field(change: dict, where: str) -> None:
    plan = {"shifts": [{**shift("pool", "day", 0, "09:00", 1), **change}]}
    with pytest.raises(RosterInputError, match=re.escape(where) + ": expected"):
        build_roster(plan, [Agent("a", "pool")], 1)


def test_bad_arguments() -> None:
    plan = {"shifts": [shift("pool", "day", 0, "09:00", 1)]}
    with pytest.raises(RosterInputError, match="weeks"):
        build_roster(plan, [Agent("a", "pool")], 5)
    with pytest.raises(RosterInputError, match=r"agents\[1\].name"):
        build_roster(plan, [Agent("a", "pool"), Agent("a", "pool")], 1)


def test_night_definition() -> None:
    assert is_night(22 * 60, 8 * 60)  # 22:00-06:00
    assert is_night(19 * 60, 8 * 60)  # 19:00-03:00: 5 h in the window
    assert is_night(3 * 60, 8 * 60)  # 03:00-11:00: 3 h
    assert not is_night(4 * 60, 8 * 60)  # 04:00-12:00: 2 h
    assert is_night(17 * 60, 8 * 60)  # 17:00-01:00: 3 h
    assert not is_night(16 * 60, 8 * 60)  # 16:00-00:00: 2 h
