"""Sequential sampling: replications added to a staffing only while a target's verdict is open.

A check starts with `replications` and looks at the verdicts (`sim.verdict`). While some
target is undecided it doubles its replications along the schedule ``start, 2 x start,
4 x start, ... , cap`` and looks again, never past the cap. The schedule fixes how many
looks there can be before any data is seen, and the decision rule splits its error rate
over them, so looking repeatedly does not inflate it. Extra replications are numbers
``n, n + 1, ...`` of the same seed: the sample grows on the same random streams (common
random numbers with any other staffing checked on that seed), and the answer is the same
whatever the worker count.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import replace

from scenarios.schema import Scenario
from sim.replicate import Staffing, simulate
from sim.results import Results
from sim.verdict import MISSED, DecisionRule


def replication_schedule(start: int, cap: int) -> list[int]:
    """The replication counts a sequential check may look at: `start` doubling up to `cap`
    (`cap` itself the last; just `start` when the cap is not above it)."""
    if start < 1:
        raise ValueError(f"replications must be >= 1, got {start}")
    counts = [start]
    while counts[-1] < cap:
        counts.append(min(2 * counts[-1], cap))
    return counts


def simulate_until_decided(
    scenario: Scenario,
    staffing: Staffing | None,
    seed: int,
    replications: int,
    max_replications: int,
    rule: DecisionRule | None = None,
    *,
    sample: Results | None = None,
    search_aim: int | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> Results:
    """Simulate `staffing` until every target's verdict is decided or `max_replications` are
    spent (see the module's docstring). A search weighing many staffings rather than deciding
    one gives `search_aim`, the replications it aims to prove a staffing met with: sampling
    then also ends as soon as a target is missed (the staffing fails whatever the others
    say) or, at the first look with at least `search_aim` replications, an undecided one
    projects more replications than the cap (more would likely not decide it). `rule` gives
    the confidence and tolerance; its `looks` are set from the schedule. `progress(fraction)`
    follows the replications done out of the cap. `sample`, the first `replications` of the
    same staffing and seed already run, is continued rather than run again."""
    schedule = replication_schedule(replications, max(max_replications, replications))
    rule = replace(rule or DecisionRule(), looks=len(schedule))
    cap = schedule[-1]

    def part(done: int, count: int) -> Callable[[float], None] | None:
        if progress is None:
            return None
        return lambda fraction: progress((done + fraction * count) / cap)

    if sample is not None and (sample.seed != seed or sample.replications != replications):
        raise ValueError(
            f"a sample to continue must be replications 0..{replications - 1} of seed {seed}, "
            f"got {sample.replications} of seed {sample.seed}"
        )
    if sample is None:
        sample = simulate(
            scenario, staffing, seed, replications, executor, workers, part(0, replications)
        )
    results = replace(sample, rule=rule)
    while results.replications < cap:
        verdicts = results.verdicts()
        if all(v.decided for v in verdicts):
            break
        wanted = max(v.replications_needed or 0 for v in verdicts)
        if search_aim is not None and any(v.verdict == MISSED for v in verdicts):
            break
        # The projection takes the means as they are; before the aim's replications a mean is
        # less sure than the tolerance, and the projection drops staffings those replications
        # prove (the telecom week at 8 times its volume hovered for rounds on plans dropped
        # after 10 or 20 replications, one of which 40 proved met).
        if search_aim is not None and results.replications >= search_aim and wanted > cap:
            break
        # The next count of the schedule, not the one the projection asks for: projected from
        # a small sample's spread (and a Student t of few degrees of freedom) it overshoots,
        # and a look costs nothing that the schedule has not already paid for.
        target = next(n for n in schedule if n > results.replications)
        more = simulate(
            scenario,
            staffing,
            seed,
            target - results.replications,
            executor,
            workers,
            part(results.replications, target - results.replications),
            first_replication=results.replications,
        )
        results = replace(results, summaries=results.summaries + more.summaries)
    if progress is not None:
        progress(1.0)
    return results
