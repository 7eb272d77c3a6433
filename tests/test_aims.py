"""The search's aims, its candidate test, the targets a plan leaves short, and the default cap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import queue_scenario

from optimise.aims import (
    CONTACT_BUDGET,
    MAX_GROWTH,
    MIN_GROWTH,
    aims,
    default_cap,
    is_candidate,
    serving_groups,
    short_targets,
)
from scenarios.load import from_dict, load
from sim.replicate import simulate

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "library"


def test_the_default_cap_spends_a_contact_budget_within_its_bounds():
    # About 2,000 contacts a replication: the budget allows far more than the widest cap.
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


def test_short_targets_and_candidates_follow_the_staffing():
    # 100 calls an hour of 180 s: 5 Erlangs. Four agents are far short of 80 % in 20 s in
    # every interval, nine have room to spare.
    scenario = from_dict(queue_scenario(60, 100, 180, 150, 4, days=1, scope="interval"))
    short = simulate(scenario, {"pool": np.full((1, 24), 4)}, seed=3, replications=6, workers=1)
    ample = simulate(scenario, {"pool": np.full((1, 24), 9)}, seed=3, replications=6, workers=1)
    assert short_targets(short, aims(short, 24)) == [0]
    assert not is_candidate(short, aims(short, 24))
    assert short_targets(ample, aims(ample, 24)) == []
    assert is_candidate(ample, aims(ample, 24))
    # Aims sit between the target less its tolerance and the target plus the spread's margin.
    goal = aims(ample, 24)[0]
    assert np.all(goal > 0.78) and np.all(goal < 0.95)


def test_the_groups_serving_a_target_are_those_with_its_skill():
    scenario = load(LIBRARY / "telecom_hotline_week.yaml")
    billing = [j for j, t in enumerate(scenario.targets) if t.contact_type == "billing"]
    groups = serving_groups(scenario, billing)
    skill = next(ct.skill for ct in scenario.contact_types if ct.name == "billing")
    assert groups == {g.name for g in scenario.agent_groups if skill in g.skills}
    assert "chat_team" not in groups and serving_groups(scenario, []) == set()
