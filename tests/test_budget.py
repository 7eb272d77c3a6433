"""`--budget`: the plan's cost stays within it, or the plan is infeasible saying so, or (soft)
leaves intervals short at their price."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from builders import centre, contact_type, exponential, group, shift_template
from conftest import WfmRunner, contract_path

from optimise.shift_model import MAX_BUDGET
from optimise.shifts import schedule
from scenarios.load import from_dict

# One day in hours, a "pool" at 10 an hour on four-hour shifts: 2 agents from 08:00 to 16:00
# cost 4 shifts x 4 h x 10 = 160 at the cheapest.
SCENARIO = from_dict(
    centre(
        "budget",
        days=1,
        interval_min=60,
        contact_types=[contact_type("general", volume=10, handle=exponential(mean_s=180))],
        agent_groups=[group("pool", ["general"], cost_per_hour=10)],
        shift_templates=[shift_template("t4", 4, ("08:00", "12:00"))],
    )
)
NEED = np.zeros((1, 24))
NEED[0, 8:16] = 2
UNCONSTRAINED = 160.0


def _plan(**options):
    return schedule(SCENARIO, {"pool": NEED}, time_limit_s=10, **options)


@pytest.mark.parametrize("budget", [UNCONSTRAINED, 1000.0, MAX_BUDGET])
def test_a_budget_at_or_above_the_cost_gives_the_plan_without_one(budget):
    free, capped = _plan(), _plan(budget=budget)
    assert free.cost == pytest.approx(UNCONSTRAINED)
    assert (capped.status, capped.cost, capped.shifts) == (free.status, free.cost, free.shifts)


@pytest.mark.parametrize("budget", [MAX_BUDGET * 1.01, 1e300, float("inf"), float("nan"), -1.0])
def test_a_budget_past_what_the_solver_holds_exactly_is_refused(budget):
    with pytest.raises(ValueError, match="budget: must be within 0 and 1e"):
        _plan(budget=budget)


def test_cli_refuses_a_budget_past_the_limit_in_one_line(wfm: WfmRunner, tmp_path: Path):
    out = tmp_path / "plan.json"
    run = wfm("optimise", contract_path("shifts.yaml"), "--budget", "1e13", "--json", out)
    assert run.code == 2 and not out.exists()
    (line,) = run.err.strip().splitlines()
    assert "--budget" in line and "1000000000000" in line


def test_below_the_cost_soft_leaves_intervals_short_within_the_budget():
    plan = _plan(budget=100, soft=True)
    assert plan.status == "optimal"
    assert plan.cost == pytest.approx(80)  # two shifts: a third would cost 120
    # 16 agent-hours asked, 8 worked: the other 8 are short.
    assert sum(row["short"] for row in plan.unmet) == pytest.approx(8)


def test_below_the_cost_the_plan_is_infeasible_in_one_line():
    plan = _plan(budget=159.999)  # in whole cents 159.99: rounded down, not up to 160
    assert plan.status == "infeasible" and plan.cost is None
    assert plan.message == "no plan covers the requirement within the budget 159.999"


def test_cli_writes_the_infeasible_plan_and_says_why(wfm: WfmRunner, tmp_path: Path):
    need = tmp_path / "need.csv"
    need.write_text("day,start,group,agents\n0,09:00,pool,5\n", encoding="utf-8")
    out = tmp_path / "plan.json"
    run = wfm(
        "optimise", contract_path("shifts.yaml"), "--requirements", need, "--budget", "1000",
        "--json", out,
    )  # fmt: skip
    # As for any infeasible schedule: the plan is written and the exit code is 0.
    assert run.code == 0, run.err
    message = "no plan covers the requirement within the budget 1,000"
    assert run.out.strip() == f"optimise: infeasible: {message}"
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert (plan["status"], plan["cost"], plan["message"]) == ("infeasible", None, message)
