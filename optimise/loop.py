"""The simulation-optimisation loop: the cheapest shifts whose *simulated* service meets the
targets, decided with a stated confidence.

1. **Start** from the analytic requirement (`optimise.requirements`: Erlang A or C per
   interval) and schedule the cheapest shifts covering it (`optimise.shifts`).
2. **Simulate** each plan on the loop's seed, every plan on the same seed and replication
   numbers (common random numbers), with the starting replications. A plan none of whose
   periods is significantly under its *aim* (below) is a candidate: replications are added
   to it (`sim.sequential`, up to the cap, `optimise.aims.default_cap` unless given) until
   its verdicts (`sim.verdict`) are decided; the cheapest plan found met is the
   **incumbent**. The starting plan, when a candidate, is proven only when the cuts admit
   no plan cheaper than it (round kind ``prove``), or by the verification (5) should the
   rounds end first: the analytic plan is seldom the cheapest one met, and proving it costs
   a big centre a whole check.
3. **Cut**: estimate how each target period's level moves with one more agent of each group in
   each interval (`optimise.cuts.marginal_effects`, finite differences on the same random
   numbers) and add, for every period, the tangent plane of its level at this plan as a
   linear constraint: the tangent must reach the period's aim (`optimise.aims`), the level a
   "met" verdict needs with a quarter of the cap's replications at the spread the sample
   shows (so samples of any size aim at the same levels). A plan at its aims is then proven
   met by the whole cap with high power; aiming where the cap itself proves a plan met would
   leave each period a coin toss, and a plan with many periods would almost never be proven.
   The next plan is the cheapest one the cuts admit (`_Search._solve`: CP-SAT near the LP
   relaxation's plan, for a deterministic second at most), each cut loosened just enough
   that the incumbent meets it (a plan proven met is never cut off by a tangent taken far
   from it), within a trust region: no group
   loses more than a share of its agents in an interval against the incumbent (before there
   is one, the first plan).
   A group's share starts at `TRUST_STEP`, halves after each round whose plan leaves a target
   the group serves short of its aim (down to `MIN_TRUST_STEP`), and every share is restored
   by a plan that is met: a centre where one team is short and another has room to spare
   keeps trimming the latter. Tangent planes are accurate near where they were taken; far
   from it the cheapest plan they admit leaps to staffing no simulation has seen and the
   rounds zig-zag.
4. Repeat until the cuts admit no plan `MASTER_GAP` cheaper than the incumbent (or than the
   starting plan, which is then proven), a round gives back a plan already simulated, or
   `max_rounds` run out; the reason is kept (`stop_reason`). The cuts' lower bound on the
   cost of any plan meeting the targets is the LP of the shift model with every cut (loosened
   to admit the final plan when it is verified met) and no trust region (`cut_bound`).
5. **Verify** the incumbent with an independent seed, sequentially up to the whole cap. Only
   that says whether the targets are met (`targets_met`; `verification` is its simulate
   JSON). If it does not say "met", its sample becomes the loop's (cuts from it feed more
   rounds) and the next incumbent is verified with yet another seed, at most
   `MAX_VERIFICATIONS` times.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from optimise.aims import (
    aims,
    default_cap,
    gradient_replications,
    is_candidate,
    serving_groups,
    short_targets,
)
from optimise.cuts import Cut, load_floors, marginal_effects, tangent_cuts
from optimise.requirements import analytic_requirement
from optimise.reserve import ReserveSizing, size_reserve
from optimise.shifts import ShiftPlan, cut_requirement, schedule
from scenarios.schema import Scenario
from scenarios.staffing import on_duty
from sim.replicate import shared_pool, simulate
from sim.results import Results
from sim.sequential import replication_schedule, simulate_until_decided
from sim.verdict import MET, DecisionRule

VERIFY_SEED_OFFSET = 1_000_003  # the verification's seed: independent of the loop's
MAX_VERIFICATIONS = 3
TRUST_STEP = 0.15  # a cut round lowers a group's agents in an interval by at most this share
MIN_TRUST_STEP = 0.02  # ... halved for a group a round leaves short, down to this
MASTER_GAP = 0.005  # a cut round's plan need be no closer than this to its proven optimum
AIM_SHARE = 0.25  # the search aims where this share of the cap proves a plan met
MASTER_TIME_S = 1.0  # a cut round's solves stop after this much deterministic time at most


@dataclass
class Optimisation:
    """The final plan, the analytic requirement it started from, its verification (None when
    the user's requirement was scheduled as given) and one entry per round of the loop.
    `cut_bound` is the cost of the cheapest plan every cut admits (the LP with every cut and
    no trust region): a lower bound on the cost of a plan meeting the targets where the levels
    are concave in the agents, not below their inflection (`optimise.cuts`)."""

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
    `optimise.aims.default_cap`: 16 to 64 times `replications`); `confidence`
    (one-sided, family-wise) and `tolerance` (service-level points) are the decision rule.

    With `requirement` given, it is scheduled as it is: no simulation, no verification.
    """
    say = progress or (lambda _message: None)
    needed = analytic_requirement(scenario) if requirement is None else requirement
    if requirement is not None:
        say("scheduling the given requirement")
        plan = schedule(scenario, requirement, time_limit_s=time_limit_s, budget=budget, soft=soft)
        return Optimisation(plan, requirement, None, first_weekday=scenario.horizon.first_weekday)

    cap = max(max_replications or default_cap(scenario, replications), replications)
    with shared_pool(executor, workers) as pool:
        search = _Search(
            scenario, needed, DecisionRule(confidence, tolerance), replications, cap,
            time_limit_s, budget, soft, workers, pool, say,
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
                executor=pool,
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
        cut_bound=search.cut_bound(
            plan if verification is not None and _all_met(verification) else None
        ),
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
        # The search aims where a quarter of the cap would prove a plan met, and decides on up
        # to the whole cap: a plan that sits at its aims is then proven met with high power
        # (aiming where the cap itself proves would leave each period a coin toss).
        self.aim_replications = max(replications, round(AIM_SHARE * cap))
        self.schedule = replication_schedule(replications, cap)
        self.cuts: list[Cut] = []
        self.incumbent: ShiftPlan | None = None  # the cheapest plan proven met on this sample
        self.seen: dict[tuple, float] = {}
        self.radius = {g.name: TRUST_STEP for g in scenario.agent_groups}
        self.last: ShiftPlan | None = None  # the last plan simulated
        self.rounds: list[dict[str, Any]] = []

    def run(self, seed: int, max_rounds: int) -> tuple[ShiftPlan, Results | None, str]:
        """The final plan, its verification (of that very plan) and why the search stopped."""
        self.say("scheduling the analytic requirement")
        plan = self._solve(cut=False)
        kind, loop_seed, verify_seed, attempt = "start", seed, seed, 0
        while True:
            attempt += 1
            incumbent, reason = self._rounds(plan, kind, loop_seed, max_rounds)
            verify_seed += VERIFY_SEED_OFFSET
            if incumbent is None:
                # No plan met every target: the last one simulated gets the verdicts on record.
                self.say("no plan met every target: verifying the last plan")
                last = self.last
                if last is None:
                    return plan, None, reason
                return last, self._check(last, verify_seed, verifying=True), reason
            plan = incumbent[0]
            verification = self._check(plan, verify_seed, verifying=True)
            self._record("verify", plan, verification)
            if _all_met(verification):
                return plan, verification, reason
            if attempt == MAX_VERIFICATIONS or len(self.rounds) >= max_rounds:
                return plan, verification, f"{reason}; its verification did not confirm it"
            # The incumbent met its targets on the loop's sample only by that sample's luck:
            # the verification's sample becomes the loop's, with the cuts it gives.
            self.incumbent = None
            self._add_cuts(plan, verification)
            loop_seed, kind = verify_seed, "cut"
            plan = self._solve(cut=True, around=plan)

    def _rounds(self, plan, kind, loop_seed, max_rounds):
        """Rounds on `loop_seed` from `plan`: the plan to verify ``(plan, results)`` and why
        they stopped. That is the incumbent or, if none was proven met, the starting plan
        when its first sample could not fault it (None if neither). Proving the analytic plan
        costs a big centre a whole check (the telecom week: 150 replications), and the rounds
        usually meet a cheaper plan soon after, so it is proven only when the cuts admit no
        plan cheaper than it (or by the verification, should the rounds end first)."""
        incumbent, start, fallback = None, plan, None
        while True:
            if plan.status == "infeasible":
                return incumbent or _pair(fallback), f"no plan: {plan.message}"
            key = _plan_key(plan)
            if key in self.seen:
                return (
                    incumbent or _pair(fallback),
                    "the cuts lead back to a plan already simulated",
                )
            self.seen[key] = plan.cost
            self.last = plan
            results = self._sample(plan, loop_seed)
            waiting = kind == "start" and self._candidate(results)
            if kind != "start" and self._candidate(results):
                # Possibly meeting every target: replications decide it.
                results = self._check(plan, loop_seed, sample=results)
            self._record(kind, plan, results)
            if _all_met(results) and (incumbent is None or plan.cost < incumbent[0].cost):
                incumbent = (plan, results)
                self.incumbent = plan
                self.radius = dict.fromkeys(self.radius, TRUST_STEP)
            elif kind == "cut":
                self._shrink(results)
            if len(self.rounds) >= max_rounds:
                return incumbent or _pair(fallback), f"{max_rounds} rounds run"
            first = len(self.cuts)
            effects = self._add_cuts(plan, results)
            if waiting:
                fallback = _Fallback(plan, results, effects, slice(first, len(self.cuts)))
            centre = start if incumbent is None else incumbent[0]
            plan, kind = self._solve(cut=True, around=centre), "cut"
            if self._cheaper(plan, incumbent or _pair(fallback)):
                continue
            if incumbent is None and fallback is not None:
                # The search goes no further without it: the starting plan is proven now,
                # and its larger sample's cuts may show a way down.
                incumbent, fallback = self._prove(fallback, loop_seed), None
                if len(self.rounds) >= max_rounds:
                    return incumbent, f"{max_rounds} rounds run"
                plan = self._solve(cut=True, around=start if incumbent is None else incumbent[0])
                if self._cheaper(plan, incumbent):
                    continue
            return incumbent, (
                f"the cuts admit no plan {MASTER_GAP:.1%} cheaper than the best one met"
            )

    def _cheaper(self, plan: ShiftPlan, best: tuple[ShiftPlan, Results] | None) -> bool:
        """Whether `plan` is worth simulating against `best`: there is no best yet, or the
        plan costs at least `MASTER_GAP` less (an infeasible plan ends the rounds later)."""
        return best is None or plan.cost is None or plan.cost < (1 - MASTER_GAP) * best[0].cost

    def _prove(self, fallback: _Fallback, seed: int) -> tuple[ShiftPlan, Results] | None:
        """The starting plan checked on the loop's seed, continuing its first sample; its
        cuts are taken again at the larger sample's levels (the marginal effects, estimated
        on the sample's first replications, are the same). The incumbent ``(plan, results)``
        if it is met, else None."""
        plan = fallback.plan
        results = self._check(plan, seed, sample=fallback.sample)
        self.last = plan
        self._record("prove", plan, results)
        del self.cuts[fallback.cuts]
        self._add_cuts(plan, results, fallback.effects)
        if not _all_met(results):
            return None
        self.incumbent = plan
        self.radius = dict.fromkeys(self.radius, TRUST_STEP)
        return plan, results

    def _solve(self, cut: bool, around: ShiftPlan | None = None) -> ShiftPlan:
        """The analytic requirement's plan, or (`cut`) the cheapest plan the cuts admit within
        the trust region `around` a plan: CP-SAT on the shift model with the cuts, searching
        the plans near the LP relaxation's (`schedule`'s `near_lp`); should it find none,
        whole shifts covering the agents the LP has working, which meet every cut. Each solve
        stops within `MASTER_GAP` of its optimum or after `MASTER_TIME_S` of deterministic
        time: the next simulation corrects the plan anyway."""
        if not cut:
            return schedule(
                self.scenario, self.needed, time_limit_s=self.time_limit_s, budget=self.budget,
                soft=self.soft, gap_limit=MASTER_GAP,
            )  # fmt: skip
        floors = list(self.floors)
        if around is not None:
            working = _working(self.scenario, around)
            floors += [([g], (1 - self.radius[group.name]) * working[group.name])
                       for g, group in enumerate(self.scenario.agent_groups)]  # fmt: skip
        cuts = self._admitting(self.incumbent)
        requirement, _ = cut_requirement(
            self.scenario, self.needed, cuts, floors, budget=self.budget
        )
        if requirement is None:
            return ShiftPlan("infeasible", None, None, None, 0.0, message="no plan meets the cuts")
        time_limit_s = min(self.time_limit_s, MASTER_TIME_S)
        master = schedule(
            self.scenario, requirement, time_limit_s=time_limit_s, budget=self.budget,
            soft=self.soft, gap_limit=MASTER_GAP, cuts=cuts, floors=floors,
            cover_requirement=False, near_lp=True,
        )  # fmt: skip
        if master.status != "infeasible":
            return master
        return schedule(
            self.scenario, requirement, time_limit_s=time_limit_s, budget=self.budget,
            soft=self.soft, hint=around, gap_limit=MASTER_GAP,
        )  # fmt: skip

    def _admitting(self, plan: ShiftPlan | None) -> list[Cut]:
        """The cuts, each loosened just enough that `plan` (a plan proven met; None: no
        loosening) meets it. A plan proven met is never cut off by a tangent taken elsewhere
        (far from where it was taken, or below the level's inflection, a tangent asks for more
        agents than the level needs), so the cheapest plan the cuts admit is never dearer."""
        if plan is None:
            return self.cuts
        working = _working(self.scenario, plan)
        names = [g.name for g in self.scenario.agent_groups]
        out = []
        for cut in self.cuts:
            here = sum(c * working[names[g]][k] for (g, k), c in cut.coefficients.items())
            out.append(cut if here >= cut.rhs else replace(cut, rhs=here))
        return out

    def cut_bound(self, met: ShiftPlan | None) -> float | None:
        """The cuts' lower bound on the cost of a plan meeting the targets: the LP of the
        shift model with every cut (loosened so that `met`, the final plan when its
        verification met every target, meets it) and the load floors, no trust region."""
        if not self.cuts:
            return None
        _, cost = cut_requirement(self.scenario, self.needed, self._admitting(met), self.floors)
        return cost

    def _sample(self, plan: ShiftPlan, seed: int) -> Results:
        """The plan simulated on `seed` with the starting replications: the first look of a
        sequential check (its verdicts split the error rate over the check's looks)."""
        results = simulate(
            self.scenario, on_duty(self.scenario, plan.shifts), seed, self.replications,
            self.executor, self.workers,
        )  # fmt: skip
        return replace(results, rule=replace(self.rule, looks=len(self.schedule)))

    def _aims(self, results: Results) -> list[np.ndarray]:
        """Per target and period, the level the search aims at: what a "met" verdict needs
        with the search's cap of replications (`optimise.aims.aims`)."""
        return aims(results, self.aim_replications)

    def _candidate(self, results: Results) -> bool:
        return is_candidate(results, self._aims(results))

    def _shrink(self, results: Results) -> None:
        """Halve the trust region of the groups serving a target this plan leaves short of its
        aim (of every group when none is short on the means: then the plan failed on its
        spread)."""
        short = short_targets(results, self._aims(results))
        groups = serving_groups(self.scenario, short) if short else set(self.radius)
        for name in groups:
            self.radius[name] = max(MIN_TRUST_STEP, self.radius[name] / 2)

    def _check(
        self, plan: ShiftPlan, seed: int, verifying: bool = False, sample: Results | None = None
    ) -> Results:
        """The plan simulated on `seed` until its verdicts are decided, continuing `sample`
        when given; in the search, sampling ends early when the plan misses or cannot be
        decided within the cap, a verification decides every target it can."""
        return simulate_until_decided(
            self.scenario,
            on_duty(self.scenario, plan.shifts),
            seed,
            self.replications,
            self.cap,
            self.rule,
            sample=sample,
            searching=not verifying,
            executor=self.executor,
            workers=self.workers,
        )

    def _add_cuts(
        self, plan: ShiftPlan, results: Results, effects: list[np.ndarray] | None = None
    ) -> list[np.ndarray]:
        """Cuts at `plan` from its simulation `results` (see the module's docstring), with the
        marginal `effects` given or estimated; returns the effects."""
        if effects is None:
            self.say(f"round {len(self.rounds)}: estimating marginal effects")
            effects = marginal_effects(
                results,
                on_duty(self.scenario, plan.shifts),
                replications=gradient_replications(self.scenario, self.replications),
                executor=self.executor,
                workers=self.workers,
            )
        self.cuts += tangent_cuts(
            results, _working(self.scenario, plan), effects, self._aims(results)
        )
        return effects

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


@dataclass(frozen=True)
class _Fallback:
    """The starting plan waiting to be proven: its first sample, the marginal effects
    estimated on it and where its cuts sit in the search's list."""

    plan: ShiftPlan
    sample: Results
    effects: list[np.ndarray]
    cuts: slice


def _pair(fallback: _Fallback | None) -> tuple[ShiftPlan, Results] | None:
    return None if fallback is None else (fallback.plan, fallback.sample)


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
