"""Drill page: pick an incident, set its levers with sliders (reserve size and activation delay,
IVR deflection, callback take-up), run it, see the timeline and the scorecard, and compare it
side by side with another response plan on the same random numbers."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from report.drill_figure import timeline_figure
from report.text import stat_text
from services import AS_GIVEN, Callback, IvrAnnouncement, Reserve, Response, Scenario
from ui import session

AS_IN_FILE = "the response as in the file"
ADJUSTED = "adjusted"


def show() -> None:
    st.header("Drill")
    model = session.current()
    if model is None:
        return
    if not model.incidents:
        st.warning(
            "This scenario has no incidents. The library's drills (drills/*.yaml) add one each "
            "to the telecom week: load one on the Scenario page."
        )
        return
    top = st.columns(4)
    name = top[0].selectbox("Incident", [i.name for i in model.incidents], key="drill_incident")
    choice = top[1].selectbox("Staffing", session.staffing_options(model), key="drill_staffing")
    replications = top[2].number_input("Replications", 1, 100, 5, key="drill_replications")
    seed = top[3].number_input("Seed", 0, 2**31 - 1, 1, key="drill_seed")
    incident = model.incident(name)
    adjusted = _levers(model, incident.response, name)
    others = [AS_IN_FILE] + [p.name for p in model.response_plans if p.incident == name]
    against = st.selectbox("Compare with", others, key="drill_compare")
    compared = incident.response if against == AS_IN_FILE else model.response_of(incident, against)
    args = (
        json.dumps(session.plan_shifts(choice)),
        name,
        {ADJUSTED: adjusted.model_dump_json(), against: compared.model_dump_json()},
        int(replications),
        int(seed),
        choice,
    )
    if st.button("Run the drill", type="primary", key="drill_run"):
        session.start("drill", session.run_drills, *args)
    runs = session.outcome("drill", "running the drill", "Set the levers and press Run.", args)
    if runs is None:
        return
    session.drills_run()[runs[ADJUSTED]["incident"]] = runs[ADJUSTED]
    st.dataframe(_scorecards(runs), width="stretch")
    columns = st.columns(len(runs))
    for column, (plan, document) in zip(columns, runs.items(), strict=True):
        column.markdown(f"**{plan}**")
        column.pyplot(timeline_figure(document))


def _levers(model: Scenario, response: Response, incident: str) -> Response:
    """The incident's response with the sliders' values."""
    st.markdown("**Levers** (times from detection)")
    left, right = st.columns(2)
    groups = [g.name for g in model.agent_groups]
    reserve = response.reserve
    with left:
        group = st.selectbox(
            "Reserve group", groups, index=groups.index(reserve.group) if reserve else 0,
            key=f"lever_group_{incident}",
        )  # fmt: skip
        agents = st.slider("Reserve agents", 0, 200, reserve.agents if reserve else 0,
                           key=f"lever_reserve_{incident}")  # fmt: skip
        delay = st.slider(
            "Reserve activation delay (min)", 0, 180,
            int(reserve.activation_delay_min) if reserve else 30, key=f"lever_delay_{incident}",
        )  # fmt: skip
    with right:
        ivr = response.ivr_announcement
        deflection = st.slider("IVR announcement: share who hang up", 0.0, 0.9,
                               ivr.deflection if ivr else 0.0, 0.05,
                               key=f"lever_ivr_{incident}")  # fmt: skip
        callback = response.callback
        take_up = st.slider("Callback take-up", 0.0, 1.0, callback.take_up if callback else 0.0,
                            0.05, key=f"lever_callback_{incident}")  # fmt: skip
    update: dict[str, Any] = {
        # A lever the file leaves out starts from the schema's defaults, as the file would.
        "reserve": (
            reserve.model_copy(
                update={"group": group, "agents": agents, "activation_delay_min": delay}
            )
            if reserve
            else Reserve(group=group, agents=agents, activation_delay_min=delay)
        )
        if agents > 0
        else None,
        "ivr_announcement": (
            ivr.model_copy(update={"deflection": deflection})
            if ivr
            else IvrAnnouncement(deflection=deflection)
        )
        if deflection > 0
        else None,
        "callback": Callback(
            offer_after_wait_s=callback.offer_after_wait_s if callback else 120.0, take_up=take_up
        )
        if take_up > 0
        else None,
    }
    return response.model_copy(update=update)


def _scorecards(runs: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The scorecards side by side: mean [95 % interval], then the targets met or missed."""
    rows: dict[str, dict[str, str]] = {}
    for plan, document in runs.items():
        for metric, value in document["scorecard"].items():
            rows.setdefault(metric, {})[plan] = stat_text(value, percent=metric == "abandon_rate")
        for target in document["targets"]:
            key = f"{target['metric']} <= {target['value']:g}"
            rows.setdefault(key, {})[plan] = "met" if target["met"] else "MISSED"
    return pd.DataFrame(rows).T.rename(columns={ADJUSTED: f"adjusted ({AS_GIVEN} + sliders)"})
