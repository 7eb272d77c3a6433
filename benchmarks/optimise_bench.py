"""The shift optimiser's benchmarks, measured side by side in one run.

What is measured
----------------
**Part 1 -- wfm against pyworkforce.** One requirement matrix and one set of shift templates go
to pyworkforce's ``MinRequiredResources`` (``pyworkforce.scheduling``, a CP-SAT covering model)
and to wfm's ``optimise.shifts.schedule``:

* the requirement: ``scenarios/library/shifts.yaml``'s volume profile (the same every day),
  staffed per 30-minute interval by Erlang C (``optimise.erlang.agents_needed`` without
  patience, 80 % answered within 20 s, AHT 300 s), which gives whole agents; 7 days x 48;
* the templates: shifts.yaml's without breaks (pyworkforce cannot place breaks): ``day8``
  starting 06:00..14:00 every 30 min, ``late6`` 14:00..18:00 every 30 min, ``night9``
  21:00..23:00 every hour -- 29 start times a day, each one a pyworkforce "shift" with a 0/1
  coverage vector over the day's 48 periods; one agent group;
* the cost: every agent-hour costs the group's 28 (the night premium of shifts.yaml is dropped),
  so a shift costs its length x 28 in both (pyworkforce's ``cost_dict``: 224, 168, 252), and
  both minimise the same total agent-hours x rate. ``max_period_concurrency`` and
  ``max_shift_concurrency`` are 400 (shifts.yaml's ``max_agents``), which never binds.

pyworkforce has one variable per (day, shift) and covers each day on its own: its coverage
vectors live inside one day and there is no link between days. Its night shift is therefore
given as covering 21:00..24:00 *and* 00:00..06:00 (say) of the same day -- the convention of
pyworkforce's own tests; each day wraps onto itself. Cutting the night shift at 24:00 instead
would leave 00:00..06:00 (where Erlang C asks for 3-6 agents) coverable by no template at all:
infeasible. wfm is run on (a) exactly that model -- a one-day cyclic horizon, whose night shift
wraps onto the same day's early hours, solved once and counted 7 times (the 7 days are
identical) -- and (b) its own model of the week, ``horizon.cyclic: true`` over 7 days, where
the night shift of day d covers the early hours of day d + 1 (Sunday's covers Monday's). Both
admit the same day-periodic plans, so (b) can only be as cheap or cheaper, by mixing days.
Reported: status, agent-hours, total cost, shifts started, solve time (wall clock around the
call, model building included; wfm's also computes the LP bound), and a check that each plan
covers the requirement in every interval. Both get the same time limit; pyworkforce assigns
``solver.num_search_workers`` as an attribute, which does not reach CP-SAT's parameters, so
it runs with CP-SAT's default workers (all cores, a non-deterministic race); wfm runs CP-SAT
with its default, one worker (deterministic). A second pyworkforce row solves pyworkforce's own
model with one worker too, to show how much of any time difference is the solver settings
rather than the model.

**Part 2 -- gap and solve time.** ``schedule(..., workers=W)`` for W = 1 (the default) and
W = 2 (interleaved search) on shifts.yaml (7 x 48 intervals,
breaks, cyclic week, analytic Erlang A requirement from ``optimise.requirements``) and on a
larger instance, ``benchmarks/scenarios/shifts_15min.yaml`` (7 x 96 fifteen-minute intervals,
the same volume interpolated, shift starts every 15 min: 59 start times a day, breaks as in
shifts.yaml). Reported: status, cost, the LP lower bound (GLOP on the same model), the gap
(cost - bound) / cost, solve time. Aims: gap < 1 %, under 10 s on 2 cores.

The simulation-verified plans (wfm's loop against the two-step practice) are measured by
``benchmarks/lean_plans.py``.

Usage::

    python benchmarks/optimise_bench.py [--only 1,2] [--markdown] [--time-limit S]

The whole run takes under a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import platform
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from tables import table

from optimise.requirements import analytic_requirement
from optimise.shift_model import shift_options
from optimise.shifts import ShiftPlan, schedule
from optimise.sizing import agents_needed
from scenarios.load import from_dict, load
from scenarios.schema import DAY_MIN, Scenario, clock_minutes, clock_text
from scenarios.staffing import on_duty

ROOT = Path(__file__).resolve().parents[1]
SHIFTS = ROOT / "scenarios" / "library" / "shifts.yaml"
SHIFTS_15MIN = ROOT / "benchmarks" / "scenarios" / "shifts_15min.yaml"
PYWORKFORCE_VERSION = "0.5.1"
WORKERS = 2  # simulation worker processes, and pyworkforce's workers
CONCURRENCY_CAP = 400  # pyworkforce's max_period_concurrency / max_shift_concurrency
GAP_AIM = 0.01
TIME_AIM_S = 10.0


# --------------------------------------------------------------------------- output


def note(text: str) -> None:
    print(text)


def money(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def hours(x: float | None) -> str:
    return "-" if x is None else f"{x:,.1f}"


def seconds(x: float) -> str:
    return f"{x:.2f}"


def raw_scenario(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


# --------------------------------------------------------------------------- part 1


def erlang_c_day(raw: dict[str, Any]) -> np.ndarray:
    """shifts.yaml's requirement for one day: Erlang C, 80 % in 20 s, no patience."""
    contact = raw["contact_types"][0]
    interval_s = raw["horizon"]["interval_min"] * 60
    rate = np.asarray(contact["volume"]["per_interval"], dtype=float) / interval_s
    return agents_needed(
        rate, contact["handle_time"]["mean_s"], answer_within_s=20.0, service_level=0.8
    ).astype(np.int64)


