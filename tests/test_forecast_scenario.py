"""From a history to a scenario: the patience and handle-time estimators recover what a
simulated history was made with (`wfm simulate`'s interval table turned into an ACD history),
and the scenario `wfm forecast --scenario ... --write-scenario` writes validates, optimises and
simulates, each calibrated figure naming its source."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from builders import queue_scenario, shift_template
from conftest import WfmRunner, write_yaml

from scenarios.forecast.calibrate import handle_time_s, overdispersion_cv, patience_s
from scenarios.forecast.history import read_history

DATA = Path(__file__).with_name("data")
BANK = DATA / "anonymous_bank_1999_aug_oct.csv"
BANK_HOLIDAYS = DATA / "bank_1999_holidays.csv"
PATIENCE_S, AHT_S = 120.0, 180.0


def _simulated_history(wfm: WfmRunner, tmp_path: Path) -> Path:
    """Four weeks of a queue with exponential patience, simulated once, as an ACD history."""
    scenario = queue_scenario(30, 100, AHT_S, PATIENCE_S, 10, days=28)
    scenario["horizon"]["start"] = "2026-03-02"
    path = write_yaml(tmp_path / "queue.yaml", scenario)
    run = wfm("simulate", path, "--replications", "1", "--seed", "5", "--csv", tmp_path / "out",
              "--no-store", "--workers", "1")  # fmt: skip
    assert run.code == 0, run.err
    table = pd.read_csv(tmp_path / "out" / "intervals.csv")
    starts = (
        pd.Timestamp("2026-03-02")
        + pd.to_timedelta(table["day"], unit="D")
        + pd.to_timedelta(table["start"] + ":00")
    )
    history = pd.DataFrame({
        "interval_start": starts.dt.strftime("%Y-%m-%d %H:%M"),
        "offered": table["offered"].astype(int),
        "answered": table["answered"].astype(int),
        "abandoned": table["abandoned"].astype(int),
        "handle_time_s": table["aht_s"].fillna(0),
        "asa_s": table["asa_s"].fillna(0),
        "abandon_time_s": table["abandon_time_s"].fillna(0),
    })  # fmt: skip
    out = tmp_path / "history.csv"
    history.to_csv(out, index=False)
    return out


@pytest.mark.slow
def test_patience_and_handle_time_are_recovered_from_a_simulated_history(
    wfm: WfmRunner, tmp_path: Path
):
    series = read_history(_simulated_history(wfm, tmp_path)).series["offered"]
    patience, handle = patience_s(series), handle_time_s(series)
    assert patience is not None and handle is not None
    # Exponential: the estimate's standard error is the mean over the root of the count.
    assert abs(patience.value - PATIENCE_S) < 4 * PATIENCE_S / np.sqrt(patience.contacts)
    assert abs(handle.value - AHT_S) < 4 * AHT_S / np.sqrt(handle.contacts)
    assert patience.contacts > 1000  # the test has the power to see a bias of a few per cent
    # The last four weeks of the history only.
    assert (patience.last_day - patience.first_day).days == 27


def test_overdispersion_is_zero_for_poisson_errors_and_recovers_a_gamma_day_factor():
    rng = np.random.default_rng(11)
    forecast = np.full(4000, 1000.0)
    assert overdispersion_cv(forecast, rng.poisson(forecast).astype(float)) < 0.01
    factor = rng.gamma(1 / 0.1**2, 0.1**2, size=forecast.size)
    actual = rng.poisson(forecast * factor).astype(float)
    assert overdispersion_cv(forecast, actual) == pytest.approx(0.1, abs=0.01)


def _bank_base(tmp_path: Path) -> Path:
    scenario = queue_scenario(30, 20, 200, 300, 5)
    del scenario["agent_groups"][0]["agents"]  # staffing left to the optimiser
    scenario["targets"][0]["source"] = "assumption: 80 % in 20 s"
    scenario["shift_templates"] = [shift_template("any", 8, ("00:00", "23:00"))]  # nights too
    return write_yaml(tmp_path / "base.yaml", scenario)


@pytest.mark.slow
def test_the_forecast_scenario_validates_optimises_and_simulates(wfm: WfmRunner, tmp_path: Path):
    base, written = _bank_base(tmp_path), tmp_path / "forecast.yaml"
    run = wfm("forecast", BANK, "--horizon-days", "7", "--interval-min", "30",
              "--holidays", BANK_HOLIDAYS, "--csv", tmp_path / "f.csv",
              "--scenario", base, "--write-scenario", written)  # fmt: skip
    assert run.code == 0, run.err
    scenario = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert scenario["horizon"] == {"days": 7, "interval_min": 30, "start": "1999-11-01"}
    (general,) = scenario["contact_types"]
    volume = general["volume"]
    forecast = pd.read_csv(tmp_path / "f.csv")
    assert np.sum(volume["per_interval"]) == pytest.approx(forecast["forecast"].sum(), abs=1)
    assert volume["source"].startswith(f"history {BANK}, 1999-08-08 to 1999-10-31, forecast by ")
    assert 0 < volume["overdispersion"]["cv"] < 0.5
    assert "beyond Poisson" in volume["overdispersion"]["source"]
    # The bank's history has no handle times or abandonments: the base's figures stay.
    assert general["handle_time"] == {"distribution": "exponential", "mean_s": 200}
    assert wfm("validate", written).code == 0
    plan = tmp_path / "plan.json"
    run = wfm("optimise", written, "--replications", "2", "--max-replications", "4",
              "--max-rounds", "1", "--time-limit", "2", "--seed", "1", "--workers", "1",
              "--json", plan, "--no-store")  # fmt: skip
    assert run.code == 0, run.err
    assert json.loads(plan.read_text(encoding="utf-8"))["shifts"]
    run = wfm("simulate", written, "--plan", plan, "--replications", "2", "--seed", "2",
              "--workers", "1", "--no-store")  # fmt: skip
    assert run.code == 0, run.err


@pytest.mark.slow
def test_a_history_with_abandonments_calibrates_patience_and_handle_time(
    wfm: WfmRunner, tmp_path: Path
):
    history = _simulated_history(wfm, tmp_path)
    base = queue_scenario(30, 20, 300, 600, 5)
    written = tmp_path / "forecast.yaml"
    run = wfm("forecast", history, "--horizon-days", "7", "--csv", tmp_path / "f.csv",
              "--scenario", write_yaml(tmp_path / "base.yaml", base),
              "--write-scenario", written)  # fmt: skip
    assert run.code == 0, run.err
    (offered,) = yaml.safe_load(written.read_text(encoding="utf-8"))["contact_types"]
    assert offered["patience"]["distribution"] == "exponential"
    assert offered["patience"]["mean_s"] == pytest.approx(PATIENCE_S, rel=0.1)
    assert "exponential maximum likelihood" in offered["patience"]["source"]
    assert offered["handle_time"]["mean_s"] == pytest.approx(AHT_S, rel=0.05)
    assert offered["handle_time"]["source"].startswith(f"history {history}, 2026-03-02")


def test_scenario_options_are_checked_before_the_forecast(wfm: WfmRunner, tmp_path: Path):
    out = tmp_path / "f.csv"
    run = wfm("forecast", BANK, "--horizon-days", "7", "--csv", out, "--scenario",
              _bank_base(tmp_path))  # fmt: skip
    assert run.code == 2 and len(run.err_lines) == 1 and "--write-scenario" in run.err
    other = queue_scenario(30, 20, 200, 300, 5)
    other["contact_types"].append(dict(other["contact_types"][0], name="loans"))
    base = write_yaml(tmp_path / "two.yaml", other)
    run = wfm("forecast", BANK, "--horizon-days", "7", "--csv", out, "--scenario", base,
              "--write-scenario", tmp_path / "s.yaml")  # fmt: skip
    assert run.code == 2
    assert run.err_lines == [f"{base}: contact_types: has no 'offered', which the history "
                             "forecasts (it has: general, loans)"]  # fmt: skip
    assert not out.exists()


def test_a_history_poisson_explains_gets_no_day_factor_and_a_mid_day_end_keeps_its_days(
    wfm: WfmRunner, tmp_path: Path
):
    """Counts that repeat exactly leave no error beyond Poisson (cv 0, which the schema would
    refuse): the scenario has no overdispersion. The history ends at noon: the forecast starts
    there, and the scenario still has the two whole days asked for, from the next midnight.
    The base's per-interval staffing (on its own grid) is dropped."""
    starts = pd.date_range("2026-03-02", periods=21 * 48 - 24, freq="30min")
    counts = np.where((starts.hour >= 8) & (starts.hour < 20), 10, 0)
    history = tmp_path / "h.csv"
    pd.DataFrame({"interval_start": starts.strftime("%Y-%m-%d %H:%M"), "offered": counts}).to_csv(
        history, index=False
    )
    base = queue_scenario(60, 20, 200, 300, 5)
    base["agent_groups"][0]["agents"] = [5] * 24
    written, table = tmp_path / "s.yaml", tmp_path / "f.csv"
    run = wfm("forecast", history, "--horizon-days", "2", "--csv", table,
              "--scenario", write_yaml(tmp_path / "base.yaml", base),
              "--write-scenario", written)  # fmt: skip
    assert run.code == 0, run.err
    assert pd.read_csv(table)["interval_start"].iloc[0] == "2026-03-22 12:00"
    scenario = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert scenario["horizon"] == {"days": 2, "interval_min": 30, "start": "2026-03-23"}
    (general,) = scenario["contact_types"]
    assert "overdispersion" not in general["volume"]
    assert np.sum(general["volume"]["per_interval"]) == pytest.approx(2 * 24 * 10)
    assert "agents" not in scenario["agent_groups"][0]
    assert wfm("validate", written).code == 0
