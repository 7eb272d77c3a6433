"""Plans and drills read back (`scenarios.plan_file`): a bad shift row is a one-line error
naming its field, from Python and from the commands that run on a plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, WfmRunner

from scenarios.load import ScenarioError, load
from scenarios.plan_file import plan_staffing, read_drill, read_plan

WEEK = REPO / "scenarios" / "library" / "telecom_hotline_week.yaml"
PLAN = REPO / "scenarios" / "library" / "drills" / "telecom_week_plan.json"


def _shifts() -> list[dict]:
    return json.loads(PLAN.read_text(encoding="utf-8"))["shifts"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"group": "nobody"}, "shifts[0].group"),
        ({"day": 7}, "shifts[0].day"),
        ({"day": "mon"}, "shifts[0].day"),
        ({"start": "25:00"}, "shifts[0].start"),
        ({"start": None}, "shifts[0].start"),
        ({"length_h": 0}, "shifts[0].length_h"),
        ({"count": -1}, "shifts[0].count"),
        ({"breaks": "none"}, "shifts[0].breaks"),
        ({"breaks": [{"start": "12:60", "length_min": 30}]}, "shifts[0].breaks[0].start"),
        ({"breaks": [{"start": "12:00", "length_min": 0}]}, "shifts[0].breaks[0].length_min"),
    ],
)
def test_a_bad_shift_row_names_its_field(change: dict, where: str):
    rows = _shifts()
    rows[0] = {**rows[0], **change}
    with pytest.raises(ScenarioError) as caught:
        plan_staffing(load(WEEK), rows, "plan.json")
    assert str(caught.value).startswith(f"plan.json: {where}: expected")
    assert "\n" not in str(caught.value)


def test_the_bundled_plan_reads_and_staffs_the_week():
    plan = read_plan(PLAN)
    net, breaks = plan_staffing(load(WEEK), plan["shifts"])
    assert set(net) == set(breaks) and all((b >= 0).all() for b in breaks.values())
    assert sum(float(a.sum()) for a in net.values()) > 0


def test_read_plan_and_read_drill_refuse_other_documents(tmp_path: Path):
    other = tmp_path / "other.json"
    other.write_text('{"shifts": 3}', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"other.json: shifts: expected the plan"):
        read_plan(other)
    with pytest.raises(ScenarioError, match=r"other.json: incident: expected the document"):
        read_drill(other)
    other.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"other.json: not a plan JSON: expected an object"):
        read_plan(other)


def test_wfm_drill_on_a_bad_plan_is_one_line(wfm: WfmRunner, tmp_path: Path):
    rows = _shifts()
    rows[3] = {**rows[3], "start": "7am"}
    bad = tmp_path / "bad_plan.json"
    bad.write_text(json.dumps({"shifts": rows}), encoding="utf-8")
    out = tmp_path / "drill.json"
    run = wfm(
        "drill", REPO / "scenarios/library/drills/network_fault.yaml",
        "--incident", "regional-network-fault", "--plan", bad, "--json", out,
    )  # fmt: skip
    assert run.code == 2 and len(run.err_lines) == 1
    assert run.err_lines[0].startswith(f"{bad}: shifts[3].start: expected a clock time")
    assert not out.exists()
