"""Shift scheduling with OR-Tools CP-SAT: the cheapest shifts whose agents, net of breaks, cover
a requirement of agents per interval.

The model decides, for every agent group, shift template, day and allowed start time, how many
agents start that shift, and for every break of the template how many of them take it at each
allowed offset. Coverage is counted in agent-minutes per interval, so shifts, breaks and
intervals need not share a grid: an agent on a 15-minute break in a 30-minute interval counts
as half an agent there. Breaks start on the interval grid measured from the shift's start (every
`interval_min` minutes within the template's window) and are paid: a shift costs its whole
length at the group's `cost_per_hour` times the template's `cost_factor`.

`max_agents` of a group caps the agents of that group on duty (breaks included) in any interval;
`min_agents` is a floor on the agents working (net of breaks) in every interval. With a cyclic
horizon (the default) the last day wraps onto the first: Sunday night's shift covers Monday's
first hours. The LP relaxation of the same model (GLOP) gives the lower bound reported beside
the CP-SAT solution.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from optimise.shift_model import build_model
from scenarios.schema import Scenario, clock_text
from scenarios.staffing import covered_minutes

if TYPE_CHECKING:
    from optimise.cuts import Cut


@dataclass
class ShiftPlan:
    """The optimiser's answer; `shifts`, `coverage` and `unmet` are the rows of the JSON."""

    status: str  # optimal | feasible | infeasible
    cost: float | None
    lower_bound: float | None  # of the LP relaxation
    agent_hours: float | None
    solve_time_s: float
    shifts: list[dict[str, Any]] = field(default_factory=list)
    coverage: list[dict[str, Any]] = field(default_factory=list)
    unmet: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    best_bound: float | None = None  # CP-SAT's proven lower bound (in the neighbourhood searched)
    solution: list[int] = field(default_factory=list, repr=False)  # the model's column values

    @property
    def gap(self) -> float | None:
        """Relative gap between the cost and the LP lower bound."""
        if self.cost is None or self.lower_bound is None or self.cost <= 0:
            return None
        return max(0.0, (self.cost - self.lower_bound) / self.cost)


def schedule(
    scenario: Scenario,
    requirement: dict[str, np.ndarray],
    *,
    time_limit_s: float = 30.0,
    workers: int = 1,
    budget: float | None = None,
    soft: bool = False,
    shortfall_cost_per_agent_hour: float | None = None,
    hint: ShiftPlan | None = None,
    gap_limit: float = 0.0,
    cuts: Sequence[Cut] = (),
    floors: Sequence[tuple[list[int], np.ndarray]] = (),
    cover_requirement: bool = True,
    near_lp: bool = False,
) -> ShiftPlan:
    """The cheapest shifts covering `requirement`: per group, agents needed on duty net of
    breaks, ``(days, intervals_per_day)``, fractional allowed.

    With `cuts` and `floors` (see `cut_requirement`) those hold too; without
    `cover_requirement` the requirement only bounds how many agents may start a shift and is
    reported beside the coverage. In CP-SAT's integers a cut's slopes are rounded up and its
    right-hand side down (to a millionth): a relaxation, so any plan meeting the cut as given
    meets it as solved.

    `budget` (in the scenario's currency) caps the plan's cost: no plan returned costs more,
    and when none covering the requirement does, the plan is infeasible and its message names
    the budget. A budget above `optimise.shift_model.MAX_BUDGET` (1e12) caps nothing. With
    `soft`, the plan is the cheapest shortfall within the budget: an interval left short costs
    `shortfall_cost_per_agent_hour` per missing agent-hour (default: ten times the dearest
    agent-hour) and is reported in ``unmet`` instead of making the model infeasible. The
    solver stops after `time_limit_s` of CP-SAT's deterministic time (about seconds; the same
    stopping point on any machine) with the best plan found, or once its plan is within
    `gap_limit` (a share) of its proven bound. `hint`, a plan of the same scenario,
    is where it starts its search.

    With `near_lp`, CP-SAT searches only the plans whose every count (shifts started, breaks
    taken) is within one of the LP relaxation's (a relaxation-induced neighbourhood, the
    RINS heuristic of MIP solvers), and `hint` is not used: where the cuts make the whole
    model slow, this finds in a deterministic second plans within 1 % of the LP bound that the
    whole model takes ten to find (BENCHMARKS.md, Lean plans part 3); the plan may be a little
    dearer than the whole model's optimum.

    `workers` is CP-SAT's thread count. One thread searches deterministically, and more use
    CP-SAT's interleaved search, deterministic too. One is the default because on the
    covering models of BENCHMARKS.md it is also the fastest (interleaving costs more than the
    second thread gains). A solve cut short by the time limit says ``feasible``.
    """
    started = time.perf_counter()
    built = build_model(scenario, requirement, budget, cover=cover_requirement)
    if built is None:
        return ShiftPlan("infeasible", None, None, None, 0.0, message="no shift can be started")
    model, options, breaks_of = built
    model.cuts, model.floors = list(cuts), list(floors)
    shortfall_price = shortfall_cost_per_agent_hour or 10 * max(
        o.cost / o.length_min * 60 for o in options
    )
    relaxed = model.lp_bound(soft, shortfall_price)
    lower = None if relaxed is None else relaxed[0]
    near = relaxed[1] if near_lp and relaxed is not None else None
    columns = model.columns
    start = hint.solution if hint is not None and len(hint.solution) == len(columns) else None
    status, values, best_bound = model.solve_cp(
        soft, shortfall_price, time_limit_s, workers, None if near else start, gap_limit, near
    )
    elapsed = time.perf_counter() - started
    if near is not None and status == "optimal":
        status = "feasible"  # optimal in the neighbourhood only
    if values is None:
        message = "no plan covers the requirement" if status == "infeasible" else (
            f"no plan found within {time_limit_s:g} s"
        )  # fmt: skip
        if status == "infeasible" and model.budget is not None:
            # The budget as given, not rounded: 159.999 must not read as the 160 it excludes.
            given = f"{model.budget:,.6f}".rstrip("0").removesuffix(".")
            message += f" within the budget {given}"
        return ShiftPlan("infeasible", None, lower, None, elapsed, message=message)
    plan = _plan(
        scenario, options, breaks_of, values, model.need, requirement, status, lower, elapsed
    )
    plan.best_bound, plan.solution = best_bound, values[0]
    return plan


