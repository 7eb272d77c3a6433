"""CP-SAT helpers shared by the shift model (`optimise.shift_model`) and the roster
(`optimise.roster`): a solver with its time limits and threads set, and a solve's status as a
word; and a solve's relative gap, which only the roster reports (the shift plan's gap is against
the LP bound, see `ShiftPlan.gap`).

Each caller keeps its own policy: the shift model stops on deterministic time with the wall
clock as a guard, the roster on the wall clock with a fixed random seed.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
}


def new_solver(
    workers: int,
    *,
    wall_s: float,
    deterministic_s: float | None = None,
    seed: int | None = None,
) -> cp_model.CpSolver:
    """A CP-SAT solver on `workers` threads that stops after `wall_s` seconds of wall clock and,
    when given, after `deterministic_s` of CP-SAT's deterministic time (about seconds of one
    core); `seed`, when given, is its random seed. Other parameters keep CP-SAT's defaults."""
    solver = cp_model.CpSolver()
    if deterministic_s is not None:
        solver.parameters.max_deterministic_time = float(deterministic_s)
    solver.parameters.max_time_in_seconds = float(wall_s)
    solver.parameters.num_workers = int(workers)
    if seed is not None:
        solver.parameters.random_seed = seed
    return solver


def status_name(code: cp_model.CpSolverStatus) -> str:
    """A solve's status code as ``optimal``, ``feasible``, ``infeasible`` or ``unknown`` (any
    other code, an invalid model included)."""
    return _STATUS.get(code, "unknown")


def relative_gap(status: str, solver: cp_model.CpSolver | None) -> float | None:
    """(objective - best bound) / objective of a minimisation, rounded to 6 decimals: 0 when
    proven optimal, when no solve was needed (`solver` None) or when the objective is 0 or
    below; None when the solve found no solution (`status` neither optimal nor feasible)."""
    if solver is None or status == "optimal":
        return 0.0
    if status != "feasible":
        return None
    value = solver.objective_value
    if value <= 0:
        return 0.0
    return round(max(value - solver.best_objective_bound, 0.0) / value, 6)
