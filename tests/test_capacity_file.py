"""A capacity file is read like a scenario: every field checked, one line naming the file and
the field, the files it names checked too, and each week's volume factor computed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_yaml

from scenarios.capacity_file import load_capacity
from scenarios.demand import scenario_volume
from scenarios.safe_read import ScenarioError

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "library"


def _capacity(**changes) -> dict:
    data = {
        "name": "hotline-2027",
        "scenario": str(LIBRARY / "telecom_hotline_week.yaml"),
        "plan": str(LIBRARY / "drills" / "telecom_week_plan.json"),
        "start": "2027-01-04",
        "weeks": 10,
        "demand": {"growth_per_year": 0.06, "cv": 0.05, "source": "assumption"},
        "groups": [{"name": "billing_team", "headcount": 120, "attrition_per_month": 0.03,
                    "training_weeks": 3, "ramp": [0.5, 0.75], "max_class_size": 20,
                    "hire_cost": 3000}],
    }  # fmt: skip
    return data | changes


def test_a_capacity_file_is_read_with_its_scenario_plan_and_volume_factors(tmp_path: Path):
    inputs = load_capacity(write_yaml(tmp_path / "c.yaml", _capacity()))
    assert inputs.scenario_file == LIBRARY / "telecom_hotline_week.yaml"
    assert inputs.week_plan is not None and inputs.week_plan["shifts"]
    np.testing.assert_allclose(inputs.volume_factors, 1.06 ** (np.arange(10) / 52))
    factors = [1.0 + 0.1 * k for k in range(10)]
    seasonal = _capacity(demand={"growth_per_year": 0.0, "weekly_factors": factors})
    inputs = load_capacity(write_yaml(tmp_path / "s.yaml", seasonal))
    np.testing.assert_allclose(inputs.volume_factors, factors)


BAD = {
    "not a monday": ({"start": "2027-01-05"},
                     "start: expected a Monday, got 2027-01-05 (a Tuesday)"),
    "weeks": ({"weeks": 0}, "weeks: must be >= 1, got 0"),
    "factors": ({"demand": {"weekly_factors": [1.0, 1.1]}},
                "demand.weekly_factors: expected 10 (one a week), got 2"),
    "attrition": ({"groups": [{"name": "billing_team", "headcount": 5,
                               "attrition_per_month": 1.5}]},
                  "groups[0].attrition_per_month: must be < 1, got 1.5"),
    "unknown group": ({"groups": [{"name": "sales", "headcount": 5}]},
                      "groups[0].name: 'sales' is not an agent group of"),
    "twice": ({"groups": [{"name": "billing_team", "headcount": 5},
                          {"name": "billing_team", "headcount": 6}]},
              "groups[1].name: 'billing_team' is given twice"),
    "unknown key": ({"shrinkage_rate": 0.3}, "shrinkage_rate: unknown key"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_capacity_file_is_one_line_naming_the_field(tmp_path: Path, case: str):
    change, expected = BAD[case]
    path = write_yaml(tmp_path / "c.yaml", _capacity(**change))
    with pytest.raises(ScenarioError) as caught:
        load_capacity(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {expected}"), message
    assert "\n" not in message


def test_a_forecast_gives_each_week_its_total_over_the_scenario_week(tmp_path: Path):
    inputs = load_capacity(write_yaml(tmp_path / "c.yaml", _capacity()))
    scenario = inputs.scenario
    week_volume = sum(float(scenario_volume(scenario, ct).sum()) for ct in scenario.contact_types)
    starts = pd.date_range("2027-01-04", periods=10 * 7 * 48, freq="30min")
    per_interval = np.repeat(np.linspace(1.0, 1.2, 10), 7 * 48) * week_volume / (7 * 48)
    pd.DataFrame({"interval_start": starts.strftime("%Y-%m-%d %H:%M"), "contact_type": "all",
                  "forecast": per_interval}).to_csv(tmp_path / "f.csv", index=False)  # fmt: skip
    data = _capacity(demand={"growth_per_year": 0.0, "forecast": "f.csv"})
    inputs = load_capacity(write_yaml(tmp_path / "c.yaml", data))
    np.testing.assert_allclose(inputs.volume_factors, np.linspace(1.0, 1.2, 10))
    short = _capacity(demand={"forecast": "f.csv"}, weeks=12)
    with pytest.raises(ScenarioError, match="has no forecast for the week of 2027-03-15"):
        load_capacity(write_yaml(tmp_path / "c.yaml", short))


def test_the_bundled_telecom_year_is_valid_and_every_figure_names_its_source():
    path = LIBRARY / "capacity" / "telecom_year.yaml"
    inputs = load_capacity(path)
    capacity = inputs.capacity
    assert capacity.weeks == 52 and len(capacity.groups) == len(inputs.scenario.agent_groups)
    assert capacity.source and capacity.demand.source
    assert all(group.source for group in capacity.groups)
    assert inputs.volume_factors.min() > 0.7 and inputs.volume_factors.max() < 1.2
