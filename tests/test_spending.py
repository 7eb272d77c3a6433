"""Error spending over the looks of a sequential check (`sim.spending`): the rate is kept
exactly, and a verdict taken look after look on growing samples keeps it too."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from sim.spending import nominal_levels, pocock_spending
from sim.verdict import MET, DecisionRule, decide

SCHEDULE = (10, 20, 40, 80, 160, 320, 560)


def _paths(rng, schedule, paths):
    """Standardised running sums of unit normals, read at the schedule's counts: the
    statistic of a sequential test whose null holds exactly."""
    counts = np.asarray(schedule)
    steps = rng.standard_normal((paths, counts.size)) * np.sqrt(np.diff(counts, prepend=0))
    return np.cumsum(steps, axis=1) / np.sqrt(counts)


def test_each_look_spends_what_the_function_allows_and_no_more_in_all():
    z = _paths(np.random.default_rng(11), SCHEDULE, 400_000)
    bounds = norm.isf(nominal_levels(SCHEDULE, 0.05))
    crossed = z >= bounds
    first = np.argmax(crossed, axis=1)[crossed.any(axis=1)]
    per_look = np.bincount(first, minlength=len(SCHEDULE)) / z.shape[0]
    spent = np.diff([0.0] + [pocock_spending(0.05, n / SCHEDULE[-1]) for n in SCHEDULE])
    # Standard error of a rate near 0.01 on 400,000 paths: 0.00016.
    assert np.allclose(per_look, spent, atol=0.0008)
    assert abs(crossed.any(axis=1).mean() - 0.05) < 0.0015
    # Bonferroni's split keeps the rate too but wastes over a quarter of it (3.6 %): its final
    # boundary is the higher.
    bonferroni = z >= norm.isf(0.05 / len(SCHEDULE))
    assert bonferroni.any(axis=1).mean() < 0.04
    assert bounds[-1] < norm.isf(0.05 / len(SCHEDULE)) - 0.4


def test_one_look_is_tested_at_the_rate_itself():
    assert nominal_levels((40,), 0.05) == pytest.approx((0.05,))
    assert DecisionRule().level(0.05, 40) == 0.05


def test_a_sequential_verdict_on_a_period_at_the_tolerance_line_is_met_at_the_stated_rate():
    # One period whose expected level sits exactly a tolerance under the target, looked at
    # after 10, 20, ..., 160 replications of one growing sample: "met" at any look is the
    # false claim, and it must come at most 5 % of the time over all the looks together.
    rng = np.random.default_rng(12)
    schedule = (10, 20, 40, 80, 160)
    rule = DecisionRule(schedule=schedule)
    trials, false_met = 1500, 0
    for _ in range(trials):
        levels = rng.normal(0.78, 0.1, size=(schedule[-1], 1))
        false_met += any(decide(levels[:n], 0.8, rule).verdict == MET for n in schedule)
    rate, error = false_met / trials, np.sqrt(0.05 * 0.95 / trials)
    assert rate <= 0.05 + 3 * error
    # And spends it: Student's t on a few replications keeps the normal boundaries' rate
    # (measured 5.1 %; Bonferroni's split: 3.7 %).
    assert rate >= 0.05 - 3 * error


def test_the_rule_looks_at_the_last_count_of_its_schedule_a_sample_reached():
    rule = DecisionRule(schedule=SCHEDULE)
    levels = nominal_levels(SCHEDULE, 0.05)
    assert rule.looks == len(SCHEDULE)
    assert rule.level(0.05, 5) == levels[0]
    assert rule.level(0.05, 100) == levels[3]
    assert rule.level(0.05, 560) == levels[-1]


def test_a_schedule_must_increase():
    with pytest.raises(ValueError):
        DecisionRule(schedule=(20, 10))
    with pytest.raises(ValueError):
        nominal_levels((0, 10), 0.05)
