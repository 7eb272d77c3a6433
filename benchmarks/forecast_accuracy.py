"""Forecast accuracy on the real bank history (`../shared/data/anonymous_bank_1999_jan_oct.csv`),
and the time a forecast of it takes.

Part 1: rolling origins over the last eight weeks of January-October 1999, each forecasting the
next seven days at 30 minutes from everything before it (with the holidays of
`tests/data/bank_1999_holidays.csv`). For each candidate model, its forecasts at those origins;
for **wfm**, the whole procedure at each origin -- its own backtest on the days before the
origin chooses the model and calibrates the bands -- then its forecast of the next week. Scored
on the actual counts: WAPE per interval and per day, bias, how often the 80 % and 95 % bands
held the actual (intervals forecast at one contact or more; for the candidates, each origin's
bands calibrated on the other origins), and the Poisson floor: the WAPE a forecast equal to the
true rate would have from the counts' own noise (E|N - F| for N Poisson with mean F, over the
actual total).

Part 3: `run_forecast` on the whole history (about 73,000 six-minute rows), model selection
included, on its own 6-minute grid and aggregated to 30 minutes.

Usage::

    python benchmarks/forecast_accuracy.py [--markdown]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy import stats

from scenarios.forecast.backtest import (
    LEAD_DAYS,
    STRATA,
    Calibration,
    forecast_days,
    holiday_names,
    run_backtest,
)
from scenarios.forecast.history import read_history, read_holidays
from scenarios.forecast.predict import candidates_for
from services.forecast import run_forecast

REPO = Path(__file__).resolve().parents[1]
HISTORY = REPO.parent / "shared" / "data" / "anonymous_bank_1999_jan_oct.csv"
HOLIDAYS = REPO / "tests" / "data" / "bank_1999_holidays.csv"
WEEKS = 8


def _poisson_abs_dev(mean: np.ndarray) -> np.ndarray:
    """E|N - m| for N Poisson with mean m: 2 m P(N = floor(m)) (the mean absolute deviation)."""
    return 2 * mean * stats.poisson.pmf(np.floor(mean), mean)


def accuracy(use_holidays: bool = True) -> list[dict]:
    history = read_history(HISTORY, 30)
    series = history.series["offered"]
    holidays = read_holidays(HOLIDAYS) if use_holidays else {}
    names = holiday_names(series.first_day, series.days, holidays)
    candidates = candidates_for(30)
    origins = [series.days - LEAD_DAYS - 7 * k for k in range(WEEKS - 1, -1, -1)]
    runs: dict[str, list[np.ndarray]] = {name: [] for name in [*candidates, "wfm"]}
    bands: list[dict] = []
    chosen: list[str] = []
    for start in origins:
        before, ahead = series.offered[:start], names[start : start + LEAD_DAYS]
        for name, forecaster in candidates.items():
            runs[name].append(forecast_days(forecaster, before, names[:start], ahead))
        inner = run_backtest(before, series.observed[:start], names[:start], candidates)
        chosen.append(inner.chosen)
        runs["wfm"].append(runs[inner.chosen][-1])
        bands.append(inner.calibration.bands(runs["wfm"][-1]))
    actuals = [series.offered[s : s + LEAD_DAYS] for s in origins]
    rows = []
    for name, forecasts in runs.items():
        rows.append(_row(name, forecasts, actuals, bands if name == "wfm" else None))
    rows[-1]["model"] = f"wfm (chose: {', '.join(sorted(set(chosen)))})"
    return rows


def _row(name, forecasts, actuals, bands) -> dict:
    point = np.concatenate([f.ravel() for f in forecasts])
    actual = np.concatenate([a.ravel() for a in actuals])
    days_f = np.concatenate([f.sum(axis=1) for f in forecasts])
    days_a = np.concatenate([a.sum(axis=1) for a in actuals])
    total = actual.sum()
    row = {
        "model": name,
        "wape_interval": np.abs(point - actual).sum() / total,
        "wape_day": np.abs(days_f - days_a).sum() / total,
        "bias": (point - actual).sum() / total,
        "poisson_floor": _poisson_abs_dev(point).sum() / total,
    }
    if bands is None:  # each origin calibrated on the others
        bands = []
        for k in range(len(forecasts)):
            others = [j for j in range(len(forecasts)) if j != k]
            calibration = Calibration.fit(
                np.concatenate([forecasts[j].ravel() for j in others]),
                np.concatenate([actuals[j].ravel() for j in others]),
            )
            bands.append(calibration.bands(forecasts[k]))
    busy = point >= STRATA[0]
    for level in (80, 95):
        low = np.concatenate([b[level][0].ravel() for b in bands])
        high = np.concatenate([b[level][1].ravel() for b in bands])
        row[f"cover{level}"] = ((actual >= low) & (actual <= high))[busy].mean()
    return row


def timings() -> list[dict]:
    rows = []
    for grid in (None, 30):
        start = time.perf_counter()
        run = run_forecast(HISTORY, 7, interval_min=grid, holidays_file=HOLIDAYS)
        seconds = time.perf_counter() - start
        about = run.document["contact_types"]["offered"]
        rows.append({"grid": f"{run.document['interval_min']} min", "seconds": seconds,
                     "models": len(about["backtest"]), "chosen": about["model"]})  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true")
    parser.parse_args()
    if not HISTORY.exists():
        raise SystemExit(f"{HISTORY} is missing: this benchmark needs ../shared/data")
    started = time.perf_counter()
    for label, use in (("with the holidays file", True), ("without it", False)):
        print(f"\nPart 1, {label}: {WEEKS} weekly origins, 7 days ahead at 30 min")
        print("| model | WAPE interval | WAPE day | bias | 80 % held | 95 % held | Poisson floor |")
        print("|---|---|---|---|---|---|---|")
        for row in accuracy(use):
            print(f"| {row['model']} | {row['wape_interval']:.1%} | {row['wape_day']:.1%} | "
                  f"{row['bias']:+.1%} | {row['cover80']:.1%} | {row['cover95']:.1%} | "
                  f"{row['poisson_floor']:.1%} |")  # fmt: skip
    print("\nPart 3: run_forecast on the whole history (7 days ahead, model selection included)")
    print("| grid | seconds | models tried | chosen |")
    print("|---|---|---|---|")
    for row in timings():
        print(f"| {row['grid']} | {row['seconds']:.1f} | {row['models']} | {row['chosen']} |")
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
