"""`wfm roster`: a plan JSON to named assignments, names kept out of pseudonymised outputs, and
one-line errors that leave nothing written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import WfmRunner

NAMES = ("Li Wei", "Wang Fang", "Zhang Min", "Liu Yang", "Chen Jing", "Yang Tao")


def _plan(folder: Path) -> Path:
    """Two agents a day from 08:00 (8 h, a 30-minute break at 12:00), every day."""
    shifts = [
        {
            "group": "pool",
            "template": "day8",
            "day": day,
            "start": "08:00",
            "count": 2,
            "length_h": 8.0,
            "paid_h": 8.0,
            "breaks": [{"start": "12:00", "length_min": 30}],
        }
        for day in range(7)
    ]
    path = folder / "plan.json"
    path.write_text(json.dumps({"status": "optimal", "shifts": shifts}), encoding="utf-8")
    return path


def _agents(folder: Path) -> Path:
    path = folder / "agents.csv"
    rows = ["agent,group,unavailable"] + [f"{name},pool," for name in NAMES]
    rows[1] = f"{NAMES[0]},pool,sat;sun"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_roster_writes_json_and_csv(wfm: WfmRunner, tmp_path: Path):
    out, tables = tmp_path / "roster.json", tmp_path / "tables"
    run = wfm("roster", _plan(tmp_path), "--agents", _agents(tmp_path), "--weeks", "2",
              "--time-limit", "10", "--json", out, "--csv", tables)  # fmt: skip
    assert run.code == 0, run.err
    roster = json.loads(out.read_text(encoding="utf-8"))
    assert roster["status"] in ("optimal", "feasible")
    assert len(roster["assignments"]) == 2 * 7 * 2
    assert not any(a["agent"] == NAMES[0] and a["day"] in (5, 6) for a in roster["assignments"])
    with (tables / "assignments.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(roster["assignments"])
    # One readable cell per shift's breaks, not a Python list.
    assert {row["breaks"] for row in rows} == {"12:00+30min"}
    assert f"roster {roster['status']}: 28 shifts assigned to 6 agents over 2 weeks" in run.out


def test_pseudonymise_keeps_names_out_of_every_output(wfm: WfmRunner, tmp_path: Path):
    out, tables = tmp_path / "roster.json", tmp_path / "tables"
    run = wfm("roster", _plan(tmp_path), "--agents", _agents(tmp_path), "--pseudonymise",
              "--time-limit", "10", "--json", out, "--csv", tables)  # fmt: skip
    assert run.code == 0, run.err
    written = out.read_text(encoding="utf-8") + (tables / "assignments.csv").read_text("utf-8")
    for name in NAMES:
        for part in name.split():
            assert part not in written and part not in run.out + run.err
    roster = json.loads(out.read_text(encoding="utf-8"))
    assert roster["pseudonymised"] is True
    assert {a["agent"] for a in roster["assignments"]} <= {a["agent"] for a in roster["agents"]}


def test_generated_agents_when_no_csv(wfm: WfmRunner, tmp_path: Path):
    out = tmp_path / "roster.json"
    run = wfm("roster", _plan(tmp_path), "--time-limit", "10", "--json", out)
    assert run.code == 0, run.err
    roster = json.loads(out.read_text(encoding="utf-8"))
    assert roster["status"] in ("optimal", "feasible")
    assert all(a["agent"].startswith("pool-") for a in roster["assignments"])


def test_bad_agents_csv_is_one_line_and_writes_nothing(wfm: WfmRunner, tmp_path: Path):
    agents = tmp_path / "agents.csv"
    agents.write_text("agent,group,max_hours_week\nLi Wei,pool,two hundred\n", encoding="utf-8")
    out = tmp_path / "roster.json"
    run = wfm("roster", _plan(tmp_path), "--agents", agents, "--json", out)
    assert run.code == 2 and len(run.err_lines) == 1
    assert str(agents) in run.err and "row 2, column max_hours_week" in run.err
    assert "Li Wei" not in run.err
    assert not out.exists()


def test_plan_that_is_not_a_plan(wfm: WfmRunner, tmp_path: Path):
    plan = tmp_path / "plan.json"
    plan.write_text('{"status": "optimal"}', encoding="utf-8")
    run = wfm("roster", plan, "--json", tmp_path / "roster.json")
    assert run.code == 2 and len(run.err_lines) == 1
    assert "shifts: expected the plan written by `wfm optimise`" in run.err
    missing = wfm("roster", tmp_path / "nowhere.json", "--json", tmp_path / "roster.json")
    assert missing.code == 2 and "file not found" in missing.err
