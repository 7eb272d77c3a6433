"""A statistic as text, the one way the CLI's summaries, the app's pages and the reports write a
mean with its 95 % interval: `stat_text`."""

from __future__ import annotations

from collections.abc import Mapping


def stat_text(
    value: Mapping[str, float | None],
    *,
    percent: bool = True,
    digits: int | None = 1,
    band_digits: int | None = None,
    separator: str = "-",
) -> str:
    """A statistic (``mean``, ``ci95_low``, ``ci95_high``) as ``mean [low-high]``; the mean
    alone when it has no interval, ``-`` when it has no mean.

    `percent` writes shares in per cent (``0.8`` as ``80.0%``), else numbers with thousands
    separators. `digits` is the decimals of the mean; for numbers None gives none from 100 up
    and one below. `band_digits` is the decimals of the bounds (default `digits`); `separator`
    stands between them.
    """
    mean, low, high = value["mean"], value.get("ci95_low"), value.get("ci95_high")
    if mean is None:
        return "-"
    text = _figure(mean, percent, digits)
    if low is None or high is None:
        return text
    band = digits if band_digits is None else band_digits
    return f"{text} [{_figure(low, percent, band)}{separator}{_figure(high, percent, band)}]"


def _figure(value: float, percent: bool, digits: int | None) -> str:
    if percent:
        return f"{value:.{digits}%}"
    if digits is None:
        digits = 0 if abs(value) >= 100 else 1
    return f"{value:,.{digits}f}"
