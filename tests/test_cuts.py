"""The cut estimator (`optimise.cuts`): marginal effects by finite differences on common random
numbers, against the exact Erlang A effect of one more agent, and the cuts built from them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from builders import queue_scenario
from exact_queues import erlang_a

from optimise.cuts import (
    MAX_RAISE,
    _nonnegative,
    load_floors,
    marginal_effects,
    phase_span,
    tangent_cuts,
)
from optimise.shifts import cut_requirement, schedule
from scenarios.load import from_dict, load
from sim.replicate import simulate

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "library"
AHT_S, PATIENCE_S, WITHIN_S, PER_HOUR, AGENTS = 180.0, 120.0, 20.0, 200.0, 11


def _queue(scope: str = "interval") -> dict:
    return queue_scenario(60, PER_HOUR, AHT_S, PATIENCE_S, AGENTS, days=1, scope=scope)


def _exact_effect() -> float:
    """Erlang A: how much one more agent raises the steady-state service level."""
    rate = PER_HOUR / 3600
    more = erlang_a(rate, AHT_S, PATIENCE_S, AGENTS + 1, WITHIN_S)["service_level"]
    return more - erlang_a(rate, AHT_S, PATIENCE_S, AGENTS, WITHIN_S)["service_level"]


def _staffing(scenario, agents=AGENTS):
    horizon = scenario.horizon
    return {"pool": np.full((horizon.days, horizon.intervals_per_day), agents, dtype=np.int64)}


def test_one_more_agent_moves_a_stationary_interval_as_erlang_a_says():
    scenario = from_dict(_queue())
    staffing = _staffing(scenario)
    base = simulate(scenario, staffing, seed=3, replications=20, workers=2)
    (effect,) = marginal_effects(base, staffing, replications=20, workers=2)
    exact = _exact_effect()
    assert exact > 0.05
    # Interval k's level moves with the agent added in k (most) and in k - 1 (its queue).
    k = np.arange(2, 23)
    own, lagged = effect[k, 0, k], effect[k, 0, k - 1]
    assert np.all(own > 0)
    assert own.mean() > 5 * lagged.mean()
    total = own + lagged
    assert total.mean() == pytest.approx(exact, rel=0.25)
    # Nothing acts backwards in time or further than the lag window.
    assert np.all(effect[k, 0, k + 1] == 0) and np.all(effect[k, 0, k - 2] == 0)


def test_a_day_target_takes_each_interval_s_whole_effect_on_the_day():
    scenario = from_dict(_queue(scope="day"))
    assert phase_span(scenario) == 1
    staffing = _staffing(scenario)
    base = simulate(scenario, staffing, seed=4, replications=10, workers=2)
    (effect,) = marginal_effects(base, staffing, replications=10, workers=2)
    assert effect.shape == (1, 1, 24)
    # One more agent all day moves the day's level by about the exact single-interval effect.
    exact = _exact_effect()
    assert effect.sum() == pytest.approx(exact, rel=0.25)


def test_a_tangent_cut_holds_at_its_plan_and_asks_for_agents_where_a_period_is_short():
    scenario = from_dict(_queue())
    staffing = _staffing(scenario)
    base = simulate(scenario, staffing, seed=5, replications=10, workers=2)
    effects = marginal_effects(base, staffing, replications=10, workers=2)
    agents = {"pool": staffing["pool"].ravel().astype(float)}
    # The cuts read each period's level as the verdicts do (`Results.target_period_spread`).
    spread = base.target_period_spread(0)
    levels = np.full(24, np.nan)
    levels[spread.judged] = spread.mean
    goals = [np.full(24, 0.8)]
    cuts = tangent_cuts(base, agents, effects, goals)
    assert len(cuts) == 24
    for cut in cuts:
        here = sum(c * agents["pool"][k] for (_, k), c in cut.coefficients.items())
        # At the plan itself the cut reads "level >= goal": it holds where the level does.
        assert (here >= cut.rhs - 1e-9) == (levels[cut.period] >= 0.8 - 1e-9)
    # The cheapest requirement the cuts admit staffs up where the level is short, and whole
    # shifts covering it satisfy every cut.
    reference = {"pool": np.full((1, 24), float(AGENTS))}
    requirement, cost = cut_requirement(scenario, reference, cuts, load_floors(scenario))
    short = levels < 0.8
    assert short.any() and np.all(requirement["pool"].ravel()[short] > AGENTS)
    plan = schedule(scenario, requirement, time_limit_s=10)
    assert plan.status == "optimal" and plan.cost >= cost - 1e-6
    scheduled = np.array([row["scheduled"] for row in plan.coverage])
    for cut in cuts:
        assert sum(c * scheduled[k] for (_, k), c in cut.coefficients.items()) >= cut.rhs - 1e-6


def test_an_interval_whose_own_effect_is_noise_gives_no_cut():
    # An interval's own finite difference came out as noise (clipped to 0): a tangent on its
    # lag term alone would ask the agents of the interval before to make up its shortfall.
    scenario = from_dict(_queue())
    staffing = _staffing(scenario)
    base = simulate(scenario, staffing, seed=5, replications=10, workers=2)
    effects = marginal_effects(base, staffing, replications=10, workers=2)
    k = next(k for k in range(1, 24) if effects[0][k, 0, k - 1] > 0)
    effects[0][k, :, k] = 0.0
    agents = {"pool": staffing["pool"].ravel().astype(float)}
    cuts = tangent_cuts(base, agents, effects, [np.full(24, 0.8)])
    assert k not in {cut.period for cut in cuts} and len(cuts) == 23


def test_a_cut_asks_a_short_interval_for_at_most_max_raise_more_agents():
    # Every interval short of a 99 % goal: a tangent of small slope (below the level's
    # inflection) would ask for many agents; the cut asks the interval's own agents for at
    # most MAX_RAISE more (at least one), and a cut already asking less is the tangent itself.
    scenario = from_dict(_queue())
    staffing = _staffing(scenario)
    base = simulate(scenario, staffing, seed=5, replications=10, workers=2)
    effects = marginal_effects(base, staffing, replications=10, workers=2)
    effects[0][7, 0, 7] = 1e-4
    agents = {"pool": staffing["pool"].ravel().astype(float)}
    spread = base.target_period_spread(0)
    levels = dict(zip(spread.judged, spread.mean, strict=True))
    cuts = tangent_cuts(base, agents, effects, [np.full(24, 0.99)])
    allowed = max(1.0, MAX_RAISE * AGENTS)
    for cut in cuts:
        k = cut.period
        here = sum(c * agents["pool"][i] for (_, i), c in cut.coefficients.items())
        raise_ = (cut.rhs - here) / cut.coefficients[(0, k)]
        assert raise_ == pytest.approx(min(allowed, (0.99 - levels[k]) / effects[0][k, 0, k]))
    # A point short: a tangent asking for less than MAX_RAISE more agents is left as it is.
    goals = np.full(24, np.nan)
    goals[spread.judged] = spread.mean + 0.01
    plain = [cut for cut in tangent_cuts(base, agents, effects, [goals])
             if 0.01 / effects[0][cut.period, 0, cut.period] < allowed]  # fmt: skip
    assert plain
    for cut in plain:
        assert cut.coefficients[(0, cut.period)] == effects[0][cut.period, 0, cut.period]


def test_with_two_groups_the_raise_limit_is_read_in_the_steepest_group():
    # Two groups of 10 agents act on one interval 30 points short of its goal, one of them
    # twice as steeply: the cut is met by MAX_RAISE of all 20 agents (3) in the steeper group.
    scenario = SimpleNamespace(
        agent_groups=[SimpleNamespace(name="a"), SimpleNamespace(name="b")],
        targets=[SimpleNamespace(scope="interval")],
    )
    spread = SimpleNamespace(judged=np.array([0]), mean=np.array([0.5]))
    results = SimpleNamespace(scenario=scenario, target_period_spread=lambda j: spread)
    effect = np.array([[[0.02], [0.01]]])  # (periods, groups, intervals)
    agents = {"a": np.array([10.0]), "b": np.array([10.0])}
    (cut,) = tangent_cuts(results, agents, [effect], [np.array([0.8])])
    here = 10 * (cut.coefficients[(0, 0)] + cut.coefficients[(1, 0)])
    assert (cut.rhs - here) / cut.coefficients[(0, 0)] == pytest.approx(MAX_RAISE * 20)
    assert cut.coefficients[(0, 0)] == pytest.approx(2 * cut.coefficients[(1, 0)])


def test_load_floors_pool_the_groups_of_each_skill():
    scenario = from_dict(_queue())
    ((groups, load),) = load_floors(scenario)
    assert groups == [0]
    assert load == pytest.approx(np.full(24, PER_HOUR * AHT_S / 3600))


@pytest.mark.slow
def test_groups_whose_reaches_are_disjoint_share_a_finite_difference_exactly(monkeypatch):
    from optimise import cuts

    scenario = load(LIBRARY / "multi_skill.yaml")
    names = [g.name for g in scenario.agent_groups]
    reach = cuts.group_reach(scenario)
    # Chat shares no agent with the phone teams, and the phone teams share their calls.
    assert reach[names.index("chat_team")] == {2}
    assert reach[names.index("billing_team")] == reach[names.index("blended")] == {0, 1}
    assert cuts._batches(reach) == [[0, 3], [1], [2]]
    shape = (scenario.horizon.days, scenario.horizon.intervals_per_day)
    staffing = {g.name: np.full(shape, g.agents, dtype=np.int64) for g in scenario.agent_groups}
    base = simulate(scenario, staffing, seed=8, replications=2, workers=2)
    together = marginal_effects(base, staffing, replications=2, workers=2)
    monkeypatch.setattr(cuts, "_batches", lambda reach: [[g] for g in range(len(reach))])
    alone = marginal_effects(base, staffing, replications=2, workers=2)
    assert len(together) == len(scenario.targets)
    for batched, single in zip(together, alone, strict=True):
        np.testing.assert_array_equal(batched, single)
    assert any(e[:, names.index("chat_team")].any() for e in together)


def test_noise_below_zero_is_clipped_and_only_day_periods_keep_their_measured_total():
    # One period, one group, three intervals: the own effect 0.05 and two noisy lag terms.
    effect = np.array([[[0.05, 0.02, -0.03]]])
    interval = _nonnegative(effect, "interval")
    np.testing.assert_allclose(interval, [[[0.05, 0.02, 0.0]]])  # the own effect kept whole
    day = _nonnegative(effect, "day")
    assert (day >= 0).all()
    np.testing.assert_allclose(day.sum(axis=2), effect.sum(axis=2))  # clipping adds no bias
    np.testing.assert_allclose(_nonnegative(-effect, "day"), 0.0)  # a negative total: no slope
