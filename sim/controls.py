"""Control variates for the targets' levels (`sim.verdict.period_spread`).

A period's service level moves with the work that arrived in it: a busy interval answers
fewer contacts in time than a quiet one, and with a day-to-day forecast error
(`overdispersion`) most of a day's spread from one replication to the next is the volume's
(the more contacts a centre takes, the larger that share: on the telecom week at 8 times its
volume, four fifths of the worst targets' spread). A quantity that moves with the level and
whose expectation is known exactly takes that part out: the mean is corrected by the
regression of the levels on it, and only the residual spread is left to decide a verdict.

The control of a target is the work that arrived, in each period of its scope, for the agents
who serve its contact type: the handle times of the contacts of every type that shares an
agent group with it, as drawn before self-service (`sim.arrivals.arrival_work`), over their
channel's concurrency (agent-seconds). It is drawn before any staffing is simulated, so its
expectation is the scenario's volume times the mean handle time, exactly, whatever the
staffing. The handle times drawn, not only the counts, matter where the periods are short: on
the single queue of `benchmarks/scenarios/abandon_queue.yaml` (a plan near its 80 % interval
targets, 200 replications) the work explains a median 51 % of an interval level's variance
near the target where the counts weighted by the mean handle time explained 30 % (shifts.yaml:
48 % against 34 %).
A level falls faster on a busy day than it rises on a quiet one, so a second control takes
out that curvature: the work's squared deviation from its expectation less its variance,
which is exact too (Poisson counts on a gamma day factor, independent handle times,
`target_control`). On the telecom week at 8 times its volume (measured with the counts
weighted by the mean handle time) the two leave 9-33 % of billing's
ordinary-tier day levels' variance where the first alone leaves 15-39 %.
"""

from __future__ import annotations

import numpy as np

from scenarios.demand import scenario_volume
from scenarios.schema import ContactType, Horizon, Scenario
from sim.routing import routing_table
from sim.variates import variance as handle_variance


def pool_weights(scenario: Scenario, j: int) -> np.ndarray:
    """Per contact type, the agent-seconds one second of its handle time brings to target
    `j`'s pool: one over its channel's concurrency for the types sharing an agent group with
    the target's contact type (itself included), 0 for the others."""
    routing = routing_table(scenario)
    names = [ct.name for ct in scenario.contact_types]
    groups = set(routing.type_groups[names.index(scenario.targets[j].contact_type)])
    return np.array(
        [
            1.0 / scenario.channel_of(ct).concurrency
            if groups & set(routing.type_groups[u])
            else 0.0
            for u, ct in enumerate(scenario.contact_types)
        ]
    )


def target_control(scenario: Scenario, j: int, work: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Target `j`'s controls from `work`, ``(replications, contact types, intervals)``, the
    handle time (s) that arrived (`sim.arrivals.arrival_work`): their values per replication
    and period ``(replications, periods, q)`` and their exact expectations per period
    ``(periods, q)``. The first is the pool's work that arrived; the second, for a day or the
    horizon whose pool has a day-to-day volume error (`overdispersion`), its squared deviation
    from its expectation less its exact variance, which takes out the level's curvature in
    the volume (a busy day costs more service than a quiet day gives).
    Elsewhere the curvature is small and a second control costs more than it removes: on the
    interval targets of shifts.yaml it took the search's plan from 5,330 to 6,068 agent-hours
    (one more degree of freedom and estimated slope in every one of 336 regressions)."""
    weights = pool_weights(scenario, j)
    scope = scenario.targets[j].scope
    horizon = scenario.horizon
    pool_work = per_period(np.einsum("t,rtk->rk", weights, work), scope, horizon)
    expected = np.zeros(pool_work.shape[1])
    variance = np.zeros(pool_work.shape[1])
    pool = [(w, ct) for w, ct in zip(weights, scenario.contact_types, strict=True) if w]
    for w, ct in pool:
        mean, var = _work_moments(scenario, ct, scope)
        expected += w * mean
        variance += w * w * var
    if scope == "interval" or all(ct.volume.overdispersion is None for _, ct in pool):
        return pool_work[..., None], expected[:, None]
    curvature = (pool_work - expected) ** 2 - variance
    return (
        np.stack([pool_work, curvature], axis=2),
        np.stack([expected, np.zeros_like(expected)], 1),
    )


def _work_moments(scenario: Scenario, ct: ContactType, scope: str) -> tuple[np.ndarray, ...]:
    """The mean and variance of contact type `ct`'s work (handle time, s) arriving per period
    of `scope`: a sum of independent handle times (mean m, variance v) over a count that is
    Poisson given the day's volume, which `overdispersion` scales by a gamma factor (mean 1,
    variance cv squared) drawn once per day (`sim.arrivals`), days independent. With N the
    count, the work's variance is ``E[N] v + Var[N] m^2``."""
    horizon = scenario.horizon
    volume = scenario_volume(scenario, ct)  # (days, intervals per day)
    count = per_period(volume.reshape(1, -1), scope, horizon)[0]
    count_variance = count
    if ct.volume.overdispersion is not None:
        # The gamma factor's part: per day, the period's volume that day, squared (an interval
        # or a day lies within one day; the horizon sums its days).
        day_sums = volume.sum(axis=1)
        spread = np.array([(day_sums**2).sum()]) if scope == "horizon" else count**2
        count_variance = count + ct.volume.overdispersion.cv**2 * spread
    m, v = ct.handle_time.mean, handle_variance(ct.handle_time)
    return count * m, count * v + count_variance * m * m


def per_period(values: np.ndarray, scope: str, horizon: Horizon) -> np.ndarray:
    """``(replications, intervals, ...)`` summed over each period of `scope` (the horizon, a
    day or an interval): ``(replications, periods, ...)``."""
    if scope == "horizon":
        return values.sum(axis=1, keepdims=True)
    if scope == "day":
        days = (len(values), horizon.days, horizon.intervals_per_day, *values.shape[2:])
        return values.reshape(days).sum(axis=2)
    return values
