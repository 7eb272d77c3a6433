"""`wfm capacity` end to end on a small centre: the document's fields, classes within their cap,
fewer weeks at risk than without hiring, the weekly CSV and the fan chart, the same bytes for
the same seed whatever the worker count, and bad files refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from builders import queue_scenario
from conftest import WfmRunner, write_yaml


def _files(tmp_path: Path) -> Path:
    scenario = queue_scenario(60, 40, 240, 300, 12, days=1)
    del scenario["agent_groups"][0]["agents"]
    write_yaml(tmp_path / "week.yaml", scenario)
    capacity = {
        "name": "small-year",
        "scenario": "week.yaml",
        "start": "2027-01-04",
        "weeks": 12,
        "demand": {"growth_per_year": 2.0, "cv": 0.05, "source": "assumption: a fast-growing line"},
        "paid_hours_per_week": 40,
        "shrinkage": 0.3,
        "service_probability": 0.9,
        "groups": [{"name": "pool", "headcount": 32, "attrition_per_month": 0.03,
                    "training_weeks": 2, "ramp": [0.5], "max_class_size": 3, "hire_cost": 1000}],
    }  # fmt: skip
    return write_yaml(tmp_path / "capacity.yaml", capacity)


@pytest.mark.slow
def test_the_capacity_plan_of_a_small_centre(wfm: WfmRunner, tmp_path: Path):
    path = _files(tmp_path)
    outputs = [tmp_path / n for n in ("plan.json", "plan.csv", "plan.png", "again.json")]
    options = ["--replications", "60", "--seed", "3", "--max-rounds", "1", "--time-limit", "1",
               "--no-store"]  # fmt: skip
    run = wfm("capacity", path, "--json", outputs[0], "--csv", outputs[1], "--png", outputs[2],
              *options, "--workers", "1")  # fmt: skip
    assert run.code == 0, run.err
    document = json.loads(outputs[0].read_text(encoding="utf-8"))
    assert set(document) >= {"weeks", "hires", "cost", "requirement_curve", "no_hiring"}
    week = document["weeks"][5]["groups"]["pool"]
    assert set(week) == {"required_fte", "available_fte", "hires", "in_training", "p_short",
                         "at_risk"}  # fmt: skip
    assert set(week["required_fte"]) == {"mean", "ci95_low", "ci95_high", "p5", "p95"}
    assert document["hires"] and all(h["count"] <= 3 for h in document["hires"])
    curve = document["requirement_curve"]["pool"]
    assert 1.0 in [p["volume_factor"] for p in curve] and len(curve) >= 3
    hours = [p["agent_hours"] for p in curve]
    assert hours == sorted(hours)
    cost = document["cost"]
    assert cost["total"] == pytest.approx(cost["pay"] + cost["hiring"])
    risky = sum(w["groups"]["pool"]["at_risk"] for w in document["weeks"])
    bare = sum(w["groups"]["pool"]["at_risk"] for w in document["no_hiring"]["weeks"])
    assert risky < bare
    table = pd.read_csv(outputs[1])
    assert len(table) == 12 and set(table["group"]) == {"pool"}
    assert outputs[2].read_bytes()[:4] == b"\x89PNG"
    assert "weeks at risk with the plan" in run.out
    again = wfm("capacity", path, "--json", outputs[3], *options, "--workers", "2")
    assert again.code == 0 and outputs[3].read_bytes() == outputs[0].read_bytes()
    # The curve of a run taken again: no optimisation, the same plan.
    reused = tmp_path / "reused.json"
    run = wfm("capacity", path, "--json", reused, "--curve", outputs[0], *options)
    assert run.code == 0, run.err
    assert json.loads(reused.read_text(encoding="utf-8"))["hires"] == document["hires"]


def test_a_curve_file_that_is_not_a_capacity_run_is_refused(wfm: WfmRunner, tmp_path: Path):
    path = _files(tmp_path)
    other = tmp_path / "other.json"
    other.write_text('{"requirement_curve": {"sales": []}}', encoding="utf-8")
    run = wfm("capacity", path, "--json", tmp_path / "out.json", "--curve", other)
    assert run.code == 2
    assert run.err_lines == [f"{other}: requirement_curve: has no curve for 'pool'"]


def test_a_bad_capacity_file_is_one_line_and_exit_2(wfm: WfmRunner, tmp_path: Path):
    path = _files(tmp_path)
    text = path.read_text(encoding="utf-8").replace("2027-01-04", "2027-01-06")
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "plan.json"
    run = wfm("capacity", path, "--json", out)
    assert run.code == 2
    assert run.err_lines == [f"{path}: start: expected a Monday, got 2027-01-06 (a Wednesday)"]
    assert not out.exists()


@pytest.mark.slow
def test_the_executive_report_gains_a_capacity_page(wfm: WfmRunner, tmp_path: Path):
    from pypdf import PdfReader

    year = tmp_path / "year.json"
    run = wfm("capacity", _files(tmp_path), "--json", year, "--replications", "20",
              "--max-rounds", "1", "--time-limit", "1", "--no-store")  # fmt: skip
    assert run.code == 0, run.err
    library = Path(__file__).resolve().parents[1] / "scenarios" / "library"
    pdf = tmp_path / "report.pdf"
    run = wfm("report", library / "drills" / "telecom_week_plan.json", "--pdf", pdf,
              "--capacity", year, "--replications", "1")  # fmt: skip
    assert run.code == 0, run.err
    pages = PdfReader(pdf).pages
    assert len(pages) == 2
    text = pages[1].extract_text()
    assert "small-year: 12 weeks from 2027-01-04" in text and "without hiring" in text
    bad = wfm("report", library / "drills" / "telecom_week_plan.json", "--pdf", pdf,
              "--capacity", library / "drills" / "telecom_week_plan.json")  # fmt: skip
    assert bad.code == 2 and len(bad.err_lines) == 1 and "wfm capacity" in bad.err
