"""`wfm simulate SCENARIO --plan PLAN`: a scenario staffed by a plan's shifts, and the plans it
refuses; scenarios staffed by `shifts:` simulate too."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import WfmRunner

LIBRARY = Path(__file__).resolve().parent.parent / "scenarios" / "library"
WEEK = LIBRARY / "telecom_hotline_week.yaml"
WEEK_PLAN = LIBRARY / "drills" / "telecom_week_plan.json"


def _one_error_line(run, *words: str) -> None:
    assert run.code == 2, run.err
    assert len(run.err_lines) == 1, run.err
    for word in words:
        assert word in run.err, run.err


def test_simulate_staffs_the_scenario_with_a_plan(wfm: WfmRunner, tmp_path: Path):
    run = wfm("simulate", WEEK, "--plan", WEEK_PLAN, "--replications", "2", "--seed", "1",
              "--json", tmp_path / "week.json", "--no-store")  # fmt: skip
    assert run.code == 0, run.err
    document = json.loads((tmp_path / "week.json").read_text())
    assert document["replications"] == 2
    assert all(t["verdict"] in ("met", "missed", "undecided") for t in document["targets"])
    assert "verdicts (one-sided 95 %" in run.out
    # Without the plan the week has nobody on duty: it says what to pass.
    run = wfm("simulate", WEEK, "--replications", "1", "--no-store")
    _one_error_line(run, "agent_groups[0]", "--plan")


def test_sequential_replications_grow_to_the_cap_at_most(wfm: WfmRunner, tmp_path: Path):
    run = wfm("simulate", WEEK, "--plan", WEEK_PLAN, "--replications", "2",
              "--max-replications", "4", "--seed", "1", "--json", tmp_path / "w.json",
              "--no-store")  # fmt: skip
    assert run.code == 0, run.err
    document = json.loads((tmp_path / "w.json").read_text())
    assert document["replications"] in (2, 4)
    for target in document["targets"]:
        assert target["decision"] == {"confidence": 0.95, "tolerance": 0.02, "looks": 2}
        if target["verdict"] == "undecided":
            assert target["replications_needed"] > document["replications"]


def test_a_plan_from_another_scenario_is_refused(wfm: WfmRunner, tmp_path: Path):
    other = json.loads(WEEK_PLAN.read_text())
    other["verification"] = {"scenario": "shifts"}
    path = tmp_path / "other.json"
    path.write_text(json.dumps(other))
    run = wfm("simulate", WEEK, "--plan", path, "--no-store")
    _one_error_line(run, str(path), "verification.scenario", "'shifts'")
    # Without a verification, its coverage tells: a week of another size.
    del other["verification"]
    other["coverage"] = other.get("coverage", [])[:10] or [{}] * 10
    path.write_text(json.dumps(other))
    run = wfm("simulate", WEEK, "--plan", path, "--no-store")
    _one_error_line(run, str(path), "coverage", "expected")


def test_a_truncated_plan_is_refused(wfm: WfmRunner, tmp_path: Path):
    path = tmp_path / "cut.json"
    path.write_text(WEEK_PLAN.read_text()[:500])
    run = wfm("simulate", WEEK, "--plan", path, "--no-store")
    _one_error_line(run, str(path), "not a plan JSON")


def test_a_plan_with_unknown_groups_is_refused(wfm: WfmRunner, tmp_path: Path):
    plan = json.loads(WEEK_PLAN.read_text())
    plan["shifts"][3]["group"] = "night_owls"
    path = tmp_path / "groups.json"
    path.write_text(json.dumps(plan))
    run = wfm("simulate", WEEK, "--plan", path, "--no-store")
    _one_error_line(run, str(path), "shifts[3].group", "night_owls")


def test_a_scenario_staffed_by_shifts_simulates(wfm: WfmRunner, tmp_path: Path):
    shifts = json.loads(WEEK_PLAN.read_text())["shifts"]
    scenario = yaml.safe_load(WEEK.read_text())
    for group in scenario["agent_groups"]:
        group["shifts"] = [
            {k: row[k] for k in ("day", "start", "end", "count", "breaks") if k in row}
            for row in shifts
            if row["group"] == group["name"]
        ]
    path = tmp_path / "staffed.yaml"
    path.write_text(yaml.safe_dump(scenario))
    run = wfm("simulate", path, "--replications", "1", "--no-store")
    assert run.code == 0, run.err
    assert "targets met:" in run.out
