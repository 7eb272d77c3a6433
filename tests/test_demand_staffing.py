"""Volumes, opening hours, agents on duty and absence as a scenario defines them, each rule
checked against figures worked out by hand (scenarios/demand.py, scenarios/staffing.py and
sim.behaviour.absent_staffing)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from builders import centre, channel, contact_type, exponential, group

from scenarios.demand import expected_offered, open_mask, scenario_volume, volume_per_interval
from scenarios.load import from_dict
from scenarios.schema import Hours
from scenarios.staffing import group_staffing, shift_rows
from sim.behaviour import absent_staffing

WEDNESDAY = "2024-01-03"  # 1 January 2024 was a Monday
FRIDAY = "2024-01-05"
EXPONENTIAL_2H = exponential(mean_h=2)


def _centre(
    volume: dict[str, Any] | None = None,
    *,
    days: int = 7,
    interval_min: int = 360,
    start: str | None = None,
    cyclic: bool = True,
    groups: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One voice queue ("general") and one group ("pool", 5 agents) unless told otherwise;
    the default 6-hour intervals make 4 a day: 00-06, 06-12, 12-18, 18-24."""
    return centre(
        "hand-worked",
        days=days,
        interval_min=interval_min,
        cyclic=cyclic,
        start=start,
        contact_types=[contact_type("general", volume=volume or 10)],
        agent_groups=groups or [group("pool", ["general"], agents=5)],
    )


def _volume(data: dict[str, Any]) -> np.ndarray:
    scenario = from_dict(data)
    return volume_per_interval(scenario.contact_types[0], scenario.horizon)


# --- volumes -----------------------------------------------------------------------------------


def test_daily_volume_spread_by_intraday_and_weekly_weights() -> None:
    """Intraday weights are scaled to sum 1, weekly ones to mean 1 (Monday first)."""
    # Intraday 2:6:8:4 of 20 = 10 %, 30 %, 40 %, 20 %; weekly mean 2, so Monday x2,
    # Tuesday-Friday x1, the weekend x0.5.
    volume = {"daily": 1000, "intraday": [2, 6, 8, 4], "weekly": [4, 2, 2, 2, 2, 1, 1]}
    got = _volume(_centre(volume))
    monday, weekday, weekend = [200, 600, 800, 400], [100, 300, 400, 200], [50, 150, 200, 100]
    expected = [monday, weekday, weekday, weekday, weekday, weekend, weekend]
    np.testing.assert_allclose(got, expected)
    assert got.sum() == pytest.approx(7000)  # a week of daily 1000, whatever the weekly weights


def test_daily_volume_without_weights_is_flat() -> None:
    """Default intraday and weekly weights are flat: daily 1000 in 4 intervals is 250 each."""
    np.testing.assert_allclose(_volume(_centre({"daily": 1000}, days=3)), 250.0)


def test_horizon_starting_on_a_wednesday_shifts_the_weekly_weights() -> None:
    """Day 0 takes the weekly weight of the start date's weekday."""
    # Weekly 1,1,4,1,1,0,0 has mean 8/7: Wednesday x3.5, Thursday and Friday x0.875.
    volume = {"daily": 800, "weekly": [1, 1, 4, 1, 1, 0, 0]}
    from_wednesday = _volume(_centre(volume, days=3, start=WEDNESDAY))
    np.testing.assert_allclose(from_wednesday, [[700] * 4, [175] * 4, [175] * 4])
    # Without a start date day 0 is a Monday: Monday, Tuesday, Wednesday.
    from_monday = _volume(_centre(volume, days=3))
    np.testing.assert_allclose(from_monday, [[175] * 4, [175] * 4, [700] * 4])


def test_open_mask_marks_the_hours_on_the_listed_weekdays_only() -> None:
    """Open from start (inclusive) to end (exclusive), only on the listed weekdays."""
    scenario = from_dict(_centre(days=7, interval_min=60, start=FRIDAY))
    hours = Hours(start="09:00", end="17:00", days=["sat", "sun"])
    expected = np.zeros((7, 24), dtype=bool)
    expected[1:3, 9:17] = True  # days 1 and 2 are Saturday and Sunday; 09:00 up to 16:00-17:00
    np.testing.assert_array_equal(open_mask(hours, scenario.horizon), expected)


