"""The Streamlit app, page by page, through Streamlit's `AppTest` (no browser): each page loads,
its main widgets work, a run completes on a small scenario, and no exception or error shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import jobs

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    _clean(at)
    return at


def _finish(at: AppTest) -> None:
    """Wait for the runs the page started in the background, then draw the page again."""
    assert jobs.wait_all(timeout_s=300), "a run took more than 5 minutes"
    at.run()


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _load(at: AppTest, name: str) -> None:
    at.sidebar.radio(key="page").set_value("Scenario").run()
    at.selectbox[0].set_value(name).run()
    at.button(key="load_library").click().run()
    _clean(at)
    assert at.session_state["scenario_name"] == name


def _page(at: AppTest, page: str) -> None:
    at.sidebar.radio(key="page").set_value(page).run()
    _clean(at)
    assert at.header[0].value == page


def test_every_page_loads_on_the_default_scenario():
    at = _app()
    assert at.session_state["scenario_name"] == "telecom_hotline_week.yaml"
    pages = ("Scenario", "Forecast", "Simulate", "Optimise", "Drill", "Executive", "Capacity",
             "Runs")  # fmt: skip
    for page in pages:
        _page(at, page)


def test_scenario_page_shows_tables_sources_errors_and_download():
    at = _app()
    _load(at, "single_queue.yaml")
    assert len(at.dataframe) == 4  # editors: contact types, targets, groups; the review
    # A figure that breaks a rule gets the one-line error with its field path, inline.
    at.session_state["scenario"]["targets"][0]["service_level"] = 1.5
    at.run()
    assert any("targets[0].service_level" in e.value for e in at.error)
    assert not at.exception
    at.session_state["scenario"]["targets"][0]["service_level"] = 0.8
    at.run()
    _clean(at)
    assert at.get("download_button"), "the YAML can be downloaded"


def test_scenario_page_apply_without_edits_keeps_the_scenario():
    at = _app()
    _load(at, "multi_skill.yaml")
    before = dict(at.session_state["scenario"])
    at.button(key="apply_edits").click().run()
    _clean(at)
    assert at.session_state["scenario"] == before


def test_scenario_page_refuses_a_bad_upload_as_one_line():
    at = _app()
    at.session_state["scenario"] = {"name": "x", "horizon": {"days": "many"}}
    at.session_state["scenario_name"] = "upload.yaml"
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("upload.yaml: ")


@pytest.mark.slow
def test_simulate_page_runs_and_draws(tmp_path: Path):
    at = _app()
    _load(at, "single_queue.yaml")
    _page(at, "Simulate")
    at.number_input(key="simulate_replications").set_value(2).run()
    at.button(key="simulate_run").click().run()
    _finish(at)
    _clean(at)
    assert len(at.metric) == 1
    assert at.metric[0].delta.split()[0] in ("met", "MISSED", "undecided:")
    assert len(at.get("image")) >= 4  # SL, queue, heatmap, occupancy


@pytest.mark.slow
def test_optimise_page_plans_and_rosters():
    at = _app()
    _load(at, "shifts.yaml")
    _page(at, "Optimise")
    at.number_input(key="opt_replications").set_value(2)
    at.number_input(key="opt_time_limit").set_value(5.0)
    at.number_input(key="opt_rounds").set_value(3)
    at.button(key="opt_run").click().run()
    _finish(at)
    _clean(at)
    assert [m.label for m in at.metric][:2] == ["Cost", "Agent-hours"]
    assert len(at.get("image")) >= 2  # coverage and Gantt
    assert len(at.get("download_button")) == 3
    at.button(key="opt_roster").click().run()
    _finish(at)
    _clean(at)
    assert any(c.value.startswith("roster ") for c in at.caption)
    # The plan is offered to the other pages.
    _page(at, "Simulate")
    assert "the plan from the Optimise page" in at.selectbox(key="simulate_staffing").options


@pytest.mark.slow
def test_drill_page_runs_levers_and_compares():
    at = _app()
    _load(at, "drills/network_fault.yaml")
    _page(at, "Drill")
    at.number_input(key="drill_replications").set_value(2)
    at.slider(key="lever_reserve_regional-network-fault").set_value(40)
    at.selectbox(key="drill_compare").set_value("no-reserve")
    at.button(key="drill_run").click().run()
    _finish(at)
    _clean(at)
    assert len(at.get("image")) == 2  # two timelines side by side
    (drills,) = at.session_state["drills"].values()  # the drills run, by scenario
    assert list(drills) == ["regional-network-fault"]


@pytest.mark.slow
def test_executive_page_builds_the_view_and_the_pdf():
    at = _app()
    _load(at, "single_queue.yaml")
    _page(at, "Executive")
    at.number_input(key="exec_reps").set_value(2)
    at.multiselect(key="exec_factors").set_value([0.9, 1.0, 1.1])
    at.button(key="exec_run").click().run()
    _finish(at)
    _clean(at)
    assert [m.label for m in at.metric] == ["Agent-hours", "Cost", "Targets met"]
    assert len(at.get("image")) == 2  # capacity and frontier
    assert at.get("download_button")


def test_executive_page_refuses_a_sweep_without_the_base():
    at = _app()
    _load(at, "single_queue.yaml")
    _page(at, "Executive")
    at.multiselect(key="exec_factors").set_value([0.9, 1.1]).run()
    assert any("100 %" in e.value for e in at.error)


@pytest.mark.slow
def test_a_long_run_leaves_the_app_usable():
    """A run goes on in the background: its page shows progress, other pages answer meanwhile,
    and the result is there on coming back."""
    at = _app()
    _load(at, "single_queue.yaml")
    _page(at, "Simulate")
    at.number_input(key="simulate_replications").set_value(30)
    at.button(key="simulate_run").click().run()
    assert jobs.running(), "the run is under way after the page has been drawn"
    assert at.get("progress"), "its progress is shown"
    _page(at, "Scenario")
    assert jobs.running(), "another page answered while the run went on"
    _page(at, "Simulate")
    _finish(at)
    _clean(at)
    assert len(at.metric) == 1 and not at.get("progress")


@pytest.mark.slow
def test_settings_changed_after_a_run_are_flagged():
    """The results on show are the last run's: once a setting changes, a notice says so."""
    at = _app()
    _load(at, "single_queue.yaml")
    _page(at, "Simulate")
    at.number_input(key="simulate_replications").set_value(2)
    at.button(key="simulate_run").click().run()
    _finish(at)
    assert not at.warning
    at.number_input(key="simulate_seed").set_value(7).run()
    assert any("settings have changed" in w.value for w in at.warning)
    assert len(at.metric) == 1, "the last run's results stay on show"


