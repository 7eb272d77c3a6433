"""`wfm optimise`: the JSON contract of DESIGN.md and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import WfmRunner, contract_path, load_contract, write_yaml

PLAN_KEYS = {
    "status", "cost", "lower_bound", "agent_hours", "solve_time_s", "shifts", "coverage",
    "unmet", "verification", "targets_met",
}  # fmt: skip


def _requirement_csv(folder: Path) -> Path:
    path = folder / "need.csv"
    rows = ["day,start,group,agents"]
    rows += [f"{d},{h:02d}:{m:02d},pool,{8 + (h % 5)}" for d in range(7) for h in range(24)
             for m in (0, 30)]  # fmt: skip
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_optimise_a_given_requirement_writes_the_contract(wfm: WfmRunner, tmp_path: Path):
    out = tmp_path / "plan.json"
    run = wfm(
        "optimise", contract_path("shifts.yaml"), "--requirements", _requirement_csv(tmp_path),
        "--time-limit", "20", "--json", out, "--csv", tmp_path / "tables",
    )  # fmt: skip
    assert run.code == 0, run.err
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert set(plan) >= PLAN_KEYS
    assert plan["status"] in ("optimal", "feasible")
    assert plan["verification"] is None and plan["targets_met"] is False
    assert plan["lower_bound"] <= plan["cost"] + 1e-6
    for row in plan["shifts"]:
        assert {"group", "template", "day", "start", "count"} <= set(row)
    assert len(plan["coverage"]) == 7 * 48
    for row in plan["coverage"]:
        assert {"day", "start", "group", "required", "scheduled"} <= set(row)
        assert row["scheduled"] + 1e-9 >= row["required"]
    assert (tmp_path / "tables" / "shifts.csv").exists()
    assert "status optimal" in run.out or "status feasible" in run.out


def test_optimise_needs_shift_templates(wfm: WfmRunner, tmp_path: Path):
    out = tmp_path / "plan.json"
    run = wfm("optimise", contract_path("single_queue.yaml"), "--json", out)
    assert run.code == 2 and len(run.err_lines) == 1
    assert "shift_templates: required to optimise" in run.err_lines[0]
    assert not out.exists()


def test_optimise_needs_costs(wfm: WfmRunner, tmp_path: Path):
    data = load_contract("shifts.yaml")
    del data["agent_groups"][0]["cost_per_hour"]
    path = write_yaml(tmp_path / "no_cost.yaml", data)
    run = wfm("optimise", path, "--json", tmp_path / "plan.json")
    assert run.code == 2 and "agent_groups[0].cost_per_hour" in run.err_lines[0]


def test_bad_requirement_csv_is_one_line(wfm: WfmRunner, tmp_path: Path):
    path = tmp_path / "need.csv"
    path.write_text("day,start,group,agents\n0,08:00,nobody,3\n", encoding="utf-8")
    out = tmp_path / "plan.json"
    run = wfm("optimise", contract_path("shifts.yaml"), "--requirements", path, "--json", out)
    assert run.code == 2 and len(run.err_lines) == 1
    assert run.err_lines[0] == f"{path}: row 2, column group: unknown agent group 'nobody'"
    assert not out.exists()
