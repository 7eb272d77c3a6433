"""What a capacity plan shows: the printed table by month and the fan chart of required against
available FTE per group (5-95 % bands, hiring classes marked, weeks at risk shaded).

Data in (a ``wfm capacity`` JSON document), text or a matplotlib `Figure` out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure


def capacity_summary(document: dict[str, Any]) -> str:
    """The headline, cost with and without hiring, and per month and group the hires, mean
    required and available FTE and the weeks at risk (chance of being short significantly
    above the allowed one)."""
    allowed = 1 - document["service_probability"]
    cost, bare = document["cost"], document["no_hiring"]["cost"]
    lines = [
        f"{document['name']}: {len(document['weeks'])} weeks from {document['start']}, each week "
        f"short with a chance of at most {allowed:.0%} ({document['replications']} Monte Carlo "
        f"scenarios, checked on as many fresh ones)",
        f"cost: {cost['total']:,.0f} (pay {cost['pay']:,.0f}, hiring {cost['hiring']:,.0f}); "
        f"without hiring: {bare['total']:,.0f}",
        "",
        f"{'month':<9}{'group':<18}{'hires':>7}{'required FTE':>14}{'available FTE':>15}"
        f"{'weeks at risk':>15}{'without hiring':>16}",
    ]
    rows = _rows(document["weeks"], allowed)
    bare_rows = _rows(document["no_hiring"]["weeks"], allowed)
    months = rows.groupby(["month", "group"], sort=False)
    bare_months = bare_rows.groupby(["month", "group"], sort=False)["at_risk"].sum()
    for (month, group), part in months:
        lines.append(
            f"{month:<9}{group:<18}{part['hires'].sum():>7}{part['required'].mean():>14,.1f}"
            f"{part['available'].mean():>15,.1f}{part['at_risk'].sum():>15}"
            f"{bare_months[(month, group)]:>16}"
        )
    at_risk = int(rows["at_risk"].sum())
    lines.append(f"\nweeks at risk with the plan: {at_risk}; without hiring: "
                 f"{int(bare_rows['at_risk'].sum())}")  # fmt: skip
    return "\n".join(lines)


def capacity_page(document: dict[str, Any]) -> Figure:
    """The executive report's capacity page: the fan chart under a headline of the year's
    cost, hires and weeks at risk, with and without hiring."""
    fig = capacity_figure(document)
    cost, bare = document["cost"], document["no_hiring"]["cost"]
    hires = sum(h["count"] for h in document["hires"])
    risky = sum(e["at_risk"] for w in document["weeks"] for e in w["groups"].values())
    bare_risky = sum(e["at_risk"] for w in document["no_hiring"]["weeks"]
                     for e in w["groups"].values())  # fmt: skip
    fig.suptitle(
        f"{document['name']}: {len(document['weeks'])} weeks from {document['start']}. "
        f"Hiring {hires:,} agents costs {cost['total']:,.0f} in all and leaves {risky} "
        f"group-weeks at risk; without hiring {bare['total']:,.0f} and {bare_risky} at risk "
        f"(at risk: short more often than {1 - document['service_probability']:.0%}).",
        fontsize="medium", wrap=True,
    )  # fmt: skip
    return fig


def capacity_figure(document: dict[str, Any]) -> Figure:
    """One panel per group: required and available FTE (means, 5-95 % bands), the weeks a class
    starts marked, the weeks at risk shaded."""
    allowed = 1 - document["service_probability"]
    rows = _rows(document["weeks"], allowed)
    groups = list(dict.fromkeys(rows["group"]))
    fig = Figure(figsize=(12, 2.8 * len(groups)), layout="constrained")
    axes = fig.subplots(len(groups), 1, squeeze=False, sharex=True)[:, 0]
    for axis, group in zip(axes, groups, strict=True):
        part = rows[rows["group"] == group]
        when = pd.to_datetime(part["start"])
        axis.fill_between(when, part["required_p5"], part["required_p95"], color="tab:red",
                          alpha=0.15, linewidth=0, label="required, 5-95 %")  # fmt: skip
        axis.plot(when, part["required"], color="tab:red", label="required FTE")
        axis.fill_between(when, part["available_p5"], part["available_p95"], color="tab:blue",
                          alpha=0.15, linewidth=0, label="available, 5-95 %")  # fmt: skip
        axis.plot(when, part["available"], color="tab:blue", label="available FTE")
        for start, risky in zip(when, part["at_risk"], strict=True):
            if risky:
                axis.axvspan(start, start + pd.Timedelta(days=7), color="tab:orange", alpha=0.2)
        for start, hires in zip(when, part["hires"], strict=True):
            if hires:
                axis.axvline(start, color="tab:green", linestyle=":", linewidth=1)
                axis.annotate(f"+{hires}", (start, axis.get_ylim()[1]), fontsize="small",
                              color="tab:green", va="top")  # fmt: skip
        axis.set_title(f"{group}: classes dotted, weeks at risk shaded")
        axis.set_ylabel("FTE")
        axis.legend(loc="lower left", fontsize="small")
    return fig


def _rows(weeks: list[dict[str, Any]], allowed: float) -> pd.DataFrame:
    rows = []
    for week in weeks:
        for group, entry in week["groups"].items():
            rows.append({
                "start": week["start"], "month": week["start"][:7], "group": group,
                "hires": entry["hires"], "required": entry["required_fte"]["mean"],
                "required_p5": entry["required_fte"]["p5"],
                "required_p95": entry["required_fte"]["p95"],
                "available": entry["available_fte"]["mean"],
                "available_p5": entry["available_fte"]["p5"],
                "available_p95": entry["available_fte"]["p95"],
                "at_risk": int(entry["at_risk"]),
            })  # fmt: skip
    return pd.DataFrame(rows)
