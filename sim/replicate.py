"""Independent replications of a scenario, run in-process or over a `concurrent.futures.Executor`.

Replication ``r`` draws all its random numbers from streams keyed by ``(seed, r, purpose,
contact type)`` (`sim.arrivals.stream`), so its result does not depend on which worker runs it,
nor on how many workers there are: the same seed gives the same numbers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager

import numpy as np

from scenarios.schema import Scenario
from scenarios.staffing import group_staffing
from sim.arrivals import Contacts, draw_contacts
from sim.behaviour import Behaviour, absent_staffing, plan_behaviour
from sim.engine import Centre
from sim.hooks import Controller
from sim.metrics import ReplicationSummary, summarise_replication
from sim.results import Results
from sim.routing import plan_routing

Staffing = Mapping[str, np.ndarray]


def build_centre(
    scenario: Scenario,
    staffing: Staffing,
    seed: int,
    replication: int,
    contacts: Contacts | None = None,
    behaviour: Behaviour | None = None,
    controller: Controller | None = None,
) -> Centre:
    """Replication number `replication` of `scenario`, ready to run: `staffing` per group
    (agents on duty per step, ``(days, steps)``) less the group's absences; `contacts`, else
    the replication's own (`draw_contacts`); `behaviour`, else the replication's own
    (`plan_behaviour`); and `controller`, an incident's, made on that same `behaviour`,
    attached."""
    horizon = scenario.horizon
    plan = plan_routing(scenario)
    on_duty = per_step(scenario, absent_staffing(scenario, staffing, seed, replication))
    # The same float as 86400 / steps per day: both are exact quotients of whole numbers.
    step_s = horizon.length_s / on_duty.shape[1]
    if contacts is None:
        contacts = draw_contacts(scenario, seed, replication)
    if behaviour is None:
        behaviour = plan_behaviour(scenario, seed, replication)
    centre = Centre(plan, contacts, on_duty, step_s, horizon.length_s, behaviour, controller)
    if controller is not None:
        controller.attach(centre)
    return centre


def per_step(scenario: Scenario, grids: Staffing) -> np.ndarray:
    """Agents per group and step, ``(groups, days * steps)``, from a ``(days, steps)`` grid
    per group."""
    return np.stack(
        [np.asarray(grids[g.name], dtype=np.int64).ravel() for g in scenario.agent_groups]
    )


def run_replication(
    scenario: Scenario,
    staffing: Staffing,
    seed: int,
    replication: int,
    progress: Callable[[float], None] | None = None,
) -> ReplicationSummary:
    """Simulate replication number `replication` of `scenario` under `staffing` (before
    absence); `progress(fraction)` follows the simulated time."""
    centre = build_centre(scenario, staffing, seed, replication)
    record = centre.run(progress)
    plan = centre.plan
    concurrency = np.asarray([plan.channel_concurrency[c] for c in plan.type_channel], dtype=float)
    return summarise_replication(scenario, record, concurrency)


def simulate(
    scenario: Scenario,
    staffing: Staffing | None = None,
    seed: int = 0,
    replications: int = 10,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
    first_replication: int = 0,
) -> Results:
    """Run `replications` independent replications and collect them.

    `staffing` maps each agent group to its agents on duty, ``(days, steps_per_day)``, where
    the steps are the scenario's intervals or a finer grid that divides them (a shift plan's
    breaks may start mid-interval); default: the scenario's own staffing (`agents` or `shifts`).
    Groups with `absence` lose absent agents from it in each replication. Work goes to
    `executor` when given; otherwise to a local process pool of `workers` processes (default:
    one per core), or in-process when that is 1.
    `progress(fraction)` is called as the work advances (fraction of replications done).
    The replications are numbers `first_replication` onwards: a sample extended with more
    replications of the same seed continues its random streams rather than repeating them.
    """
    (results,) = simulate_many(
        [(scenario, staffing)], seed, replications, executor, workers, progress, first_replication
    )
    return results


def simulate_many(
    runs: Sequence[tuple[Scenario, Staffing | None]],
    seed: int = 0,
    replications: int = 10,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
    first_replication: int = 0,
) -> list[Results]:
    """`simulate` for several (scenario, staffing) pairs at once, all on `seed`: every
    replication of every pair is one task, so a grid of what-ifs fills all the workers (or a
    whole cluster) rather than one pair's replications at a time."""
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    jobs = []
    for scenario, staffing in runs:
        staffing = dict(staffing) if staffing is not None else group_staffing(scenario)
        _check_staffing(scenario, staffing)
        jobs.append((scenario, staffing))
    numbers = range(first_replication, first_replication + replications)
    tasks = [(j, r) for j in range(len(jobs)) for r in numbers]
    summaries: dict[tuple[int, int], ReplicationSummary] = {}
    workers = workers or os.cpu_count() or 1
    if executor is None and (workers == 1 or len(tasks) == 1):
        for done, (j, r) in enumerate(tasks):
            within = None if progress is None else _part(progress, done, len(tasks))
            summaries[j, r] = run_replication(*jobs[j], seed, r, within)
            if progress:
                progress((done + 1) / len(tasks))
    else:
        own = executor is None
        pool = executor or ProcessPoolExecutor(max_workers=min(workers, len(tasks)))
        futures: dict = {}
        try:
            for j, r in tasks:
                futures[pool.submit(run_replication, *jobs[j], seed, r)] = (j, r)
            for done, future in enumerate(as_completed(futures), start=1):
                summaries[futures[future]] = future.result()
                if progress:
                    progress(done / len(tasks))
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
            else:  # a shared pool or cluster: drop what this run left waiting
                for future in futures:
                    future.cancel()
    return [
        Results(
            scenario=scenario,
            seed=seed,
            summaries=[summaries[j, r] for r in numbers],
            first_replication=first_replication,
        )
        for j, (scenario, _) in enumerate(jobs)
    ]


@contextmanager
def shared_pool(executor: Executor | None, workers: int | None) -> Iterator[Executor | None]:
    """The executor a job of many simulations hands to each of them: `executor` when given,
    else one local process pool of `workers` processes (default one per core) for the whole
    job, so that its simulations do not each start their own; None (in-process) for one
    worker."""
    if executor is not None:
        yield executor
        return
    count = workers or os.cpu_count() or 1
    if count == 1:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=count)
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _part(progress: Callable[[float], None], r: int, n: int) -> Callable[[float], None]:
    """Progress of replication `r` of `n` as a fraction of the whole run."""
    return lambda fraction: progress((r + fraction) / n)


def _check_staffing(scenario: Scenario, staffing: Mapping[str, np.ndarray]) -> None:
    horizon = scenario.horizon
    steps = {np.shape(staffing[g.name])[-1] for g in scenario.agent_groups if g.name in staffing}
    for group in scenario.agent_groups:
        if group.name not in staffing:
            raise ValueError(f"staffing gives no agents for group {group.name!r}")
        agents = np.asarray(staffing[group.name])
        per_day = agents.shape[-1] if agents.ndim == 2 else 0
        if (
            agents.ndim != 2
            or agents.shape[0] != horizon.days
            or len(steps) != 1
            or per_day % horizon.intervals_per_day
        ):
            raise ValueError(
                f"staffing of group {group.name!r} has shape {agents.shape}; expected "
                f"({horizon.days}, a multiple of {horizon.intervals_per_day}), the same for all"
            )
        if agents.dtype.kind not in "iu" or (agents < 0).any():
            raise ValueError(f"staffing of group {group.name!r} must be whole numbers >= 0")
