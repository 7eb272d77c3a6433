"""The simulation-optimisation loop: the cheapest shifts whose *simulated* service meets the
targets, decided with a stated confidence.

1. **Start** from the analytic requirement (`optimise.requirements`: Erlang A or C per
   interval) and schedule the cheapest shifts covering it (`optimise.shifts`).
2. **Simulate** the plan on the loop's seed with sequential sampling (`sim.sequential`):
   replications are added only while a target's verdict (`sim.verdict`) is undecided, up to
   the cap. Every plan is simulated on the same seed and replication numbers (common random
   numbers), so plans differ in the simulation only by their staffing.
3. **Cut**: estimate how each target period's level moves with one more agent of each group in
   each interval (`optimise.cuts.marginal_effects`, finite differences on the same random
   numbers) and add, for every period, the tangent plane of its level at this plan as a linear
   constraint: the tangent must reach the level a "met" verdict needs there (target less the
   tolerance, plus the confidence bound's half-width at this sample). Re-solve the shift
   model with every cut so far, no requirement and the skills' offered loads as floors, within
   a trust region: no group loses more than `TRUST_STEP` of its agents in an interval against
   the incumbent (or, before there is one, the plan just simulated). Tangent planes are
   accurate near the plan they were taken at; far from it the cheapest plan they admit leaps
   to staffing no simulation has seen and the rounds zig-zag.
4. Repeat until the cheapest plan the cuts admit is no cheaper than the cheapest plan found to
   meet every target (the **incumbent**), a round gives back a plan already simulated, the
   cuts admit no plan, or `max_rounds` run out; the reason is kept (`stop_reason`).
5. **Verify** the incumbent with an independent seed, again sequentially. Only that says
   whether the targets are met (`targets_met`; `verification` is its simulate JSON). If it
   does not say "met", its sample becomes the loop's (cuts from it feed more rounds) and the
   next incumbent is verified with yet another seed, at most `MAX_VERIFICATIONS` times.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimise.cuts import Cut, load_floors, marginal_effects, tangent_cuts
from optimise.requirements import analytic_requirement
from optimise.reserve import ReserveSizing, size_reserve
from optimise.shifts import ShiftPlan, schedule
from scenarios.schema import Scenario
from scenarios.staffing import on_duty
from sim.results import Results
from sim.sequential import simulate_until_decided
from sim.verdict import MET, DecisionRule, met_level

VERIFY_SEED_OFFSET = 1_000_003  # the verification's seed: independent of the loop's
MAX_VERIFICATIONS = 3
TRUST_STEP = 0.15  # a cut round lowers a group's agents in an interval by at most this share
GROWTH = 8  # a check may grow to this many times its starting replications by default


@dataclass
class Optimisation:
    """The final plan, the analytic requirement it started from, its verification (None when
    the user's requirement was scheduled as given) and one entry per round of the loop.
    `cut_bound` is the cuts' lower bound on the cost of a plan meeting the targets (the proven
    bound of the master problem with every cut and no trust region; valid where the levels
    are concave in the agents)."""

    plan: ShiftPlan
    requirement: dict[str, np.ndarray]
    verification: Results | None
    rounds: list[dict[str, Any]] = field(default_factory=list)
    first_weekday: int = 0  # of day 0, Monday = 0: what a roster of the plan needs
    reserve: ReserveSizing | None = None  # with the scenario's surge targets
    cut_bound: float | None = None
    stop_reason: str = ""

    @property
    def targets_met(self) -> bool:
        """Every target's verdict in the independent verification is ``met``."""
        if self.verification is None:
            return False
        return all(v.verdict == MET for v in self.verification.verdicts())

    def to_json(self) -> dict[str, Any]:
        """The ``wfm optimise --json`` document."""
        plan = self.plan
        return {
            "status": plan.status,
            "cost": plan.cost,
            "lower_bound": plan.lower_bound,
            "gap": plan.gap,
            "cut_bound": self.cut_bound,
            "agent_hours": plan.agent_hours,
            "solve_time_s": plan.solve_time_s,
            "shifts": plan.shifts,
            "coverage": plan.coverage,
            "unmet": plan.unmet,
            "verification": None if self.verification is None else self.verification.to_json(),
            "targets_met": self.targets_met,
            "rounds": self.rounds,
            "stop_reason": self.stop_reason,
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
    max_replications: int | None = None,
    confidence: float = 0.95,
    tolerance: float = 0.02,
    time_limit_s: float = 30.0,
    max_rounds: int = 30,
    workers: int | None = None,
    executor: Executor | None = None,
    soft: bool = False,
    budget: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Optimisation:
    """The cheapest shift plan whose targets are met in simulation (see the module's
    docstring). `replications` start every check, `max_replications` cap it (default
    ``GROWTH x replications``); `confidence`
    (one-sided, family-wise) and `tolerance` (service-level points) are the decision rule.

    With `requirement` given, it is scheduled as it is: no simulation, no verification.
    """
    say = progress or (lambda _message: None)
    needed = analytic_requirement(scenario) if requirement is None else requirement
    if requirement is not None:
        say("scheduling the given requirement")
        plan = schedule(scenario, requirement, time_limit_s=time_limit_s, budget=budget, soft=soft)
        return Optimisation(plan, requirement, None, first_weekday=scenario.horizon.first_weekday)

    cap = max(max_replications or GROWTH * replications, replications)
    search = _Search(
        scenario, needed, DecisionRule(confidence, tolerance), replications, cap,
        time_limit_s, budget, soft, workers, executor, say,
    )  # fmt: skip
    plan, verification, stop_reason = search.run(seed, max_rounds)
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
        search.rounds,
        first_weekday=scenario.horizon.first_weekday,
        reserve=reserve,
        cut_bound=search.cut_bound(),
        stop_reason=stop_reason,
    )


