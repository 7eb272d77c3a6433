"""Optimise page: find the cheapest verified shifts; required against scheduled agents, the plan
as a table and a Gantt chart, cost, agent-hours, gap and targets; a roster of anonymous agents;
downloads of the plan (JSON) and its shifts and coverage (CSV)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from report.export import json_text
from report.plan_figures import coverage_figure, shift_gantt_figure
from report.summary import verdict_text
from report.tables import shift_table
from ui import session


def show() -> None:
    st.header("Optimise")
    model = session.current()
    if model is None:
        return
    if not model.shift_templates:
        st.warning("This scenario has no shift templates: there is nothing to optimise.")
        return
    left, middle, right, last = st.columns(4)
    replications = left.number_input(
        "Replications a check starts with", 2, 50, 10, key="opt_replications",
        help="A check adds replications while a target's verdict is open, up to 16-64 times "
        "this (about 8 million simulated contacts).",
    )  # fmt: skip
    seed = middle.number_input("Seed", 0, 2**31 - 1, 1, key="opt_seed")
    time_limit = right.number_input("Solver seconds per schedule", 1.0, 600.0, 10.0,
                                    key="opt_time_limit")  # fmt: skip
    rounds = last.number_input("Rounds at most", 1, 100, 30, key="opt_rounds")
    args = (int(replications), int(seed), float(time_limit), int(rounds))
    if st.button("Find the cheapest plan", type="primary", key="opt_run"):
        session.start("optimise", session.run_optimisation, *args)
    document = session.outcome(
        "optimise", "optimising", "Press the button to plan this scenario's shifts.", args
    )
    if document is None:
        return
    if document["cost"] is None:  # the solver found no plan: say why, offer nothing
        st.warning(f"No plan: {document.get('message') or document['status']}")
        return
    _plan(document, model.horizon.days)


def _plan(document: dict, days: int) -> None:
    verdict = "all met" if document["targets_met"] else "NOT all met"
    tiles = st.columns(4)
    tiles[0].metric("Cost", f"{document['cost']:,.0f}")
    tiles[1].metric("Agent-hours", f"{document['agent_hours']:,.0f}")
    tiles[2].metric("Gap to the bound", f"{document['gap']:.2%}")
    tiles[3].metric("Targets (verified)", verdict)
    if document.get("message"):
        st.warning(document["message"])
    coverage = document["coverage"]
    groups = sorted({row["group"] for row in coverage})
    group = st.selectbox("Group", ["all groups", *groups], key="opt_group")
    st.pyplot(coverage_figure(coverage, None if group == "all groups" else group))
    st.pyplot(shift_gantt_figure(document["shifts"], days))
    shifts = shift_table(document["shifts"])
    st.dataframe(shifts, hide_index=True)
    downloads = st.columns(3)
    downloads[0].download_button("Plan (JSON)", json_text(document), "plan.json",
                                 "application/json")  # fmt: skip
    downloads[1].download_button("Shifts (CSV)", shifts.to_csv(index=False), "shifts.csv",
                                 "text/csv")  # fmt: skip
    downloads[2].download_button("Coverage (CSV)", pd.DataFrame(coverage).to_csv(index=False),
                                 "coverage.csv", "text/csv")  # fmt: skip
    verification = document.get("verification")
    if verification is not None:
        st.caption(
            "Targets in the independent verification "
            f"({verification['replications']} replications; one-sided "
            f"{100 * verification['targets'][0]['decision']['confidence']:g} %, tolerance "
            f"{100 * verification['targets'][0]['decision']['tolerance']:g} points)"
            if verification["targets"]
            else "No targets"
        )
        st.dataframe(
            [
                {
                    "target": t["contact_type"] + (f" / {t['tier']}" if t["tier"] else ""),
                    "level": f"{t['service_level']:.0%} in {t['answer_within_s']:g} s "
                    f"({t['scope']})",
                    "verdict": verdict_text(t),
                    "room (points)": None if t["room"] is None else round(100 * t["room"], 1),
                }
                for t in verification["targets"]
            ],
            hide_index=True,
        )
    with st.expander("Roster: anonymous agents on these shifts for one week"):
        args = (json_text(document), 1, 10.0)
        if st.button("Build the roster", key="opt_roster"):
            session.start("roster", session.run_roster, *args)
        run = session.outcome("roster", "rostering", "Press the button to roster the plan.", args)
        if run is not None:
            st.caption(run.summary())
            st.dataframe(pd.DataFrame(run.roster.agents), hide_index=True)
