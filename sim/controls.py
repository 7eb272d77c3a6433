"""Control variates for the targets' levels (`sim.verdict.period_spread`).

A day's service level moves with the day's volume: with a day-to-day forecast error
(`overdispersion`) most of its spread from one replication to the next is the volume's, and
the more contacts a centre takes, the larger that share (on the telecom week at 8 times its
volume, four fifths of the worst targets' spread). A quantity that moves with the level and
whose expectation is known exactly takes that part out: the mean is corrected by the
regression of the levels on it, and only the residual spread is left to decide a verdict.

The control of a target is the work that arrived, in each period of its scope, for the agents
who serve its contact type: the contacts of every type that shares an agent group with it,
as drawn before self-service (`sim.arrivals.arrival_counts`), each weighted by its mean
handle time over its channel's concurrency (agent-seconds). It is known before any staffing
is simulated, so its expectation is the scenario's volume, exactly, whatever the staffing.
"""

from __future__ import annotations

import numpy as np

from scenarios.demand import scenario_volume
from scenarios.schema import Horizon, Scenario
from sim.routing import plan_routing


def pool_weights(scenario: Scenario, j: int) -> np.ndarray:
    """Per contact type, the agent-seconds one of its contacts brings to target `j`'s pool:
    its mean handle time over its channel's concurrency for the types sharing an agent group
    with the target's contact type (itself included), 0 for the others."""
    plan = plan_routing(scenario)
    names = [ct.name for ct in scenario.contact_types]
    groups = set(plan.type_groups[names.index(scenario.targets[j].contact_type)])
    return np.array(
        [
            ct.handle_time.mean / scenario.channel_of(ct).concurrency
            if groups & set(plan.type_groups[u])
            else 0.0
            for u, ct in enumerate(scenario.contact_types)
        ]
    )


def target_control(
    scenario: Scenario, j: int, arrivals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Target `j`'s control from `arrivals`, ``(replications, contact types, intervals)``:
    its values per replication and period ``(replications, periods)`` and their exact
    expectation per period ``(periods,)``."""
    weights = pool_weights(scenario, j)
    scope = scenario.targets[j].scope
    values = np.einsum("t,rtk->rk", weights, arrivals)
    expected = sum(
        w * scenario_volume(scenario, ct).ravel()
        for w, ct in zip(weights, scenario.contact_types, strict=True)
        if w
    )
    horizon = scenario.horizon
    return per_period(values, scope, horizon), per_period(expected[None, :], scope, horizon)[0]


def per_period(values: np.ndarray, scope: str, horizon: Horizon) -> np.ndarray:
    """``(replications, intervals, ...)`` summed over each period of `scope` (the horizon, a
    day or an interval): ``(replications, periods, ...)``."""
    if scope == "horizon":
        return values.sum(axis=1, keepdims=True)
    if scope == "day":
        days = (len(values), horizon.days, horizon.intervals_per_day, *values.shape[2:])
        return values.reshape(days).sum(axis=2)
    return values
