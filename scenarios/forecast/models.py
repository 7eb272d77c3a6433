"""The candidate forecasts of a contact type's offered volume, each a plain function of the
training days: two baselines planners know and three models of statsforecast.

A forecaster takes `train` (days x intervals of the day, holidays already replaced by ordinary
values, see `ordinary`) and returns the next `days` days' expected counts per interval (never
negative):

- ``last_week``: the same interval on the same weekday a week earlier;
- ``four_week_mean``: the mean of the same interval on the last four same weekdays;
- ``daily_ets`` and ``daily_mstl``: the day's total forecast by statsforecast (AutoETS with a
  weekly season; MSTL with a weekly season and an AutoETS trend), spread over the day by the
  weekday's intraday profile (each interval's share of the calls of its last eight same
  weekdays, which averages the Poisson noise of single days away);
- ``interval_mstl``: statsforecast's MSTL on the interval series itself, with a daily and a
  weekly season, fitted on the last `MSTL_WEEKS` weeks (older weeks cost time and add little).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

Forecaster = Callable[[np.ndarray, int], np.ndarray]
PROFILE_WEEKS = 8
MSTL_WEEKS = 8


def last_week(train: np.ndarray, days: int) -> np.ndarray:
    return np.stack([_same_weekdays(train, k, 1).mean(axis=0) for k in range(days)])


def four_week_mean(train: np.ndarray, days: int) -> np.ndarray:
    return np.stack([_same_weekdays(train, k, 4).mean(axis=0) for k in range(days)])


def daily_ets(train: np.ndarray, days: int) -> np.ndarray:
    from statsforecast.models import AutoETS

    return _daily_times_profile(train, days, AutoETS(season_length=7))


def daily_mstl(train: np.ndarray, days: int) -> np.ndarray:
    from statsforecast.models import MSTL

    return _daily_times_profile(train, days, MSTL(season_length=7))


def interval_mstl(train: np.ndarray, days: int) -> np.ndarray:
    from statsforecast.models import MSTL

    per_day = train.shape[1]
    recent = train[-7 * MSTL_WEEKS :].ravel()
    model = MSTL(season_length=[per_day, 7 * per_day])
    mean = _fitted(model, recent, days * per_day)
    return np.maximum(mean, 0.0).reshape(days, per_day)


CANDIDATES: dict[str, Forecaster] = {
    "last_week": last_week,
    "four_week_mean": four_week_mean,
    "daily_ets": daily_ets,
    "daily_mstl": daily_mstl,
    "interval_mstl": interval_mstl,
}
BASELINES = ("last_week", "four_week_mean")


def ordinary(offered: np.ndarray, holiday: np.ndarray) -> np.ndarray:
    """`offered` (days x intervals) with each holiday replaced by the mean of the nearest (up
    to four) ordinary same weekdays: what the day would have been without the holiday, so that
    no holiday is averaged into ordinary days."""
    filled = offered.astype(float)
    days = len(offered)
    for day in np.nonzero(holiday)[0]:
        same = np.arange(day % 7, days, 7)
        same = same[~holiday[same]]
        nearest = same[np.argsort(np.abs(same - day), kind="stable")[:4]]
        if len(nearest):
            filled[day] = offered[nearest].mean(axis=0)
    return filled


def _same_weekdays(train: np.ndarray, ahead: int, weeks: int) -> np.ndarray:
    """The intervals of the last `weeks` days (at most as many as there are) that share the
    weekday of the day `ahead` days after the training's end."""
    back = 7 - ahead % 7
    rows = np.arange(len(train) - back, -1, -7)[:weeks]
    return train[rows]


def _daily_times_profile(train: np.ndarray, days: int, model) -> np.ndarray:
    totals = train.sum(axis=1)
    day_totals = np.maximum(_fitted(model, totals, days), 0.0)
    profiles = []
    for ahead in range(days):
        recent = _same_weekdays(train, ahead, PROFILE_WEEKS)
        total = recent.sum()
        width = train.shape[1]
        profiles.append(recent.sum(axis=0) / total if total > 0 else np.full(width, 1 / width))
    return day_totals[:, None] * np.stack(profiles)


def _fitted(model, values: np.ndarray, horizon: int) -> np.ndarray:
    """The mean forecast of a statsforecast model fitted on `values`, `horizon` steps on."""
    with warnings.catch_warnings():  # statsforecast's notices on a fit, not errors
        warnings.simplefilter("ignore")
        return np.asarray(model.forecast(y=values.astype(float), h=horizon)["mean"], dtype=float)
