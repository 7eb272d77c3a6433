"""wfm's Streamlit app: ``streamlit run app.py`` (or ``make app``).

A thin front-end over the functions the CLI calls: eight pages (`ui/`) for planners, drill
designers and executives, the last listing the kept runs. A user's mistake shows as the
one-line message the CLI would print; any other failure as a short message, never a stack
trace.
"""

from __future__ import annotations

import streamlit as st

import services
from ui import (
    capacity_page,
    drill_page,
    executive_page,
    forecast_page,
    optimise_page,
    runs_page,
    scenario_page,
    session,
    simulate_page,
)

PAGES = {
    "Scenario": scenario_page.show,
    "Forecast": forecast_page.show,
    "Simulate": simulate_page.show,
    "Optimise": optimise_page.show,
    "Drill": drill_page.show,
    "Executive": executive_page.show,
    "Capacity": capacity_page.show,
    "Runs": runs_page.show,
}

st.set_page_config(page_title="wfm", layout="wide")
st.sidebar.title("wfm")
page = st.sidebar.radio("Page", list(PAGES), key="page")
try:
    session.ensure_scenario()
    st.sidebar.caption(f"Scenario: {st.session_state['scenario_name']}")
    PAGES[page]()
except Exception as err:  # the app must never show a traceback
    if services.is_input_error(err):
        st.error(str(err))
    else:
        st.error(f"wfm could not finish this: {type(err).__name__}: {err}")