def test_open_mask_until_midnight_and_without_hours() -> None:
    """``24:00`` closes at the end of the day; no hours means always open."""
    horizon = from_dict(_centre(days=2, interval_min=60)).horizon
    evening = open_mask(Hours(start="18:00", end="24:00"), horizon)
    assert evening.tolist() == [[False] * 18 + [True] * 6] * 2
    assert open_mask(None, horizon).all()


def _hall(volume: dict[str, Any]) -> dict[str, Any]:
    """A walk-in hall open 06:00-18:00 (intervals 1 and 2) Monday to Friday, for a week."""
    data = _centre(volume)
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    opening_hours = {"start": "06:00", "end": "18:00", "days": weekdays}
    data["channels"] = [channel("voice", "walk_in", opening_hours=opening_hours)]
    return data


def test_walk_in_hours_zero_a_per_interval_volume_outside_them() -> None:
    """A per-interval volume is kept in the open intervals and zeroed elsewhere."""
    scenario = from_dict(_hall({"per_interval": [5, 10, 20, 40]}))
    expected = [[0, 10, 20, 0]] * 5 + [[0, 0, 0, 0]] * 2
    np.testing.assert_allclose(scenario_volume(scenario, scenario.contact_types[0]), expected)
    hours = scenario.channels[0].opening_hours
    np.testing.assert_allclose(
        volume_per_interval(scenario.contact_types[0], scenario.horizon, hours), expected
    )


def test_walk_in_hours_spread_a_daily_volume_over_the_open_intervals() -> None:
    """A daily volume's intraday weights are rescaled over the open intervals: an open day
    keeps its count, a closed day gets nothing."""
    # Open intervals carry weights 1 and 3 of 4: 250 and 750 of the day's 1000.
    scenario = from_dict(_hall({"daily": 1000, "intraday": [5, 1, 3, 7]}))
    got = scenario_volume(scenario, scenario.contact_types[0])
    np.testing.assert_allclose(got, [[0, 250, 750, 0]] * 5 + [[0, 0, 0, 0]] * 2)
    assert got.sum() == pytest.approx(5000)


def test_email_business_hours_do_not_limit_arrivals() -> None:
    """E-mail arrives around the clock; only its working is limited to business hours."""
    data = _centre({"per_interval": [5, 10, 20, 40]}, days=2)
    business_hours = {"start": "06:00", "end": "18:00"}
    data["channels"] = [channel("voice", "email", business_hours=business_hours)]
    scenario = from_dict(data)
    got = scenario_volume(scenario, scenario.contact_types[0])
    np.testing.assert_allclose(got, [[5, 10, 20, 40]] * 2)


# --- expected offered contacts with behaviour --------------------------------------------------


def test_expected_offered_counts_deflection_repeats_and_an_escalation_chain() -> None:
    """A escalates 0.2 to B, B escalates 0.1 to C; a type's offered contacts are its own new
    ones plus what escalates to it, divided by 1 - (1 - E)(1 - f) for its repeats."""
    a = contact_type(
        "a",
        skill="general",
        volume=[0, 100, 200, 50],
        self_service={"deflection": 0.2},
        first_contact_resolution=0.75,
        repeat_after=EXPONENTIAL_2H,
        escalation=[{"to": "b", "probability": 0.2}],
    )
    b = contact_type("b", skill="general", volume=30, escalation=[{"to": "c", "probability": 0.1}])
    c = contact_type("c", skill="general", volume=15)
    data = _centre(days=1)
    data["contact_types"] = [a, b, c]
    offered_a, offered_b, offered_c = expected_offered(from_dict(data))
    # A: 80 % survive self-service; repeats: T = new + (1 - 0.2)(1 - 0.75) T = new + 0.2 T, so
    # T = new / 0.8 = the volume as given.
    np.testing.assert_allclose(offered_a, [[0, 100, 200, 50]])
    # B: its own 30 + 0.2 x A's offered.
    np.testing.assert_allclose(offered_b, [[30, 50, 70, 40]])
    # C: its own 15 + 0.1 x B's offered.
    np.testing.assert_allclose(offered_c, [[18, 20, 22, 19]])


