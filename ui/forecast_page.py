"""Forecast page: a centre's interval history (uploaded, or the bundled bank excerpt) forecast
with calibrated bands; the backtest table, the history with the forecast, the CSV to download,
and the forecast days as a scenario made from the current one, to simulate and optimise."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

from report.export import csv_text
from report.forecast_views import forecast_figure
from services import MAX_FORECAST_DAYS, parse_mapping, run_forecast
from ui import session
from ui.jobs import Job

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "tests" / "data" / "anonymous_bank_1999_aug_oct.csv"
BUNDLED_HOLIDAYS = REPO / "tests" / "data" / "bank_1999_holidays.csv"
BUNDLED_NAME = "the bundled bank history (Aug-Oct 1999, 6 min)"


def show() -> None:
    st.header("Forecast")
    source, holidays_box = st.columns(2)
    uploaded = source.file_uploader("Interval history CSV (or use the bundled one)", type=["csv"])
    history = _text(uploaded) if uploaded is not None else None
    name = uploaded.name if uploaded is not None else BUNDLED_NAME
    bundled = uploaded is None
    holidays_upload = holidays_box.file_uploader(
        "Holidays CSV: date, name (optional)", type=["csv"]
    )
    if bundled and holidays_upload is None:
        holidays_box.caption(
            "The bundled history comes with its holidays (Jewish holidays of 1999)."
        )
    holidays = _text(holidays_upload) if holidays_upload is not None else None
    left, middle, right = st.columns(3)
    horizon = left.number_input("Days to forecast", 1, MAX_FORECAST_DAYS, 7, key="forecast_days")
    grid = middle.selectbox("Interval (min)", ["the history's", 15, 30, 60], index=2,
                            key="forecast_grid")  # fmt: skip
    with_scenario = right.checkbox(
        f"Make a scenario from {st.session_state['scenario_name']}", value=True,
        key="forecast_scenario",
    )  # fmt: skip
    args = (name, history, holidays, int(horizon), None if isinstance(grid, str) else int(grid),
            with_scenario)  # fmt: skip
    if st.button("Forecast", type="primary", key="forecast_run"):
        session.start("forecast", run_forecast_job, *args)
    run = session.outcome("forecast", "forecasting", "Choose a history and press Forecast.", args)
    if run is None:
        return
    _results(run)


def run_forecast_job(
    scenario: str,
    name: str,
    history: str | None,
    holidays: str | None,
    horizon_days: int,
    interval_min: int | None,
    with_scenario: bool,
    job: Job,
) -> dict[str, Any]:
    """The forecast of the history `history` (CSV text; None: the bundled one) called `name`,
    with its `holidays` (CSV text; None: the bundled history's, or none), and the scenario of
    the forecast days made from `scenario` (the current scenario's YAML) when asked."""
    with tempfile.TemporaryDirectory() as folder:
        history_path = BUNDLED if history is None else _written(folder, "history.csv", history)
        if holidays is not None:
            holidays_path = _written(folder, "holidays.csv", holidays)
        else:
            holidays_path = BUNDLED_HOLIDAYS if history is None else None
        base = parse_mapping(scenario, "the current scenario") if with_scenario else None
        run = run_forecast(
            history_path, horizon_days, interval_min=interval_min, holidays_file=holidays_path,
            base=base, base_label=_scenario_name(scenario), history_label=name,
            holidays_label=None if holidays is None else "the uploaded holidays",
            executor=job.workers(), progress=job.update,
            **session.keeping(),
        )  # fmt: skip
    session.note_kept(run.kept)
    return {"document": run.document, "csv": csv_text(run.table), "recent": run.recent,
            "scenario": run.scenario_text}  # fmt: skip


def _scenario_name(scenario: str) -> str:
    """The scenario's own name, for the forecast scenario's sources and messages."""
    return str(yaml.safe_load(scenario).get("name", "the current scenario"))


def _results(run: dict[str, Any]) -> None:
    document = run["document"]
    st.subheader(
        f"{document['horizon_days']} days at {document['interval_min']} min from "
        f"{document['first_interval']}"
    )
    st.pyplot(forecast_figure(document, run["recent"]))
    for contact_type, about in document["contact_types"].items():
        st.markdown(
            f"**{contact_type}**: model **{about['model']}**, chosen by a backtest of "
            f"{len(about['origins'])} weekly origins; {about['gaps']} intervals missing in the "
            f"history (filled for the models, never scored)"
        )
        st.dataframe(
            [
                {
                    "model": row["model"],
                    "WAPE interval": f"{row['wape_interval']:.1%}",
                    "WAPE day": f"{row['wape_day']:.1%}",
                    "bias": f"{row['bias']:+.1%}",
                    "80 % band held": "-" if row["cover80"] is None else f"{row['cover80']:.0%}",
                    "95 % band held": "-" if row["cover95"] is None else f"{row['cover95']:.0%}",
                    "chosen": row["model"] == about["model"],
                }
                for row in about["backtest"]
            ],
            hide_index=True,
        )
    st.download_button("Download the forecast CSV", run["csv"], file_name="forecast.csv",
                       mime="text/csv")  # fmt: skip
    if run["scenario"] is not None:
        name = f"forecast of {st.session_state['scenario_name']}"
        st.download_button("Download the forecast scenario", run["scenario"],
                           file_name="forecast_scenario.yaml", mime="text/yaml")  # fmt: skip
        if st.button("Use the forecast scenario on every page", key="forecast_use"):
            session.choose(name, parse_mapping(run["scenario"], name))
            st.rerun()


def _text(upload) -> str:
    """An upload's text (Streamlit caps its size: .streamlit/config.toml); bytes that are not
    UTF-8 are replaced, and the history's checks then name the line."""
    return upload.getvalue().decode("utf-8", errors="replace")


def _written(folder: str, name: str, text: str) -> Path:
    path = Path(folder) / name
    path.write_text(text, encoding="utf-8")
    return path
