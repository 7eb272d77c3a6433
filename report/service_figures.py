"""Figures of a simulation's service over the horizon: data in (the tables of
`sim.results.Results`), a matplotlib `Figure` out.

- `service_level_figure`: the service level per interval of each contact type, its 95 % band
  and the targets;
- `queue_figure`: the peak queue per interval of each contact type, with its 95 % band;
- `service_heatmap`: the centre's service level, day x interval;
- `occupancy_figure`: the occupancy of each agent group per interval.

Time runs in hours from the horizon's start, with a line at each midnight.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def hours_from_start(table: pd.DataFrame) -> np.ndarray:
    """Each row's interval start in hours from the horizon's start (``day`` and ``start``)."""
    clock = table["start"].str.split(":", expand=True).astype(int)
    return table["day"].to_numpy() * 24 + clock[0].to_numpy() + clock[1].to_numpy() / 60


def service_level_figure(
    intervals: pd.DataFrame,
    targets: Sequence[dict[str, Any]] = (),
    contact_types: Sequence[str] | None = None,
) -> Figure:
    """Service level (%) per interval of each contact type (or of `contact_types`), mean over
    replications with its 95 % band, and a dashed line per target of those types.

    `intervals` is `Results.interval_table()`; `targets` are `Results.target_results()` rows."""
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    ax = fig.subplots()
    for i, (name, rows) in enumerate(_by_type(intervals, contact_types)):
        x = hours_from_start(rows)
        colour = f"C{i % 10}"
        ax.plot(x, 100 * rows["service_level"], color=colour, linewidth=1, label=name)
        ax.fill_between(x, 100 * rows["service_level_ci95_low"],
                        100 * rows["service_level_ci95_high"], color=colour, alpha=0.15,
                        linewidth=0)  # fmt: skip
        for target in targets:
            if target["contact_type"] == name:
                ax.axhline(100 * target["service_level"], color=colour, linestyle="--",
                           linewidth=0.8)  # fmt: skip
    ax.set_ylim(0, 102)
    ax.set_ylabel("service level (%)")
    ax.set_title("Service level per interval (mean, 95 % band; dashed: targets)")
    _time_axis(ax, intervals)
    return fig


def queue_figure(intervals: pd.DataFrame, contact_types: Sequence[str] | None = None) -> Figure:
    """The most contacts waiting at once in each interval, per contact type, mean over
    replications with its 95 % band."""
    fig = Figure(figsize=(11, 4), layout="constrained")
    ax = fig.subplots()
    for i, (name, rows) in enumerate(_by_type(intervals, contact_types)):
        x = hours_from_start(rows)
        colour = f"C{i % 10}"
        ax.plot(x, rows["peak_queue"], color=colour, linewidth=1, label=name)
        ax.fill_between(x, rows["peak_queue_ci95_low"], rows["peak_queue_ci95_high"],
                        color=colour, alpha=0.15, linewidth=0)  # fmt: skip
    ax.set_ylim(bottom=0)
    ax.set_ylabel("peak queue (contacts)")
    ax.set_title("Peak queue per interval (mean, 95 % band)")
    _time_axis(ax, intervals)
    return fig


def service_heatmap(intervals: pd.DataFrame, day_names: Sequence[str] | None = None) -> Figure:
    """The service level of all contact types together (answered within their thresholds over
    answered and abandoned), one cell per day and interval; blank where no contact closed."""
    closed = intervals["answered"] + intervals["abandoned"]
    cells = (
        intervals.assign(closed=closed)
        .groupby(["day", "start"], sort=True)[["answered_within", "closed"]]
        .sum()
    )
    level = (cells["answered_within"] / cells["closed"].where(cells["closed"] > 0)).unstack()
    fig = Figure(figsize=(11, 3.5), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(100 * level.to_numpy(dtype=float), aspect="auto", cmap="RdYlGn",
                      vmin=0, vmax=100, interpolation="nearest")  # fmt: skip
    fig.colorbar(image, ax=ax, label="service level (%)")
    starts = list(level.columns)
    ticks = [k for k, s in enumerate(starts) if s.endswith(":00") and int(s[:2]) % 3 == 0]
    ax.set_xticks(ticks, [starts[k] for k in ticks])
    days = list(level.index)
    names = list(day_names) if day_names is not None else [f"day {d + 1}" for d in days]
    ax.set_yticks(range(len(days)), [names[d] for d in days])
    ax.set_xlabel("interval start")
    ax.set_title("Service level by day and interval (all contact types)")
    return fig


def occupancy_figure(group_intervals: pd.DataFrame) -> Figure:
    """Occupancy (%) of each agent group per interval (`Results.group_interval_table()`)."""
    fig = Figure(figsize=(11, 4), layout="constrained")
    ax = fig.subplots()
    for i, (name, rows) in enumerate(group_intervals.groupby("group", sort=False)):
        ax.plot(hours_from_start(rows), 100 * rows["occupancy"], color=f"C{i % 10}",
                linewidth=1, label=str(name))  # fmt: skip
    ax.set_ylim(0, 102)
    ax.set_ylabel("occupancy (%)")
    ax.set_title("Occupancy per agent group (mean over replications)")
    _time_axis(ax, group_intervals)
    return fig


def _by_type(intervals: pd.DataFrame, names: Sequence[str] | None) -> list[tuple[str, Any]]:
    wanted = list(names) if names is not None else list(intervals["contact_type"].unique())
    return [(name, intervals[intervals["contact_type"] == name]) for name in wanted]


def _time_axis(ax: Any, table: pd.DataFrame) -> None:
    """Hours from the start, a line at each midnight, a grid and the legend."""
    days = int(table["day"].max()) + 1
    for day in range(1, days):
        ax.axvline(24 * day, color="gray", linewidth=0.6)
    ax.set_xlim(0, 24 * days)
    ax.set_xticks(range(0, 24 * days + 1, 12 if days > 2 else 3))
    ax.set_xlabel("hours from the start")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower left", fontsize=7, ncols=min(5, len(ax.get_lines())))
