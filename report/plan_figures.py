"""Figures of a shift plan (a ``wfm optimise`` JSON document's parts): data in, a matplotlib
`Figure` out.

- `coverage_figure`: agents required against agents scheduled per interval;
- `shift_gantt_figure`: the shifts as bars over the week, one lane per group and start time,
  each bar labelled with its head count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from report.service_figures import hours_from_start


def coverage_figure(coverage: Sequence[dict[str, Any]], group: str | None = None) -> Figure:
    """Agents required (the requirement the plan was solved for) and scheduled (working, net
    of breaks) per interval, for one `group` or all groups added together."""
    table = pd.DataFrame(coverage)
    if group is not None:
        table = table[table["group"] == group]
    totals = table.groupby(["day", "start"], sort=True)[["required", "scheduled"]].sum()
    totals = totals.reset_index()
    x = hours_from_start(totals)
    fig = Figure(figsize=(11, 4), layout="constrained")
    ax = fig.subplots()
    ax.step(x, totals["required"], where="post", color="tab:red", linewidth=1,
            label="required")  # fmt: skip
    ax.fill_between(x, totals["scheduled"], step="post", color="tab:blue", alpha=0.25,
                    label="scheduled")  # fmt: skip
    ax.set_ylabel("agents")
    ax.set_xlabel("hours from the start")
    days = int(totals["day"].max()) + 1
    for day in range(1, days):
        ax.axvline(24 * day, color="gray", linewidth=0.6)
    ax.set_xlim(0, 24 * days)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(f"Required and scheduled agents per interval ({group or 'all groups'})")
    return fig


def shift_gantt_figure(shifts: Sequence[dict[str, Any]], days: int | None = None) -> Figure:
    """The plan's shifts over the horizon: one lane per group and start time, a bar per day the
    shift is worked, labelled with its head count (``count``)."""
    table = pd.DataFrame(shifts)
    lanes = sorted({(row["group"], row["start"]) for row in shifts})
    lane_of = {lane: i for i, lane in enumerate(lanes)}
    height = min(2 + 0.22 * len(lanes), 30)
    fig = Figure(figsize=(11, height), layout="constrained")
    ax = fig.subplots()
    groups = sorted({g for g, _ in lanes})
    colour = {g: f"C{i % 10}" for i, g in enumerate(groups)}
    for row in table.itertuples():
        hours, minutes = (int(p) for p in row.start.split(":"))
        begin = row.day * 24 + hours + minutes / 60
        y = lane_of[(row.group, row.start)]
        ax.barh(y, row.length_h, left=begin, height=0.7, color=colour[row.group], alpha=0.8)
        ax.text(begin + row.length_h / 2, y, str(row.count), ha="center", va="center",
                fontsize=6, color="white")  # fmt: skip
    ax.set_yticks(range(len(lanes)), [f"{g} {s}" for g, s in lanes], fontsize=6)
    ax.invert_yaxis()
    span = days or int(table["day"].max()) + 1
    for day in range(1, span):
        ax.axvline(24 * day, color="gray", linewidth=0.6)
    ax.set_xlim(0, 24 * span)
    ax.set_xticks(range(0, 24 * span + 1, 12))
    ax.set_xlabel("hours from the start (bars: shifts, numbers: agents on them)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Shift plan")
    return fig