def test_expected_offered_with_repeats_only() -> None:
    """First-contact resolution 0.8 without escalation: 100 new become 100 / 0.8 = 125."""
    data = _centre({"per_interval": 100}, days=1)
    data["contact_types"][0].update(first_contact_resolution=0.8, repeat_after=EXPONENTIAL_2H)
    (offered,) = expected_offered(from_dict(data))
    np.testing.assert_allclose(offered, 125.0)


# --- agents on duty from shifts ----------------------------------------------------------------


def _shift_group(*shifts: dict[str, Any], name: str = "pool") -> dict[str, Any]:
    return group(name, ["general"], shifts=list(shifts))


def test_a_weekday_name_expands_to_every_such_day_of_the_horizon() -> None:
    """``day: fri`` is every Friday of the horizon; a day number is that day only."""
    group = _shift_group(
        {"day": "fri", "start": "08:00", "end": "16:30", "count": 3},
        {"day": "wed", "start": "10:00", "end": "14:00"},
        {"day": 4, "start": "09:00", "end": "12:00", "count": 2},
    )
    scenario = from_dict(_centre(days=10, start=FRIDAY, groups=[group]))
    rows = shift_rows(scenario, scenario.agent_groups[0])
    # Day 0 is a Friday: Fridays are days 0 and 7, the only Wednesday is day 5.
    assert [(r["day"], r["start"], r["length_h"], r["count"]) for r in rows] == [
        (0, "08:00", 8.5, 3),
        (7, "08:00", 8.5, 3),
        (5, "10:00", 4.0, 1),
        (4, "09:00", 3.0, 2),
    ]
    assert all(r["group"] == "pool" and r["breaks"] == [] for r in rows)


def test_a_shift_ending_before_its_start_ends_the_next_day() -> None:
    """22:00-06:00 on day 0 works 22:00-24:00 on day 0 and 00:00-06:00 on day 1."""
    group = _shift_group({"day": 0, "start": "22:00", "end": "06:00", "count": 3})
    scenario = from_dict(_centre(days=3, interval_min=60, groups=[group]))
    (row,) = shift_rows(scenario, scenario.agent_groups[0])
    assert row["length_h"] == 8.0
    expected = np.zeros((3, 24), dtype=int)
    expected[0, 22:] = 3
    expected[1, :6] = 3
    np.testing.assert_array_equal(group_staffing(scenario)["pool"], expected)


def test_breaks_take_agents_off_duty_on_a_grid_finer_than_the_interval() -> None:
    """A 15-min break in 30-min intervals puts the staffing on a 15-min grid (96 steps a day)
    with the agents of that shift off duty for the break's step."""
    group = _shift_group(
        {
            "day": 0,
            "start": "08:00",
            "end": "12:00",
            "count": 4,
            "breaks": [{"start": "10:00", "length_min": 15}],
        },
        {"day": 0, "start": "09:00", "end": "13:00", "count": 2},
    )
    scenario = from_dict(_centre(days=1, interval_min=30, groups=[group]))
    staffing = group_staffing(scenario)["pool"]
    assert staffing.shape == (1, 96)
    expected = [0] * 96
    for step in range(32, 48):  # 08:00-12:00
        expected[step] += 4
    for step in range(36, 52):  # 09:00-13:00
        expected[step] += 2
    expected[40] -= 4  # 10:00-10:15, the first shift's break
    assert staffing[0].tolist() == expected
    assert staffing[0, 39:42].tolist() == [6, 2, 6]


def test_a_group_with_agents_alongside_a_group_with_shifts() -> None:
    """`agents` per 30-min interval repeat on the finer grid the other group's shifts need."""
    profile = [k % 5 for k in range(48)]
    counted = group("counted", ["general"], agents=profile)
    shifted = _shift_group({"day": 0, "start": "08:15", "end": "09:00", "count": 7}, name="shifted")
    scenario = from_dict(_centre(days=1, interval_min=30, groups=[counted, shifted]))
    staffing = group_staffing(scenario)
    # 08:15 puts everything on a 15-min grid: two steps per interval.
    assert staffing["counted"][0].tolist() == [n for n in profile for _ in range(2)]
    assert staffing["shifted"][0].tolist() == [0] * 33 + [7] * 3 + [0] * 60