def test_an_optimisation_without_a_plan_says_so_and_offers_none():
    """A scenario no plan can cover (one agent at most): the page says why, shows no numbers,
    and the other pages do not offer the empty plan."""
    at = _app()
    _load(at, "shifts.yaml")
    at.session_state["scenario"]["agent_groups"][0]["max_agents"] = 1
    _page(at, "Optimise")
    at.number_input(key="opt_replications").set_value(2)
    at.number_input(key="opt_time_limit").set_value(2.0)
    at.button(key="opt_run").click().run()
    _finish(at)
    _clean(at)
    assert any(w.value.startswith("No plan") for w in at.warning)
    assert not at.metric
    _page(at, "Simulate")
    assert "the plan from the Optimise page" not in at.selectbox(key="simulate_staffing").options


@pytest.mark.slow
def test_runs_page_lists_the_kept_runs_and_compares_two():
    """The app keeps its runs in the run store; the Runs page lists them and compares two."""
    at = _app()
    _load(at, "single_queue.yaml")
    _page(at, "Simulate")
    for seed in (11, 12):
        at.number_input(key="simulate_replications").set_value(2)
        at.number_input(key="simulate_seed").set_value(seed)
        at.button(key="simulate_run").click().run()
        _finish(at)
    _page(at, "Runs")
    _clean(at)
    listed, compared = at.dataframe[0].value, at.dataframe[1].value
    assert {11, 12} <= set(listed["seed"])
    first, second = at.selectbox(key="runs_first").value, at.selectbox(key="runs_second").value
    assert first != second
    level = compared[compared["name"] == "general.service_level"].iloc[0]
    assert level["difference"] == pytest.approx(level.iloc[2] - level.iloc[1])


@pytest.mark.slow
def test_a_run_can_be_stopped_and_run_again():
    """Stop ends the run at its next replication; the page says so; Run starts it afresh."""
    at = _app()
    _load(at, "single_queue.yaml")
    _page(at, "Simulate")
    at.number_input(key="simulate_replications").set_value(40)
    at.button(key="simulate_run").click().run()
    (stop,) = [b for b in at.button if b.label == "Stop"]
    stop.click().run()
    _finish(at)
    assert any("stopped" in i.value for i in at.info) and not at.metric
    at.number_input(key="simulate_replications").set_value(2).run()
    at.button(key="simulate_run").click().run()
    _finish(at)
    _clean(at)
    assert len(at.metric) == 1


@pytest.mark.slow
def test_the_forecast_page_forecasts_the_bundled_history_and_hands_on_its_scenario():
    at = _app()
    _load(at, "bank_base.yaml")
    _page(at, "Forecast")
    at.button(key="forecast_run").click().run()
    _finish(at)
    _clean(at)
    (backtest,) = at.dataframe
    table = backtest.value
    assert set(table["model"]) >= {"last_week", "four_week_mean"} and table["chosen"].sum() == 1
    assert len(at.get("download_button")) == 2  # the CSV, the scenario
    at.button(key="forecast_use").click().run()
    _clean(at)
    assert at.session_state["scenario_name"] == "forecast of bank_base.yaml"
    assert at.session_state["scenario"]["horizon"] == {
        "days": 7,
        "interval_min": 30,
        "start": "1999-11-01",
    }
    _page(at, "Optimise")  # the forecast scenario is the one every page now works on


@pytest.mark.slow
def test_the_capacity_page_plans_the_year_and_follows_an_edit():
    at = _app()
    _page(at, "Capacity")
    at.button(key="capacity_run").click().run()
    _finish(at)
    _clean(at)
    hires = at.metric[1].value
    at.number_input(key="capacity_attrition").set_value(2.0).run()
    at.button(key="capacity_run").click().run()
    _finish(at)
    _clean(at)
    assert int(at.metric[1].value.replace(",", "")) > int(hires.replace(",", ""))