class _Search:
    """The state of one optimisation: cuts so far, plans seen, the incumbent, the rounds."""

    def __init__(
        self, scenario, needed, rule, replications, cap, time_limit_s, budget, soft, workers,
        executor, say,
    ) -> None:  # fmt: skip
        self.scenario, self.needed, self.rule = scenario, needed, rule
        self.replications, self.cap = replications, cap
        self.time_limit_s, self.budget, self.soft = time_limit_s, budget, soft
        self.workers, self.executor, self.say = workers, executor, say
        self.floors = load_floors(scenario)
        self.cuts: list[Cut] = []
        self.seen: dict[tuple, float] = {}
        self.rounds: list[dict[str, Any]] = []

    def run(self, seed: int, max_rounds: int) -> tuple[ShiftPlan, Results | None, str]:
        """The final plan, its verification and why the search stopped."""
        self.say("scheduling the analytic requirement")
        plan = self._solve(cut=False)
        kind, loop_seed, incumbent = "start", seed, None
        reason, verification = "", None
        verify_seed = seed
        for _ in range(MAX_VERIFICATIONS):
            incumbent, reason = self._rounds(plan, kind, loop_seed, max_rounds)
            if incumbent is None:
                break
            verify_seed += VERIFY_SEED_OFFSET
            plan = incumbent[0]
            verification = self._check(plan, verify_seed, verifying=True)
            met = _all_met(verification)
            self._record("verify", plan, verification)
            if met or len(self.rounds) >= max_rounds:
                break
            # The incumbent met its targets on the loop's sample only by that sample's luck:
            # the verification's sample becomes the loop's, with the cuts it gives.
            self._add_cuts(plan, verification)
            loop_seed, kind = verify_seed, "cut"
            plan = self._solve(cut=True, around=plan)
            reason = "the verification did not confirm the plan"
        if incumbent is None:
            self.say("no plan met every target: verifying the last plan")
            verify_seed += VERIFY_SEED_OFFSET
            if plan.status != "infeasible":
                verification = self._check(plan, verify_seed, verifying=True)
        return plan, verification, reason

    def _rounds(self, plan, kind, loop_seed, max_rounds):
        """Rounds on `loop_seed` from `plan`: the incumbent ``(plan, results)`` (None if no
        plan met every target) and why they stopped."""
        incumbent = None
        while True:
            if plan.status == "infeasible":
                return incumbent, f"no plan satisfies the cuts ({plan.message})"
            key = _plan_key(plan)
            if key in self.seen:
                return incumbent, "the cuts lead back to a plan already simulated"
            self.seen[key] = plan.cost
            results = self._check(plan, loop_seed)
            self._record(kind, plan, results)
            if _all_met(results) and (incumbent is None or plan.cost < incumbent[0].cost):
                incumbent = (plan, results)
            if len(self.rounds) >= max_rounds:
                return incumbent, f"{max_rounds} rounds run"
            self._add_cuts(plan, results)
            centre = plan if incumbent is None else incumbent[0]
            plan, kind = self._solve(cut=True, around=centre), "cut"
            if (
                incumbent is not None
                and plan.cost is not None
                and (plan.cost >= incumbent[0].cost - 1e-6)
            ):
                return incumbent, "the cuts admit no cheaper plan"

    def _solve(self, cut: bool, around: ShiftPlan | None = None) -> ShiftPlan:
        """The analytic requirement's plan, or (`cut`) the cheapest plan the cuts admit within
        the trust region `around` a plan."""
        floors = list(self.floors) if cut else []
        if around is not None:
            working = _working(self.scenario, around)
            floors += [([g], (1 - TRUST_STEP) * working[group.name])
                       for g, group in enumerate(self.scenario.agent_groups)]  # fmt: skip
        plan = schedule(
            self.scenario,
            self.needed,
            time_limit_s=self.time_limit_s,
            budget=self.budget,
            soft=self.soft,
            cuts=self.cuts if cut else (),
            floors=floors,
            cover_requirement=not cut,
        )
        return plan

    def cut_bound(self) -> float | None:
        """The cuts' lower bound on the cost of a plan meeting the targets: the master problem
        with every cut and no trust region, its proven bound (CP-SAT's or the LP's)."""
        if not self.cuts:
            return None
        self.say("bounding: every cut, no trust region")
        master = self._solve(cut=True)
        bounds = [b for b in (master.best_bound, master.lower_bound) if b is not None]
        return max(bounds) if bounds else None

    def _check(self, plan: ShiftPlan, seed: int, verifying: bool = False) -> Results:
        """The plan simulated on `seed` until its verdicts are decided; in the search a missed
        target ends the sampling (the plan fails whatever else holds), a verification decides
        every target it can."""
        return simulate_until_decided(
            self.scenario,
            on_duty(self.scenario, plan.shifts),
            seed,
            self.replications,
            self.cap,
            self.rule,
            stop_when_missed=not verifying,
            executor=self.executor,
            workers=self.workers,
        )

    def _add_cuts(self, plan: ShiftPlan, results: Results) -> None:
        """Cuts at `plan` from its simulation `results` (see the module's docstring)."""
        self.say(f"round {len(self.rounds)}: estimating marginal effects")
        staffing = on_duty(self.scenario, plan.shifts)
        effects = marginal_effects(
            results,
            staffing,
            replications=self.replications,
            executor=self.executor,
            workers=self.workers,
        )
        goals = [
            met_level(
                results.target_period_levels(j),
                target.service_level,
                results.rule,
                results.target_period_closed(j),
            )
            for j, target in enumerate(self.scenario.targets)
        ]
        self.cuts += tangent_cuts(results, _working(self.scenario, plan), effects, goals)

    def _record(self, kind: str, plan: ShiftPlan, results: Results) -> None:
        verdicts = [v.verdict for v in results.verdicts()]
        entry = {
            "round": len(self.rounds) + 1,
            "kind": kind,
            "cost": plan.cost,
            "agent_hours": plan.agent_hours,
            "targets_met": all(v == MET for v in verdicts),
            "verdicts": {v: verdicts.count(v) for v in ("met", "missed", "undecided")},
            "replications": results.replications,
            "seed": results.seed,
            "cuts": len(self.cuts),
        }
        self.rounds.append(entry)
        counts = ", ".join(f"{n} {v}" for v, n in entry["verdicts"].items() if n)
        self.say(
            f"round {entry['round']} ({kind}): cost {plan.cost:,.0f}, targets {counts} "
            f"({results.replications} replications)"
        )


def _all_met(results: Results) -> bool:
    return all(v.verdict == MET for v in results.verdicts())


def _working(scenario: Scenario, plan: ShiftPlan) -> dict[str, np.ndarray]:
    """Agents the plan has working per group and interval (net of breaks), flattened."""
    horizon = scenario.horizon
    per_day = horizon.intervals_per_day
    out = {g.name: np.zeros(horizon.days * per_day) for g in scenario.agent_groups}
    for row in plan.coverage:
        hours, minutes = (int(x) for x in row["start"].split(":"))
        k = row["day"] * per_day + (hours * 60 + minutes) // horizon.interval_min
        out[row["group"]][k] = row["scheduled"]
    return out


def _plan_key(plan: ShiftPlan) -> tuple:
    """What makes two plans the same staffing: their shift rows."""
    return tuple(
        sorted(
            (r["group"], r["template"], r["day"], r["start"], r["count"],
             tuple((b["start"], b["length_min"]) for b in r["breaks"]))
            for r in plan.shifts
        )
    )  # fmt: skip
