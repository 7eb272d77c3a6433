"""Simulate page: run the scenario on a staffing with replications and a seed; KPI tiles against
the targets, service level and queue per interval with 95 % bands, the day x interval heatmap
and the occupancy of each group."""

from __future__ import annotations

import json

import streamlit as st

from report.service_figures import (
    occupancy_figure,
    queue_figure,
    service_heatmap,
    service_level_figure,
)
from report.summary import verdict_text
from report.text import stat_text
from services import WEEKDAYS
from ui import session


def show() -> None:
    st.header("Simulate")
    model = session.current()
    if model is None:
        return
    options = session.staffing_options(model)
    left, middle, right = st.columns(3)
    choice = left.selectbox("Staffing", options, key="simulate_staffing")
    replications = middle.number_input("Replications", 1, 100, 5, key="simulate_replications")
    seed = right.number_input("Seed", 0, 2**31 - 1, 1, key="simulate_seed")
    args = (json.dumps(session.plan_document(choice)), int(replications), int(seed), choice)
    if st.button("Run the simulation", type="primary", key="simulate_run"):
        session.start("simulate", session.run_simulation, *args, staffing=choice)
    run = session.outcome("simulate", "simulating", "Choose the staffing and press Run.", args)
    if run is None:
        return
    _results(run, session.asked("simulate")["staffing"], model.horizon.first_weekday)


def _results(run: dict, staffing: str, first_weekday: int) -> None:
    document = run["document"]
    targets = document["targets"]
    st.subheader(
        f"{document['scenario']} on {staffing}: {document['replications']} replications, "
        f"seed {document['seed']}"
    )
    tiles = st.columns(min(4, max(1, len(targets))))
    for i, target in enumerate(targets):
        achieved = target["achieved"]
        who = target["contact_type"] + (f" / {target['tier']}" if target["tier"] else "")
        colour = {"met": "normal", "missed": "inverse"}.get(target["verdict"], "off")
        tiles[i % len(tiles)].metric(
            f"{who}: {target['service_level']:.0%} in {target['answer_within_s']:g} s",
            stat_text(achieved, band_digits=0),
            verdict_text(target),
            delta_color=colour,
        )
    intervals = run["intervals"]
    types = list(intervals["contact_type"].unique())
    shown = st.multiselect("Contact types in the charts", types, default=types[:4])
    st.pyplot(service_level_figure(intervals, targets, shown))
    st.pyplot(queue_figure(intervals, shown))
    days = int(intervals["day"].max()) + 1
    names = [f"day {d + 1} ({WEEKDAYS[(first_weekday + d) % 7]})" for d in range(days)]
    st.pyplot(service_heatmap(intervals, names))
    st.pyplot(occupancy_figure(run["groups"]))
    with st.expander("Targets"):
        st.dataframe(
            [
                {
                    "contact type": t["contact_type"],
                    "tier": t["tier"],
                    "target": f"{t['service_level']:.0%} in {t['answer_within_s']:g} s",
                    "scope": t["scope"],
                    "achieved": t["achieved"]["mean"],
                    "verdict": t["verdict"],
                    "confidence": t["confidence"],
                    "room (points)": None if t["room"] is None else 100 * t["room"],
                    "source": t["source"],
                }
                for t in targets
            ],
            hide_index=True,
        )
