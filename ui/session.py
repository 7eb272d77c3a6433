"""What the app's pages share: the scenario being worked on, the staffing to run it with, and
the cached runs.

The scenario lives in ``st.session_state`` as a mapping (the parsed YAML, `extends` resolved),
so edits on the Scenario page reach every page. The `run_*` functions are the runs the pages
start in the background (`ui.jobs`), keyed by the scenario's content (its YAML text) and their
parameters; each takes the job last, to report its progress to.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

import services
from services import Response, Scenario, ScenarioError, from_dict, read_mapping, read_plan
from ui import jobs
from ui.jobs import Job

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
    for key in [k for k in st.session_state if str(k).startswith("edit_")]:
        del st.session_state[key]  # edits not applied belong to the scenario left


def ensure_scenario() -> None:
    """Start on the library's telecom week when no scenario was chosen yet."""
    if "scenario" not in st.session_state:
        first = LIBRARY / "telecom_hotline_week.yaml"
        choose(label(first), read_mapping(first))


def scenario_text() -> str:
    """The current scenario as YAML text (the cache key of every run)."""
    return yaml.safe_dump(st.session_state["scenario"], sort_keys=False, allow_unicode=True)


def current() -> Scenario | None:
    """The validated current scenario; None, with its one-line error shown, when it is not
    valid."""
    try:
        return from_dict(st.session_state["scenario"], st.session_state["scenario_name"])
    except ScenarioError as err:
        st.error(str(err))
        return None


def staffing_options(model: Scenario) -> list[str]:
    """The staffings a run may use: the scenario's own (when it has one), the plan optimised in
    this session, the library's plans."""
    options = [OWN_STAFFING] if model.staffed else []
    if optimised_plan() is not None:
        options.append(OPTIMISED)
    return options + [label(p) for p in library_plans()]


def start(page: str, run: Callable[..., Any], *args: Any, **note: Any) -> None:
    """Start `run` (one of the `run_*` below) with `args` in the background for `page`, on the
    current scenario; `note` is kept with it (the staffing's name, say)."""
    key = jobs.submit(run, scenario_text(), *args)
    st.session_state[f"{page}_job"] = {
        "key": key, "scenario": scenario_text(), "args": list(args), **note,
    }  # fmt: skip


def asked(page: str) -> dict[str, Any] | None:
    """The run `page` last started, when it was on the current scenario and is still known:
    ``{"key", "scenario", ...note}``."""
    record = st.session_state.get(f"{page}_job")
    if record is None or record["scenario"] != scenario_text() or not jobs.known(record["key"]):
        return None
    return record


def outcome(page: str, running: str, prompt: str, args: tuple[Any, ...]) -> Any:
    """The result of the run `page` last started on this scenario; None, with `prompt` shown,
    when there is none, and None, with its progress bar, while it runs. When the page's
    settings (`args`, as `start` would be given them) have changed since, a notice says the
    result is the last run's."""
    record = asked(page)
    if record is None:
        st.info(prompt)
        return None
    if jobs.stopped(record["key"]):
        st.info("The run was stopped. " + prompt)
        return None
    if json.loads(json.dumps(list(args))) != record["args"]:
        st.warning("The settings have changed since this run: press the button to run them.")
    jobs.progress_panel(record["key"], running)
    return jobs.result(record["key"])


def optimised_plan() -> dict[str, Any] | None:
    """The plan the Optimise page made for the current scenario, once it is ready and has
    shifts (a failed run, or one that found no plan, offers none)."""
    record = asked("optimise")
    if record is None or jobs.failed(record["key"]):
        return None
    plan = jobs.result(record["key"])
    return plan if plan is not None and plan.get("cost") is not None else None


def plan_document(choice: str) -> dict[str, Any] | None:
    """The plan of the chosen staffing (None: the scenario's own)."""
    if choice == OWN_STAFFING:
        return None
    if choice == OPTIMISED:
        return optimised_plan()
    return read_plan(LIBRARY / choice)


def drills_run() -> dict[str, dict[str, Any]]:
    """The drills run on the Drill page on the current scenario, by incident (the last run of
    each, with its levers as set)."""
    return st.session_state.setdefault("drills", {}).setdefault(scenario_text(), {})


def plan_shifts(choice: str) -> list[dict[str, Any]] | None:
    """The shifts of the chosen staffing (None: the scenario's own)."""
    plan = plan_document(choice)
    return None if plan is None else plan["shifts"]


