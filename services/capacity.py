"""The capacity job: a capacity file read and checked, the requirement curve measured by the
optimiser, each group's hiring plan made and checked on fresh Monte Carlo samples beside the
plan without hiring, the JSON document and its weekly table, the run kept."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimise.capacity.plan import GroupOutlook, plan_group, weeks_document
from optimise.capacity.requirement import (
    RequirementCurve,
    curve_factors,
    curve_from_document,
    measure_curve,
)
from scenarios.capacity_file import CapacityInputs, load_capacity
from scenarios.load import read_mapping
from scenarios.safe_read import JSON_MAX_BYTES, parse_json, read_text
from scenarios.schema import Scenario
from services.common import Kept, keep_run, open_store, run_on, source_id

CURVE_METHOD = (
    "wfm optimise on the representative week at each factor (the given plan at 1), points "
    "made non-decreasing, monotone cubic (PCHIP) between them, proportional beyond"
)


@dataclass(frozen=True)
class CapacityRun:
    """A finished capacity plan: its document (``wfm capacity --json``), the weekly table (the
    CSV's rows), the checked inputs, each group's checked outlook with hiring and without, and
    where the run was kept."""

    document: dict[str, Any]
    table: pd.DataFrame
    inputs: CapacityInputs
    outlooks: dict[str, GroupOutlook]
    no_hiring: dict[str, GroupOutlook]
    kept: Kept


def run_capacity(
    path: Path,
    *,
    replications: int = 200,
    seed: int = 0,
    time_limit_s: float = 10.0,
    max_rounds: int = 30,
    workers: int | None = None,
    executor: Executor | None = None,
    scheduler: str | None = None,
    curve_file: Path | None = None,
    changes: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    store: Path | None = None,
    keep: bool = True,
) -> CapacityRun:
    """The capacity plan of the file at `path`: the requirement curve measured with the
    optimiser (seed `seed`, its `time_limit_s` and `max_rounds`, on `executor`, the Dask
    `scheduler` or `workers` local processes: `run_on`), then per group the cheapest hires
    meeting the file's service probability on `replications` Monte Carlo scenarios and its
    check on as many fresh ones. With `curve_file` (an earlier run's JSON) its requirement
    curve is taken as it is instead. `changes` replace top-level fields of the file (the app's
    what-ifs, `load_capacity`). The inputs are checked first (`ScenarioError`, one line); the
    run is kept in `store` unless not `keep`."""
    inputs = load_capacity(path, changes)
    names = [group.name for group in inputs.capacity.groups]
    curve = None
    if curve_file is not None:
        text = read_text(curve_file, JSON_MAX_BYTES)
        curve = curve_from_document(parse_json(text, str(curve_file)), names, str(curve_file))
    store = open_store(store, keep)
    capacity = inputs.capacity

    if curve is None:
        curve = _measured_curve(inputs, seed, time_limit_s, max_rounds, workers, executor,
                                scheduler, progress)  # fmt: skip
    hires, outlooks, bare, hiring_cost = {}, {}, {}, 0.0
    for index, group in enumerate(capacity.groups):
        if progress is not None:
            progress(f"planning the hires of {group.name}")
        plan, outlooks[group.name], bare[group.name] = plan_group(
            inputs, curve, index, replications, seed
        )
        hires[group.name], hiring_cost = plan.hires, hiring_cost + plan.hiring_cost
    document = _document(inputs, curve, hires, outlooks, bare, hiring_cost, replications, seed)
    params = {"replications": replications, "time_limit_s": time_limit_s,
              "max_rounds": max_rounds, "capacity": source_id(path),
              "curve": source_id(curve_file), "changes": dict(changes or {})}  # fmt: skip
    kept = keep_run(store, "capacity", inputs.scenario, inputs.scenario_file, params, seed,
                    document)  # fmt: skip
    return CapacityRun(document, _table(document), inputs, outlooks, bare, kept)


def _measured_curve(
    inputs: CapacityInputs,
    seed: int,
    time_limit_s: float,
    max_rounds: int,
    workers: int | None,
    executor: Executor | None,
    scheduler: str | None,
    progress: Callable[[str], None] | None,
) -> RequirementCurve:
    """The requirement curve measured with the optimiser (the given plan at factor 1)."""
    from optimise.loop import optimise

    factors = curve_factors(inputs.volume_factors, inputs.capacity.demand.cv)
    given = None if inputs.week_plan is None else inputs.week_plan["shifts"]
    with run_on(executor, scheduler) as where:

        def planned(scenario: Scenario) -> list[dict[str, Any]]:
            result = optimise(scenario, seed=seed, time_limit_s=time_limit_s,
                              max_rounds=max_rounds, workers=workers, executor=where)  # fmt: skip
            return result.plan.shifts

        return measure_curve(read_mapping(inputs.scenario_file), str(inputs.scenario_file),
                             factors, given, planned, progress)  # fmt: skip


def _document(
    inputs: CapacityInputs,
    curve: RequirementCurve,
    hires: dict[str, np.ndarray],
    outlooks: dict[str, GroupOutlook],
    bare: dict[str, GroupOutlook],
    hiring_cost: float,
    replications: int,
    seed: int,
) -> dict[str, Any]:
    capacity = inputs.capacity
    pay = sum(o.pay for o in outlooks.values())
    bare_pay = sum(o.pay for o in bare.values())
    nothing = {name: np.zeros(capacity.weeks, dtype=np.int64) for name in hires}
    return {
        "name": capacity.name,
        "capacity": inputs.file,
        "scenario": str(inputs.scenario_file),
        "start": capacity.start.isoformat(),
        "service_probability": capacity.service_probability,
        "replications": replications,
        "seed": seed,
        "volume_factors": [round(float(f), 4) for f in inputs.volume_factors],
        "weeks": weeks_document(inputs, outlooks, hires),
        "hires": [
            {
                "group": name,
                "week": int(w),
                "start": (capacity.start + timedelta(weeks=int(w))).isoformat(),
                "count": int(count[w]),
            }
            for name, count in hires.items()
            for w in np.nonzero(count)[0]
        ],
        "cost": {
            "pay": round(pay, 2),
            "hiring": round(hiring_cost, 2),
            "total": round(pay + hiring_cost, 2),
        },
        "requirement_curve": {
            group: [
                {
                    "volume_factor": p.volume_factor,
                    "agent_hours": round(p.agent_hours[group], 2),
                    "lifted": group in p.lifted,
                    "from_plan": p.from_plan,
                }
                for p in curve.points
            ]
            for group in hires
        },
        "curve_method": CURVE_METHOD,
        "no_hiring": {
            "weeks": weeks_document(inputs, bare, nothing),
            "cost": {"pay": round(bare_pay, 2), "hiring": 0.0, "total": round(bare_pay, 2)},
        },
    }


def _table(document: dict[str, Any]) -> pd.DataFrame:
    """One row per week and group: the CSV."""
    rows = []
    for week in document["weeks"]:
        for group, entry in week["groups"].items():
            required, available = entry["required_fte"], entry["available_fte"]
            rows.append({
                "week": week["week"], "start": week["start"], "group": group,
                "required_fte": required["mean"], "required_p5": required["p5"],
                "required_p95": required["p95"], "available_fte": available["mean"],
                "available_p5": available["p5"], "available_p95": available["p95"],
                "hires": entry["hires"], "in_training": entry["in_training"],
                "p_short": entry["p_short"],
            })  # fmt: skip
    return pd.DataFrame(rows)