def no_break_scenario(raw: dict[str, Any], days: int) -> Scenario:
    """shifts.yaml without breaks and night premium, on a cyclic horizon of `days` days."""
    data = copy.deepcopy(raw)
    data["name"] = f"shifts-no-breaks-{days}d"
    interval_min = data["horizon"]["interval_min"]
    data["horizon"] = {"days": days, "interval_min": interval_min, "cyclic": True}
    for template in data["shift_templates"]:
        template["breaks"] = []
        template.pop("cost_factor", None)
    return from_dict(data, "shifts (no breaks)")


def pyworkforce_model(scenario: Scenario) -> tuple[dict[str, list[int]], dict[str, int], dict]:
    """pyworkforce's shifts_coverage and cost_dict for the scenario's templates, one "shift"
    per start time, wrapping past midnight onto the same day; and each shift's length (h)."""
    interval = scenario.horizon.interval_min
    periods = scenario.horizon.intervals_per_day
    rate = scenario.agent_groups[0].cost_per_hour
    coverage, cost, length_h = {}, {}, {}
    for template in scenario.shift_templates:
        first, last = (clock_minutes(x) for x in template.start_between)
        minutes = round(template.length_h * 60)
        for start in range(first, last + 1, template.start_step_min):
            name = f"{template.name}@{clock_text(start)}"
            vector = [0] * periods
            for m in range(start, start + minutes, interval):
                vector[(m % DAY_MIN) // interval] = 1
            coverage[name] = vector
            shift_cost = template.length_h * rate * template.cost_factor
            if shift_cost != int(shift_cost):
                raise ValueError(f"pyworkforce needs whole-number costs, got {shift_cost}")
            cost[name] = int(shift_cost)
            length_h[name] = template.length_h
    return coverage, cost, length_h


def compare(cost: float, reference: float) -> str:
    """How `cost` compares with pyworkforce's `reference`."""
    if abs(cost - reference) < 0.5:
        return f"equal to pyworkforce's {money(reference)}"
    word = "lower" if cost < reference else "HIGHER"
    return f"{abs(1 - cost / reference):.2%} {word} than pyworkforce's {money(reference)}"


def wfm_covers(scenario: Scenario, plan: ShiftPlan, requirement: np.ndarray) -> bool:
    if plan.status == "infeasible":
        return False
    staffed = on_duty(scenario, plan.shifts)["pool"]
    factor = staffed.shape[1] // requirement.shape[1]
    per_interval = staffed.reshape(staffed.shape[0], requirement.shape[1], factor).min(axis=2)
    return bool(np.all(per_interval >= requirement))


def part1(time_limit_s: float, markdown: bool) -> None:
    note("## Part 1: wfm schedule against pyworkforce MinRequiredResources")
    raw = raw_scenario(SHIFTS)
    day = erlang_c_day(raw)
    days = raw["horizon"]["days"]
    week = np.tile(day, (days, 1))
    note(
        f"Requirement: Erlang C 80/20 on shifts.yaml's volume, {days} days x {day.size} "
        f"intervals, {day.min()}..{day.max()} agents, {day.sum() * 0.5:,.1f} agent-hours a day "
        f"({week.sum() * 0.5:,.1f} a week)."
    )
    try:
        from pyworkforce.scheduling import MinRequiredResources
    except Exception as err:  # ImportError, or an incompatibility with numpy/pandas/ortools
        note(
            f"PART 1 SKIPPED: pyworkforce cannot be imported ({type(err).__name__}: {err}). "
            f'Install it with: .venv/bin/pip install "pyworkforce=={PYWORKFORCE_VERSION}"'
        )
        return

    week_scenario = no_break_scenario(raw, days)
    day_scenario = no_break_scenario(raw, 1)
    coverage, cost, length_h = pyworkforce_model(week_scenario)
    rows = []

    def run_pyworkforce(one_worker: bool) -> tuple[dict[str, Any], float]:
        started = time.perf_counter()
        scheduler = MinRequiredResources(
            num_days=days,
            periods=day.size,
            shifts_coverage=coverage,
            required_resources=week.tolist(),
            max_period_concurrency=CONCURRENCY_CAP,
            max_shift_concurrency=CONCURRENCY_CAP,
            cost_dict=cost,
            max_search_time=float(time_limit_s),
            num_search_workers=WORKERS,
        )
        if one_worker:  # solve() leaves the other parameters as they are
            scheduler.solver.parameters.num_workers = 1
        solution = scheduler.solve()
        return solution, time.perf_counter() - started

    pw_cost = None
    for one_worker in (False, True):
        try:
            solution, pw_time = run_pyworkforce(one_worker)
        except Exception as err:
            note(f"PART 1 SKIPPED: pyworkforce failed to solve ({type(err).__name__}: {err}).")
            return
        pw_solved = solution["status"] in ("OPTIMAL", "FEASIBLE")
        if pw_solved:
            counts = np.zeros((days, len(coverage)), dtype=np.int64)
            names = list(coverage)
            for row in solution["resources_shifts"]:
                counts[row["day"], names.index(row["shift"])] = row["resources"]
            matrix = np.asarray(list(coverage.values()))  # (shifts, periods)
            covers = bool(np.all(counts @ matrix >= week))
            agent_hours = float((counts * np.asarray([length_h[n] for n in names])).sum())
            shifts = int(counts.sum())
            if not one_worker:
                pw_cost = float(solution["cost"])
        else:
            covers, agent_hours, shifts = False, None, 0
        rows.append(
            [
                f"pyworkforce {version('pyworkforce')} MinRequiredResources"
                + (", one worker" if one_worker else ""),
                "7 days, each wrapping onto itself",
                solution["status"].lower(),
                hours(agent_hours),
                money(float(solution["cost"]) if pw_solved else None),
                f"{shifts:,}",
                seconds(pw_time),
                "yes" if covers else "NO",
            ]
        )

    started = time.perf_counter()
    same = schedule(day_scenario, {"pool": day[None, :]}, time_limit_s=time_limit_s)
    same_time = time.perf_counter() - started
    same_ok = same.status != "infeasible"
    same_cost = same.cost * days if same_ok else None
    rows.append(
        [
            "wfm schedule",
            f"pyworkforce's: 1 cyclic day, x{days}",
            same.status,
            hours(same.agent_hours * days if same_ok else None),
            money(same_cost),
            f"{sum(r['count'] for r in same.shifts) * days:,}",
            f"{seconds(same_time)} (one day)",
            "yes" if wfm_covers(day_scenario, same, day[None, :]) else "NO",
        ]
    )

    started = time.perf_counter()
    plan = schedule(week_scenario, {"pool": week}, time_limit_s=time_limit_s)
    week_time = time.perf_counter() - started
    week_ok = plan.status != "infeasible"
    rows.append(
        [
            "wfm schedule",
            f"wfm's: {days}-day cyclic week",
            plan.status,
            hours(plan.agent_hours),
            money(plan.cost),
            f"{sum(r['count'] for r in plan.shifts):,}" if week_ok else "-",
            seconds(week_time),
            "yes" if wfm_covers(week_scenario, plan, week) else "NO",
        ]
    )
    table(
        "Part 1: same requirement and templates, no breaks, equal cost per agent-hour (28)",
        [
            "solver",
            "model",
            "status",
            "agent-hours",
            "cost",
            "shifts",
            "solve time (s)",
            "covers every interval",
        ],
        rows,
        markdown,
    )
    if pw_cost is not None and same_cost is not None:
        note(f"- Same model: wfm's cost {money(same_cost)} is {compare(same_cost, pw_cost)}.")
    if pw_cost is not None and week_ok:
        note(f"- Cyclic week: wfm's cost {money(plan.cost)} is {compare(plan.cost, pw_cost)}.")
    if week_ok and plan.gap is not None:
        note(f"- wfm's week plan: LP bound {money(plan.lower_bound)}, gap {plan.gap:.3%}.")
    note(
        "- wfm runs CP-SAT with one worker (its default: deterministic); the second "
        "pyworkforce row is pyworkforce's own model solved with one worker too, which shows "
        "how much of the time difference the solver settings account for."
    )
    note(
        "- pyworkforce covers each day on its own (one variable per day and start time, no "
        "link between days), so its night shift wraps onto the same day's early hours; wfm's "
        "week lets Sunday's night shift cover Monday morning and each night shift the next "
        "morning. With the same requirement every day the two have the same day-periodic plans."
    )


# --------------------------------------------------------------------------- part 2


def part2(time_limit_s: float, markdown: bool) -> None:
    note("## Part 2: gap to the LP bound and solve time (schedule, CP-SAT workers 1 and 2)")
    rows = []
    for path, workers in [(p, w) for p in (SHIFTS, SHIFTS_15MIN) for w in (1, 2)]:
        scenario = load(path)
        horizon = scenario.horizon
        options = shift_options(scenario)
        requirement = analytic_requirement(scenario)
        started = time.perf_counter()
        plan = schedule(scenario, requirement, time_limit_s=time_limit_s, workers=workers)
        wall = time.perf_counter() - started
        gap = plan.gap
        aims = []
        aims.append("gap ok" if gap is not None and gap < GAP_AIM else "GAP MISSED")
        aims.append("time ok" if plan.solve_time_s < TIME_AIM_S else "TIME MISSED")
        rows.append(
            [
                path.relative_to(ROOT).as_posix(),
                f"{workers}" + (" (interleaved)" if workers > 1 else ""),
                f"{horizon.days} x {horizon.intervals_per_day} ({horizon.interval_min} min)",
                f"{len(options) // horizon.days}",
                "/".join(sorted({str(len(t.breaks)) for t in scenario.shift_templates})),
                plan.status,
                money(plan.cost),
                money(plan.lower_bound),
                "-" if gap is None else f"{gap:.3%}",
                hours(plan.agent_hours),
                f"{plan.solve_time_s:.2f} ({wall:.2f} wall)",
                ", ".join(aims),
            ]
        )
    table(
        f"Part 2: analytic requirement, breaks, cyclic week; time limit {time_limit_s:g} s",
        [
            "scenario",
            "CP-SAT workers",
            "days x intervals",
            "start times a day",
            "breaks per shift",
            "status",
            "cost",
            "LP lower bound",
            "gap",
            "agent-hours",
            "solve time (s)",
            f"aims (gap < {GAP_AIM:.0%}, < {TIME_AIM_S:g} s)",
        ],
        rows,
        markdown,
    )


# --------------------------------------------------------------------------- driver


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="1,2", help="parts to run, e.g. 1 (default all)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=30.0,
        help="CP-SAT time limit per solve, seconds (default 30; also pyworkforce's)",
    )
    args = parser.parse_args(argv)
    try:
        args.parts = {int(p) for p in args.only.split(",") if p.strip()}
    except ValueError:
        parser.error(f"--only: expected 1 or 2, got {args.only!r}")
    if not args.parts or not args.parts <= {1, 2}:
        parser.error(f"--only: expected 1 or 2, got {args.only!r}")
    if args.time_limit <= 0:
        parser.error("--time-limit must be > 0")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    note(
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"ortools {version('ortools')}, numpy {version('numpy')}, pyworkforce "
        f"{version('pyworkforce')}, {platform.system()} {platform.machine()} "
        f"({dt.date.today().isoformat()})."
    )
    if 1 in args.parts:
        part1(args.time_limit, args.markdown)
    if 2 in args.parts:
        part2(args.time_limit, args.markdown)
    note(f"\nTotal wall time: {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
