"""The simulation-optimisation loop: shifts whose *simulated* performance meets the targets.

1. Start from a requirement (the analytic one of `optimise.requirements`, or the user's).
2. Schedule the cheapest shifts covering it (`optimise.shifts`).
3. Simulate the plan (same seed every round: common random numbers, so rounds differ only by
   the plan). A target counts as held in the loop only with a safety margin of `SAFETY_Z`
   standard errors of its estimate, so that an independent simulation of the plan (which is
   what decides) meets it too rather than the loop fitting one seed's luck. Where a target is
   not held, raise the requirement of the group that serves its contact type first, in every
   interval short of target + margin (for a `day` target only in the failing day), to what
   the plan had there plus one agent (two when more than 15 points short). Re-schedule; repeat.
4. Trim: once every target holds, lower the requirement by one agent in the intervals where
   every target is met with a further margin of `TRIM_MARGIN`, re-schedule and keep the
   cheaper plan if every target still holds. A trim that breaks a target is retried on the
   half of those intervals with the most room (down to `MIN_TRIM_SHARE` of them); stop when
   that fails too, or when a trim saves nothing.
5. Verify the plan by simulating it with an independent seed. Only that simulation says
   whether the targets are met; if it says no, its shortfalls feed another raise round and the
   next plan is verified with yet another seed, within `max_rounds` in all.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimise.requirements import analytic_requirement
from optimise.reserve import ReserveSizing, size_reserve
from optimise.shifts import ShiftPlan, schedule
from scenarios.schema import Scenario
from scenarios.staffing import on_duty
from sim.metrics import kpis
from sim.replicate import simulate
from sim.results import Results
from sim.routing import plan_routing

SAFETY_Z = 2.5
TRIM_MARGIN = 0.03
MIN_TRIM_SHARE = 0.125  # a trim that fails is retried on half as many intervals, down to this
BIG_SHORTFALL = 0.15
VERIFY_SEED_OFFSET = 1_000_003  # the verification's seed: independent of the loop's


@dataclass
class Optimisation:
    """The final plan, the requirement it was scheduled for, its verification (None when the
    user's requirement was scheduled as given) and one entry per round of the loop."""

    plan: ShiftPlan
    requirement: dict[str, np.ndarray]
    verification: Results | None
    rounds: list[dict[str, Any]] = field(default_factory=list)
    first_weekday: int = 0  # of day 0, Monday = 0: what a roster of the plan needs
    reserve: ReserveSizing | None = None  # with the scenario's surge targets

    @property
    def targets_met(self) -> bool:
        if self.verification is None:
            return False
        return all(t["met"] for t in self.verification.target_results())

    def to_json(self) -> dict[str, Any]:
        """The ``wfm optimise --json`` document."""
        plan = self.plan
        return {
            "status": plan.status,
            "cost": plan.cost,
            "lower_bound": plan.lower_bound,
            "gap": plan.gap,
            "agent_hours": plan.agent_hours,
            "solve_time_s": plan.solve_time_s,
            "shifts": plan.shifts,
            "coverage": plan.coverage,
            "unmet": plan.unmet,
            "verification": None if self.verification is None else self.verification.to_json(),
            "targets_met": self.targets_met,
            "rounds": self.rounds,
            "message": plan.message,
            "first_weekday": self.first_weekday,
            "reserve": None if self.reserve is None else self.reserve.to_json(),
        }


def optimise(
    scenario: Scenario,
    requirement: dict[str, np.ndarray] | None = None,
    *,
    seed: int = 0,
    replications: int = 10,
    time_limit_s: float = 30.0,
    max_rounds: int = 30,
    workers: int | None = None,
    executor: Executor | None = None,
    soft: bool = False,
    budget: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Optimisation:
    """The cheapest shift plan meeting the scenario's targets in simulation.

    With `requirement` given, it is scheduled as it is: no simulation, no verification.
    """
    say = progress or (lambda _message: None)

    def solve(needed: dict[str, np.ndarray]) -> ShiftPlan:
        return schedule(scenario, needed, time_limit_s=time_limit_s, budget=budget, soft=soft)

    def run(plan: ShiftPlan, run_seed: int) -> Results:
        return simulate(
            scenario,
            on_duty(scenario, plan.shifts),
            seed=run_seed,
            replications=replications,
            executor=executor,
            workers=workers,
        )

    if requirement is not None:
        say("scheduling the given requirement")
        return Optimisation(
            solve(requirement), requirement, None, first_weekday=scenario.horizon.first_weekday
        )

    needed = analytic_requirement(scenario)
    say("scheduling the analytic requirement")
    plan = solve(needed)
    rounds: list[dict[str, Any]] = []
    verification, verified = None, None
    run_seed = seed
    while len(rounds) < max_rounds and plan.status != "infeasible":
        results = run(plan, run_seed)
        held, short = _assess(scenario, results)
        verifying = run_seed != seed
        if verifying:
            # The verification decides on the point estimates alone, without the margin.
            met = all(t["met"] for t in results.target_results())
            rounds.append(_round(len(rounds) + 1, "verify", plan, met))
            say(f"round {len(rounds)} (verify): cost {plan.cost:,.0f}, targets {_word(met)}")
            verification, verified = results, plan
            if met:
                break
            run_seed += VERIFY_SEED_OFFSET  # the next plan is verified with a fresh seed
        else:
            rounds.append(_round(len(rounds) + 1, "raise", plan, held))
            say(f"round {len(rounds)} (raise): cost {plan.cost:,.0f}, targets {_word(held)}")
        if not verifying and held:
            plan, needed, _ = _trim(plan, needed, results, solve, run, run_seed, rounds, say)
            run_seed += VERIFY_SEED_OFFSET  # verify next, with an independent seed
            continue
        needed = _raised(scenario, needed, plan, results, short)
        plan = solve(needed)
    if plan.status != "infeasible" and verified is not plan:
        say("verifying the final plan with an independent seed")
        verification = run(plan, run_seed + VERIFY_SEED_OFFSET)
    reserve = None
    if scenario.surge_targets and plan.status != "infeasible":
        net = on_duty(scenario, plan.shifts)
        gross = on_duty(scenario, plan.shifts, net_of_breaks=False)
        reserve = size_reserve(
            scenario,
            net,
            {name: gross[name] - net[name] for name in net},
            seed=seed,
            replications=replications,
            executor=executor,
            workers=workers,
            progress=say,
        )
    return Optimisation(
        plan,
        needed,
        verification,
        rounds,
        first_weekday=scenario.horizon.first_weekday,
        reserve=reserve,
    )


def _trim(plan, needed, results, solve, run, seed, rounds, say):
    """Lower the requirement where every target holds with room to spare, while the cheaper
    plan still holds every target (see the module's docstring)."""
    scenario = results.scenario
    share = 1.0
    while len(rounds) < 3 * len(scenario.targets) + 50:
        trimmed_need = _trimmed(scenario, needed, results, share)
        if trimmed_need is None:
            break
        trimmed = solve(trimmed_need)
        if trimmed.status == "infeasible" or trimmed.cost >= plan.cost:
            break
        trial = run(trimmed, seed)
        holds, _ = _assess(scenario, trial)
        rounds.append(_round(len(rounds) + 1, "trim", trimmed, holds))
        say(f"round {len(rounds)} (trim): cost {trimmed.cost:,.0f}, targets {_word(holds)}")
        if holds:
            plan, needed, results = trimmed, trimmed_need, trial
        elif share > MIN_TRIM_SHARE:
            share /= 2  # too much at once: lower only the roomiest part next time
        else:
            break
    return plan, needed, results


def _word(held: bool) -> str:
    return "met" if held else "short"


def _round(number: int, kind: str, plan: ShiftPlan, met: bool) -> dict[str, Any]:
    return {
        "round": number,
        "kind": kind,
        "cost": plan.cost,
        "agent_hours": plan.agent_hours,
        "targets_met": met,
    }


def _target_groups(scenario: Scenario) -> list[str]:
    """For each target, the group its contact type is routed to first."""
    routing = plan_routing(scenario)
    types = [ct.name for ct in scenario.contact_types]
    return [
        scenario.agent_groups[routing.type_groups[types.index(t.contact_type)][0]].name
        for t in scenario.targets
    ]


def _scheduled(scenario: Scenario, plan: ShiftPlan) -> dict[str, np.ndarray]:
    """Agents the plan has working per group and interval (net of breaks), flattened."""
    horizon = scenario.horizon
    per_day = horizon.intervals_per_day
    out = {g.name: np.zeros(horizon.days * per_day) for g in scenario.agent_groups}
    for row in plan.coverage:
        hours, minutes = (int(x) for x in row["start"].split(":"))
        k = row["day"] * per_day + (hours * 60 + minutes) // horizon.interval_min
        out[row["group"]][k] = row["scheduled"]
    return out


def _mean_and_error(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over replications (axis 0) and its standard error (0 below two replications)."""
    valid = (~np.isnan(levels)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(np.where(valid > 0, levels, 0.0), axis=0)
        spread = np.nansum((levels - mean) ** 2, axis=0) / np.maximum(valid - 1, 1)
        error = np.where(valid > 1, np.sqrt(spread / np.maximum(valid, 1)), 0.0)
    return np.where(valid > 0, mean, np.nan), error


def _assess(scenario: Scenario, results: Results) -> tuple[bool, list[np.ndarray]]:
    """Whether every target holds with the safety margin, and per target how far each interval
    is short of target + margin (0 where it need not be raised)."""
    horizon = scenario.horizon
    per_day = horizon.intervals_per_day
    held = True
    short = []
    for j, target in enumerate(scenario.targets):
        goal = target.service_level
        mean, error = _mean_and_error(results.target_period_levels(j))
        period_short = np.nan_to_num(mean, nan=1.0) < goal + SAFETY_Z * error
        held &= not period_short.any()
        counts = np.stack([s.target_counts[:, j] for s in results.summaries])
        k_mean, k_error = _mean_and_error(kpis(counts)["service_level"])
        gap = np.nan_to_num(goal + SAFETY_Z * k_error - k_mean, nan=0.0)
        gap = np.where(gap > 0, gap, 0.0)
        if target.scope == "day":
            gap *= np.repeat(period_short, per_day)
        elif target.scope == "horizon":
            gap *= bool(period_short[0])
        if period_short.any() and not gap.any():
            # The aggregate is short though no interval is: raise its weakest interval.
            gap[np.nanargmin(np.where(np.isnan(k_mean), np.inf, k_mean))] = 0.01
        short.append(gap)
    return held, short


def _raised(
    scenario: Scenario,
    needed: dict[str, np.ndarray],
    plan: ShiftPlan,
    results: Results,
    short: list[np.ndarray],
) -> dict[str, np.ndarray]:
    """The requirement raised where targets are short (see the module's docstring)."""
    scheduled = _scheduled(scenario, plan)
    raised = {name: need.ravel().copy() for name, need in needed.items()}
    for group, gap in zip(_target_groups(scenario), short, strict=True):
        step = np.where(gap > BIG_SHORTFALL, 2.0, 1.0)
        floor = np.maximum(raised[group], scheduled[group]) + step
        raised[group] = np.where(gap > 0, np.maximum(raised[group], floor), raised[group])
    shape = (scenario.horizon.days, scenario.horizon.intervals_per_day)
    return {name: need.reshape(shape) for name, need in raised.items()}


def _trimmed(
    scenario: Scenario, needed: dict[str, np.ndarray], results: Results, share: float = 1.0
) -> dict[str, np.ndarray] | None:
    """The requirement lowered by one agent where every target holds with the safety margin
    plus `TRIM_MARGIN` -- in the `share` of those intervals with the most room -- or None when
    there is nowhere to lower it."""
    room = {name: np.full(need.size, np.inf) for name, need in needed.items()}
    for j, (target, group) in enumerate(
        zip(scenario.targets, _target_groups(scenario), strict=True)
    ):
        counts = np.stack([s.target_counts[:, j] for s in results.summaries])
        mean, error = _mean_and_error(kpis(counts)["service_level"])
        spare = np.nan_to_num(mean, nan=1.0) - SAFETY_Z * error - target.service_level
        room[group] = np.minimum(room[group], spare - TRIM_MARGIN)
    candidates = [
        (name, k, room[name][k])
        for name, need in needed.items()
        for k in np.flatnonzero((room[name] >= 0) & (need.ravel() >= 1))
    ]
    if not candidates:
        return None
    candidates.sort(key=lambda c: (-c[2], c[0], c[1]))  # roomiest first; ties in a fixed order
    keep = max(1, round(share * len(candidates)))
    trimmed = {name: need.ravel().copy() for name, need in needed.items()}
    for name, k, _ in candidates[:keep]:
        trimmed[name][k] -= 1
    return {name: trimmed[name].reshape(need.shape) for name, need in needed.items()}
