"""Executive page: capacity against demand over the horizon with 95 % bands, the cost against
service-level frontier of a headcount sweep, the targets, the surge readiness of the drills run
in this session, and the one-page PDF to download."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from optimise.frontier import DEFAULT_FACTORS, base_point
from report.executive import (
    capacity_figure,
    drill_rows,
    executive_page,
    frontier_figure,
    target_rows,
)
from report.export import figure_bytes
from report.summary import met_count_text
from ui import session


def show() -> None:
    st.header("Executive")
    model = session.current()
    if model is None:
        return
    left, middle, right = st.columns(3)
    choice = left.selectbox("Staffing", session.staffing_options(model), key="exec_staffing")
    replications = middle.number_input("Replications per point", 1, 50, 3, key="exec_reps")
    seed = right.number_input("Seed", 0, 2**31 - 1, 1, key="exec_seed")
    factors = st.multiselect(
        "Headcount factors of the sweep", DEFAULT_FACTORS, default=DEFAULT_FACTORS,
        format_func=lambda f: f"{f:.0%}", key="exec_factors",
    )  # fmt: skip
    if 1.0 not in factors:
        st.error("The sweep needs the plan's own headcount (100 %).")
        return
    plan = session.plan_document(choice)
    args = (
        json.dumps(None if plan is None else plan["shifts"]),
        sorted(factors),
        int(replications),
        int(seed),
        None if plan is None else plan.get("cost"),
    )
    if st.button("Build the executive view", type="primary", key="exec_run"):
        session.start("executive", session.run_frontier, *args, staffing=choice)
    points = session.outcome(
        "executive", "simulating the headcount sweep", "Press the button to build the view.", args
    )
    if points is None:
        return
    base = base_point(points)
    targets = base.results.target_results()
    met = sum(t["verdict"] == "met" for t in targets)
    tiles = st.columns(3)
    tiles[0].metric("Agent-hours", f"{base.agent_hours:,.0f}")
    tiles[1].metric("Cost", "-" if base.cost is None else f"{base.cost:,.0f}")
    tiles[2].metric("Targets met", f"{met} of {len(targets)}")
    workload = base.results.workload_table()
    st.pyplot(capacity_figure(workload))
    level = min((t.service_level for t in model.targets), default=None)
    point_rows = [p.to_json() for p in points]
    st.pyplot(frontier_figure(point_rows, level))
    st.dataframe(
        pd.DataFrame(target_rows(targets), columns=["contact type", "target", "achieved", ""]),
        hide_index=True,
    )
    drills = list(session.drills_run().values())
    st.markdown("**Surge readiness** (the drills run on the Drill page in this session)")
    if drills:
        st.dataframe(
            pd.DataFrame(
                drill_rows(drills),
                columns=["incident", "grade", "abandon rate", "recovered", "lost", "targets met"],
            ),
            hide_index=True,
        )
    else:
        st.caption("No drill run yet.")
    staffing = session.asked("executive")["staffing"]
    title = (
        f"{model.name} on {staffing}: {base.agent_hours:,.0f} agent-hours; "
        f"{met_count_text(targets)}"
    )
    page = executive_page(title, workload, point_rows, targets, drills, level)
    st.download_button(
        "Download the one-page PDF", figure_bytes(page, ".pdf"), "executive.pdf",
        "application/pdf", type="primary",
    )  # fmt: skip
