"""Documents wfm wrote, read back: a plan (``wfm optimise --json``) to run a scenario on its
shifts, and a drill (``wfm drill --json``) for the executive report's surge summary.

The drill, the roster and the executive report start from a plan; they need its shifts
(``{"group", "day", "start", "length_h", "count", "breaks"}`` rows) and, for the report, the
scenario it was made for (``scenario_file``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from scenarios.safe_read import JSON_MAX_BYTES, ScenarioError, parse_json, read_text
from scenarios.schema import DAY_MIN, MAX_AGENTS, FieldProblem, Scenario, clock_minutes
from scenarios.staffing import on_duty

DRILL_FIELDS = ("incident", "kind", "grade", "scorecard", "recovered", "targets")


def read_plan(path: Path) -> dict[str, Any]:
    """The plan JSON at `path`; `ScenarioError` (one line) when it is missing or not a plan."""
    plan = _read_json(path, "plan")
    if not isinstance(plan.get("shifts"), list):
        raise ScenarioError(str(path), "shifts", "expected the plan written by `wfm optimise`")
    return plan


def read_drill(path: Path) -> dict[str, Any]:
    """The drill JSON at `path`; `ScenarioError` (one line) when it is missing or not one."""
    document = _read_json(path, "drill")
    for field in DRILL_FIELDS:
        if field not in document:
            raise ScenarioError(str(path), field, "expected the document `wfm drill` writes")
    return document


CAPACITY_FIELDS = ("weeks", "hires", "cost", "requirement_curve", "no_hiring")


def read_capacity_result(path: Path) -> dict[str, Any]:
    """The ``wfm capacity --json`` document at `path`; `ScenarioError` (one line) when it is
    missing or not one."""
    document = _read_json(path, "capacity")
    for field in CAPACITY_FIELDS:
        if field not in document:
            raise ScenarioError(str(path), field, "expected the document `wfm capacity` writes")
    return document


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        document = parse_json(read_text(path, JSON_MAX_BYTES), str(path))
    except FileNotFoundError:
        raise ScenarioError(str(path), "", "file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ScenarioError(str(path), "", f"not a {what} JSON: {err}") from None
    if not isinstance(document, dict):
        raise ScenarioError(str(path), "", f"not a {what} JSON: expected an object")
    return document


def check_plan_fits(scenario: Scenario, plan: dict[str, Any], file: str) -> None:
    """`ScenarioError` (one line naming `file`) unless `plan` could have been made for
    `scenario`: the scenario it names or was verified on has the same name, and its coverage
    (when it has one) has a row per agent group and interval of the scenario's horizon. Its
    shifts are checked one by one when they are read (`plan_staffing`)."""
    verification = plan.get("verification")
    names = [("scenario", plan.get("scenario"))]
    if isinstance(verification, dict):
        names.append(("verification.scenario", verification.get("scenario")))
    for field, made_for in names:
        if made_for is not None and made_for != scenario.name:
            raise ScenarioError(
                file, field, f"the plan was made for scenario {made_for!r}, not {scenario.name!r}"
            )
    coverage = plan.get("coverage")
    if coverage is None:
        return
    horizon = scenario.horizon
    expected = horizon.days * horizon.intervals_per_day * len(scenario.agent_groups)
    if not isinstance(coverage, list) or len(coverage) != expected:
        size = len(coverage) if isinstance(coverage, list) else type(coverage).__name__
        raise ScenarioError(
            file,
            "coverage",
            f"expected {expected} rows ({horizon.days} days x {horizon.intervals_per_day} "
            f"intervals x {len(scenario.agent_groups)} groups of {scenario.name!r}), got {size}",
        )


def plan_staffing(
    scenario: Scenario, shifts: list[dict[str, Any]], file: str = "plan"
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Agents working (net of breaks) and agents on break per group, ``(days, steps_per_day)``,
    from a plan's shifts; `ScenarioError` naming `file` for a shift of an unknown group."""
    for i, row in enumerate(shifts):
        _check_shift(scenario, row, f"shifts[{i}]", file)
    net = on_duty(scenario, shifts)
    gross = on_duty(scenario, shifts, net_of_breaks=False)
    return net, {name: gross[name] - net[name] for name in net}


def _check_shift(scenario: Scenario, row: Any, where: str, file: str) -> None:
    """A plan's shift row as `on_duty` reads it, or a `ScenarioError` naming the field."""
    if not isinstance(row, dict):
        raise ScenarioError(file, where, f"expected a shift (a mapping), got {row!r}")
    groups = {g.name for g in scenario.agent_groups}
    # A name is a string: anything else (a list, say, which no set can even look up) is wrong.
    if not isinstance(row.get("group"), str) or row["group"] not in groups:
        raise ScenarioError(
            file,
            f"{where}.group",
            f"expected an agent group of the scenario, got {row.get('group')!r}",
        )
    day = row.get("day")
    if not (
        isinstance(day, int) and not isinstance(day, bool) and 0 <= day < scenario.horizon.days
    ):
        raise ScenarioError(
            file,
            f"{where}.day",
            f"expected a horizon day 0..{scenario.horizon.days - 1}, got {day!r}",
        )
    length = row.get("length_h")
    if not (isinstance(length, (int, float)) and not isinstance(length, bool) and 0 < length <= 24):
        raise ScenarioError(file, f"{where}.length_h", f"expected hours in (0, 24], got {length!r}")
    count = row.get("count")
    # Capped like a scenario's agents: a huge count would exhaust memory or overflow later.
    if not (isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_AGENTS):
        raise ScenarioError(
            file, f"{where}.count", f"expected agents from 0 to {MAX_AGENTS:,}, got {count!r}"
        )
    breaks = row.get("breaks")
    if not isinstance(breaks, list):
        raise ScenarioError(file, f"{where}.breaks", f"expected a list of breaks, got {breaks!r}")
    clocks = [(f"{where}.start", row.get("start"))]
    for k, brk in enumerate(breaks):
        if not isinstance(brk, dict):
            raise ScenarioError(file, f"{where}.breaks[{k}]", f"expected a break, got {brk!r}")
        clocks.append((f"{where}.breaks[{k}].start", brk.get("start")))
        minutes = brk.get("length_min")
        if not (
            isinstance(minutes, int) and not isinstance(minutes, bool) and 0 < minutes <= DAY_MIN
        ):
            raise ScenarioError(
                file,
                f"{where}.breaks[{k}].length_min",
                f"expected minutes from 1 to {DAY_MIN}, got {minutes!r}",
            )
    for path, value in clocks:
        try:
            clock_minutes(value)
        except FieldProblem as problem:
            raise ScenarioError(file, path, problem.message) from None


def plan_scenario_file(plan: dict[str, Any], plan_path: Path) -> Path | None:
    """The scenario file a plan records (``scenario_file``): as written when it exists from
    the working folder, else relative to the plan's folder; None when the plan names none."""
    name = plan.get("scenario_file")
    if not isinstance(name, str) or not name:
        return None
    given = Path(name)
    if given.is_absolute() or given.exists():
        return given
    return plan_path.parent / given
