"""A contact type's forecast: the backtest chooses the model and calibrates the bands, the model
is fitted on the whole history, and the next intervals are forecast with their 80 % and 95 %
bands, holidays ahead scaled by their learned factor.

Bands beyond the backtest's `LEAD_DAYS` days ahead are those of 1-7 days ahead, so for a
longer horizon they are likely too narrow; the JSON says how far the backtest looked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from scenarios.forecast.backtest import (
    Backtest,
    HolidayFactors,
    forecast_days,
    holiday_names,
    run_backtest,
)
from scenarios.forecast.history import Series
from scenarios.forecast.models import CANDIDATES, Forecaster

# MSTL on the intervals themselves takes minutes on a 6-minute grid (a weekly season of 1,680
# steps) and did not beat the daily models there; it is tried on grids of 15 minutes or more.
INTERVAL_MODEL_MIN_GRID = 15


@dataclass(frozen=True)
class SeriesForecast:
    """The forecast of one contact type: per future interval its start, expected count and
    bands (`bands[level]` = lower, upper), the backtest behind it and the holidays ahead with
    the factor each was given; and, for a scenario, the horizon's whole days from the first
    midnight after the history (`whole_days`, days x intervals, from `first_whole_day`)."""

    contact_type: str
    starts: list[datetime]
    point: np.ndarray
    bands: dict[int, tuple[np.ndarray, np.ndarray]]
    backtest: Backtest
    holidays_ahead: list[tuple[date, str, float]]
    first_whole_day: date
    whole_days: np.ndarray


def candidates_for(interval_min: int) -> dict[str, Forecaster]:
    """The candidate models tried on a grid of `interval_min` minutes."""
    if interval_min >= INTERVAL_MODEL_MIN_GRID:
        return dict(CANDIDATES)
    return {k: v for k, v in CANDIDATES.items() if k != "interval_mstl"}


def forecast_series(
    series: Series, holidays: Mapping[date, str], horizon_days: int
) -> SeriesForecast:
    """The forecast of `series` for `horizon_days` days of intervals from the first interval
    after its last one."""
    per_day, grid = series.offered.shape[1], series.interval_min
    names = holiday_names(series.first_day, series.days, holidays)
    candidates = candidates_for(grid)
    backtest = run_backtest(series.offered, series.observed, names, candidates)
    first = series.first_day + timedelta(days=series.days)  # the day after the series
    start_of_first = datetime.combine(first, datetime.min.time())
    # Intervals of that day the history already gives (a partial last day), if any; then
    # whole days enough for the horizon's intervals and for a scenario of `horizon_days` days.
    skip = max(0, (series.last_start - start_of_first) // timedelta(minutes=grid) + 1)
    days = horizon_days + (1 if skip else 0)
    ahead = holiday_names(first, days, holidays)
    factors = HolidayFactors.learn(series.offered, names)
    matrix = forecast_days(candidates[backtest.chosen], series.offered, names, ahead, factors)
    point = matrix.ravel()[skip : skip + horizon_days * per_day]
    starts = [start_of_first + timedelta(minutes=grid * (skip + k)) for k in range(len(point))]
    holidays_ahead = [
        (first + timedelta(days=k), n, factors.factor(n))
        for k, n in enumerate(ahead)
        if n is not None
    ]
    bands = backtest.calibration.bands(point)
    whole = 1 if skip else 0
    return SeriesForecast(
        series.contact_type, starts, point, bands, backtest, holidays_ahead,
        first + timedelta(days=whole), matrix[whole:],
    )  # fmt: skip
