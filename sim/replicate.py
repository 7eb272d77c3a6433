"""Independent replications of a scenario, run in-process or over an executor (`sim.tasks`).

Replication ``r`` draws all its random numbers from streams keyed by ``(seed, r, purpose,
contact type)`` (`sim.streams.stream`), so its result does not depend on which worker runs it,
nor on how many workers there are: the same seed gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor

import numpy as np

from scenarios.schema import Scenario
from scenarios.staffing import group_staffing
from sim.arrivals import Contacts, draw_contacts
from sim.behaviour import Behaviour, absent_staffing, plan_behaviour
from sim.engine import Centre
from sim.hooks import Controller
from sim.metrics import ReplicationSummary, summarise_replication
from sim.results import Results
from sim.routing import routing_table
from sim.tasks import run_tasks

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
    routing = routing_table(scenario)
    on_duty = per_step(scenario, absent_staffing(scenario, staffing, seed, replication))
    # The same float as 86400 / steps per day: both are exact quotients of whole numbers.
    step_s = horizon.length_s / on_duty.shape[1]
    if contacts is None:
        contacts = draw_contacts(scenario, seed, replication)
    if behaviour is None:
        behaviour = plan_behaviour(scenario, seed, replication)
    centre = Centre(routing, contacts, on_duty, step_s, horizon.length_s, behaviour, controller)
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
    routing = centre.routing
    concurrency = np.asarray(
        [routing.channel_concurrency[c] for c in routing.type_channel], dtype=float
    )
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
    tasks = [(*jobs[j], seed, r) for j in range(len(jobs)) for r in numbers]
    done = iter(
        run_tasks(run_replication, tasks, executor=executor, workers=workers, progress=progress,
                  follows_progress=True)
    )  # fmt: skip
    summaries = {(j, r): next(done) for j in range(len(jobs)) for r in numbers}
    return [
        Results(
            scenario=scenario,
            seed=seed,
            summaries=[summaries[j, r] for r in numbers],
            first_replication=first_replication,
        )
        for j, (scenario, _) in enumerate(jobs)
    ]


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
