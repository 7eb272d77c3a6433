"""Scenario page: pick a library scenario or upload one, edit its main figures in tables, see
every target's source, download the edited YAML."""

from __future__ import annotations

import streamlit as st

from services import ScenarioError, apply_edits, edit_tables, parse_mapping, read_mapping, review
from ui import session


def show() -> None:
    st.header("Scenario")
    files = session.library_files()
    names = [session.label(p) for p in files]
    pick, upload = st.columns(2)
    with pick:
        current = st.session_state["scenario_name"]
        chosen = st.selectbox(
            "Library scenario", names, index=names.index(current) if current in names else None
        )
        if chosen is not None and chosen != current and st.button("Load", key="load_library"):
            session.choose(chosen, read_mapping(files[names.index(chosen)]))
            st.rerun()
    with upload:
        uploaded = st.file_uploader("or upload a scenario YAML", type=["yaml", "yml"])
        if uploaded is not None and st.button("Use the upload", key="load_upload"):
            try:
                mapping = parse_mapping(uploaded.getvalue().decode("utf-8"), uploaded.name)
            except (ScenarioError, UnicodeDecodeError) as err:
                st.error(str(err))
            else:
                session.choose(uploaded.name, mapping)
                st.rerun()

    st.subheader(f"Editing: {st.session_state['scenario_name']}")
    model = session.current()
    tables = edit_tables(st.session_state["scenario"])
    edited = {}
    captions = {
        "contact_types": "Contact types: volume factor (1 = as in the file), mean handle time (s)",
        "targets": "Targets (service level as a share; `source` says where the figure comes from)",
        "agent_groups": "Agent groups: flat headcount (blank: a profile or shifts in the file)",
        "shift_templates": "Shift templates",
    }
    for name, table in tables.items():
        if table.empty:
            continue
        st.markdown(f"**{captions[name]}**")
        edited[name] = st.data_editor(
            table,
            key=f"edit_{name}",
            num_rows="dynamic" if name == "targets" else "fixed",
            disabled=[c for c in ("contact_type", "channel", "agent_group", "skills",
                                  "shift_template") if c in table.columns and name != "targets"],
            width="stretch",
            hide_index=True,
        )  # fmt: skip
    if st.button("Apply the edits", type="primary", key="apply_edits"):
        mapping = apply_edits(st.session_state["scenario"], edited)
        st.session_state["scenario"] = mapping
        for name in tables:
            st.session_state.pop(f"edit_{name}", None)
        st.rerun()

    if model is not None:
        figures = review(model)
        st.markdown("**Review**")
        st.dataframe(
            [
                {
                    "channel": c.name,
                    "kind": c.kind,
                    "weekly volume": round(c.weekly_offered),
                    "peak load (Erlangs)": round(c.peak_erlangs, 1),
                    "weekly workload (h)": round(c.weekly_workload_h),
                }
                for c in figures.channels
            ],
            hide_index=True,
        )
        for warning in figures.warnings:
            st.warning(warning)
    st.download_button(
        "Download the scenario YAML",
        session.scenario_text(),
        file_name=_yaml_name(st.session_state["scenario_name"]),
        mime="application/x-yaml",
    )


def _yaml_name(name: str) -> str:
    stem = name.rsplit("/", 1)[-1]
    return stem if stem.endswith((".yaml", ".yml")) else f"{stem}.yaml"
