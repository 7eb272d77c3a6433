"""The shift model's columns and rules, written once for two solvers: CP-SAT for whole shifts,
GLOP for the LP relaxation (its bound, and the requirement the cuts admit).

Columns are agents starting each shift option (every group, template, day and allowed start)
and agents taking each of its breaks at each allowed offset; coverage is counted in
agent-minutes per (group, interval). `optimise.shifts` builds plans from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from optimise.cpsat import new_solver, status_name
from scenarios.schema import DAY_MIN, WEEKDAYS, Scenario, clock_minutes
from scenarios.staffing import minutes_per_interval

if TYPE_CHECKING:
    from optimise.cuts import Cut

COST_SCALE = 100  # the CP-SAT objective is in cents
# A solve's wall-clock limit, in multiples of its deterministic time limit: only a guard against
# a runaway. On the covering models a deterministic second takes 3 to 5 s of wall clock on a
# loaded 2-core machine, and a solve that stops on the wall clock stops at a point that depends
# on the load, so its plan would not be reproducible.
WALL_GUARD = 20
# A neighbourhood search keeps each shift count within this many agents of the LP relaxation's
# (a relaxation-induced neighbourhood): within one, CP-SAT finds in a deterministic second the
# plans the whole model takes it ten to find; within two, it often finds none that soon.
NEIGHBOURHOOD = 1
CUT_SCALE = 1_000_000  # a cut's slopes (service level per agent-minute) in CP-SAT's integers
# The largest budget (in the scenario's currency): no real centre's plan costs a trillion, and
# in cents a budget from about 9.2e16 would overflow CP-SAT's int64.
MAX_BUDGET = 1e12


@dataclass(frozen=True)
class ShiftOption:
    """One way to start a shift: `group` and `template` are indices into the scenario."""

    group: int
    template: int
    day: int
    start_min: int  # minutes after midnight of `day`
    length_min: int
    cost: float  # per agent, in the scenario's currency
    break_lengths_min: tuple[int, ...]
    break_offsets_min: tuple[tuple[int, ...], ...]  # allowed start offsets of each break


def shift_options(scenario: Scenario) -> list[ShiftOption]:
    """Every (group, template, day, start time) a shift may take in the horizon."""
    horizon = scenario.horizon
    options = []
    for g, group in enumerate(scenario.agent_groups):
        rate = group.cost_per_hour or 0.0
        for t, template in enumerate(scenario.shift_templates):
            first, last = (clock_minutes(x) for x in template.start_between)
            starts = range(first, last + 1, template.start_step_min)
            length = round(template.length_h * 60)
            # A window narrower than the grid still allows its earliest start.
            offsets = tuple(
                tuple(
                    range(
                        math.ceil(b.after_h_min * 60),
                        max(math.floor(b.after_h_max * 60), math.ceil(b.after_h_min * 60)) + 1,
                        horizon.interval_min,
                    )
                )
                for b in template.breaks
            )
            for day in range(horizon.days):
                weekday = WEEKDAYS[(horizon.first_weekday + day) % 7]
                if weekday not in template.days:
                    continue
                for start in starts:
                    options.append(
                        ShiftOption(
                            group=g,
                            template=t,
                            day=day,
                            start_min=start,
                            length_min=length,
                            cost=template.length_h * rate * template.cost_factor,
                            break_lengths_min=tuple(b.length_min for b in template.breaks),
                            break_offsets_min=offsets,
                        )
                    )
    return options


@dataclass
class Column:
    """A variable of the model: its cost and its agent-minutes in each (group, interval)."""

    cost: float
    upper: int
    minutes: dict[tuple[int, int], int]


def build_model(
    scenario: Scenario, requirement: dict[str, np.ndarray], budget: float | None, cover: bool
) -> tuple[ShiftModel, list[ShiftOption], list[list[list[int]]]] | None:
    """The shift model's columns and rules for `requirement` (enforced when `cover`, else only
    bounding the columns), or None when no shift can be started. `budget` (in the scenario's
    currency) caps the plan's cost; above `MAX_BUDGET` (infinity included) it caps nothing and
    the model has no budget (`ShiftModel.budget` None)."""
    horizon = scenario.horizon
    interval = horizon.interval_min
    n_intervals = horizon.days * horizon.intervals_per_day
    horizon_min = horizon.days * DAY_MIN
    groups = scenario.agent_groups
    # Agent-minutes the requirement asks for per (group, interval); it also bounds how many
    # agents may start a shift.
    asked = {
        (g, k): math.ceil(float(requirement[group.name].ravel()[k]) * interval - 1e-6)
        for g, group in enumerate(groups)
        for k in range(n_intervals)
    }
    need = dict(asked) if cover else dict.fromkeys(asked, 0)
    for g, group in enumerate(groups):
        for k in range(n_intervals):
            need[g, k] = max(need[g, k], (group.min_agents or 0) * interval)
    options = shift_options(scenario)
    if not options:
        return None

    # Columns: agents starting each option (the first len(options) columns), then agents
    # taking each break of each option at each allowed offset.
    columns: list[Column] = []
    spans = []
    for option in options:
        start = option.day * DAY_MIN + option.start_min
        span = minutes_per_interval(start, option.length_min, interval, horizon_min, horizon.cyclic)
        most = max(max(asked[option.group, k], need[option.group, k]) for k in span)
        upper = 2 * math.ceil(most / interval) + 2
        columns.append(Column(option.cost, upper, {(option.group, k): m for k, m in span.items()}))
        spans.append(start)
    breaks_of: list[list[list[int]]] = []  # per option, per break: its break columns
    for option, start, column in zip(options, spans, columns[: len(options)], strict=True):
        per_break = []
        for length, offsets in zip(option.break_lengths_min, option.break_offsets_min, strict=True):
            ids = []
            for offset in offsets:
                away = minutes_per_interval(
                    start + offset, length, interval, horizon_min, horizon.cyclic
                )
                columns.append(
                    Column(0.0, column.upper, {(option.group, k): -m for k, m in away.items()})
                )
                ids.append(len(columns) - 1)
            per_break.append(ids)
        breaks_of.append(per_break)
    if budget is not None and not 0 <= budget <= MAX_BUDGET:
        raise ValueError(f"budget: must be within 0 and {MAX_BUDGET:.0e}, got {budget}")
    model = ShiftModel(
        columns, len(options), breaks_of, need, groups, n_intervals, interval, budget
    )
    return model, options, breaks_of


class ShiftModel:
    """The covering model, given once and solved twice: CP-SAT for integers, GLOP for the LP
    relaxation's bound."""

    def __init__(self, columns, n_options, breaks_of, need, groups, n_intervals, interval, budget):
        self.columns, self.n_options, self.breaks_of = columns, n_options, breaks_of
        self.need, self.groups = need, groups
        self.n_intervals, self.interval, self.budget = n_intervals, interval, budget
        self.cuts: list[Cut] = []
        self.floors: list[tuple[list[int], np.ndarray]] = []
        self.rows: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for j, column in enumerate(columns):
            for cell, minutes in column.minutes.items():
                self.rows.setdefault(cell, []).append((j, minutes))

    def solve_cp(self, soft, shortfall_price, time_limit_s, workers, start, gap_limit, near=None):
        """CP-SAT's plan: its status, its values and its bound. With `near` (a value per
        column, the LP relaxation's), each column is kept within `NEIGHBOURHOOD` of it."""
        model = cp_model.CpModel()
        if near is None:
            domains = [(0, c.upper) for c in self.columns]
        else:
            domains = [_around(value, c.upper) for value, c in zip(near, self.columns, strict=True)]
        x = [model.new_int_var(lo, hi, f"x{j}") for j, (lo, hi) in enumerate(domains)]
        for var, value in zip(x, start or [], strict=False):
            model.add_hint(var, value)
        short = self._add_rules(model, x, soft, integer=True)
        cents = [round(c.cost * COST_SCALE) for c in self.columns]
        objective = cp_model.LinearExpr.weighted_sum(x, cents)
        if short:
            # Shortfall is in agent-minutes; its price is per agent-hour.
            per_minute = round(shortfall_price * COST_SCALE / 60)
            objective += per_minute * cp_model.LinearExpr.sum(list(short.values()))
        model.minimize(objective)
        # The limit is CP-SAT's deterministic time (about seconds of one core), so a solve cut
        # short stops at the same point on any machine, however loaded; the wall clock only
        # guards against a runaway.
        solver = new_solver(workers, wall_s=WALL_GUARD * time_limit_s, deterministic_s=time_limit_s)
        # The full LP relaxation at every node: the covering rows and the cuts make the model
        # LP-tight, and on the telecom week's cut masters it reaches the gap limit in 40 % of
        # the deterministic time it otherwise stops at, with a cheaper plan.
        solver.parameters.linearization_level = 2
        # CP-SAT's default parallel portfolio races its threads: the plan found would depend
        # on timing. Interleaving them keeps it deterministic.
        solver.parameters.interleave_search = workers > 1
        solver.parameters.relative_gap_limit = gap_limit
        status = status_name(solver.solve(model))
        if status not in ("optimal", "feasible"):
            return status, None, None
        values = [solver.value(v) for v in x]
        shortfall = {cell: solver.value(v) for cell, v in short.items()}
        return status, (values, shortfall), solver.best_objective_bound / COST_SCALE

    def solve_lp(self) -> tuple[float, dict[tuple[int, int], float]] | None:
        """The LP relaxation's cost and agent-minutes worked per (group, interval), or None
        when it has no solution."""
        solver = _glop()
        x = [solver.NumVar(0, c.upper, f"x{j}") for j, c in enumerate(self.columns)]
        self._add_rules(solver, x, soft=False, integer=False)
        _minimize(solver, [(v, c.cost) for v, c in zip(x, self.columns, strict=True) if c.cost])
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        values = [v.solution_value() for v in x]
        minutes = {
            cell: max(0.0, sum(m * values[j] for j, m in rows)) for cell, rows in self.rows.items()
        }
        return solver.Objective().Value(), minutes

    def lp_bound(self, soft, shortfall_price) -> tuple[float, list[float]] | None:
        """The LP relaxation's cost and its value of every column, or None when it has no
        solution."""
        solver = _glop()
        x = [solver.NumVar(0, c.upper, f"x{j}") for j, c in enumerate(self.columns)]
        short = self._add_rules(solver, x, soft, integer=False)
        costs = [(v, c.cost) for v, c in zip(x, self.columns, strict=True) if c.cost]
        _minimize(solver, costs + [(v, shortfall_price / 60) for v in short.values()])
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        return solver.Objective().Value(), [v.solution_value() for v in x]

    def _coverage_var(self, model, x, cell, integer):
        """A variable equal to the agent-minutes worked in `cell` (None: nobody can work
        there)."""
        rows = self.rows.get(cell, [])
        if not rows:
            return None
        most = sum(m * self.columns[j].upper for j, m in rows if m > 0)
        if integer:
            var = model.new_int_var(0, most, f"cov{cell}")
        else:
            var = model.NumVar(0, most, f"cov{cell}")
        _add_row(model, integer, [(var, 1)] + [(x[j], -m) for j, m in rows], 0, 0)
        return var

    def _add_rules(self, model, x, soft, integer):
        """The rules, written once for both solvers (see `_add_row`)."""
        add = partial(_add_row, model, integer)
        short = {}
        # Every break is taken exactly once by every agent of its shift.
        for j in range(self.n_options):
            for ids in self.breaks_of[j]:
                add([(x[i], 1) for i in ids] + [(x[j], -1)], 0, 0)
        # Agents working (net of breaks) cover the requirement in every interval, or fall
        # short by a priced amount in soft mode.
        for cell, need in self.need.items():
            if need <= 0:
                continue
            covered = [(x[j], m) for j, m in self.rows.get(cell, [])]
            if soft:
                short[cell] = (
                    model.new_int_var(0, need, f"short{cell}")
                    if integer
                    else model.NumVar(0, need, f"short{cell}")
                )
                covered.append((short[cell], 1))
            add(covered, need)
        # No more agents of a group on duty (breaks included) than its cap.
        for g, group in enumerate(self.groups):
            if group.max_agents is None:
                continue
            for k in range(self.n_intervals):
                on_duty = [
                    (x[j], 1) for j, m in self.rows.get((g, k), []) if j < self.n_options and m > 0
                ]
                if on_duty:
                    add(on_duty, upper=group.max_agents)
        # Pooled groups cover the offered load of each skill they serve (the queue is stable).
        for members, load in self.floors:
            for k in np.flatnonzero(load > 0):
                covered = [(x[j], m) for g in members for j, m in self.rows.get((g, int(k)), [])]
                minutes = float(load[k]) * self.interval
                if covered:
                    add(covered, math.floor(minutes + 1e-6) if integer else minutes)
        # Each cut: the tangent of a target period's simulated level reaches its goal. Cuts
        # read the agent-minutes worked per cell through one variable per cell.
        coverage: dict[tuple[int, int], Any] = {}
        for cut in self.cuts:
            terms = []
            for cell, slope in cut.coefficients.items():
                if cell not in coverage:
                    coverage[cell] = self._coverage_var(model, x, cell, integer)
                if coverage[cell] is None:
                    continue
                per_minute = slope / self.interval
                weight = math.ceil(per_minute * CUT_SCALE) if integer else per_minute
                terms.append((coverage[cell], weight))
            if terms:
                add(terms, math.floor(cut.rhs * CUT_SCALE) if integer else cut.rhs)
        # The plan's cost stays within the budget. In CP-SAT's integer cents each shift's cost
        # is rounded up and the budget down, so a plan within the row is within the budget
        # (the 1e-6 absorbs binary fractions: 0.29 * 100 is 28.999...).
        if self.budget is not None:
            if integer:
                costs = [math.ceil(c.cost * COST_SCALE - 1e-6) for c in self.columns]
                limit = math.floor(self.budget * COST_SCALE + 1e-6)
            else:
                costs, limit = [c.cost for c in self.columns], self.budget
            add([(x[j], c) for j, c in enumerate(costs) if c], upper=limit)
        return short


