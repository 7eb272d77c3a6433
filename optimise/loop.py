"""The simulation-optimisation loop: the cheapest shifts whose *simulated* service meets the
targets, decided with a stated confidence.

1. **Start** from the analytic requirement (`optimise.requirements`: Erlang A or C per
   interval, the expected level over the day-to-day forecast error) and schedule the
   cheapest shifts covering it (`optimise.shifts`).
2. **Simulate** each plan on the loop's seed, every plan on the same seed and replication
   numbers (common random numbers), with the starting replications. A plan none of whose
   periods is significantly under its *aim* (below) is a candidate: replications are added
   to it (`sim.sequential`, up to the cap, `optimise.aims.default_cap` unless given) until
   its verdicts (`sim.verdict`) are decided, or a target is missed, or (once it has the
   replications the aims below are set for) a target projects more replications than the
   cap; the cheapest plan found met is the **incumbent**. The starting plan, when a
   candidate, is proven only when the cuts admit no plan cheaper than it (round kind
   ``prove``), or by the verification (5) should the rounds end first: the analytic plan is
   seldom the cheapest one met, and proving it costs a big centre a whole check.
3. **Cut**: estimate how each target period's level moves with one more agent of each group in
   each interval (`optimise.cuts.marginal_effects`, finite differences on the same random
   numbers) and add, for every period, the tangent plane of its level at this plan as a
   linear constraint: the tangent must reach the period's aim (`optimise.aims`), the level a
   "met" verdict needs with a quarter of the cap's replications at the spread the sample
   shows (so samples of any size aim at the same levels); an interval's tangent asks for at
   most `optimise.cuts.MAX_RAISE` more agents in its own interval at once (below a level's
   inflection the tangent asks for far more than it needs). A plan at its aims is then proven
   met by the whole cap with high power; aiming where the cap itself proves a plan met would
   leave each period a coin toss, and a plan with many periods would almost never be proven.
   The next plan is the cheapest one the cuts admit (`optimise.search.Search._solve`:
   CP-SAT near the LP relaxation's plan, for a deterministic second at most), each cut
   loosened just enough that the incumbent meets it (a plan proven met is never cut off by
   a tangent taken far from it), within a trust region: no group loses more than a share
   of its agents in an interval against the incumbent (before there is one, the first
   plan).
   A group's share starts at `TRUST_STEP`, halves after each round whose plan leaves a target
   the group serves short of its aim (down to `MIN_TRUST_STEP`), and every share is restored
   by a plan that is met: a centre where one team is short and another has room to spare
   keeps trimming the latter. Tangent planes are accurate near where they were taken; far
   from it the cheapest plan they admit leaps to staffing no simulation has seen and the
   rounds zig-zag.
4. Repeat until the cuts admit no plan `MASTER_GAP` cheaper than the incumbent (or than the
   starting plan, which is then proven), `STALL_ROUNDS` rounds in a row meet no cheaper plan
   (the tangents approach the levels from outside, and on a big centre the last rounds sit
   just short of their aims), a round gives back a plan already simulated, or `max_rounds`
   run out; the reason is kept (`stop_reason`). The cuts' lower bound on the
   cost of any plan meeting the targets is the LP of the shift model with every cut (loosened
   to admit the final plan when it is verified met) and no trust region (`cut_bound`).
5. **Verify** the incumbent with an independent seed, sequentially up to the whole cap. Only
   that says whether the targets are met (`targets_met`; `verification` is its simulate
   JSON). If it does not say "met", its sample becomes the loop's (cuts from it feed more
   rounds) and the next incumbent is verified with yet another seed, at most
   `MAX_VERIFICATIONS` times.

The search itself, and the constants named above, are in `optimise.search`; this module is
its public face: `optimise` and the `Optimisation` it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimise.aims import default_cap
from optimise.requirements import analytic_requirement
from optimise.reserve import ReserveSizing, size_reserve
from optimise.search import Search, all_met
from optimise.shifts import ShiftPlan, schedule
from scenarios.schema import Scenario
from scenarios.staffing import on_duty
from sim.results import Results
from sim.tasks import shared_pool
from sim.verdict import MET, DecisionRule


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
        search = Search(
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
            plan if verification is not None and all_met(verification) else None
        ),
        stop_reason=stop_reason,
    )
