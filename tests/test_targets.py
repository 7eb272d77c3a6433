"""Targets judged at their scope: the whole horizon, every day, or every interval."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import load_contract

from scenarios.load import from_dict
from sim.metrics import _peak_level
from sim.replicate import simulate


def _understaffed_second_day(scope: str) -> dict:
    data = load_contract("single_queue.yaml")
    data["horizon"]["days"] = 2
    data["agent_groups"][0]["agents"] = [[36] * 48, [36] * 24 + [31] * 24]
    data["targets"][0]["scope"] = scope
    return data


@pytest.mark.parametrize("scope", ["horizon", "day", "interval"])
def test_target_is_judged_at_its_scope(scope):
    kpi = simulate(from_dict(_understaffed_second_day(scope)), seed=1, replications=4).to_json()
    target = kpi["targets"][0]
    horizon_level = kpi["contact_types"]["general"]["service_level"]["mean"]
    days = [
        [r for r in kpi["intervals"] if r["day"] == d and r["service_level"] is not None]
        for d in (0, 1)
    ]
    if scope == "horizon":
        assert target["achieved"]["mean"] == pytest.approx(horizon_level)
        assert target["met"] and "periods" not in target
    elif scope == "day":
        # Day 1's afternoon is short of agents: the worst day is day 1, below the horizon.
        assert target["worst"] == {"day": 1}
        assert target["periods"] == 2
        assert target["achieved"]["mean"] < horizon_level
    else:
        worst = min((r for day in days for r in day), key=lambda r: r["service_level"])
        assert target["worst"]["day"] == 1 and target["worst"]["interval"] >= 24
        assert target["achieved"]["mean"] == pytest.approx(worst["service_level"])
        assert target["periods"] == 96
        assert target["periods_met"] == sum(r["service_level"] >= 0.8 for day in days for r in day)
        assert not target["met"]


def test_peak_queue_counts_no_one_who_left_at_the_interval_start():
    # Two callers wait through the first hour and are answered at exactly 3600 s.
    peak = _peak_level(np.array([10.0, 20.0]), np.array([3600.0, 3600.0]), 3600.0, 2)
    assert peak.tolist() == [2.0, 0.0]
    # One arrives as another leaves, both at the boundary: one is waiting from then on.
    peak = _peak_level(np.array([10.0, 3600.0]), np.array([3600.0, 5000.0]), 3600.0, 2)
    assert peak.tolist() == [1.0, 1.0]


def test_a_contact_type_with_nobody_waiting_has_a_peak_queue_of_zero():
    data = load_contract("multi_skill.yaml")
    data["horizon"]["days"] = 1
    data["contact_types"][2]["volume"]["per_interval"] = 0
    kpi = simulate(from_dict(data), seed=1, replications=2, workers=1).to_json()
    assert kpi["contact_types"]["web_chat"]["offered"]["mean"] == 0
    assert kpi["contact_types"]["web_chat"]["peak_queue"]["mean"] == 0
    assert kpi["contact_types"]["web_chat"]["service_level"]["mean"] is None


def test_negative_staffing_is_refused():
    scenario = from_dict(load_contract("single_queue.yaml"))
    staffing = {"pool": np.full((7, 48), -1)}
    with pytest.raises(ValueError, match="whole numbers >= 0"):
        simulate(scenario, staffing=staffing, replications=1)
