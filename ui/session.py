"""What the app's pages share: the scenario being worked on, the staffing to run it with, and
the cached runs.

The scenario lives in ``st.session_state`` as a mapping (the parsed YAML, `extends` resolved),
so edits on the Scenario page reach every page. Runs are cached by the scenario's content (its
YAML text) and their parameters: the same run asked twice is answered at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

from optimise.frontier import FrontierPoint, headcount_frontier
from optimise.loop import optimise
from scenarios.load import ScenarioError, from_dict, read_mapping
from scenarios.plan_file import plan_staffing, read_plan
from scenarios.schema import Response, Scenario
from sim.drill import drill
from sim.metrics import json_safe
from sim.replicate import simulate

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "library"
OWN_STAFFING = "the scenario's own staffing"
OPTIMISED = "the plan from the Optimise page"


def library_files() -> list[Path]:
    """The bundled scenarios: the library's YAML files, then the drills'."""
    return sorted(LIBRARY.glob("*.yaml")) + sorted((LIBRARY / "drills").glob("*.yaml"))


def library_plans() -> list[Path]:
    """The bundled plans (``wfm optimise --json`` documents) in the library."""
    return sorted(LIBRARY.rglob("*plan*.json"))


def label(path: Path) -> str:
    """A library file's name relative to the library."""
    return str(path.relative_to(LIBRARY))


def choose(name: str, mapping: dict[str, Any]) -> None:
    """Make `mapping` (called `name`) the scenario every page works on."""
    st.session_state["scenario_name"] = name
    st.session_state["scenario"] = mapping
    st.session_state.pop("plan", None)


def ensure_scenario() -> None:
    """Start on the library's telecom week when no scenario was chosen yet."""
    if "scenario" not in st.session_state:
        first = LIBRARY / "telecom_hotline_week.yaml"
        choose(label(first), read_mapping(first))


def scenario_text() -> str:
    """The current scenario as YAML text (the cache key of every run)."""
    return yaml.safe_dump(st.session_state["scenario"], sort_keys=False, allow_unicode=True)


def current() -> tuple[Scenario | None, str | None]:
    """The validated current scenario, or None and the one-line error."""
    try:
        return from_dict(st.session_state["scenario"], st.session_state["scenario_name"]), None
    except ScenarioError as err:
        return None, str(err)


def staffing_options(model: Scenario) -> list[str]:
    """The staffings a run may use: the scenario's own (when it has one), the plan optimised in
    this session, the library's plans."""
    options = [OWN_STAFFING] if model.staffed else []
    if st.session_state.get("plan", {}).get("scenario") == scenario_text():
        options.append(OPTIMISED)
    return options + [label(p) for p in library_plans()]


def plan_document(choice: str) -> dict[str, Any] | None:
    """The plan of the chosen staffing (None: the scenario's own)."""
    if choice == OWN_STAFFING:
        return None
    if choice == OPTIMISED:
        return st.session_state["plan"]["document"]
    return read_plan(LIBRARY / choice)


def plan_shifts(choice: str) -> list[dict[str, Any]] | None:
    """The shifts of the chosen staffing (None: the scenario's own)."""
    plan = plan_document(choice)
    return None if plan is None else plan["shifts"]


def _staffing(model: Scenario, shifts: list[dict[str, Any]] | None) -> tuple[Any, Any]:
    if shifts is None:
        return None, None
    return plan_staffing(model, shifts)


@st.cache_data(show_spinner=False, max_entries=8)
def run_simulation(
    text: str,
    shifts_json: str,
    replications: int,
    seed: int,
    _progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Simulate scenario `text` on `shifts_json` (``null``: its own staffing): the JSON
    document and the interval tables."""
    model = from_dict(yaml.safe_load(text))
    staffing, _ = _staffing(model, json.loads(shifts_json))
    results = simulate(model, staffing, seed=seed, replications=replications, progress=_progress)
    return {
        "document": results.to_json(),
        "intervals": results.interval_table(),
        "groups": results.group_interval_table(),
        "workload": results.workload_table(),
    }


@st.cache_data(show_spinner=False, max_entries=8)
def run_optimisation(
    text: str,
    replications: int,
    seed: int,
    time_limit_s: float,
    _progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Optimise scenario `text`: the plan document of ``wfm optimise --json``."""
    model = from_dict(yaml.safe_load(text))
    result = optimise(
        model, seed=seed, replications=replications, time_limit_s=time_limit_s, progress=_progress
    )
    return json_safe(result.to_json())


@st.cache_data(show_spinner=False, max_entries=16)
def run_drill(
    text: str,
    shifts_json: str,
    incident: str,
    response_json: str,
    replications: int,
    seed: int,
) -> dict[str, Any]:
    """Run `incident` of scenario `text` under the response `response_json` on the staffing:
    the ``wfm drill --json`` document."""
    model = from_dict(yaml.safe_load(text))
    staffing, breaks = _staffing(model, json.loads(shifts_json))
    response = Response.model_validate_json(response_json)
    result = drill(
        model,
        incident,
        staffing,
        breaks,
        seed=seed,
        replications=replications,
        response=response,
    )
    return result.to_json()


@st.cache_data(show_spinner=False, max_entries=8)
def run_frontier(
    text: str,
    shifts_json: str,
    factors: tuple[float, ...],
    replications: int,
    seed: int,
    base_cost: float | None,
    _progress: Callable[[float], None] | None = None,
) -> list[FrontierPoint]:
    """The headcount sweep of scenario `text` on the staffing (`optimise.frontier`); `base_cost`
    is the plan's own cost (None: from the groups' pay)."""
    model = from_dict(yaml.safe_load(text))
    staffing, breaks = _staffing(model, json.loads(shifts_json))
    return headcount_frontier(
        model,
        staffing,
        breaks,
        factors=factors,
        seed=seed,
        replications=replications,
        progress=_progress,
        base_cost=base_cost,
    )