def _add_row(model, integer, terms, lower=-math.inf, upper=math.inf) -> None:
    """Adds ``lower <= sum(coefficient * variable for variable, coefficient in terms) <= upper``
    to a CP-SAT model (`integer`) or a pywraplp solver: the very row the arithmetic operators
    add for that sum (CP-SAT sorts and merges a row's terms either way; pywraplp gets them in
    the same order, a variable given twice with its coefficients added)."""
    # The operators build an object per term, which pywraplp then walks in Python: on a
    # telecom-week master with 450 cuts, its LP took 0.6 s to build that way and 0.2 s this way.
    if not terms:
        # An empty sum is 0, and the operators add a row that always holds or never does.
        (model.add if integer else model.Add)(lower <= 0 <= upper)
    elif integer:
        expression = cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms])
        model.add_linear_constraint(
            expression, max(lower, cp_model.INT_MIN), min(upper, cp_model.INT_MAX)
        )
    else:
        row = model.Constraint(lower, upper)
        for variable, coefficient in terms:
            # `SetCoefficient` replaces: a variable listed twice (a floor naming a group
            # twice) must add up, as in the operators' sum.
            row.SetCoefficient(variable, row.GetCoefficient(variable) + coefficient)


def _minimize(solver: pywraplp.Solver, terms) -> None:
    """Sets `solver` to minimise ``sum(coefficient * variable for variable, coefficient in
    terms)``, coefficient by coefficient, a variable given twice with its coefficients added
    (as `_add_row` adds a row)."""
    objective = solver.Objective()
    for variable, coefficient in terms:
        objective.SetCoefficient(variable, objective.GetCoefficient(variable) + coefficient)
    objective.SetMinimization()


def _around(value: float, upper: int) -> tuple[int, int]:
    """The integers within `NEIGHBOURHOOD` of the LP's `value`, in ``[0, upper]``."""
    low = max(0, math.floor(value + 1e-9) - NEIGHBOURHOOD)
    high = min(upper, math.ceil(value - 1e-9) + NEIGHBOURHOOD)
    return low, max(low, high)


def _glop() -> pywraplp.Solver:
    """GLOP with the dual simplex: on the LPs of the cut rounds, a few thousand coverage and
    cut rows over as many columns, it is about three times as fast as GLOP's default primal
    simplex (1.8 s against 5.1 s on a telecom-week master with 443 cuts)."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if not solver.SetSolverSpecificParametersAsString("use_dual_simplex: true"):
        raise RuntimeError("GLOP refused use_dual_simplex")
    return solver
