"""Runs page: the kept runs (the CLI's and the app's, from the run store), and two of them
compared KPI by KPI."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from services import compared_runs, kept_run, kept_runs, store_location


def show() -> None:
    st.header("Runs")
    runs = kept_runs(limit=200)
    st.caption(f"Run store: {store_location()}")
    if not runs:
        st.info("No run kept yet: every simulate, optimise, drill and sweep run is kept here.")
        return
    table = pd.DataFrame(runs).drop(columns=["scenario_sha256"])
    st.dataframe(table, hide_index=True, width="stretch")
    labels = {
        r["id"]: f"{r['id']}  {r['command']}  {r['scenario']}  seed {r['seed']}" for r in runs
    }
    ids = list(labels)
    left, right = st.columns(2)
    first = left.selectbox("First run", ids, index=min(1, len(ids) - 1),
                           format_func=labels.get, key="runs_first")  # fmt: skip
    second = right.selectbox("Second run", ids, index=0, format_func=labels.get,
                             key="runs_second")  # fmt: skip
    rows = compared_runs(first, second)
    st.dataframe(
        pd.DataFrame(rows).rename(
            columns={"first": f"first ({first})", "second": f"second ({second})"}
        ),
        hide_index=True,
        width="stretch",
    )
    with st.expander("Parameters of the two runs"):
        for run_id in (first, second):
            run = kept_run(run_id)
            st.json({k: run[k] for k in ("id", "command", "scenario", "seed", "params",
                                          "code_version", "scenario_sha256")})  # fmt: skip
