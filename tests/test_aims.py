"""The search's aims, its candidate test, the targets a plan leaves short, and the default cap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from builders import queue_scenario

from optimise import search as loop_search
from optimise.aims import (
    CONTACT_BUDGET,
    GRADIENT_CONTACTS,
    GRADIENT_PERIOD_CONTACTS,
    MAX_GRADIENT_REPLICATIONS,
    MAX_GROWTH,
    MIN_GROWTH,
    aims,
    default_cap,
    gradient_replications,
    is_candidate,
    serving_groups,
    short_targets,
)
from scenarios.load import from_dict, load
from sim.replicate import simulate
from sim.verdict import DecisionRule

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "library"


def test_the_default_cap_spends_a_contact_budget_within_its_bounds():
    # 2,400 contacts a replication: the budget allows far more than the widest cap.
    small = from_dict(queue_scenario(60, 100, 180, 150, 8, days=1))
    assert default_cap(small, 10) == MAX_GROWTH * 10
    # 4,800 a day for a week: the budget binds between the bounds.
    busy = from_dict(queue_scenario(60, 200, 180, 150, 12, days=7))
    cap = default_cap(busy, 10)
    assert MIN_GROWTH * 10 < cap < MAX_GROWTH * 10
    assert cap == CONTACT_BUDGET // (200 * 24 * 7)
    # A centre too big for the budget still gets the narrowest cap.
    huge = from_dict(queue_scenario(60, 20000, 180, 150, 400, days=7))
    assert default_cap(huge, 10) == MIN_GROWTH * 10


def test_finite_differences_take_replications_for_a_contact_budget():
    # 2,400 contacts a replication: the most a finite difference takes, or what a check starts with.
    small = from_dict(queue_scenario(60, 100, 180, 150, 8, days=1))
    assert gradient_replications(small, 10) == MAX_GRADIENT_REPLICATIONS
    assert gradient_replications(small, 2) == 2
    # 72,000 a day for a week: one replication already simulates the budget's contacts.
    big = from_dict(queue_scenario(60, 3000, 180, 150, 160, days=7))
    assert GRADIENT_CONTACTS < 3000 * 24 * 7
    assert gradient_replications(big, 10) == 1
    # In between, enough replications to reach the budget: 24,000 contacts a replication.
    mid = from_dict(queue_scenario(60, 1000, 180, 150, 60, days=1))
    assert gradient_replications(mid, 10) == -(-GRADIENT_CONTACTS // 24_000) == 4
    # 100,800 contacts a week judged as a whole: one replication. Judged in each of its 672
    # 15-minute intervals, each slope needs 500 contacts of its own interval: 672 x 500 over
    # 100,800 a replication, four.
    week = {"interval_min": 15, "volume": 150, "aht_s": 180, "patience_s": 150, "agents": 40}
    whole = from_dict(queue_scenario(**week, days=7))
    assert gradient_replications(whole, 10) == 1
    per_interval = from_dict(queue_scenario(**week, days=7, scope="interval"))
    assert gradient_replications(per_interval, 10) == -(-672 * GRADIENT_PERIOD_CONTACTS // 100_800)
    assert gradient_replications(per_interval, 10) == 4


def test_short_targets_and_candidates_follow_the_staffing():
    # 100 calls an hour of 180 s: 5 Erlangs. Four agents are far short of 80 % in 20 s in
    # every interval, nine have room to spare; half the calls answered within 300 s is met
    # by either, so only the second target can be short.
    data = queue_scenario(60, 100, 180, 150, 4, days=1, scope="interval")
    data["targets"].insert(
        0, {"contact_type": "general", "answer_within_s": 300, "service_level": 0.5}
    )
    scenario = from_dict(data)
    short = simulate(scenario, {"pool": np.full((1, 24), 4)}, seed=3, replications=6, workers=1)
    ample = simulate(scenario, {"pool": np.full((1, 24), 9)}, seed=3, replications=6, workers=1)
    assert short_targets(short, aims(short, 24)) == [1]
    assert not is_candidate(short, aims(short, 24))
    assert short_targets(ample, aims(ample, 24)) == []
    assert is_candidate(ample, aims(ample, 24))
    # More replications to prove "met" with lower the aim towards the target less 2 points.
    assert np.all(aims(ample, 400)[1] < aims(ample, 24)[1])


def test_the_groups_serving_a_target_are_those_with_its_skill():
    week = load(LIBRARY / "telecom_hotline_week.yaml")

    def serving(scenario, contact_type):
        targets = [j for j, t in enumerate(scenario.targets) if t.contact_type == contact_type]
        return serving_groups(scenario, targets)

    assert serving(week, "billing") == {"billing_team"}
    assert serving(week, "emergency") == {"tech_team", "broadband_team", "vip_desk"}
    assert serving_groups(week, []) == set()
    # A group serving the skill as its second one counts; the groups it may be pulled away
    # to by a short neighbour do not (tech_team does not serve billing).
    assert serving(load(LIBRARY / "multi_skill.yaml"), "billing") == {"billing_team", "blended"}


def test_a_failed_round_shrinks_the_trust_region_of_the_groups_serving_what_fell_short(
    monkeypatch,
):
    week = load(LIBRARY / "telecom_hotline_week.yaml")
    search = loop_search.Search(
        week, {}, DecisionRule(), 10, 160, 10.0, None, False, 1, None, lambda _m: None
    )
    billing = [j for j, t in enumerate(week.targets) if t.contact_type == "billing"]
    monkeypatch.setattr(loop_search, "aims", lambda _results, _n: [])
    monkeypatch.setattr(loop_search, "short_targets", lambda _results, _goals: billing)
    search._shrink(None)
    assert search.radius["billing_team"] == loop_search.TRUST_STEP / 2
    assert all(r == loop_search.TRUST_STEP for g, r in search.radius.items() if g != "billing_team")
    for _ in range(10):
        search._shrink(None)
    assert search.radius["billing_team"] == loop_search.MIN_TRUST_STEP
    # Nothing short on the means (the plan failed on its spread): every group's region halves.
    monkeypatch.setattr(loop_search, "short_targets", lambda _results, _goals: [])
    search._shrink(None)
    assert search.radius["chat_team"] == loop_search.TRUST_STEP / 2
    assert search.radius["billing_team"] == loop_search.MIN_TRUST_STEP
