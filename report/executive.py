"""The executive's figures and one-page report: data in, a matplotlib `Figure` out.

- `capacity_figure`: demand (the offered workload in Erlangs, 95 % band) against capacity
  (agents on duty) and agents busy, over the horizon;
- `frontier_figure`: cost against service level for a headcount sweep
  (`optimise.frontier`), the plan's own point marked;
- `executive_page`: one A4 landscape page with both, the targets table and the drills'
  surge-readiness summary -- what ``wfm report --pdf`` writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from report.service_figures import hours_from_start
from report.text import stat_text
from scenarios.review import duration_text

A4_LANDSCAPE_IN = (11.69, 8.27)


def capacity_figure(workload: pd.DataFrame) -> Figure:
    """Capacity against demand per interval (`Results.workload_table()`)."""
    fig = Figure(figsize=(11, 4), layout="constrained")
    draw_capacity(fig.subplots(), workload)
    return fig


def frontier_figure(points: Sequence[dict[str, Any]], target_level: float | None = None) -> Figure:
    """Cost against service level, one point per headcount factor (`FrontierPoint.to_json()`
    rows); `target_level` (a share) draws the service level to reach."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    draw_frontier(fig.subplots(), points, target_level)
    return fig


def draw_capacity(ax: Axes, workload: pd.DataFrame) -> None:
    """Draw the capacity-against-demand chart on `ax`."""
    # Repeat the last row one interval on, so the steps reach the horizon's end.
    width_h = 24 / (workload["interval"].max() + 1)
    workload = pd.concat([workload, workload.tail(1)], ignore_index=True)
    x = hours_from_start(workload)
    x[-1] += width_h
    ax.fill_between(x, workload["load_ci95_low"], workload["load_ci95_high"], step="post",
                    color="tab:red", alpha=0.2, linewidth=0, label="demand, 95 % band")  # fmt: skip
    ax.step(x, workload["load_erlangs"], where="post", color="tab:red", linewidth=1,
            label="demand: offered workload (Erlangs)")  # fmt: skip
    ax.step(x, workload["agents"], where="post", color="tab:blue", linewidth=1.2,
            label="capacity: agents on duty")  # fmt: skip
    ax.step(x, workload["busy_agents"], where="post", color="tab:green", linewidth=0.8,
            linestyle=":", label="agents busy")  # fmt: skip
    days = int(workload["day"].max()) + 1
    for day in range(1, days):
        ax.axvline(24 * day, color="gray", linewidth=0.6)
    ax.set_xlim(0, 24 * days)
    ax.set_xticks(range(0, 24 * days + 1, 12 if days > 2 else 3))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("hours from the start")
    ax.set_ylabel("agents / Erlangs")
    ax.set_title("Capacity against demand (all groups and channels)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7, ncols=2)


def draw_frontier(
    ax: Axes, points: Sequence[dict[str, Any]], target_level: float | None = None
) -> None:
    """Draw the cost against service-level frontier on `ax` (agent-hours when the scenario
    has no pay); error bars are the service level's 95 % intervals."""
    points = [p for p in points if p["service_level"]["mean"] is not None]
    costed = all(p["cost"] is not None for p in points)
    cost = [p["cost"] if costed else p["agent_hours"] for p in points]
    level = [100 * p["service_level"]["mean"] for p in points]
    # No interval (one replication): no error bar, rather than one reaching down to 0.
    low = [
        100
        * (
            p["service_level"]["mean"]
            - _or(p["service_level"]["ci95_low"], p["service_level"]["mean"])
        )
        for p in points
    ]
    high = [100 * (_or(p["service_level"]["ci95_high"], p["service_level"]["mean"])
                   - p["service_level"]["mean"]) for p in points]  # fmt: skip
    ax.errorbar(cost, level, yerr=[low, high], color="tab:blue", marker="o", markersize=4,
                linewidth=1, capsize=2)  # fmt: skip
    for p, x, y in zip(points, cost, level, strict=True):
        base = abs(p["factor"] - 1.0) < 1e-9
        ax.annotate(f"{p['factor']:.0%}" + (" (plan)" if base else ""), (x, y), fontsize=7,
                    xytext=(4, -10), textcoords="offset points",
                    fontweight="bold" if base else "normal")  # fmt: skip
        if base:
            ax.plot([x], [y], marker="o", markersize=8, color="tab:orange", zorder=3)
    if target_level is not None:
        ax.axhline(100 * target_level, color="tab:green", linestyle="--", linewidth=1,
                   label=f"target {target_level:.0%}")  # fmt: skip
        ax.legend(loc="lower right", fontsize=7)
    ax.set_xlabel("cost over the horizon" if costed else "agent-hours over the horizon")
    ax.set_ylabel("service level, all live contacts (%)")
    ax.set_title("Cost against service level (headcount sweep)")
    ax.grid(alpha=0.3)


def executive_page(
    title: str,
    workload: pd.DataFrame,
    points: Sequence[dict[str, Any]],
    targets: Sequence[dict[str, Any]],
    drills: Sequence[dict[str, Any]] = (),
    target_level: float | None = None,
) -> Figure:
    """One A4 landscape page: capacity against demand across the top; the frontier and the
    targets table below; the drills' surge readiness (``wfm drill`` documents) at the foot."""
    fig = Figure(figsize=A4_LANDSCAPE_IN, layout="constrained")
    grid = fig.add_gridspec(3, 2, height_ratios=[1.1, 1.2, 0.6 if drills else 0.05])
    draw_capacity(fig.add_subplot(grid[0, :]), workload)
    draw_frontier(fig.add_subplot(grid[1, 0]), points, target_level)
    _targets_table(fig.add_subplot(grid[1, 1]), targets)
    if drills:
        _drills_table(fig.add_subplot(grid[2, :]), drills)
    fig.suptitle(title, fontsize=13, fontweight="bold")
    return fig


def target_rows(targets: Sequence[dict[str, Any]]) -> list[list[str]]:
    """The targets table's rows: who, the target, what was achieved (95 % interval), and the
    verdict (`sim.verdict`: met, MISSED or undecided)."""
    rows = []
    for t in targets:
        who = t["contact_type"] + (f" / {t['tier']}" if t.get("tier") else "")
        goal = f"{t['service_level']:.0%} in {duration_text(t['answer_within_s'])} ({t['scope']})"
        text = stat_text(t["achieved"])
        verdict = {"met": "met", "missed": "MISSED"}.get(t["verdict"], t["verdict"])
        rows.append([who, goal, text, verdict])
    return rows


def drill_rows(drills: Sequence[dict[str, Any]]) -> list[list[str]]:
    """The surge-readiness rows: incident, grade, abandon rate, recovery, targets met."""
    rows = []
    for d in drills:
        card = d["scorecard"]
        met = sum(t["met"] for t in d["targets"])
        recover = card["recover_min"]["mean"]
        recovered = f"{recover:,.0f} min" if d["recovered"] else f"not within {recover:,.0f} min"
        rows.append(
            [
                f"{d['incident']} ({d['kind'].replace('_', ' ')})",
                str(d["grade"]),
                _share(card["abandon_rate"]["mean"]),
                recovered,
                f"{card['lost_contacts']['mean']:,.0f}",
                f"{met} of {len(d['targets'])}",
            ]
        )
    return rows


def _targets_table(ax: Axes, targets: Sequence[dict[str, Any]]) -> None:
    ax.axis("off")
    rows = target_rows(targets)
    met = sum(t["verdict"] == "met" for t in targets)
    ax.set_title(f"Targets: {met} of {len(targets)} met", fontsize=10)
    if not rows:
        return
    table = ax.table(cellText=rows, colLabels=["contact type", "target", "achieved", ""],
                     loc="upper center", cellLoc="left")  # fmt: skip
    _style(table, rows, 3)


def _drills_table(ax: Axes, drills: Sequence[dict[str, Any]]) -> None:
    ax.axis("off")
    rows = drill_rows(drills)
    ax.set_title("Surge readiness (drills as run)", fontsize=10)
    table = ax.table(
        cellText=rows,
        colLabels=["incident", "grade", "abandon rate", "recovered", "lost", "targets met"],
        loc="upper center",
        cellLoc="left",
    )
    _style(table, rows, None)


def _style(table: Any, rows: list[list[str]], verdict_column: int | None) -> None:
    table.auto_set_font_size(False)
    table.set_fontsize(7 if len(rows) <= 12 else 5.5)
    table.auto_set_column_width(list(range(len(rows[0]))))
    for (r, c), cell in table.get_celld().items():
        cell.set_linewidth(0.3)
        if r == 0:
            cell.set_text_props(fontweight="bold")
        elif c == verdict_column and rows[r - 1][c] == "MISSED":
            cell.set_text_props(color="tab:red", fontweight="bold")


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"
