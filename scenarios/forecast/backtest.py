"""The rolling-origin backtest that chooses a contact type's model and calibrates its bands.

Each origin is a week boundary among the history's last weeks: every candidate is fitted on
all the days before it and forecasts the next `LEAD_DAYS` days, as a planner does each week;
the forecast is scored against what happened on the intervals the history gives (gaps are left
out). Holidays in the forecast week are forecast as an ordinary day times the holiday's factor
(`HolidayFactors`), learned from the holidays before the origin.

**Bands.** An interval's error is taken to scale as a count's with day-to-day noise,
``sqrt(F + phi F^2)`` for a forecast F (Poisson alone is ``phi = 0``). `Calibration` estimates
``phi`` from the backtest's errors by moments and takes the bands' multipliers from the
empirical quantiles of the scaled errors: the bands are the backtest's, not assumed Poisson.
The coverage a table reports for a model is measured honestly, each origin's bands calibrated
on the *other* origins only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from scenarios.forecast.history import fill_gaps
from scenarios.forecast.models import CANDIDATES, Forecaster, ordinary

ORIGINS = 8
LEAD_DAYS = 7
LEVELS = (80, 95)
# Forecast levels (contacts per interval) that part the intervals whose errors are calibrated
# apart: a quiet interval's count is mostly 0 or 1, a busy one's error near-normal.
STRATA = (1.0, 10.0)
MIN_STRATUM = 50  # scored intervals a stratum needs for its own quantiles


@dataclass(frozen=True)
class Calibration:
    """Bands around a forecast: ``F + q * sqrt(F + phi F^2)`` with `q` the scaled errors'
    quantiles, per level (lower, upper), taken apart in each stratum of forecast levels
    (`STRATA`): a closed night's exact zeros would otherwise narrow the busy hours' bands."""

    phi: float
    quantiles: dict[int, list[tuple[float, float]]]  # per level, one pair per stratum

    @classmethod
    def fit(cls, forecast: np.ndarray, actual: np.ndarray) -> Calibration:
        """From paired forecasts and actual counts (flat arrays of the scored intervals)."""
        phi = max(0.0, float(((actual - forecast) ** 2 - forecast).sum() / max(
            (forecast**2).sum(), 1e-12)))  # fmt: skip
        scaled = (actual - forecast) / _scale(forecast, phi)
        stratum = _stratum(forecast)
        quantiles: dict[int, list[tuple[float, float]]] = {level: [] for level in LEVELS}
        for k in range(len(STRATA) + 1):
            inside = scaled[stratum == k]
            if len(inside) < MIN_STRATUM:  # too few to say: those of every interval not quiet
                inside = scaled[stratum >= 1] if k >= 1 and (stratum >= 1).sum() else scaled
            for level in LEVELS:
                tail = (1 - level / 100) / 2
                pair = (float(np.quantile(inside, tail)), float(np.quantile(inside, 1 - tail)))
                quantiles[level].append(pair)
        return cls(phi, quantiles)

    def bands(self, forecast: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Per level, the lower and upper bounds (never negative)."""
        scale = _scale(forecast, self.phi)
        stratum = _stratum(forecast)
        bands = {}
        for level, pairs in self.quantiles.items():
            low = np.array([pair[0] for pair in pairs])[stratum]
            high = np.array([pair[1] for pair in pairs])[stratum]
            bands[level] = (np.maximum(forecast + low * scale, 0.0),
                            np.maximum(forecast + high * scale, 0.0))  # fmt: skip
        return bands


@dataclass(frozen=True)
class HolidayFactors:
    """A holiday's volume as a share of the ordinary day it replaces: per holiday name seen in
    the history, the mean over its days; for a name never seen, the median over all the
    history's holidays; with no holiday in the history, 0 (the centre taken as closed)."""

    by_name: dict[str, float]
    default: float

    @classmethod
    def learn(cls, raw: np.ndarray, names: list[str | None]) -> HolidayFactors:
        """From the history's days (days x intervals) and each day's holiday name (None: an
        ordinary day)."""
        usual = ordinary(raw, np.array([n is not None for n in names], dtype=bool))
        ratios: dict[str, list[float]] = {}
        for day, name in enumerate(names):
            if name is not None and usual[day].sum() > 0:
                ratios.setdefault(name, []).append(float(raw[day].sum() / usual[day].sum()))
        every = [r for rs in ratios.values() for r in rs]
        by_name = {name: float(np.mean(rs)) for name, rs in ratios.items()}
        return cls(by_name, float(np.median(every)) if every else 0.0)

    def factor(self, name: str) -> float:
        return self.by_name.get(name, self.default)


@dataclass(frozen=True)
class Score:
    """One model's backtest: WAPE per interval and per day, bias (forecast over actual, less
    one), and how often the 80 % and 95 % bands held the actual in the intervals forecast at
    one contact or more, each origin's bands calibrated on the others (None: under two
    origins)."""

    model: str
    wape_interval: float
    wape_day: float
    bias: float
    cover80: float | None
    cover95: float | None


@dataclass(frozen=True)
class Backtest:
    """Each candidate's score, the chosen model (lowest interval WAPE), its calibration on
    every origin, its day totals forecast and actual (over the intervals the history gives),
    and the origins' first days."""

    scores: list[Score]
    chosen: str
    calibration: Calibration
    day_totals: tuple[np.ndarray, np.ndarray]
    origins: list[int]  # the first day of each origin's forecast, as an index