def keeping() -> dict[str, Any]:
    """Where a job keeps the app's run: the run store (``$WFM_STORE``, else the default); not
    kept, with a warning in the server's log, when it cannot be opened: the run goes on."""
    try:
        return {"store": services.open_store(None), "keep": True}
    except services.StoreError as err:
        logging.getLogger("wfm").warning("runs not kept: %s", err)
        return {"store": None, "keep": False}


def note_kept(kept: services.Kept) -> None:
    if kept.problem is not None:
        logging.getLogger("wfm").warning("run not kept: %s", kept.problem)


def _plan(shifts_json: str) -> dict[str, Any] | None:
    """A plan document holding the chosen staffing's shifts (None: the scenario's own)."""
    shifts = json.loads(shifts_json)
    return None if shifts is None else {"shifts": shifts}


def _named(plan: dict[str, Any] | None, staffing: str) -> str | None:
    """The staffing's name as the run's plan parameter (None: the scenario's own)."""
    return None if plan is None else staffing


def run_simulation(
    text: str,
    plan_json: str,
    replications: int,
    seed: int,
    staffing: str,
    job: Job,
) -> dict[str, Any]:
    """Simulate scenario `text` on the plan `plan_json` (a ``wfm optimise`` document, checked
    to be made for this scenario; ``null``: its own staffing), the staffing called
    `staffing`: the JSON document and the interval tables."""
    model = from_dict(yaml.safe_load(text))
    plan = json.loads(plan_json)
    run = services.run_simulation(
        model, model.name, plan=plan, plan_source=_named(plan, staffing),
        replications=replications, seed=seed, executor=job.workers(), progress=job.update,
        origin="app", **keeping(),
    )  # fmt: skip
    note_kept(run.kept)
    tables = run.tables()
    return {
        "document": run.document,
        "intervals": tables["intervals"],
        "groups": tables["occupancy"],
        "workload": run.results.workload_table(),
    }


def run_optimisation(
    text: str,
    replications: int,
    seed: int,
    time_limit_s: float,
    max_rounds: int,
    job: Job,
) -> dict[str, Any]:
    """Optimise scenario `text`: the plan document of ``wfm optimise --json``."""
    model = from_dict(yaml.safe_load(text))
    run = services.run_optimisation(
        model, model.name, replications=replications, seed=seed, time_limit_s=time_limit_s,
        max_rounds=max_rounds, executor=job.workers(), progress=job.update,
        origin="app", **keeping(),
    )  # fmt: skip
    note_kept(run.kept)
    return run.document


def run_roster(
    text: str, plan_json: str, weeks: int, time_limit_s: float, job: Job
) -> services.RosterRun:
    """Anonymous agents rostered on the plan `plan_json` (a ``wfm optimise`` document) for
    `weeks` weeks; `text`, the scenario the plan was made for, only keys the run."""
    return services.run_roster(
        json.loads(plan_json), "the plan", weeks=weeks, time_limit_s=time_limit_s
    )


def run_drills(
    text: str,
    shifts_json: str,
    incident: str,
    responses: dict[str, str],
    replications: int,
    seed: int,
    staffing: str,
    job: Job,
) -> dict[str, dict[str, Any]]:
    """Run `incident` of scenario `text` on the staffing under each of `responses` (name: the
    response as JSON), on the same seed: the ``wfm drill --json`` document of each."""
    model = from_dict(yaml.safe_load(text))
    store, plan = keeping(), _plan(shifts_json)
    documents = {}
    for i, (name, response) in enumerate(responses.items()):
        run = services.run_drill(
            model, model.name, incident, plan=plan, plan_source=_named(plan, staffing),
            response=(name, Response.model_validate_json(response)),
            replications=replications, seed=seed, executor=job.workers(),
            progress=lambda part, i=i: job.update((i + part) / len(responses)), origin="app",
            **store,
        )  # fmt: skip
        note_kept(run.kept)
        documents[name] = run.document
    return documents


def run_executive_view(
    text: str,
    shifts_json: str,
    factors: list[float],
    replications: int,
    seed: int,
    base_cost: float | None,
    job: Job,
) -> services.ExecutiveView:
    """The executive view of scenario `text` on the staffing (its shifts, and the plan's cost
    `base_cost`; None: from the groups' pay), without drills: the page adds those run so far."""
    model = from_dict(yaml.safe_load(text))
    plan = _plan(shifts_json)
    if plan is not None:
        plan["cost"] = base_cost
    return services.build_executive_view(
        model, model.name, plan=plan, plan_file="the chosen plan", factors=factors,
        replications=replications, seed=seed, executor=job.workers(), progress=job.update,
    )  # fmt: skip
