"""The simulation-optimisation loop: plans whose targets hold in an independent simulation."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from builders import (
    break_rule,
    centre,
    contact_type,
    exponential,
    group,
    lognormal,
    shift_template,
    target,
)

from optimise import search as loop_search
from optimise.aims import default_cap
from optimise.loop import optimise
from optimise.search import VERIFY_SEED_OFFSET
from optimise.shifts import ShiftPlan
from scenarios.load import from_dict
from scenarios.staffing import on_duty
from sim.sequential import simulate_until_decided
from sim.verdict import DecisionRule

PROFILE = [4] * 12 + [20, 40, 60, 70, 70, 60, 60, 70, 70, 60, 50, 40] * 2 + [20] * 12


def _scenario(scope: str) -> dict:
    return centre(
        "loop",
        days=1,
        interval_min=30,
        contact_types=[
            contact_type(
                "general",
                volume=PROFILE,
                handle=lognormal(200, 1.0),
                patience=exponential(mean_s=150),
            )
        ],
        targets=[target("general", 20, 0.8, scope=scope)],
        agent_groups=[group("pool", ["general"], cost_per_hour=20)],
        shift_templates=[
            shift_template("early", 8, ("05:00", "10:00"), breaks=[break_rule(30, 3, 5)]),
            shift_template("late", 8, ("12:00", "16:00"), breaks=[break_rule(30, 3, 5)]),
            shift_template("night", 9, ("21:00", "22:00"), cost_factor=1.25),
        ],
    )


@pytest.mark.slow
@pytest.mark.parametrize("scope", ["day", "interval"])
def test_loop_plan_meets_its_targets_in_an_independent_simulation(scope):
    scenario = from_dict(_scenario(scope))
    result = optimise(scenario, seed=5, replications=6, time_limit_s=10, workers=2)
    document = result.to_json()
    assert result.plan.status in ("optimal", "feasible")
    assert document["targets_met"], document["rounds"]
    verification = document["verification"]
    assert verification["seed"] != 5 and verification["seed"] % VERIFY_SEED_OFFSET == 5
    assert [t["verdict"] for t in verification["targets"]] == ["met"]
    # A third simulation, with a seed neither the loop nor the verification used, agrees.
    again = simulate_until_decided(
        scenario, on_duty(scenario, result.plan.shifts), 777, 6, 96, workers=2
    )
    assert again.verdicts()[0].verdict != "missed"
    # The loop starts from the analytic plan, cuts (and simulates the plans the cuts admit, or
    # proves the start when they admit none cheaper), and ends on a verified plan; the cuts'
    # bound is a bound: no plan meeting the targets is cheaper.
    kinds = [r["kind"] for r in document["rounds"]]
    assert kinds[0] == "start" and kinds[-1] == "verify"
    assert {"cut", "prove"} & set(kinds) and document["rounds"][-1]["cuts"] > 0
    assert document["stop_reason"]
    assert document["cut_bound"] <= document["cost"] + 1e-6
    # Every check starts with the replications given and grows to the cap at most.
    cap = default_cap(scenario, 6)
    for entry in document["rounds"]:
        assert 6 <= entry["replications"] <= cap
    # The starting plan is never proven in its own round: only by a round of kind "prove",
    # once the cuts admit nothing cheaper, or by the verification.
    start = document["rounds"][0]
    assert start["replications"] == 6
    assert all(r["cost"] == start["cost"] for r in document["rounds"] if r["kind"] == "prove")
    # The coverage's `required` column is the analytic requirement, whatever the cuts asked.
    per_day = scenario.horizon.intervals_per_day
    for row in document["coverage"]:
        hours, minutes = (int(x) for x in row["start"].split(":"))
        k = (hours * 60 + minutes) // scenario.horizon.interval_min
        assert row["required"] == pytest.approx(result.requirement[row["group"]][row["day"], k])
        assert k < per_day


def test_a_given_requirement_is_scheduled_without_simulation():
    scenario = from_dict(_scenario("day"))
    from optimise.requirements import analytic_requirement

    result = optimise(scenario, analytic_requirement(scenario), time_limit_s=10)
    document = result.to_json()
    assert document["verification"] is None and document["targets_met"] is False
    assert document["rounds"] == [] and document["cost"] > 0


@pytest.mark.slow
def test_the_same_seed_gives_the_same_plan_whatever_the_workers():
    scenario = from_dict(_scenario("interval"))
    one = optimise(scenario, seed=3, replications=4, time_limit_s=5, max_rounds=4, workers=1)
    two = optimise(scenario, seed=3, replications=4, time_limit_s=5, max_rounds=4, workers=2)
    assert one.plan.shifts == two.plan.shifts
    assert one.rounds == two.rounds
    assert one.verification.to_json() == two.verification.to_json()


class _Sample:
    """What the rounds read of a simulation: its verdicts, replications and seed."""

    def __init__(self, met: bool, replications: int, seed: int) -> None:
        self.met, self.replications, self.seed = met, replications, seed

    def verdicts(self):
        return [SimpleNamespace(verdict="met" if self.met else "undecided")]


def _plan(cost: float) -> ShiftPlan:
    row = {"group": "pool", "template": "early", "day": 0, "start": "05:00", "count": cost,
           "breaks": []}  # fmt: skip
    return ShiftPlan("feasible", cost, None, cost / 20, 0.0, shifts=[row])


def _scripted_search(monkeypatch, truth: dict[float, bool], masters: list[float]):
    """A search whose simulations and solves are scripted: `truth` says which plan (by cost)
    a check proves met, `masters` the costs the cut rounds' solves give, in turn."""
    search = loop_search.Search(
        from_dict(_scenario("day")), {}, DecisionRule(), 4, 16, 1.0, None, False, 1, None,
        lambda _message: None,
    )  # fmt: skip
    solves = iter(masters)
    monkeypatch.setattr(search, "_sample", lambda plan, seed: _Sample(False, 4, seed))
    monkeypatch.setattr(search, "_candidate", lambda results: True)
    monkeypatch.setattr(
        search, "_check", lambda plan, seed, sample=None: _Sample(truth[plan.cost], 16, seed)
    )
    monkeypatch.setattr(search, "_shrink", lambda results: None)
    monkeypatch.setattr(search, "_solve", lambda cut, around=None: _plan(next(solves)))

    def add_cuts(plan, results, effects=None):
        search.cuts.append((plan.cost, results.replications))
        return effects or [plan.cost]

    monkeypatch.setattr(search, "_add_cuts", add_cuts)
    return search