def test_a_group_with_agents_only_keeps_the_interval_grid() -> None:
    """Without shifts the staffing is the `agents` profile itself, one value per interval."""
    scenario = from_dict(_centre(days=2, interval_min=360))
    np.testing.assert_array_equal(group_staffing(scenario)["pool"], [[5] * 4] * 2)


@pytest.mark.parametrize(("cyclic", "day0_early"), [(True, 3), (False, 0)])
def test_a_shift_past_the_horizon_end_wraps_when_cyclic_and_is_cut_otherwise(
    cyclic: bool, day0_early: int
) -> None:
    """A shift 22:00-04:00 on the last day covers 00:00-04:00 of day 0 only when cyclic."""
    group = _shift_group({"day": 1, "start": "22:00", "end": "04:00", "count": 3})
    scenario = from_dict(_centre(days=2, interval_min=60, cyclic=cyclic, groups=[group]))
    expected = np.zeros((2, 24), dtype=int)
    expected[1, 22:] = 3
    expected[0, :4] = day0_early
    np.testing.assert_array_equal(group_staffing(scenario)["pool"], expected)


# --- unplanned absence -------------------------------------------------------------------------


def _absent_centre(absence: float) -> Any:
    """Two groups: "front" with the given absence, "back" with none."""
    groups = [
        group("front", ["general"], agents=1, absence=absence),
        group("back", ["general"], agents=1),
    ]
    return from_dict(_centre(days=1, groups=groups))


def _plan(days: int) -> dict[str, np.ndarray]:
    """Per day 4 steps of 10, 20, 20 and 5 agents in "front", 8 in "back"."""
    return {
        "front": np.tile(np.array([10, 20, 20, 5]), (days, 1)),
        "back": np.full((days, 4), 8),
    }


def test_no_absence_leaves_the_staffing_unchanged() -> None:
    """``absence: 0`` (the default) takes nobody away."""
    plan = _plan(30)
    out = absent_staffing(_absent_centre(0.0), plan, seed=1, replication=0)
    for name in ("front", "back"):
        np.testing.assert_array_equal(out[name], plan[name])


def test_absence_keeps_about_one_minus_a_of_the_agents() -> None:
    """With absence 0.2, over 2000 days every step keeps about 80 % of its agents."""
    plan = _plan(2000)
    out = absent_staffing(_absent_centre(0.2), plan, seed=3, replication=0)
    # Binomial(20, 0.8) a day: sd 1.8 agents, so the mean of 2000 days is within 0.04 (0.25 %).
    np.testing.assert_allclose(out["front"].mean(axis=0), [8, 16, 16, 4], rtol=0.02)
    np.testing.assert_array_equal(out["back"], plan["back"])  # the group without absence


def test_an_absent_agent_misses_the_whole_day() -> None:
    """Agents at a step are the first positions: within a day, steps with as many planned
    agents keep as many, a step with fewer never keeps more, and none gains agents."""
    plan = _plan(200)
    front = absent_staffing(_absent_centre(0.3), plan, seed=5, replication=2)["front"]
    assert np.all(front <= plan["front"]) and np.all(front >= 0)
    assert np.array_equal(front[:, 1], front[:, 2])  # 20 and 20
    assert np.all(front[:, 3] <= front[:, 0]) and np.all(front[:, 0] <= front[:, 1])  # 5, 10, 20
    assert np.any(front < plan["front"])


def test_absence_is_reproducible_for_a_seed_and_replication() -> None:
    """Same seed and replication: the same absences; another replication: others."""
    scenario, plan = _absent_centre(0.2), _plan(100)
    first = absent_staffing(scenario, plan, seed=11, replication=4)["front"]
    again = absent_staffing(scenario, plan, seed=11, replication=4)["front"]
    other = absent_staffing(scenario, plan, seed=11, replication=5)["front"]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
