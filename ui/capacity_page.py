"""Capacity page: the year of a bundled capacity file, with its growth, attrition, shrinkage and
service probability editable, planned from the file's bundled requirement curve (seconds), or
from one measured afresh with the optimiser (minutes): cost, hires by month, weeks at risk and
the fan chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from report.capacity_views import capacity_figure
from services import read_yaml, run_capacity
from ui import session
from ui.jobs import Job

FOLDER = session.LIBRARY / "capacity"


def show() -> None:
    st.header("Capacity")
    files = sorted(FOLDER.glob("*.yaml"))
    chosen = st.selectbox("Capacity file", [f.name for f in files], key="capacity_file")
    if chosen is None:
        return
    path = FOLDER / chosen
    data = read_yaml(path, "capacity plan")
    groups = data["groups"]
    first, second, third, fourth = st.columns(4)
    growth = first.number_input("Growth a year", -0.5, 2.0,
                                float(data["demand"].get("growth_per_year", 0.0)), 0.01,
                                key="capacity_growth")  # fmt: skip
    factor = second.number_input("Attrition x (1 = as in the file)", 0.0, 5.0, 1.0, 0.1,
                                 key="capacity_attrition")  # fmt: skip
    shrinkage = third.number_input("Shrinkage", 0.0, 0.9, float(data.get("shrinkage", 0.3)),
                                   0.01, key="capacity_shrinkage")  # fmt: skip
    probability = fourth.number_input(
        "Service probability", 0.5, 0.999, float(data.get("service_probability", 0.9)), 0.01,
        key="capacity_probability",
    )  # fmt: skip
    bundled = path.with_name(f"{path.stem}_curve.json")
    fresh = st.checkbox("Measure the requirement curve afresh (minutes)",
                        value=not bundled.exists(), key="capacity_fresh")  # fmt: skip
    edits = {"growth_per_year": growth, "attrition_factor": factor, "shrinkage": shrinkage,
             "service_probability": probability}  # fmt: skip
    args = (str(path), json.dumps(edits), None if fresh else str(bundled),
            [g["name"] for g in groups])  # fmt: skip
    if st.button("Plan the year", type="primary", key="capacity_run"):
        session.start("capacity", run_capacity_job, *args)
    document = session.outcome("capacity", "planning", "Set the figures and press Plan.", args)
    if document is None:
        return
    _results(document)


def run_capacity_job(
    scenario: str, path: str, edits_json: str, curve: str | None, groups: list[str], job: Job
) -> dict[str, Any]:
    """The capacity plan of the file at `path` with `edits` applied (growth a year, an
    attrition factor on every group, shrinkage, service probability), on the requirement curve
    in `curve` (None: measured with the optimiser); `scenario` only keys the run."""
    edits = json.loads(edits_json)
    data = read_yaml(Path(path), "capacity plan")
    groups = [
        {**group, "attrition_per_month": min(
            group.get("attrition_per_month", 0.0) * edits["attrition_factor"], 0.99)}
        for group in data["groups"]
    ]  # fmt: skip
    changes = {
        "demand": {**data.get("demand", {}), "growth_per_year": edits["growth_per_year"]},
        "groups": groups,
        "shrinkage": edits["shrinkage"],
        "service_probability": edits["service_probability"],
    }
    run = run_capacity(
        Path(path), replications=200, seed=1, time_limit_s=2, max_rounds=5,
        curve_file=None if curve is None else Path(curve), changes=changes,
        executor=job.workers(), progress=job.update, **session.keeping(),
    )  # fmt: skip
    session.note_kept(run.kept)
    return run.document


def _results(document: dict[str, Any]) -> None:
    cost, bare = document["cost"], document["no_hiring"]["cost"]
    hires = sum(h["count"] for h in document["hires"])
    at_risk = sum(e["at_risk"] for w in document["weeks"] for e in w["groups"].values())
    bare_risk = sum(e["at_risk"] for w in document["no_hiring"]["weeks"]
                    for e in w["groups"].values())  # fmt: skip
    tiles = st.columns(4)
    tiles[0].metric("Cost of the year", f"{cost['total'] / 1e6:,.2f} M",
                    f"{(cost['total'] - bare['total']) / 1e6:+,.2f} M against no hiring",
                    delta_color="off")  # fmt: skip
    tiles[1].metric("Hires", f"{hires:,}")
    tiles[2].metric("Group-weeks at risk", f"{at_risk}", f"{bare_risk} without hiring",
                    delta_color="off")  # fmt: skip
    tiles[3].metric("Service probability", f"{document['service_probability']:.0%}")
    st.pyplot(capacity_figure(document))
    months = pd.DataFrame(
        [
            {"month": h["start"][:7], "group": h["group"], "hires": h["count"]}
            for h in document["hires"]
        ]
    )
    if not months.empty:
        st.markdown("**Hires by month**")
        st.dataframe(months.pivot_table(index="month", columns="group", values="hires",
                                        aggfunc="sum", fill_value=0))  # fmt: skip