def test_the_starting_plan_is_proven_only_when_the_cuts_admit_nothing_cheaper(monkeypatch):
    # The cut round's plan is no cheaper: the starting plan is proven, and its first
    # sample's cuts are replaced by the proof's.
    search = _scripted_search(monkeypatch, {100: True}, [99.9, 99.8])
    best, reason = search._rounds(_plan(100), "start", 1, 30)
    assert best[0].cost == 100 and best[1].replications == 16
    assert [(r["kind"], r["replications"]) for r in search.rounds] == [
        ("start", 4), ("prove", 16)
    ]  # fmt: skip
    assert search.cuts == [(100, 16)] and search.incumbent is best[0]
    assert "cheaper than the best one met" in reason
    # A cheaper plan is met first: the starting plan is never proven.
    search = _scripted_search(monkeypatch, {90: True}, [90, 89.9])
    best, _ = search._rounds(_plan(100), "start", 1, 30)
    assert best[0].cost == 90
    assert [r["kind"] for r in search.rounds] == ["start", "cut"]
    # The proof fails: the rounds go on from the starting plan, and a round limit reached
    # with nothing met returns nothing to verify.
    search = _scripted_search(monkeypatch, {100: False, 120: False}, [99.9, 120, 130])
    best, reason = search._rounds(_plan(100), "start", 1, 3)
    assert best is None and reason == "3 rounds run"
    assert [r["kind"] for r in search.rounds] == ["start", "prove", "cut"]
    # The rounds end before the cuts stop them: the unproven starting plan is what the
    # verification is given.
    search = _scripted_search(monkeypatch, {90: False}, [90])
    best, reason = search._rounds(_plan(100), "start", 1, 2)
    assert best[0].cost == 100 and best[1].replications == 4


def test_rounds_that_meet_no_cheaper_plan_end_the_search(monkeypatch):
    # After the plan met at 90, three cut rounds in a row fall short: the fourth is not run.
    truth = {90: True, 85: False, 84: False, 83: False}
    search = _scripted_search(monkeypatch, truth, [90, 85, 84, 83, 82])
    best, reason = search._rounds(_plan(100), "start", 1, 30)
    assert best[0].cost == 90
    assert [r["cost"] for r in search.rounds] == [100, 90, 85, 84, 83]
    assert reason == f"{loop_search.STALL_ROUNDS} rounds in a row met no cheaper plan"
    # With nothing to fall back on (no plan met, the start not a candidate) the rounds go on.
    search = _scripted_search(monkeypatch, {}, [95, 94, 93, 92, 91, 90])
    monkeypatch.setattr(search, "_candidate", lambda results: False)
    best, reason = search._rounds(_plan(100), "start", 1, 6)
    assert best is None and reason == "6 rounds run"
    assert len(search.rounds) == 6
