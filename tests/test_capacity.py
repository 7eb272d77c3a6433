"""The capacity plan's parts: supply by Monte Carlo (attrition, training, ramp) and the
cheapest hiring classes under a chance constraint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optimise.capacity.hiring import plan_hires
from optimise.capacity.requirement import curve_factors, measure_curve
from optimise.capacity.supply import GroupSupply, simulate_supply
from scenarios.load import from_dict, read_mapping
from scenarios.plan_file import read_plan

WEEKLY_PAY = 40 * 20.0  # 40 paid hours at 20 an hour


def _plan(group: GroupSupply, required: np.ndarray, probability=0.9, cap=100, seed=1, reps=200):
    rng = np.random.default_rng(seed)
    staff = simulate_supply(group, np.zeros(required.shape[-1], dtype=int), reps, rng)
    shortfall = np.broadcast_to(required, staff.available_fte.shape) - staff.available_fte
    return plan_hires(group, shortfall, probability, cap, 3000.0, WEEKLY_PAY)


def test_without_attrition_noise_or_ramp_the_hires_are_the_hand_computed_minimum():
    group = GroupSupply(headcount=10, attrition_per_month=0.0, training_weeks=3, ramp=())
    required = np.repeat([10.0, 15.0, 12.0, 20.0], 4)
    plan = _plan(group, required)
    # Short by 5 from week 4 and by 10 from week 12: classes start exactly the training
    # weeks before (a later start is cheaper, an earlier one pointless), 10 hires in all.
    expected = np.zeros(16, dtype=int)
    expected[1], expected[9] = 5, 5
    np.testing.assert_array_equal(plan.hires, expected)
    assert plan.short_fte.sum() == 0
    staff = simulate_supply(group, plan.hires, 5, np.random.default_rng(2))
    assert (staff.available_fte >= required).all()


def test_a_shortfall_no_class_can_reach_in_time_is_left_short_and_named():
    group = GroupSupply(headcount=10, attrition_per_month=0.0, training_weeks=3, ramp=())
    required = np.array([12.0] * 6)  # short from week 0: classes are ready from week 3
    plan = _plan(group, required)
    np.testing.assert_allclose(plan.short_fte, [2, 2, 2, 0, 0, 0])
    assert plan.hires[0] == 2 and plan.hires.sum() == 2


def test_more_attrition_or_a_higher_probability_never_lowers_the_hires():
    required = np.linspace(100, 130, 26)
    hires = {}
    for attrition in (0.01, 0.03, 0.06):
        for probability in (0.8, 0.9, 0.97):
            group = GroupSupply(100, attrition, 3, (0.5, 0.75))
            hires[attrition, probability] = _plan(group, required, probability).hires.sum()
    for (attrition, probability), total in hires.items():
        for (other_a, other_p), other in hires.items():
            if other_a >= attrition and other_p >= probability:
                assert other >= total, (attrition, probability, other_a, other_p)


def test_a_class_never_exceeds_its_cap():
    group = GroupSupply(50, 0.05, 2, (0.5,))
    plan = _plan(group, np.linspace(60, 120, 30), cap=7)
    assert plan.hires.max() <= 7 and plan.hires.sum() > 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_conservation_employed_is_start_less_leavers_plus_hires_in_every_replication(seed):
    group = GroupSupply(40, 0.04, 2, (0.5, 0.75))
    hires = np.array([0, 3, 0, 0, 5, 0, 2, 0, 0, 0])
    staff = simulate_supply(group, hires, 50, np.random.default_rng(seed))
    # Nobody joins but the hires: the headcount only falls between weeks, except by a class.
    rises = np.diff(staff.employed, axis=1)
    assert (rises <= hires[1:]).all()
    assert (staff.employed[:, 0] == 40 + hires[0]).all()
    # A class trains two weeks (in the headcount, no FTE), then gives 0.5, 0.75, then 1.
    no_leaving = simulate_supply(GroupSupply(40, 0.0, 2, (0.5, 0.75)), hires, 1,
                                 np.random.default_rng(seed))  # fmt: skip
    assert no_leaving.in_training[0, 1] == 3 and no_leaving.in_training[0, 3] == 0
    np.testing.assert_allclose(no_leaving.available_fte[0, :6], [40, 40, 40, 41.5, 42.25, 43])
    assert (staff.available_fte <= staff.employed - staff.in_training + 1e-9).all()


LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "library"


def test_the_curve_at_1_is_the_given_plans_hours_and_is_monotone_between_points():
    mapping = read_mapping(LIBRARY / "telecom_hotline_week.yaml")
    plan = read_plan(LIBRARY / "drills" / "telecom_week_plan.json")
    scenario = from_dict(mapping)

    def noisy(scaled):  # the plan's shifts scaled by the volume, cheaper at 1.1 than at 1
        factor = scaled.contact_types[0].volume.daily / scenario.contact_types[0].volume.daily
        bump = 0.85 if round(factor, 2) == 1.1 else 1.0
        return [dict(s, count=round(s["count"] * factor * bump)) for s in plan["shifts"]]

    curve = measure_curve(mapping, "week", [0.8, 1.0, 1.1, 1.25], plan["shifts"], noisy)
    at_one = next(p for p in curve.points if p.volume_factor == 1.0)
    assert at_one.from_plan
    assert sum(at_one.agent_hours.values()) == pytest.approx(plan["agent_hours"])
    assert next(p for p in curve.points if p.volume_factor == 1.1).lifted  # 0.85 x 1.1 < 1
    grid = np.linspace(0.5, 1.6, 200)
    for group in at_one.agent_hours:
        hours = curve.agent_hours(group, grid)
        assert (np.diff(hours) >= -1e-9).all(), group
        assert curve.agent_hours(group, np.array([1.0]))[0] == pytest.approx(
            at_one.agent_hours[group]
        )


def test_the_factors_span_the_year_and_its_noise_at_most_a_step_apart():
    factors = curve_factors(np.array([0.9, 1.0, 1.3]), cv=0.05)
    assert factors[0] == pytest.approx(0.9 * 0.9) and factors[-1] == pytest.approx(1.3 * 1.1)
    assert 1.0 in factors and np.diff(factors).max() <= 0.15 + 1e-9
