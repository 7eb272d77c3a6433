"""Figures a scenario takes from a centre's history rather than from a planner's guess: the
mean handle time, the customers' patience, and the forecast's day-to-day error beyond Poisson.

- **Handle time**: the answered contacts' total handle time over their number, on the last
  `CALIBRATION_WEEKS` weeks of history (recent work, after any process change).
- **Patience**: the maximum-likelihood estimate for exponential patience with the waits of the
  answered as censored observations: the total time callers waited (answered and abandoned)
  over the number who abandoned. It is consistent when patience is exponential and every
  abandonment is counted; it is biased when patience is not exponential (callers who
  give up early but persist once queued make the estimate depend on the waits the centre
  imposed), when the ACD drops "short abandons" from its counts (too few abandonments: too
  long a patience), when ``asa_s`` includes time in the IVR (too long), and with few
  abandonments (a ratio's small-sample bias, about 1/n).
- **Overdispersion**: the day-level error of the chosen model's backtest beyond what Poisson
  counts would give, as the coefficient of variation of a gamma day factor: ``cv^2 =
  sum((A - F)^2 - F) / sum(F^2)`` over the backtest's days (A actual, F forecast), at least 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from scenarios.forecast.history import Series

CALIBRATION_WEEKS = 4
MIN_ABANDONED = 30  # fewer abandonments leave the patience estimate too loose to use


@dataclass(frozen=True)
class Estimate:
    """A calibrated figure, the contacts it rests on, the days it covers and its method."""

    value: float
    contacts: int
    first_day: date
    last_day: date
    method: str


def handle_time_s(series: Series) -> Estimate | None:
    """The mean handle time of the last weeks' answered contacts (seconds), None without the
    history's ``handle_time_s`` and ``answered`` columns or with no contact answered."""
    totals, days = series.totals, _recent(series)
    if "handle_time_s" not in totals or "answered" not in totals:
        return None
    answered = float(totals["answered"][days].sum())
    if answered <= 0:
        return None
    value = float(totals["handle_time_s"][days].sum()) / answered
    return _estimate(series, days, value, answered, "mean over the answered contacts")


def patience_s(series: Series) -> Estimate | None:
    """The mean of exponential patience (seconds) by maximum likelihood, None without the
    columns it needs or with under `MIN_ABANDONED` abandonments."""
    totals, days = series.totals, _recent(series)
    needed = ("answered_wait_s", "abandoned_wait_s", "abandoned")
    if any(name not in totals for name in needed):
        return None
    abandoned = float(totals["abandoned"][days].sum())
    if abandoned < MIN_ABANDONED:
        return None
    waited = float(totals["answered_wait_s"][days].sum() + totals["abandoned_wait_s"][days].sum())
    method = "exponential maximum likelihood: the total time callers waited over the abandonments"
    return _estimate(series, days, waited / abandoned, abandoned, method)


def overdispersion_cv(forecast_days: np.ndarray, actual_days: np.ndarray) -> float:
    """The cv of a gamma day factor that explains the backtest's day totals' error beyond
    Poisson (0 when Poisson explains it all)."""
    excess = float(((actual_days - forecast_days) ** 2 - forecast_days).sum())
    return float(np.sqrt(max(excess, 0.0) / max(float((forecast_days**2).sum()), 1e-12)))


def _recent(series: Series) -> slice:
    return slice(max(0, series.days - 7 * CALIBRATION_WEEKS), series.days)


def _estimate(series: Series, days: slice, value: float, contacts: float, method: str) -> Estimate:
    first = series.first_day + timedelta(days=days.start)
    last = series.first_day + timedelta(days=days.stop - 1)
    return Estimate(value, round(contacts), first, last, method)
