"""Shift scheduling on instances small enough to solve by hand."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from builders import (
    break_rule,
    centre,
    contact_type,
    exponential,
    group,
    queue_scenario,
    shift_template,
)
from conftest import load_contract

from optimise.requirements import analytic_requirement, read_requirement_csv
from optimise.shifts import schedule, with_required
from scenarios.load import ScenarioError, from_dict
from scenarios.staffing import minutes_per_interval, on_duty


def _one_day(templates: list[dict], cyclic: bool = True, **group_rules) -> dict:
    """One day in hours: 10 calls an hour of 180 s, a "pool" at 10 an hour."""
    return centre(
        "hand",
        days=1,
        interval_min=60,
        cyclic=cyclic,
        contact_types=[contact_type("general", volume=10, handle=exponential(mean_s=180))],
        agent_groups=[group("pool", ["general"], cost_per_hour=10, **group_rules)],
        shift_templates=templates,
    )


def _need(hours: dict[int, float]) -> dict[str, np.ndarray]:
    need = np.zeros((1, 24))
    for hour, agents in hours.items():
        need[0, hour] = agents
    return {"pool": need}


FOUR_HOURS = shift_template("t4", 4, ("08:00", "12:00"))


def test_known_optimum_two_blocks_of_four_hours():
    scenario = from_dict(_one_day([FOUR_HOURS]))
    plan = schedule(scenario, _need({h: 2 for h in range(8, 16)}), time_limit_s=10)
    # Two agents 08-12 and two 12-16: 4 shifts x 4 h x 10 = 160, and the LP cannot do better.
    assert plan.status == "optimal"
    assert plan.cost == pytest.approx(160)
    assert plan.lower_bound == pytest.approx(160)
    assert plan.gap == pytest.approx(0)
    assert plan.agent_hours == pytest.approx(16)
    starts = sorted((row["start"], row["count"]) for row in plan.shifts)
    assert starts == [("08:00", 2), ("12:00", 2)]


def test_fractional_requirement_is_rounded_up_by_the_shifts():
    scenario = from_dict(_one_day([FOUR_HOURS]))
    plan = schedule(scenario, _need({h: 1.2 for h in range(8, 12)}), time_limit_s=10)
    assert plan.cost == pytest.approx(80)  # two agents 08-12
    assert plan.lower_bound == pytest.approx(48)  # 1.2 agents x 4 h x 10
    assert plan.gap == pytest.approx(0.4)


def test_breaks_never_uncover_an_interval():
    template = shift_template("t4", 8, ("08:00", "08:00"), breaks=[break_rule(60, 3, 5)])
    scenario = from_dict(_one_day([template]))
    plan = schedule(scenario, _need({h: 3 for h in range(8, 16)}), time_limit_s=10)
    # Breaks start at 11:00, 12:00 or 13:00 and can be staggered, but cover is needed.
    working = on_duty(scenario, plan.shifts)["pool"][0]
    hourly = working.reshape(24, -1).min(axis=1)
    assert np.all(hourly[8:16] >= 3)
    assert all(row["scheduled"] >= row["required"] for row in plan.coverage)
    assert plan.agent_hours == pytest.approx(8 * sum(r["count"] for r in plan.shifts))
    # Four agents would need four breaks in the three break hours (11, 12, 13), leaving only
    # two working in one of them: five it is.
    assert sum(r["count"] for r in plan.shifts) == 5


def test_a_shift_crossing_midnight_wraps_onto_the_first_day():
    night = shift_template("night", 8, ("20:00", "20:00"))
    need = _need({2: 1})
    plan = schedule(from_dict(_one_day([night])), need, time_limit_s=10)
    assert plan.status == "optimal" and plan.shifts[0]["end"] == "04:00"
    # Without wrap-around, nothing started on the day covers 02:00.
    plan = schedule(from_dict(_one_day([night], cyclic=False)), need, time_limit_s=10)
    assert plan.status == "infeasible" and plan.cost is None


def test_minutes_per_interval_wraps_or_drops_past_the_end():
    assert minutes_per_interval(1410, 60, 30, 1440, cyclic=True) == {47: 30, 0: 30}
    assert minutes_per_interval(1410, 60, 30, 1440, cyclic=False) == {47: 30}
    assert minutes_per_interval(15, 30, 30, 1440, cyclic=True) == {0: 15, 1: 15}


def test_infeasible_and_soft_mode_with_a_cap_on_agents():
    scenario = from_dict(_one_day([FOUR_HOURS], max_agents=1))
    need = _need({h: 2 for h in range(8, 12)})
    hard = schedule(scenario, need, time_limit_s=10)
    assert hard.status == "infeasible"
    soft = schedule(scenario, need, time_limit_s=10, soft=True)
    assert soft.status == "optimal"
    assert len(soft.unmet) == 4
    assert all(row["short"] == pytest.approx(1) for row in soft.unmet)


def test_budget_cap():
    scenario = from_dict(_one_day([FOUR_HOURS]))
    need = _need({h: 2 for h in range(8, 16)})
    assert schedule(scenario, need, budget=159).status == "infeasible"
    assert schedule(scenario, need, budget=160).status == "optimal"


def test_min_agents_staffs_every_interval():
    scenario = from_dict(_one_day([FOUR_HOURS], min_agents=1))
    plan = schedule(scenario, _need({}), time_limit_s=10)
    # No calls need anyone, but the floor asks for one agent in each of the 24 hours, and
    # starts between 08:00 and 12:00 reach only 08:00-16:00: the rest cannot be covered.
    assert plan.status == "infeasible"
    assert plan.cost is None and plan.shifts == []
    # Soft mode shows where: one agent in each of the 8 hours the shifts reach (08-12 and
    # 12-16, 2 x 4 h x 10), and the floor one short in each of the other 16.
    soft = schedule(scenario, _need({}), time_limit_s=10, soft=True)
    assert soft.status == "optimal" and soft.cost == pytest.approx(80)
    hours = [f"{h:02d}:00" for h in range(24)]
    covered = [row["start"] for row in soft.coverage if row["scheduled"] >= 1]
    assert covered == hours[8:16]
    assert sorted(row["start"] for row in soft.unmet) == hours[:8] + hours[16:]
    assert all(row["short"] == pytest.approx(1) for row in soft.unmet)


def test_contract_scenario_schedules_with_its_night_premium():
    scenario = from_dict(load_contract("shifts.yaml"))
    requirement = analytic_requirement(scenario)
    plan = schedule(scenario, requirement, time_limit_s=20)
    assert plan.status in ("optimal", "feasible")
    assert all(r["scheduled"] + 1e-9 >= r["required"] for r in plan.coverage)
    assert plan.lower_bound <= plan.cost
    templates = {r["template"] for r in plan.shifts}
    assert {"day8", "night9"} <= templates
    night = next(r for r in plan.shifts if r["template"] == "night9")
    assert night["length_h"] == 9 and night["breaks"][0]["length_min"] == 60
    cost = sum(
        r["count"] * r["length_h"] * 28 * (1.25 if r["template"] == "night9" else 1)
        for r in plan.shifts
    )
    assert plan.cost == pytest.approx(cost)


def test_analytic_requirement_goes_to_the_group_listing_the_skill_first():
    data = load_contract("multi_skill.yaml")
    data["horizon"]["days"] = 1
    requirement = analytic_requirement(from_dict(data))
    assert requirement["blended"].sum() == 0
    # Billing: 220 calls of 240 s per 30 min is 29.3 Erlangs; at 90 % in 20 s with patience.
    assert 28 <= requirement["billing_team"][0, 0] <= 40
    assert (
        requirement["chat_team"][0, 0] == pytest.approx(requirement["chat_team"][0, 0])
        and requirement["chat_team"][0, 0] % 1 != 0
    )  # chat: slots / 3, kept fractional


def test_requirement_csv(tmp_path):
    scenario = from_dict(load_contract("shifts.yaml"))
    path = tmp_path / "need.csv"
    path.write_text("day,start,group,agents\n0,08:00,pool,12.5\n6,23:30,pool,3\n")
    requirement = read_requirement_csv(path, scenario)["pool"]
    assert requirement[0, 16] == 12.5 and requirement[6, 47] == 3 and requirement.sum() == 15.5
    path.write_text("day,start,group,agents\n0,08:10,pool,1\n")
    with pytest.raises(ScenarioError, match=r"row 2, column start: expected the start of a 30"):
        read_requirement_csv(path, scenario)
    path.write_text("day,start,group,agents\n9,08:00,pool,1\n")
    with pytest.raises(ScenarioError, match=r"row 2, column day: expected 0..6, got 9"):
        read_requirement_csv(path, scenario)
    path.write_text("day,start,team,agents\n")
    with pytest.raises(ScenarioError):
        read_requirement_csv(path, scenario)


def test_neighbourhood_search_stays_within_one_agent_of_the_lp():
    from optimise.shift_model import NEIGHBOURHOOD, build_model

    scenario = from_dict(_one_day([FOUR_HOURS]))
    need = _need({h: 2.5 for h in range(8, 16)})
    model, options, _ = build_model(scenario, need, None, cover=True)
    lp_cost, lp_counts = model.lp_bound(False, 100.0)
    assert lp_cost == pytest.approx(200)  # 2.5 agents 08-12 and 2.5 agents 12-16
    plan = schedule(scenario, need, time_limit_s=10, near_lp=True)
    # Optimal among the plans near the LP's, so said only to be feasible.
    assert plan.status == "feasible"
    assert plan.cost == pytest.approx(240)
    for row in plan.shifts:
        j = next(i for i, o in enumerate(options) if f"{o.start_min // 60:02d}:00" == row["start"])
        assert abs(row["count"] - lp_counts[j]) <= NEIGHBOURHOOD


def test_with_required_reports_another_requirement_beside_the_same_shifts():
    scenario = from_dict(_one_day([FOUR_HOURS]))
    plan = schedule(scenario, _need({h: 2 for h in range(8, 16)}), time_limit_s=10)
    other = {"pool": np.arange(24, dtype=float).reshape(1, 24)}
    shown = with_required(plan, other, 60)
    assert shown.shifts == plan.shifts and shown.cost == plan.cost
    assert [r["scheduled"] for r in shown.coverage] == [r["scheduled"] for r in plan.coverage]
    assert [r["required"] for r in shown.coverage] == list(range(24))


def test_analytic_requirement_plans_for_the_day_factor():
    plain = queue_scenario(30, 3000.0, 180.0, 240.0, 400, days=1)  # 300 Erlangs
    base = analytic_requirement(from_dict(plain))["pool"]
    busy = copy.deepcopy(plain)
    busy["contact_types"][0]["volume"]["overdispersion"] = {"cv": 0.1}
    assert np.all(analytic_requirement(from_dict(busy))["pool"] > base)


def test_a_row_adds_up_a_variable_listed_twice_in_both_solvers():
    # The LP and CP-SAT get the same row: 2x + 3x >= 10 is 5x >= 10 (x >= 2) in both, as the
    # operators' sum would write it (pywraplp's SetCoefficient alone would keep 3x).
    from ortools.linear_solver import pywraplp
    from ortools.sat.python import cp_model

    from optimise.shift_model import _add_row

    lp = pywraplp.Solver.CreateSolver("GLOP")
    x = lp.NumVar(0, 10, "x")
    _add_row(lp, False, [(x, 2), (x, 3)], 10)
    lp.Minimize(x)
    assert lp.Solve() == pywraplp.Solver.OPTIMAL
    assert x.solution_value() == pytest.approx(2.0)

    cp = cp_model.CpModel()
    y = cp.new_int_var(0, 10, "y")
    _add_row(cp, True, [(y, 2), (y, 3)], 10)
    cp.minimize(y)
    solver = cp_model.CpSolver()
    assert solver.solve(cp) == cp_model.OPTIMAL
    assert solver.value(y) == 2
