"""What-if sweeps: a grid of variations of a scenario and its staffing, each simulated with
replications, with the cost against service-level frontier of the staffing choices.

Axes (``--vary NAME=START:STOP:STEP``, or ``NAME=A,B,C``):

- ``volume`` (``volume.TYPE``): a factor on every contact type's volume (or one type's);
- ``handle_time`` (``handle_time.TYPE``): a factor on the mean handle times;
- ``headcount``: a factor on every group's agents on duty and on break (whole agents);
- ``agents.GROUP``: a flat number of agents for one group, all horizon long.

``volume`` and ``handle_time`` say what demand the centre meets; ``headcount`` and ``agents``
are the staffing chosen for it. A point is on the frontier when no other point of the same
demand (and incident) costs no more and serves at least as well, one of them strictly. Every
point runs on the same seed (common random numbers). Without an incident a point is a
simulation, judged by the live channels' service level; with one (`incident`) it is that
incident's drill under its own response, judged by its abandon rate. ``agents.GROUP`` sets the
group's agents whatever ``headcount`` says.

All points' replications go to the executor together (`sim.tasks.run_tasks`; drills too), so
a grid fills a Dask cluster; the numbers do not depend on where they ran.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, fields
from itertools import product
from typing import Any

import numpy as np
import pandas as pd

from optimise.frontier import CostedStaffing, service
from scenarios.edit import scaled_volume, with_mean_s
from scenarios.load import from_dict
from scenarios.schema import MAX_AGENTS, Scenario
from sim.drill import drill_batch, run_drill_replication
from sim.replicate import simulate_many
from sim.tasks import run_tasks

DEMAND_AXES = ("volume", "handle_time")
MAX_POINTS = 10_000
_AXIS = re.compile(r"^(volume|handle_time|headcount|agents)(\.[^=]+)?=(.+)$")


class SweepError(ValueError):
    """A bad axis; ``str()`` is the one line to show."""


@dataclass(frozen=True)
class Axis:
    """One dimension of the grid: its name (``volume``, ``agents.billing_team``...) and values."""

    name: str
    values: tuple[float, ...]

    @property
    def kind(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def target(self) -> str | None:
        """The contact type or group the axis names, if any."""
        return self.name.split(".", 1)[1] if "." in self.name else None


def parse_axis(text: str) -> Axis:
    """``NAME=START:STOP:STEP`` (STOP included) or ``NAME=A,B,C``; `SweepError` otherwise."""
    match = _AXIS.match(text.strip())
    if match is None:
        raise SweepError(
            f"--vary {text}: expected NAME=START:STOP:STEP or NAME=A,B,C with NAME one of "
            "volume[.TYPE], handle_time[.TYPE], headcount, agents.GROUP"
        )
    kind, target, spec = match.group(1), match.group(2), match.group(3)
    if kind == "agents" and not target:
        raise SweepError(f"--vary {text}: agents needs a group: agents.GROUP=...")
    if kind == "headcount" and target:
        raise SweepError(f"--vary {text}: headcount applies to every group (no .NAME)")
    try:
        numbers = [float(x) for x in spec.split(":" if ":" in spec else ",")]
    except ValueError:
        numbers = []
    if not numbers or not all(math.isfinite(x) for x in numbers):
        raise SweepError(f"--vary {text}: expected finite numbers START:STOP:STEP or A,B,C")
    if ":" in spec:
        if len(numbers) != 3 or numbers[2] <= 0 or numbers[1] < numbers[0]:
            raise SweepError(
                f"--vary {text}: expected START:STOP:STEP with STEP > 0, STOP >= START"
            )
        start, stop, step = numbers
        # Count before building: a tiny step over a wide range overflows the span to inf (and
        # a finite but huge one would allocate its list) before any check on the values.
        span = (stop - start) / step + 1e-9
        if not span < MAX_POINTS:
            raise SweepError(
                f"--vary {text}: more than {MAX_POINTS} values, at most {MAX_POINTS} points in all"
            )
        count = math.floor(span) + 1
        values = tuple(round(start + k * step, 10) for k in range(count))
    else:
        values = tuple(numbers)
    if len(set(values)) != len(values):
        raise SweepError(f"--vary {text}: a value is given twice")
    if any(v < 0 or (kind != "agents" and v == 0) for v in values):
        raise SweepError(f"--vary {text}: expected factors > 0 (agents >= 0)")
    if kind == "agents" and any(v != int(v) or v > MAX_AGENTS for v in values):
        raise SweepError(f"--vary {text}: expected whole agents up to {MAX_AGENTS}")
    return Axis(kind + (target or ""), values)


@dataclass(frozen=True)
class SweepPoint:
    """One point of the grid with what it achieved."""

    values: dict[str, float]  # axis name -> value
    agent_hours: float
    cost: float | None
    service_level: dict[str, Any]  # Stat; without an incident
    abandon_rate: dict[str, Any]  # Stat
    targets_met: int
    targets: int
    on_frontier: bool
    scorecard: dict[str, Any] | None = None  # with an incident: its drill's scorecard

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def sweep(
    mapping: Mapping[str, Any],
    axes: Sequence[Axis],
    staffing: Mapping[str, np.ndarray] | None = None,
    breaks: Mapping[str, np.ndarray] | None = None,
    incident: str | None = None,
    seed: int = 0,
    replications: int = 3,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
    base_cost: float | None = None,
) -> list[SweepPoint]:
    """Every combination of the axes' values, in grid order (the first axis slowest).

    `mapping` is the scenario (parsed YAML, `extends` resolved); `staffing` and `breaks` a
    plan's agents working and on break per group (default: the scenario's own). Costs are
    `base_cost` (the plan's) per agent-hour on shift, else each group's `cost_per_hour`.
    `SweepError` for an axis naming an unknown contact type or group, or a grid over
    `MAX_POINTS`.
    """
    base = from_dict(dict(mapping))
    _check_axes(base, axes)
    if math.prod(len(a.values) for a in axes) > MAX_POINTS:
        raise SweepError(f"--vary: more than {MAX_POINTS} points")
    grid = [dict(zip([a.name for a in axes], combo, strict=True))
            for combo in product(*(a.values for a in axes))]  # fmt: skip
    costed = CostedStaffing.of(base, staffing, breaks, base_cost)
    runs = []
    for values in grid:
        scenario = from_dict(_varied(mapping, base, values))
        working, resting = costed.scaled(values.get("headcount", 1.0))
        for name, value in values.items():
            if name.startswith("agents."):  # a flat headcount for the group, no breaks
                group = name.split(".", 1)[1]
                working[group] = np.full_like(working[group], int(value))
                resting[group] = np.zeros_like(resting[group])
        runs.append((scenario, working, resting))
    if incident is None:
        outcomes = [
            {**service(r), "scorecard": None} for r in simulate_many(
                [(s, w) for s, w, _ in runs], seed, replications, executor, workers, progress
            )
        ]  # fmt: skip
    else:
        outcomes = _drills(runs, incident, seed, replications, executor, workers, progress)
    points = []
    for values, (_, working, resting), outcome in zip(grid, runs, outcomes, strict=True):
        hours = costed.hours(working, resting)
        points.append(
            {"values": values, "agent_hours": sum(hours.values()), "cost": costed.cost(hours),
             **outcome}
        )  # fmt: skip
    _mark_frontier(points, by_incident=incident is not None)
    return [SweepPoint(**p) for p in points]


def _drills(
    runs: list[tuple[Scenario, dict[str, np.ndarray], dict[str, np.ndarray]]],
    incident: str,
    seed: int,
    replications: int,
    executor: Executor | None,
    workers: int | None,
    progress: Callable[[float], None] | None,
) -> list[dict[str, Any]]:
    """The incident drilled at every point: every replication of every point's drill is one
    task, so the points fill the workers (or the cluster) together."""
    batches = [drill_batch(scenario, incident, working, resting, seed=seed,
                           replications=replications)
               for scenario, working, resting in runs]  # fmt: skip
    outcomes = run_tasks(
        run_drill_replication, [task for batch in batches for task in batch.tasks],
        executor=executor, workers=workers, progress=progress,
    )  # fmt: skip
    drilled, start = [], 0
    for batch in batches:
        done = outcomes[start : start + len(batch.tasks)]
        drilled.append(_drilled(batch.result(done).to_json()))
        start += len(batch.tasks)
    return drilled


def _check_axes(base: Scenario, axes: Sequence[Axis]) -> None:
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise SweepError(f"--vary: an axis is given twice ({', '.join(names)})")
    types = {ct.name for ct in base.contact_types}
    groups = {g.name for g in base.agent_groups}
    for axis in axes:
        known = groups if axis.kind == "agents" else types
        if axis.target is not None and axis.target not in known:
            what = "agent group" if axis.kind == "agents" else "contact type"
            raise SweepError(
                f"--vary {axis.name}: no {what} {axis.target!r} (the scenario has "
                f"{', '.join(sorted(known))})"
            )


def _varied(mapping: Mapping[str, Any], base: Scenario, values: dict[str, float]) -> dict:
    """The scenario mapping with the point's demand factors applied."""
    out = copy.deepcopy(dict(mapping))
    for name, value in values.items():
        kind, _, target = name.partition(".")
        if kind not in DEMAND_AXES:
            continue
        for ct, model in zip(out["contact_types"], base.contact_types, strict=True):
            if target and ct["name"] != target:
                continue
            if kind == "volume":
                ct["volume"] = scaled_volume(ct["volume"], value)
            else:
                ct["handle_time"] = with_mean_s(ct["handle_time"], model.handle_time.mean * value)
    return out


def _drilled(document: dict[str, Any]) -> dict[str, Any]:
    card = document["scorecard"]
    return {
        "service_level": {"mean": None, "ci95_low": None, "ci95_high": None},
        "abandon_rate": card["abandon_rate"],
        "targets_met": sum(t["met"] for t in document["targets"]),
        "targets": len(document["targets"]),
        "scorecard": card,
    }


def _mark_frontier(points: list[dict[str, Any]], by_incident: bool) -> None:
    """Set ``on_frontier``: within each demand, no other point as cheap and as good."""

    def quality(p: dict[str, Any]) -> float:
        level = p["abandon_rate" if by_incident else "service_level"]["mean"]
        if level is None:  # nothing closed: no claim to serve well
            return -math.inf
        return -level if by_incident else level

    def demand(p: dict[str, Any]) -> tuple:
        return tuple(v for k, v in p["values"].items() if k.split(".")[0] in DEMAND_AXES)

    def price(p: dict[str, Any]) -> float:
        return p["cost"] if p["cost"] is not None else p["agent_hours"]

    for p in points:
        rivals = [q for q in points if q is not p and demand(q) == demand(p)]
        p["on_frontier"] = not any(
            price(q) <= price(p)
            and quality(q) >= quality(p)
            and (price(q) < price(p) or quality(q) > quality(p))
            for q in rivals
        )


def sweep_table(points: Sequence[SweepPoint]) -> pd.DataFrame:
    """The grid as one row per point: its axis values, then what it achieved."""
    rows = []
    for point in points:
        row: dict[str, Any] = dict(point.values)
        row |= {"agent_hours": point.agent_hours, "cost": point.cost}
        for name, kpi in (("service_level", point.service_level),
                          ("abandon_rate", point.abandon_rate)):  # fmt: skip
            row |= {name: kpi["mean"], f"{name}_ci95_low": kpi["ci95_low"],
                    f"{name}_ci95_high": kpi["ci95_high"]}  # fmt: skip
        row |= {"targets_met": point.targets_met, "targets": point.targets,
                "on_frontier": point.on_frontier}  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)
