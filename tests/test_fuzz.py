"""Hostile scenario and plan files, generated: the bundled scenarios and the bundled plan mutated
(a value replaced by an extreme, a wrong type or a deep nest; a key deleted; a list item
repeated; a reference renamed) must give either a result or one line and exit code 2, never a
traceback, quickly. Hypothesis shrinks a failure to its smallest mutation.

`OUTCOMES` counts what the examples gave (``python -m pytest tests/test_fuzz.py -s`` prints
it at the end); the closing notes quote it.
"""

from __future__ import annotations

import copy
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.load import ScenarioError, load, read_mapping
from scenarios.plan_file import check_plan_fits, plan_staffing, read_plan

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "library"
SCENARIOS = ["single_queue.yaml", "multi_skill.yaml", "shifts.yaml"]
PLAN = LIBRARY / "drills" / "telecom_week_plan.json"
SECONDS_PER_CASE = 10.0  # a refusal or a validation takes well under a second
OUTCOMES: Counter[str] = Counter()
# Files on disk and in-process CLI runs: slower than hypothesis expects of an example.
SLOW_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

EXTREMES = [
    None, True, 0, -1, 1, 0.5, 1e308, -1e308, 2**63, -(2**63), "", "x", "09:99", [], {},
    [[[[[[[[[[[]]]]]]]]]]], {"a": {"b": {"c": {"d": {}}}}}, "1e999", float("nan"),
]  # fmt: skip


def _paths(value: Any, here: tuple = ()) -> list[tuple]:
    """Every path to a value inside nested dicts and lists (the root excluded)."""
    found = []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return found
    for key, child in items:
        found.append((*here, key))
        found += _paths(child, (*here, key))
    return found


def _mutated(document: Any, data: st.DataObject) -> Any:
    """`document` with one to three mutations drawn by hypothesis."""
    document = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = _paths(document)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = data.draw(st.sampled_from(["replace", "delete", "repeat", "rename"]))
        if action == "replace":
            parent[key] = data.draw(st.sampled_from(EXTREMES), label="value")
        elif action == "delete":
            del parent[key]
        elif action == "repeat" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif action == "rename" and isinstance(parent[key], str):
            parent[key] = parent[key] + "_nope"
    return document


def _one_line_or_ok(run, what: str) -> None:
    if run.code == 0:
        OUTCOMES[f"{what}: ok"] += 1
        return
    assert run.code == 2, f"exit {run.code}: {run.err[-2000:]}"
    assert len(run.err_lines) == 1, run.err_lines
    assert "Traceback" not in run.err
    OUTCOMES[f"{what}: one line, exit 2"] += 1


@pytest.mark.slow
@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=SLOW_OK)
@given(data=st.data())
def test_mutated_scenarios_validate_or_give_one_line(tmp_path: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(SCENARIOS), label="scenario")
    mapping = _mutated(read_mapping(LIBRARY / name), data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    started = time.monotonic()
    _one_line_or_ok(invoke(["validate", path]), "validate")
    assert time.monotonic() - started < SECONDS_PER_CASE


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=SLOW_OK)
@given(data=st.data())
def test_mutated_single_queues_simulate_or_give_one_line(
    tmp_path: Path, data: st.DataObject
) -> None:
    mapping = read_mapping(LIBRARY / "single_queue.yaml")
    mapping["horizon"]["days"] = 1  # a day keeps each simulation well under a second
    mapping = _mutated(mapping, data)
    path = tmp_path / "single_queue.yaml"
    path.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    try:
        scenario = load(path)
    except ScenarioError:
        OUTCOMES["simulate: refused when read"] += 1
        return
    if scenario.horizon.days > 7:  # a mutation that made the horizon long: validate covers it
        return
    started = time.monotonic()
    run = invoke(["simulate", path, "--replications", "1", "--workers", "1", "--no-store",
                  "--json", tmp_path / "out.json"])  # fmt: skip
    _one_line_or_ok(run, "simulate")
    assert time.monotonic() - started < 6 * SECONDS_PER_CASE


@pytest.mark.slow
@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=SLOW_OK)
@given(data=st.data())
def test_mutated_plans_are_read_or_refused_in_one_line(tmp_path: Path, data: st.DataObject) -> None:
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    plan["shifts"] = plan["shifts"][:20]  # the mutations land on the shifts as often as not
    plan.pop("coverage", None)
    plan.pop("verification", None)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_mutated(plan, data)), encoding="utf-8")
    scenario = load(LIBRARY / "telecom_hotline_week.yaml")
    try:
        document = read_plan(path)
        check_plan_fits(scenario, document, str(path))
        plan_staffing(scenario, document["shifts"], str(path))
    except ScenarioError as err:
        assert "\n" not in str(err) and str(err).startswith(str(path))
        OUTCOMES["plan: one line"] += 1
    else:
        OUTCOMES["plan: ok"] += 1


def teardown_module() -> None:
    print(f"\nfuzz outcomes: {dict(sorted(OUTCOMES.items()))}")
