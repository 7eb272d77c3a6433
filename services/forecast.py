"""The forecast job: a centre's interval history read and checked, each contact type's model
chosen by its backtest, the next days forecast with calibrated bands, the JSON document and the
forecast table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from scenarios.forecast.backtest import LEAD_DAYS, LEVELS, STRATA
from scenarios.forecast.history import History, read_history, read_holidays
from scenarios.forecast.predict import SeriesForecast, forecast_series
from scenarios.safe_read import ScenarioError

MAX_FORECAST_DAYS = 366
RECENT_WEEKS = 3  # history shown before the forecast in the figure
CLOCK = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class ForecastRun:
    """A finished forecast: its document (``wfm forecast --json``), the forecast table (the
    CSV's rows), the history's last weeks beside it (for the figure) and the checked history."""

    document: dict[str, Any]
    table: pd.DataFrame
    recent: pd.DataFrame
    history: History


def run_forecast(
    history_file: Path,
    horizon_days: int,
    *,
    interval_min: int | None = None,
    contact_types: list[str] | None = None,
    holidays_file: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ForecastRun:
    """Forecast `horizon_days` days of the history in `history_file` (on its grid, or
    aggregated to `interval_min`), for `contact_types` (default: every one it has), with the
    holidays of `holidays_file` (CSV of date[,name]) taken apart from ordinary days. The
    inputs are checked first: a bad one raises `ScenarioError` (one line). `progress` hears
    which contact type is being backtested."""
    if not 1 <= horizon_days <= MAX_FORECAST_DAYS:
        raise ScenarioError(
            "", "--horizon-days", f"expected 1 to {MAX_FORECAST_DAYS} days, got {horizon_days}"
        )
    holidays = {} if holidays_file is None else read_holidays(holidays_file)
    history = read_history(history_file, interval_min, contact_types)
    forecasts = []
    for name, series in history.series.items():
        if progress is not None:
            progress(f"backtesting the models of {name}")
        forecasts.append(forecast_series(series, holidays, horizon_days, history.last_start))
    table = pd.concat([_rows(f) for f in forecasts], ignore_index=True)
    document = {
        "history": str(history_file),
        "holidays": None if holidays_file is None else str(holidays_file),
        "interval_min": history.interval_min,
        "horizon_days": horizon_days,
        "history_ends": history.last_start.strftime(CLOCK),
        "first_interval": table["interval_start"].iloc[0],
        "backtest": {
            "origins": max(len(f.backtest.origins) for f in forecasts),
            "lead_days": LEAD_DAYS,
            "levels": list(LEVELS),
        },
        "ignored_columns": history.ignored_columns,
        "contact_types": {f.contact_type: _about(f, history) for f in forecasts},
        "forecast": table.to_dict(orient="records"),
    }
    return ForecastRun(document, table, _recent(history), history)


def _rows(forecast: SeriesForecast) -> pd.DataFrame:
    columns: dict[str, Any] = {
        "interval_start": [s.strftime(CLOCK) for s in forecast.starts],
        "contact_type": forecast.contact_type,
        "forecast": forecast.point.round(3),
    }
    for level in LEVELS:
        low, high = forecast.bands[level]
        columns[f"lo{level}"], columns[f"hi{level}"] = low.round(3), high.round(3)
    return pd.DataFrame(columns)


def _about(forecast: SeriesForecast, history: History) -> dict[str, Any]:
    """What the document says of a contact type: its history, model, backtest and bands."""
    series, backtest = history.series[forecast.contact_type], forecast.backtest
    first = series.first_day
    return {
        "model": backtest.chosen,
        "history_days": series.days,
        "first_day": first.isoformat(),
        "gaps": history.gaps[forecast.contact_type],
        "closed_intervals": history.closed_intervals[forecast.contact_type],
        "origins": [(first + timedelta(days=k)).isoformat() for k in backtest.origins],
        "backtest": [
            {
                "model": s.model,
                "wape_interval": round(s.wape_interval, 4),
                "wape_day": round(s.wape_day, 4),
                "bias": round(s.bias, 4),
                "cover80": None if s.cover80 is None else round(s.cover80, 4),
                "cover95": None if s.cover95 is None else round(s.cover95, 4),
            }
            for s in backtest.scores
        ],
        "calibration": {
            "phi": round(backtest.calibration.phi, 6),
            "strata": list(STRATA),
            "quantiles": {
                str(level): [[round(q, 4) for q in pair] for pair in pairs]
                for level, pairs in backtest.calibration.quantiles.items()
            },
        },
        "holidays_ahead": [
            {"date": day.isoformat(), "name": name, "factor": round(factor, 4)}
            for day, name, factor in forecast.holidays_ahead
        ],
    }


def _recent(history: History) -> pd.DataFrame:
    """The history's last `RECENT_WEEKS` weeks per contact type (gaps as missing values)."""
    frames = []
    for series in history.series.values():
        days = min(series.days, 7 * RECENT_WEEKS)
        offered = series.offered[-days:].astype(float)
        offered[~series.observed[-days:]] = float("nan")
        first = datetime.combine(series.dates[-days], datetime.min.time())
        starts = [first + timedelta(minutes=series.interval_min * k) for k in range(offered.size)]
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": starts,
                    "contact_type": series.contact_type,
                    "offered": offered.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
