"""`wfm forecast`: the history reader's checks, aggregation, gaps and holidays; the forecast
recovering a known weekly pattern with bands that cover at their nominal rates; the bank's real
history; the same input giving the same output."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import WfmRunner

from scenarios.forecast.history import read_history
from scenarios.forecast.predict import forecast_series
from scenarios.safe_read import ScenarioError

DATA = Path(__file__).with_name("data")
BANK = DATA / "anonymous_bank_1999_aug_oct.csv"
BANK_HOLIDAYS = DATA / "bank_1999_holidays.csv"
MONDAY = date(2026, 1, 5)
# A week's true expected calls per 30-minute interval: weekday totals, open 08:00-20:00 with a
# late-morning peak, closed on Sunday.
DAY_TOTALS = np.array([1200, 1000, 950, 1000, 900, 400, 0])
OPEN = np.zeros(48)
OPEN[16:40] = np.sin(np.linspace(0.2, np.pi - 0.2, 24)) + 0.3
PROFILE = OPEN / OPEN.sum()


def _rates(days: int) -> np.ndarray:
    """The true rates of `days` days from Monday: days x 48 intervals."""
    return np.stack([DAY_TOTALS[k % 7] * PROFILE for k in range(days)])


def _history_csv(path: Path, counts: np.ndarray, step_min: int = 30) -> Path:
    per_day = counts.shape[1]
    start = datetime.combine(MONDAY, datetime.min.time())
    rows = {
        "interval_start": [
            (start + timedelta(minutes=step_min * k)).strftime("%Y-%m-%d %H:%M")
            for k in range(counts.size)
        ],
        "offered": counts.ravel().astype(int),
    }
    assert per_day * step_min == 1440
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_the_forecast_recovers_a_weekly_pattern_with_bands_at_their_nominal_rates(tmp_path):
    rng = np.random.default_rng(7)
    weeks = 12
    counts = rng.poisson(_rates(7 * weeks))
    history = read_history(_history_csv(tmp_path / "h.csv", counts))
    series = history.series["offered"]
    result = forecast_series(series, {}, 7)
    truth = _rates(7).ravel()
    assert result.starts[0] == datetime.combine(
        MONDAY + timedelta(weeks=weeks), datetime.min.time()
    )
    # The pattern: within 5 % of the truth interval by interval (the noise of one day's
    # Poisson counts is about 20 % here), and the week's total within 2 %.
    assert np.abs(result.point - truth).sum() / truth.sum() < 0.05
    assert result.point.sum() == pytest.approx(truth.sum(), rel=0.02)
    # The bands hold fresh weeks from the true rates at about their nominal rate.
    fresh = rng.poisson(truth, size=(200, truth.size))
    open_ = truth > 0
    for level, (low, high) in result.bands.items():
        held = ((fresh >= low) & (fresh <= high))[:, open_].mean()
        assert abs(held - level / 100) < 0.06, (level, held)
    chosen = next(s for s in result.backtest.scores if s.model == result.backtest.chosen)
    assert chosen.cover80 == pytest.approx(0.8, abs=0.07)


def test_aggregating_6_to_30_minutes_keeps_every_count():
    fine = read_history(BANK)
    coarse = read_history(BANK, interval_min=30)
    assert (fine.interval_min, coarse.interval_min) == (6, 30)
    raw = pd.read_csv(BANK)
    assert fine.series["offered"].offered.sum() == raw["offered"].sum()
    assert coarse.series["offered"].offered.sum() == raw["offered"].sum()
    assert coarse.series["offered"].offered.shape == (85, 48)
    np.testing.assert_array_equal(
        coarse.series["offered"].offered, fine.series["offered"].offered.reshape(85, 48, 5).sum(2)
    )


def test_a_gap_is_reported_filled_from_same_weekdays_and_not_scored(tmp_path):
    rates = _rates(28)
    counts = np.random.default_rng(3).poisson(rates)
    path = _history_csv(tmp_path / "h.csv", counts)
    table = pd.read_csv(path)
    day = 16  # a Wednesday
    table = table.drop(index=range(48 * day + 20, 48 * day + 30))  # ten intervals missing
    table.to_csv(path, index=False)
    history = read_history(path)
    series = history.series["offered"]
    assert history.gaps == {"offered": 10}
    assert not series.observed[day, 20:30].any() and series.observed[day, :20].all()
    # Filled with the mean of the same interval on the Wednesdays before (none after: a
    # backtest trains on days before its origin only): never zero calls.
    neighbours = counts[[2, 9], 20:30].mean(axis=0)
    np.testing.assert_allclose(series.offered[day, 20:30], neighbours)
    assert series.offered[day, 20:30].min() > 0


def test_a_partial_first_and_last_day_are_left_out_and_the_forecast_starts_after_the_history(
    tmp_path,
):
    counts = np.random.default_rng(4).poisson(_rates(22))
    path = _history_csv(tmp_path / "h.csv", counts)
    table = pd.read_csv(path).iloc[30:-10]  # starts Monday 15:00, ends the 22nd day at 18:30
    table.to_csv(path, index=False)
    history = read_history(path)
    series = history.series["offered"]
    assert series.first_day == MONDAY + timedelta(days=1) and series.days == 20
    result = forecast_series(series, {}, 2)
    assert result.starts[0] == history.last_start + timedelta(minutes=30)
    assert len(result.starts) == 96


def test_holidays_are_not_averaged_into_ordinary_days_and_are_forecast_by_their_factor(tmp_path):
    rates = _rates(35)
    holidays = {MONDAY + timedelta(days=d): "founders day" for d in (8, 29)}  # two Tuesdays
    for day in holidays:
        rates[(day - MONDAY).days] *= 0.25
    counts = np.random.default_rng(5).poisson(rates)
    path = _history_csv(tmp_path / "h.csv", counts)
    history = read_history(path)
    ahead = {MONDAY + timedelta(days=36): "founders day"}  # the Tuesday after the history
    result = forecast_series(history.series["offered"], holidays | ahead, 7)
    tuesday = result.point[48:96].sum()
    wednesday = result.point[96:144].sum()
    assert tuesday == pytest.approx(0.25 * DAY_TOTALS[1], rel=0.15)
    assert wednesday == pytest.approx(DAY_TOTALS[2], rel=0.06)  # no holiday dragged into it
    ((day, name, factor),) = result.holidays_ahead
    assert (day, name) == (MONDAY + timedelta(days=36), "founders day")
    assert factor == pytest.approx(0.25, abs=0.05)


BAD = {
    "no offered column": ("interval_start,calls\n2026-01-05 00:00,3\n",
                          "has no offered column (columns: interval_start, calls)"),
    "bad time": ("interval_start,offered\n2026-01-05 0:00x,3\n",
                 "line 2: interval_start: expected YYYY-MM-DD HH:MM, got '2026-01-05 0:00x'"),
    "empty count": ("interval_start,offered\n2026-01-05 00:00,\n", "line 2: offered: is empty"),
    "negative": ("interval_start,offered\n2026-01-05 00:00,-1\n",
                 "line 2: offered: expected a count or time of at least 0, got -1"),
    "text": ("interval_start,offered\n2026-01-05 00:00,many\n",
             "line 2: offered: expected a number, got 'many'"),
    "duplicate": ("interval_start,offered\n2026-01-05 00:00,1\n2026-01-05 00:30,1\n"
                  "2026-01-05 00:00,2\n",
                  "line 4: interval_start: 2026-01-05 00:00 of offered is given twice "
                  "(first at line 2)"),
    "more served than offered": (
        "interval_start,offered,answered,abandoned\n2026-01-05 00:00,3,2,2\n",
        "line 2: answered + abandoned: 4 is more than offered 3"),
    "off grid": ("interval_start,offered\n2026-01-05 00:00,1\n2026-01-05 00:30,1\n"
                 "2026-01-05 01:00,1\n2026-01-05 01:07,1\n",
                 "line 5: interval_start: 2026-01-05 01:07 is off the history's 30-min grid"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_history_is_one_line_and_exit_2(wfm: WfmRunner, tmp_path: Path, case: str):
    text, expected = BAD[case]
    history = tmp_path / "history.csv"
    history.write_text(text, encoding="utf-8")
    out = tmp_path / "forecast.csv"
    run = wfm("forecast", history, "--horizon-days", "7", "--csv", out)
    assert run.code == 2 and run.err_lines == [f"{history}: {expected}"], run.err
    assert not out.exists()


def test_too_short_a_history_an_unknown_contact_type_and_a_bad_grid_are_refused(
    wfm: WfmRunner, tmp_path: Path
):
    short = _history_csv(tmp_path / "short.csv", np.ones((13, 48)))
    out = tmp_path / "f.csv"
    run = wfm("forecast", short, "--horizon-days", "7", "--csv", out)
    assert run.err_lines == [f"{short}: offered: has 13 whole days of history, at least 14 are "
                             "needed for a weekly pattern"]  # fmt: skip
    run = wfm("forecast", BANK, "--horizon-days", "7", "--contact-type", "loans", "--csv", out)
    assert run.err_lines == [f"{BANK}: contact_type: has no 'loans' (it has: offered)"]
    run = wfm("forecast", BANK, "--horizon-days", "7", "--interval-min", "14", "--csv", out)
    assert run.err_lines == [f"{BANK}: interval_min: expected a length that divides a day and "
                             "is a multiple of the history's 6 min, got 14"]  # fmt: skip
    holidays = tmp_path / "holidays.csv"
    holidays.write_text("date,name\n1999-13-01,new year\n", encoding="utf-8")
    run = wfm("forecast", BANK, "--horizon-days", "7", "--holidays", holidays, "--csv", out)
    assert run.err_lines == [f"{holidays}: line 2: date: expected YYYY-MM-DD, got '1999-13-01'"]
    assert not out.exists()


def test_a_history_that_is_not_a_file_or_not_text_is_one_line(wfm: WfmRunner, tmp_path: Path):
    binary = tmp_path / "h.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    out = tmp_path / "f.csv"
    for path in (binary, tmp_path / "missing.csv"):
        run = wfm("forecast", path, "--horizon-days", "7", "--csv", out)
        assert run.code == 2 and len(run.err_lines) == 1 and run.err.startswith(str(path))


@pytest.mark.slow
def test_the_bank_history_forecast_end_to_end(wfm: WfmRunner, tmp_path: Path):
    """The real bank history (12 weeks at 6 minutes) forecast at 30 minutes with its holidays:
    the table, the JSON's backtest, a figure; a second run gives the same bytes."""
    out = [tmp_path / name for name in ("f.csv", "f.json", "f.png", "g.csv")]
    args = ["forecast", BANK, "--horizon-days", "7", "--interval-min", "30",
            "--holidays", BANK_HOLIDAYS]  # fmt: skip
    run = wfm(*args, "--csv", out[0], "--json", out[1], "--png", out[2])
    assert run.code == 0, run.err
    table = pd.read_csv(out[0])
    assert list(table.columns) == ["interval_start", "contact_type", "forecast", "lo80", "hi80",
                                   "lo95", "hi95"]  # fmt: skip
    assert len(table) == 7 * 48 and table["interval_start"].iloc[0] == "1999-11-01 00:00"
    assert (table[["forecast", "lo80", "lo95"]] >= 0).all().all()
    assert (table["lo95"] <= table["lo80"]).all() and (table["lo80"] <= table["forecast"]).all()
    assert (table["forecast"] <= table["hi80"]).all() and (table["hi80"] <= table["hi95"]).all()
    # A week of the bank: between 6,000 and 9,000 calls (its October weeks: 7,000-8,000).
    assert 6000 < table["forecast"].sum() < 9000
    document = json.loads(out[1].read_text(encoding="utf-8"))
    about = document["contact_types"]["offered"]
    assert document["backtest"]["origins"] == 8 and len(about["origins"]) == 8
    models = {row["model"] for row in about["backtest"]}
    assert models == {"last_week", "four_week_mean", "daily_ets", "daily_mstl", "interval_mstl"}
    assert about["model"] in models
    chosen = next(r for r in about["backtest"] if r["model"] == about["model"])
    assert chosen["wape_interval"] == min(r["wape_interval"] for r in about["backtest"])
    assert 0.7 < chosen["cover80"] < 0.9 and 0.88 < chosen["cover95"] < 0.99
    assert out[2].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<- chosen" in run.out
    again = wfm(*args, "--csv", out[3])
    assert again.code == 0 and out[3].read_bytes() == out[0].read_bytes()