def cut_requirement(
    scenario: Scenario,
    reference: dict[str, np.ndarray],
    cuts: Sequence[Cut],
    floors: Sequence[tuple[list[int], np.ndarray]] = (),
    budget: float | None = None,
) -> tuple[dict[str, np.ndarray] | None, float | None]:
    """The cheapest fractional shifts (the LP relaxation of the shift model) that satisfy
    `cuts` (`optimise.cuts.Cut`: linear constraints on the agents working per group and
    interval) and `floors` (``(group indices, agents per interval)``: those groups together
    have at least that many agents working in every interval, flattened over the horizon):
    the agents they have working per group, ``(days, intervals_per_day)``, and their cost.
    ``(None, None)`` when nothing satisfies them.

    Every cut's slopes are >= 0, so any plan whose agents cover this requirement satisfies
    every cut and floor: `schedule` turns it into whole shifts. The cost is a lower bound on
    the cost of any plan that satisfies them. `reference` (a requirement of the same shape)
    only bounds how many agents may start a shift: up to twice its need plus two.
    """
    built = build_model(scenario, reference, budget, cover=False)
    if built is None:
        return None, None
    model, _, _ = built
    model.cuts, model.floors = list(cuts), list(floors)
    solved = model.solve_lp()
    if solved is None:
        return None, None
    cost, minutes = solved
    horizon = scenario.horizon
    shape = (horizon.days, horizon.intervals_per_day)
    working = {}
    for g, group in enumerate(scenario.agent_groups):
        cells = [minutes.get((g, k), 0.0) for k in range(shape[0] * shape[1])]
        working[group.name] = np.asarray(cells).reshape(shape) / horizon.interval_min
    return working, cost


def with_required(
    plan: ShiftPlan, requirement: dict[str, np.ndarray], interval_min: int
) -> ShiftPlan:
    """`plan` with its coverage's ``required`` column taken from `requirement` (per group,
    ``(days, intervals_per_day)``) instead of the requirement it was scheduled to cover."""
    coverage = [
        {**row, "required": float(np.asarray(requirement[row["group"]])[
            row["day"], row_interval(row, interval_min)])}
        for row in plan.coverage
    ]  # fmt: skip
    return replace(plan, coverage=coverage)


def row_interval(row: dict[str, Any], interval_min: int) -> int:
    """The interval of its day (0 at midnight) a coverage row's ``start`` names."""
    hours, minutes = (int(x) for x in row["start"].split(":"))
    return (hours * 60 + minutes) // interval_min


def _plan(scenario, options, breaks_of, values, need, requirement, status, lower, elapsed):
    """The solver's values as the plan's rows."""
    counts, shortfall = values
    horizon = scenario.horizon
    per_day = horizon.intervals_per_day
    groups, templates = scenario.agent_groups, scenario.shift_templates
    shifts = []
    cost = agent_hours = 0.0
    scheduled: dict[tuple[int, int], float] = {}
    for j, option in enumerate(options):
        n = counts[j]
        if n == 0:
            continue
        cost += n * option.cost
        agent_hours += n * option.length_min / 60
        # Pair the break offsets chosen for each break into one list per agent.
        per_break = [
            sorted(o for i, o in zip(ids, offsets, strict=True) for _ in range(counts[i]))
            for ids, offsets in zip(breaks_of[j], option.break_offsets_min, strict=True)
        ]
        combos: dict[tuple[int, ...], int] = {}
        for combo in zip(*per_break, strict=True) if per_break else [()] * n:
            combos[combo] = combos.get(combo, 0) + 1
        for combo, count in combos.items():
            shifts.append(
                {
                    "group": groups[option.group].name,
                    "template": templates[option.template].name,
                    "day": option.day,
                    "start": clock_text(option.start_min),
                    "count": count,
                    "length_h": option.length_min / 60,
                    "paid_h": option.length_min / 60,
                    "end": clock_text(option.start_min + option.length_min),
                    "breaks": [
                        {"start": clock_text(option.start_min + offset), "length_min": length}
                        for offset, length in zip(combo, option.break_lengths_min, strict=True)
                    ],
                }
            )
    for cell, minutes in covered_minutes(scenario, shifts, horizon.interval_min).items():
        scheduled[cell] = minutes / horizon.interval_min
    coverage, unmet = [], []
    for g, group in enumerate(groups):
        required = np.asarray(requirement[group.name], dtype=float).ravel()
        for k in range(horizon.days * per_day):
            row = {
                "day": k // per_day,
                "start": clock_text((k % per_day) * horizon.interval_min),
                "group": group.name,
                "required": float(required[k]),
                "scheduled": scheduled.get((g, k), 0.0),
            }
            coverage.append(row)
            if shortfall.get((g, k), 0) > 0:
                unmet.append({**row, "short": shortfall[g, k] / horizon.interval_min})
    return ShiftPlan(
        status=status,
        cost=cost,
        lower_bound=lower,
        agent_hours=agent_hours,
        solve_time_s=elapsed,
        shifts=shifts,
        coverage=coverage,
        unmet=unmet,
    )
