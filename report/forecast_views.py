"""What a forecast shows: the printed summary with each contact type's backtest table, and the
figure of the last weeks of history with the forecast and its bands.

Data in (a ``wfm forecast`` JSON document, and the history's recent intervals as a table), text
or a matplotlib `Figure` out (`report.export.figure_bytes` renders it).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure


def forecast_summary(document: dict[str, Any]) -> str:
    """The headline, then per contact type its history, the backtest table (the chosen model
    marked) and the forecast's total with its bands."""
    backtest = document["backtest"]
    lines = [
        f"{document['history']}: forecast of {document['horizon_days']} days at "
        f"{document['interval_min']} min from {document['first_interval']}; models chosen by a "
        f"backtest of {backtest['origins']} weekly origins, 1-{backtest['lead_days']} days ahead"
    ]
    if document["ignored_columns"]:
        lines.append(f"columns ignored: {', '.join(document['ignored_columns'])}")
    table = pd.DataFrame(document["forecast"])
    for name, about in document["contact_types"].items():
        rows = table[table["contact_type"] == name]
        lines += [
            "",
            f"{name}: {about['history_days']} days of history from {about['first_day']}, "
            f"{about['gaps']} intervals missing (filled for the models, not scored), "
            f"{about['closed_intervals']} intervals of the day never given (taken as closed)",
            f"{'model':<16}{'WAPE interval':>14}{'WAPE day':>10}{'bias':>8}"
            f"{'80% held':>10}{'95% held':>10}",
        ]
        for score in about["backtest"]:
            mark = " <- chosen" if score["model"] == about["model"] else ""
            lines.append(
                f"{score['model']:<16}{score['wape_interval']:>14.1%}{score['wape_day']:>10.1%}"
                f"{score['bias']:>+8.1%}{_share(score['cover80']):>10}{_share(score['cover95']):>10}"
                f"{mark}"
            )
        lines.append(
            f"forecast: {rows['forecast'].sum():,.0f} contacts in "
            f"{len(rows):,} intervals, peak {rows['forecast'].max():,.1f} at "
            f"{rows.loc[rows['forecast'].idxmax(), 'interval_start']}"
        )
        for holiday in about["holidays_ahead"]:
            lines.append(
                f"  {holiday['date']} {holiday['name']}: {holiday['factor']:.0%} of an ordinary day"
            )
    return "\n".join(lines)


def forecast_figure(document: dict[str, Any], recent: pd.DataFrame) -> Figure:
    """One panel per contact type: the history's last weeks, the forecast and its 80 % and
    95 % bands."""
    table = pd.DataFrame(document["forecast"])
    names = list(document["contact_types"])
    fig = Figure(figsize=(12, 3.2 * len(names)), layout="constrained")
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    for axis, name in zip(axes, names, strict=True):
        past = recent[recent["contact_type"] == name]
        ahead = table[table["contact_type"] == name]
        when = pd.to_datetime(ahead["interval_start"])
        axis.plot(past["interval_start"], past["offered"], color="tab:gray", linewidth=0.7,
                  label="history")  # fmt: skip
        axis.fill_between(when, ahead["lo95"], ahead["hi95"], color="tab:blue", alpha=0.15,
                          label="95 % band", linewidth=0)  # fmt: skip
        axis.fill_between(when, ahead["lo80"], ahead["hi80"], color="tab:blue", alpha=0.3,
                          label="80 % band", linewidth=0)  # fmt: skip
        axis.plot(when, ahead["forecast"], color="tab:blue", linewidth=0.9, label="forecast")
        model = document["contact_types"][name]["model"]
        axis.set_title(f"{name}: contacts per {document['interval_min']} min ({model})")
        axis.set_ylabel("contacts")
        axis.legend(loc="upper left", fontsize="small")
    return fig


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