def test_horizon_and_outputs_are_checked_before_anything_runs(wfm: WfmRunner, tmp_path: Path):
    run = wfm("forecast", BANK, "--horizon-days", "400", "--csv", tmp_path / "f.csv")
    assert run.code == 2 and "--horizon-days" in run.err
    run = wfm("forecast", BANK, "--horizon-days", "7", "--csv", BANK)
    assert run.code == 2 and len(run.err_lines) == 1


def test_a_history_error_is_a_scenario_error_naming_the_file(tmp_path: Path):
    path = tmp_path / "h.csv"
    path.write_text("interval_start,offered\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"h\.csv: has no rows"):
        read_history(path)


def test_a_forecast_is_kept_in_the_run_store(wfm: WfmRunner, tmp_path: Path):
    history = _history_csv(tmp_path / "h.csv", np.random.default_rng(8).poisson(_rates(21)))
    store = tmp_path / "runs.duckdb"
    run = wfm("forecast", history, "--horizon-days", "2", "--csv", tmp_path / "f.csv",
              "--store", store)  # fmt: skip
    assert run.code == 0, run.err
    listed = wfm("runs", "list", "--store", store)
    assert listed.code == 0 and "forecast" in listed.out and "h.csv" in listed.out
    run_id = listed.out.splitlines()[-1].split()[0]
    shown = wfm("runs", "show", run_id, "--store", store)
    assert "offered.wape_interval" in shown.out and "offered.forecast" in shown.out


def test_an_export_without_its_closed_hours_has_whole_days_and_keeps_every_call(tmp_path):
    """ACD exports often leave closed intervals out: days of 07:30-19:45 at 15 minutes are
    whole days, and summed to hours the 07:00 hour keeps its 07:30 and 07:45 calls."""
    counts = np.random.default_rng(9).poisson(5.0, size=(21, 96)).astype(int)
    counts[:, :30] = 0
    counts[:, 80:] = 0
    path = _history_csv(tmp_path / "h.csv", counts, step_min=15)
    table = pd.read_csv(path)
    clock = table["interval_start"].str[11:]
    table[(clock >= "07:30") & (clock <= "19:45")].to_csv(path, index=False)
    history = read_history(path, interval_min=60)
    series = history.series["offered"]
    assert series.days == 21 and history.gaps == {"offered": 0}
    assert series.offered.sum() == counts.sum()
    assert series.offered[:, 7].sum() == counts[:, 30:32].sum()
    assert history.closed_intervals == {"offered": 24 - 13}
    result = forecast_series(series, {}, 7)
    assert result.starts[0] == datetime.combine(MONDAY + timedelta(days=21), datetime.min.time())


def test_contact_types_ending_on_different_days_are_each_forecast_from_their_own_end(tmp_path):
    rates = _rates(28)
    frames = []
    for name, days in (("billing", 28), ("sales", 21)):
        path = _history_csv(
            tmp_path / f"{name}.csv", np.random.default_rng(1).poisson(rates[:days])
        )
        frames.append(pd.read_csv(path).assign(contact_type=name))
    path = tmp_path / "h.csv"
    pd.concat(frames).to_csv(path, index=False)
    history = read_history(path)
    starts = {n: forecast_series(s, {}, 1).starts[0] for n, s in history.series.items()}
    assert starts["billing"] - starts["sales"] == timedelta(days=7)


def test_a_blank_mean_where_contacts_were_counted_is_refused(wfm: WfmRunner, tmp_path: Path):
    history = tmp_path / "h.csv"
    rows = "2026-01-05 00:00,3,3,200\n2026-01-05 00:30,4,4,\n"
    history.write_text("interval_start,offered,answered,handle_time_s\n" + rows, encoding="utf-8")
    run = wfm("forecast", history, "--horizon-days", "7", "--csv", tmp_path / "f.csv")
    assert run.err_lines == [f"{history}: line 3: handle_time_s: is empty where answered is 4"]
