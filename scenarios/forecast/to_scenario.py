"""A scenario made from a forecast: a base scenario's channels, targets, agent groups and shift
templates, with each forecast contact type's volume, uncertainty, handle time and patience
taken from the history.

The horizon becomes the forecast's whole days (a forecast starting mid-day begins at the next
midnight, and still has the days asked for) on the forecast's grid, starting on its first date.
The base's staffing profiles and shifts are dropped (they are on its own grid and days): the
forecast days' staffing is for the optimiser to plan; a flat headcount is kept. Each forecast
contact type must be one of the base's (by name; a history of one unnamed series stands for
the base's only contact type). Its volume becomes the forecast's per-interval lists, one per
day, with the backtest's `overdispersion` (none when Poisson explains the error); its handle
time keeps the base's distribution with the history's mean, and its patience becomes
exponential with the estimated mean (see `calibrate`), where the history has the columns. Every
figure taken from the history names its source.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from scenarios.forecast.calibrate import Estimate, handle_time_s, overdispersion_cv, patience_s
from scenarios.forecast.history import SINGLE_SERIES, History
from scenarios.forecast.predict import SeriesForecast
from scenarios.safe_read import ScenarioError

MEAN_KEYS = ("mean_s", "mean_min", "mean_h", "value_s", "value_min", "value_h")
MAX_CV = 2.0  # the schema's ceiling on a day factor's cv


def forecast_scenario(
    base: dict[str, Any], base_file: str, history: History, forecasts: list[SeriesForecast]
) -> dict[str, Any]:
    """The scenario mapping (not yet validated) of `base` (read from `base_file`) with the
    forecasts and the history's calibrated figures in place."""
    scenario = copy.deepcopy(base)
    scenario.pop("extends", None)
    types = _types(scenario)
    start = forecasts[0].first_whole_day
    if any(f.first_whole_day != start for f in forecasts):
        raise ScenarioError(history.file, "contact_type", "the contact types' histories end on "
                            "different days: forecast them apart to make scenarios")  # fmt: skip
    days = len(forecasts[0].whole_days)
    scenario["name"] = f"{scenario.get('name', 'scenario')}-forecast-{start.isoformat()}"
    scenario["horizon"] = {"days": days, "interval_min": history.interval_min,
                           "start": start.isoformat()}  # fmt: skip
    for group in scenario.get("agent_groups") or []:
        if isinstance(group, dict) and isinstance(group.get("agents"), list):
            del group["agents"]  # a profile on the base's grid and days: staffing is to plan
        if isinstance(group, dict):
            group.pop("shifts", None)
    for forecast in forecasts:
        entry = _contact_type(types, forecast.contact_type, base_file)
        series = history.series[forecast.contact_type]
        cv = round(min(overdispersion_cv(*forecast.backtest.day_totals), MAX_CV), 4)
        span = f"{series.first_day.isoformat()} to {series.dates[-1].isoformat()}"
        entry["volume"] = {
            "per_interval": [[round(float(v), 2) for v in day] for day in forecast.whole_days],
            "source": f"history {history.file}, {span}, forecast by {forecast.backtest.chosen}",
        }
        if cv > 0:  # else Poisson explains the backtest's error: no day factor
            entry["volume"]["overdispersion"] = {
                "cv": cv,
                "source": f"history {history.file}, {span}, backtest of "
                f"{forecast.backtest.chosen}: day totals' error beyond Poisson",
            }
        handle = handle_time_s(series)
        if handle is not None:
            entry["handle_time"] = _with_mean(entry.get("handle_time"), handle, history.file)
        patience = patience_s(series)
        if patience is not None:
            entry["patience"] = {
                "distribution": "exponential",
                "mean_s": round(patience.value, 2),
                "source": _source(patience, history.file),
            }
    return scenario


def check_contact_types(base: dict[str, Any], base_file: str, names: list[str]) -> None:
    """Raise `ScenarioError` unless each of `names` (the history's series) is one of the
    base's contact types: before the forecast runs."""
    for name in names:
        _contact_type(_types(base), name, base_file)


def _types(scenario: dict[str, Any]) -> dict[str, Any]:
    given = scenario.get("contact_types") or []
    return {ct.get("name"): ct for ct in given if isinstance(ct, dict)}


def _contact_type(types: dict[str, Any], name: str, base_file: str) -> dict[str, Any]:
    if name == SINGLE_SERIES and name not in types and len(types) == 1:
        return next(iter(types.values()))
    if name not in types:
        raise ScenarioError(base_file, "contact_types", f"has no {name!r}, which the history "
                            f"forecasts (it has: {', '.join(map(str, types))})")  # fmt: skip
    return types[name]


def _with_mean(given: Any, estimate: Estimate, file: str) -> dict[str, Any]:
    """The base's handle-time distribution with the history's mean (exponential when the base
    has none); an empirical one is scaled to it."""
    distribution = dict(given) if isinstance(given, dict) else {"distribution": "exponential"}
    mean = round(estimate.value, 2)
    if distribution.get("distribution") == "empirical":
        values = np.asarray(distribution.get("values_s") or [mean], dtype=float)
        factor = mean / values.mean() if values.mean() > 0 else 1.0
        distribution["values_s"] = [round(float(v * factor), 2) for v in values]
    else:
        for key in MEAN_KEYS:
            distribution.pop(key, None)
        key = "value_s" if distribution.get("distribution") == "constant" else "mean_s"
        distribution[key] = mean
    distribution["source"] = _source(estimate, file)
    return distribution


def _source(estimate: Estimate, file: str) -> str:
    return (f"history {file}, {estimate.first_day.isoformat()} to {estimate.last_day.isoformat()}, "
            f"{estimate.method} ({estimate.contacts:,} contacts)")  # fmt: skip
