"""Executive page: capacity against demand over the horizon with 95 % bands, the cost against
service-level frontier of a headcount sweep, the targets, the surge readiness of the drills run
in this session, and the one-page PDF to download."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import streamlit as st

from report.executive import capacity_figure, drill_rows, frontier_figure, target_rows
from report.export import figure_bytes
from services import DEFAULT_FACTORS
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
        session.start("executive", session.run_executive_view, *args, staffing=choice)
    view = session.outcome(
        "executive", "simulating the headcount sweep", "Press the button to build the view.", args
    )
    if view is None:
        return
    base = view.base
    targets = view.targets()
    met = sum(t["verdict"] == "met" for t in targets)
    tiles = st.columns(3)
    tiles[0].metric("Agent-hours", f"{base.agent_hours:,.0f}")
    tiles[1].metric("Cost", "-" if base.cost is None else f"{base.cost:,.0f}")
    tiles[2].metric("Targets met", f"{met} of {len(targets)}")
    st.pyplot(capacity_figure(base.results.workload_table()))
    st.pyplot(frontier_figure([p.to_json() for p in view.points], view.target_level))
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
    page = replace(view, drills=drills).page(session.asked("executive")["staffing"])
    st.download_button(
        "Download the one-page PDF", figure_bytes(page, ".pdf"), "executive.pdf",
        "application/pdf", type="primary",
    )  # fmt: skip
