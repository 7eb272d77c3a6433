"""The cheapest hiring classes for one agent group: integer hires per week such that each week
has enough agents with the chance asked for, over sampled scenarios of demand and attrition.

The chance constraint, sample-averaged: week w is covered in scenario s when the FTE of the
starting staff that remain, plus the hires' expected FTE, reach the FTE the week needs. The
hires' part is the same in every scenario (their own attrition is taken at its expectation
here; the plan is checked afterwards with it random), so "covered in at least a share p of the
scenarios" is exactly "the hires' FTE reach the p-quantile of the scenarios' shortfalls", one
linear row per week: a small integer programme (a variable a week) solved to optimality by
SCIP through OR-Tools, without a binary per scenario.

Hires cost their hiring cost and their expected pay from their first week (training is paid) to
the plan's end; a week no class can reach in time (its shortfall before any training could
end, or past what the class size allows) is left short, as little as can be, and named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from optimise.capacity.supply import GroupSupply

COST_GAP = 1e-3
MAX_NODES = 2000
SHORT_TOLERANCE_FTE = 1e-6  # the second solve may leave this much more short than the first
SOLVER_SECONDS = 60.0  # a safeguard: a group's model is solved to optimality in well under 1 s


@dataclass(frozen=True)
class HiringPlan:
    """Hires per week (``(weeks,)``), the FTE the hires had to cover each week (the
    p-quantile of the shortfalls, 0 where none), what the weeks left short lack, the expected
    hiring and pay cost of the hires, and the solver's status."""

    hires: np.ndarray
    need_fte: np.ndarray
    short_fte: np.ndarray
    hiring_cost: float
    hires_pay: float
    status: str


def plan_hires(
    group: GroupSupply,
    shortfall: np.ndarray,
    probability: float,
    max_class_size: int,
    hire_cost: float,
    weekly_pay: float,
) -> HiringPlan:
    """The cheapest hires for `group` given the FTE each sampled scenario lacks each week
    without hiring (`shortfall`, ``(scenarios, weeks)``: required less the starting staff's
    remaining FTE), covering each week in at least `probability` of the scenarios, at most
    `max_class_size` a week; `weekly_pay` is one agent's pay for a week."""
    scenarios, weeks = shortfall.shape
    rank = math.ceil(probability * scenarios) - 1  # covering this order statistic covers p
    need = np.maximum(np.sort(shortfall, axis=0)[rank], 0.0)
    per_hire = group.expected_fte_per_hire(weeks)  # (week, start week)
    paid_weeks = (1 - group.weekly_leave) ** np.maximum(
        np.arange(weeks)[:, None] - np.arange(weeks)[None, :], 0
    )
    paid_weeks = np.where(np.arange(weeks)[:, None] >= np.arange(weeks)[None, :], paid_weeks, 0)
    cost_per_hire = hire_cost + weekly_pay * paid_weeks.sum(axis=0)  # by start week

    solver = pywraplp.Solver.CreateSolver("SCIP")
    # A node limit, not a time limit, bounds the search: the same plan on every machine.
    solver.SetSolverSpecificParametersAsString(f"limits/nodes = {MAX_NODES}\n")
    hires = [solver.IntVar(0, max_class_size, f"hires_{w}") for w in range(weeks)]
    short = [solver.NumVar(0, max(float(need[w]), 0.0), f"short_{w}") for w in range(weeks)]
    for w in range(weeks):
        if need[w] <= 0:
            continue
        # The hires' expected FTE in week w, with what is left short, reach what it needs.
        solver.Add(
            sum(float(per_hire[w, s]) * hires[s] for s in range(w + 1)) + short[w] >= need[w]
        )
    # First as little left short as can be (what no class can reach in time, or past the class
    # size), then the cheapest hires that leave no more short. Two solves, not one objective
    # with a large price on shortness: the solver's relative gap on such a sum hides the cost
    # of dozens of needless hires.
    solver.SetTimeLimit(int(SOLVER_SECONDS * 1000))
    solver.Minimize(sum(short))
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RuntimeError(f"the hiring model found no plan (status {status})")
    least_short = solver.Objective().Value()
    solver.Add(sum(short) <= least_short + SHORT_TOLERANCE_FTE)
    solver.Minimize(sum(float(cost_per_hire[s]) * hires[s] for s in range(weeks)))
    # Within 0.1 % of the cheapest (less than a hire's cost on any real plan): proving the last
    # 0.1 % can take SCIP a minute on a year of weeks; the gap, unlike a time limit, keeps the
    # plan the same on every machine.
    parameters = pywraplp.MPSolverParameters()
    parameters.SetDoubleParam(parameters.RELATIVE_MIP_GAP, COST_GAP)
    status = solver.Solve(parameters)
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RuntimeError(f"the hiring model found no plan (status {status})")
    chosen = np.array([round(h.solution_value()) for h in hires], dtype=np.int64)
    short_fte = np.array([s.solution_value() for s in short], dtype=float)
    return HiringPlan(
        hires=chosen,
        need_fte=need,
        short_fte=np.where(short_fte > 1e-3, short_fte, 0.0),  # below: solver tolerance
        hiring_cost=float(hire_cost * chosen.sum()),
        hires_pay=float(weekly_pay * (paid_weeks @ chosen).sum()),
        status="optimal" if status == pywraplp.Solver.OPTIMAL else "feasible",
    )