def holiday_names(first_day: date, days: int, holidays: Mapping[date, str]) -> list[str | None]:
    """Each day's holiday name, None on an ordinary day."""
    return [holidays.get(first_day + timedelta(days=k)) for k in range(days)]


def forecast_days(
    forecaster: Forecaster,
    raw: np.ndarray,
    names: list[str | None],
    ahead: list[str | None],
    factors: HolidayFactors | None = None,
) -> np.ndarray:
    """`forecaster`'s forecast of the days after `raw` whose holiday names are `ahead`:
    fitted on the ordinary values, each holiday ahead scaled by its factor (`factors`, learnt
    from `raw` and `names` when not given)."""
    point = forecaster(
        ordinary(raw, np.array([n is not None for n in names], dtype=bool)), len(ahead)
    )
    if factors is None:
        factors = HolidayFactors.learn(raw, names)
    scale = np.array([1.0 if n is None else factors.factor(n) for n in ahead])
    return point * scale[:, None]


def run_backtest(
    offered: np.ndarray,
    observed: np.ndarray,
    names: list[str | None],
    candidates: Mapping[str, Forecaster] = CANDIDATES,
) -> Backtest:
    """The backtest of `candidates` on a series (days x intervals, `observed` its mask) whose
    days have the holiday `names`: at most `ORIGINS` weekly origins, the last one a week
    before the history's end, each with at least a week of training days."""
    days = len(offered)
    count = min(ORIGINS, (days - LEAD_DAYS) // 7)
    starts = [days - LEAD_DAYS - 7 * k for k in range(count - 1, -1, -1)]
    runs: dict[str, list[np.ndarray]] = {name: [] for name in candidates}
    for start in starts:
        ahead = names[start : start + LEAD_DAYS]
        # Gaps filled again from the training days alone: nothing after the origin leaks in.
        train = fill_gaps(offered[:start], observed[:start])
        for name, forecaster in candidates.items():
            runs[name].append(forecast_days(forecaster, train, names[:start], ahead))
    actuals = [offered[s : s + LEAD_DAYS] for s in starts]
    masks = [observed[s : s + LEAD_DAYS] for s in starts]
    scores = [_score(name, runs[name], actuals, masks) for name in candidates]
    chosen = min(scores, key=lambda s: s.wape_interval).model
    flat = _flat(runs[chosen], actuals, masks, range(len(starts)))
    day_totals = (
        np.concatenate([(f * m).sum(axis=1) for f, m in zip(runs[chosen], masks, strict=True)]),
        np.concatenate([(a * m).sum(axis=1) for a, m in zip(actuals, masks, strict=True)]),
    )
    return Backtest(scores, chosen, Calibration.fit(*flat), day_totals, starts)


def _score(
    model: str, forecasts: list[np.ndarray], actuals: list[np.ndarray], masks: list[np.ndarray]
) -> Score:
    actual_sum = sum(float(a[m].sum()) for a, m in zip(actuals, masks, strict=True))
    abs_error = sum(
        float(np.abs(f - a)[m].sum()) for f, a, m in zip(forecasts, actuals, masks, strict=True)
    )
    signed = sum(float((f - a)[m].sum()) for f, a, m in zip(forecasts, actuals, masks, strict=True))
    day_error = sum(
        float(np.abs((f * m).sum(axis=1) - (a * m).sum(axis=1)).sum())
        for f, a, m in zip(forecasts, actuals, masks, strict=True)
    )
    covers: dict[int, float | None] = dict.fromkeys(LEVELS)
    if len(forecasts) >= 2:
        held = dict.fromkeys(LEVELS, 0)
        total = 0
        for k in range(len(forecasts)):
            others = [j for j in range(len(forecasts)) if j != k]
            calibration = Calibration.fit(*_flat(forecasts, actuals, masks, others))
            point, actual = forecasts[k][masks[k]], actuals[k][masks[k]]
            busy = point >= STRATA[0]  # a band around "no call" holds whenever none comes
            point, actual = point[busy], actual[busy]
            for level, (low, high) in calibration.bands(point).items():
                held[level] += int(((actual >= low) & (actual <= high)).sum())
            total += len(point)
        covers = {level: held[level] / total for level in LEVELS}
    denominator = max(actual_sum, 1e-12)
    return Score(
        model,
        abs_error / denominator,
        day_error / denominator,
        signed / denominator,
        covers[80],
        covers[95],
    )


def _flat(forecasts, actuals, masks, which) -> tuple[np.ndarray, np.ndarray]:
    """The scored intervals of the origins `which`: forecasts and actuals, flat."""
    point = np.concatenate([forecasts[k][masks[k]] for k in which])
    actual = np.concatenate([actuals[k][masks[k]] for k in which])
    return point, actual


def _stratum(forecast: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(STRATA), forecast, side="right")


def _scale(forecast: np.ndarray, phi: float) -> np.ndarray:
    # At least one call's worth: an interval forecast at zero still has some room.
    return np.sqrt(np.maximum(forecast + phi * forecast**2, 1.0))
