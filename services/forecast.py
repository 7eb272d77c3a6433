"""The forecast job: a centre's interval history read and checked, each contact type's model
chosen by its backtest, the next days forecast with calibrated bands, the JSON document and the
forecast table."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from scenarios.forecast.backtest import LEAD_DAYS, LEVELS, STRATA
from scenarios.forecast.history import History, read_history, read_holidays
from scenarios.forecast.predict import SeriesForecast, forecast_series
from scenarios.forecast.to_scenario import check_contact_types, forecast_scenario
from scenarios.load import from_dict
from scenarios.safe_read import ScenarioError
from services.common import Kept, keep_record, open_store, source_id

MAX_FORECAST_DAYS = 366
RECENT_WEEKS = 3  # history shown before the forecast in the figure
CLOCK = "%Y-%m-%d %H:%M"
SCENARIO_HEADER = (
    "# Made by `wfm forecast {history} --scenario {base}`: the base's channels, targets, groups\n"
    "# and shifts; each forecast contact type's volume, overdispersion, handle time and patience\n"
    "# from the history (their `source` says how).\n"
)


@dataclass(frozen=True)
class ForecastRun:
    """A finished forecast: its document (``wfm forecast --json``), the forecast table (the
    CSV's rows), the history's last weeks beside it (for the figure), the checked history,
    where the run was kept and, when a base scenario was given, the forecast scenario as YAML
    text."""

    document: dict[str, Any]
    table: pd.DataFrame
    recent: pd.DataFrame
    history: History
    kept: Kept
    scenario_text: str | None = None  # the forecast scenario's YAML, when a base was given


def run_forecast(
    history_file: Path,
    horizon_days: int,
    *,
    interval_min: int | None = None,
    contact_types: list[str] | None = None,
    holidays_file: Path | None = None,
    base: dict[str, Any] | None = None,
    base_label: str = "the base scenario",
    history_label: str | None = None,
    holidays_label: str | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[float], None] | None = None,
    store: Path | None = None,
    keep: bool = True,
) -> ForecastRun:
    """Forecast `horizon_days` days of the history in `history_file` (on its grid, or
    aggregated to `interval_min`), for `contact_types` (default: every one it has), with the
    holidays of `holidays_file` (CSV of date[,name]) taken apart from ordinary days; with a
    `base` scenario mapping (called `base_label`), also the scenario of the forecast days made
    from it (`scenarios.forecast.to_scenario`), validated. Errors name the history
    `history_label` and the holidays `holidays_label` (default: their paths). The inputs are
    checked first: a bad one raises `ScenarioError` (one line). The contact types are forecast
    on `executor`, else on `workers` local processes (`sim.tasks.run_tasks`; `progress` hears
    the share done). The run is kept in `store` unless not `keep` (the history standing for
    the scenario)."""
    from sim.tasks import run_tasks

    if not 1 <= horizon_days <= MAX_FORECAST_DAYS:
        raise ScenarioError(
            "", "--horizon-days", f"expected 1 to {MAX_FORECAST_DAYS} days, got {horizon_days}"
        )
    if base is not None:
        from_dict(base, base_label)  # the base must be valid on its own
    holidays = {} if holidays_file is None else read_holidays(holidays_file, holidays_label)
    history = read_history(history_file, interval_min, contact_types, label=history_label)
    if base is not None:
        check_contact_types(base, base_label, list(history.series))
    store = open_store(store, keep)
    tasks = [(series, holidays, horizon_days) for series in history.series.values()]
    forecasts = run_tasks(
        forecast_series, tasks, executor=executor, workers=workers, progress=progress
    )
    table = pd.concat([_rows(f) for f in forecasts], ignore_index=True)
    holidays_name = holidays_label or (None if holidays_file is None else str(holidays_file))
    document = _document(history, holidays_name, horizon_days, forecasts, table)
    scenario_text = None
    if base is not None:
        mapping = forecast_scenario(base, base_label, history, forecasts)
        from_dict(mapping, f"the scenario made from {base_label}")
        header = SCENARIO_HEADER.format(history=history.file, base=base_label)
        body = yaml.safe_dump(mapping, sort_keys=False, default_flow_style=None, width=100)
        scenario_text = header + body
    params = {
        "horizon_days": horizon_days, "interval_min": interval_min,
        "contact_types": contact_types, "holidays": source_id(holidays_file),
        "base": base_label if base is not None else None,
    }  # fmt: skip
    from runs.record import forecast_record  # imported here: it reaches the simulator

    kept = keep_record(
        store, lambda: forecast_record(history.file, history.sha256, params, document)
    )
    return ForecastRun(document, table, _recent(history), history, kept, scenario_text)


def _document(
    history: History,
    holidays: str | None,
    horizon_days: int,
    forecasts: list[SeriesForecast],
    table: pd.DataFrame,
) -> dict[str, Any]:
    """The ``wfm forecast --json`` document."""
    return {
        "history": history.file,
        "holidays": holidays,
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
        ever = series.observed.any(axis=0)  # an interval never given is closed, drawn at 0
        offered[~series.observed[-days:] & ever] = float("nan")
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
