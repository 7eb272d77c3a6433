"""The search behind `optimise.loop.optimise`: its rounds of simulation and cuts, the master
that turns the cuts into the next plan, the proof of the starting plan, and the verification
(the algorithm is described in `optimise.loop`'s docstring)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from optimise.aims import (
    aims,
    gradient_replications,
    is_candidate,
    serving_groups,
    short_targets,
)
from optimise.cuts import Cut, load_floors, marginal_effects, tangent_cuts
from optimise.shifts import (
    ShiftPlan,
    cut_requirement,
    row_interval,
    schedule,
    with_required,
)
from scenarios.schema import Scenario
from scenarios.staffing import on_duty
from sim.replicate import simulate
from sim.results import Results
from sim.sequential import replication_schedule, simulate_until_decided
from sim.verdict import MET

VERIFY_SEED_OFFSET = 1_000_003  # the verification's seed: independent of the loop's
MAX_VERIFICATIONS = 3
TRUST_STEP = 0.15  # a cut round lowers a group's agents in an interval by at most this share
MIN_TRUST_STEP = 0.02  # ... halved for a group a round leaves short, down to this
MASTER_GAP = 0.005  # a cut round's plan need be no closer than this to its proven optimum
# The rounds stop when this many in a row meet no cheaper plan: the cuts approach the levels
# from outside (a tangent of a concave level promises more than it gives), and on a big
# centre the last rounds sit a little short of their aims, round after round (the telecom week
# at 8 times its volume: rounds 5-7 after its first plan met, cheaper ones, each short of some
# aim on 10 replications).
STALL_ROUNDS = 3
AIM_SHARE = 0.25  # the search aims where this share of the cap proves a plan met
MASTER_TIME_S = 1.0  # a cut round's solves stop after this much deterministic time at most


class Search:
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
            if all_met(verification):
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
        stalled = 0  # rounds in a row that met no cheaper plan
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
            stalled += 1
            if all_met(results) and (incumbent is None or plan.cost < incumbent[0].cost):
                incumbent, stalled = (plan, results), 0
                self.incumbent = plan
                self.radius = dict.fromkeys(self.radius, TRUST_STEP)
            elif kind == "cut":
                self._shrink(results)
            if len(self.rounds) >= max_rounds:
                return incumbent or _pair(fallback), f"{max_rounds} rounds run"
            if stalled >= STALL_ROUNDS and incumbent is not None:
                return incumbent, f"{STALL_ROUNDS} rounds in a row met no cheaper plan"
            first = len(self.cuts)
            effects = self._add_cuts(plan, results)
            if waiting:
                fallback = _Fallback(plan, results, effects, slice(first, len(self.cuts)))
            centre = start if incumbent is None else incumbent[0]
            plan, kind = self._solve(cut=True, around=centre), "cut"
            # Stalled rounds prove the starting plan (below), unless there is none to prove.
            best = incumbent or _pair(fallback)
            if _cheaper(plan, best) and (stalled < STALL_ROUNDS or best is None):
                continue
            if incumbent is None and fallback is not None:
                # The search goes no further without it: the starting plan is proven now,
                # and its larger sample's cuts may show a way down.
                incumbent, fallback, stalled = self._prove(fallback, loop_seed), None, 0
                if len(self.rounds) >= max_rounds:
                    return incumbent, f"{max_rounds} rounds run"
                plan = self._solve(cut=True, around=start if incumbent is None else incumbent[0])
                if _cheaper(plan, incumbent):
                    continue
            return incumbent, (
                f"the cuts admit no plan {MASTER_GAP:.1%} cheaper than the best one met"
            )

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
        if not all_met(results):
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
        time_limit_s = min(self.time_limit_s, MASTER_TIME_S)
        # The analytic requirement only bounds the shifts started and is the coverage's
        # `required` column: the cuts and floors alone say what the plan must cover.
        master = schedule(
            self.scenario, self.needed, time_limit_s=time_limit_s, budget=self.budget,
            soft=self.soft, gap_limit=MASTER_GAP, cuts=cuts, floors=floors,
            cover_requirement=False, near_lp=True,
        )  # fmt: skip
        if master.status != "infeasible":
            return master
        requirement, _ = cut_requirement(
            self.scenario, self.needed, cuts, floors, budget=self.budget
        )
        if requirement is None:
            return ShiftPlan("infeasible", None, None, None, 0.0, message="no plan meets the cuts")
        covering = schedule(
            self.scenario, requirement, time_limit_s=time_limit_s, budget=self.budget,
            soft=self.soft, hint=around, gap_limit=MASTER_GAP,
        )  # fmt: skip
        return with_required(covering, self.needed, self.scenario.horizon.interval_min)

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
        with `aim_replications`, a quarter of the cap (`optimise.aims.aims`)."""
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
        when given; in the search, sampling ends early when the plan misses or, once it has
        the replications the search aims to prove plans with, cannot be decided within the
        cap; a verification decides every target it can."""
        return simulate_until_decided(
            self.scenario,
            on_duty(self.scenario, plan.shifts),
            seed,
            self.replications,
            self.cap,
            self.rule,
            sample=sample,
            search_aim=None if verifying else self.aim_replications,
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


def _cheaper(plan: ShiftPlan, best: tuple[ShiftPlan, Results] | None) -> bool:
    """Whether `plan` is worth simulating against `best`: there is no best yet, or the plan
    costs at least `MASTER_GAP` less (an infeasible plan ends the rounds later)."""
    return best is None or plan.cost is None or plan.cost < (1 - MASTER_GAP) * best[0].cost


def _pair(fallback: _Fallback | None) -> tuple[ShiftPlan, Results] | None:
    return None if fallback is None else (fallback.plan, fallback.sample)


def all_met(results: Results) -> bool:
    """Every target's verdict in `results` is ``met``."""
    return all(v.verdict == MET for v in results.verdicts())


def _working(scenario: Scenario, plan: ShiftPlan) -> dict[str, np.ndarray]:
    """Agents the plan has working per group and interval (net of breaks), flattened."""
    horizon = scenario.horizon
    per_day = horizon.intervals_per_day
    out = {g.name: np.zeros(horizon.days * per_day) for g in scenario.agent_groups}
    for row in plan.coverage:
        k = row["day"] * per_day + row_interval(row, horizon.interval_min)
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
