"""Per-interval arrays of what a scenario asks for: volumes offered, opening hours, agents."""

from __future__ import annotations

from typing import Any

import numpy as np

from scenarios.schema import WEEKDAYS, AgentGroup, ContactType, Horizon, Hours, Scenario


def expand_profile(value: Any, horizon: Horizon) -> np.ndarray:
    """A per-interval profile (number, one day's list, or one list per day) as a
    ``(days, intervals_per_day)`` float array."""
    shape = (horizon.days, horizon.intervals_per_day)
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return np.full(shape, float(array))
    if array.ndim == 1:
        return np.tile(array, (horizon.days, 1))
    return array.reshape(shape).copy()


def open_mask(hours: Hours | None, horizon: Horizon) -> np.ndarray:
    """``(days, intervals_per_day)`` booleans: True where `hours` are open (all True for None).

    An interval is open when it lies inside ``start``..``end`` on one of the listed weekdays
    (the hours fall on the interval grid, so no interval is partly open)."""
    shape = (horizon.days, horizon.intervals_per_day)
    if hours is None:
        return np.ones(shape, dtype=bool)
    starts_min = np.arange(horizon.intervals_per_day) * horizon.interval_min
    in_day = (starts_min >= hours.start_min) & (starts_min < hours.end_min)
    open_days = {WEEKDAYS.index(day) for day in hours.days}
    weekdays = (horizon.first_weekday + np.arange(horizon.days)) % 7
    on_day = np.isin(weekdays, list(open_days))
    return on_day[:, None] & in_day[None, :]


def volume_per_interval(
    contact_type: ContactType, horizon: Horizon, hours: Hours | None = None
) -> np.ndarray:
    """Expected contacts offered, ``(days, intervals_per_day)``, before self-service.

    `hours` are the opening hours of a walk-in channel: nobody arrives outside them. A
    `per_interval` volume is zeroed there; a `daily` volume has its intraday weights spread
    over the open intervals of each open day, so an open day still offers its daily count.
    """
    volume = contact_type.volume
    is_open = open_mask(hours, horizon)
    if volume.per_interval is not None:
        return np.where(is_open, expand_profile(volume.per_interval, horizon), 0.0)
    per_day = horizon.intervals_per_day
    intraday = np.ones(per_day) if volume.intraday is None else np.asarray(volume.intraday, float)
    weights = np.where(is_open, intraday[None, :], 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    shape = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    weekly = np.ones(7) if volume.weekly is None else np.asarray(volume.weekly, float)
    weekly = weekly / weekly.mean()
    day_factor = weekly[(horizon.first_weekday + np.arange(horizon.days)) % 7]
    return volume.daily * day_factor[:, None] * shape


def scenario_volume(scenario: Scenario, contact_type: ContactType) -> np.ndarray:
    """`volume_per_interval` of a contact type with its channel's opening hours applied."""
    channel = scenario.channel_of(contact_type)
    return volume_per_interval(contact_type, scenario.horizon, channel.opening_hours)


def expected_offered(scenario: Scenario) -> list[np.ndarray]:
    """Per contact type, the contacts it can expect to be offered per interval,
    ``(days, intervals_per_day)``, counting behaviour to first order.

    Self-service removes its share; every contact served is escalated with the type's total
    escalation probability ``E`` or else, unresolved with probability ``1 - f``, comes back: a
    type is offered ``new / (1 - (1 - E)(1 - f))`` contacts, of which each escalation rule
    sends its probability to the receiving type's ``new``. Solved as one linear system over
    types, all delays ignored (repeats and transfers are counted in the interval of the first
    contact) and every contact assumed served. Redials of callers who abandon are left out:
    they depend on the staffing, which the simulation accounts for.
    """
    types = scenario.contact_types
    index = {ct.name: t for t, ct in enumerate(types)}
    n = len(types)
    system = np.zeros((n, n))
    new = []
    for t, ct in enumerate(types):
        volume = scenario_volume(scenario, ct)
        if ct.self_service is not None:
            volume = volume * (1 - ct.self_service.deflection)
        new.append(volume)
        escalated = sum(e.probability for e in ct.escalation)
        unresolved = 1 - (ct.first_contact_resolution or 1.0)
        system[t, t] += 1 - (1 - escalated) * unresolved
        for e in ct.escalation:
            system[index[e.to], t] -= e.probability
    base = np.stack(new)  # (types, days, intervals)
    total = np.linalg.solve(system, base.reshape(n, -1)).reshape(base.shape)
    return list(np.maximum(total, 0.0))


def agents_per_interval(group: AgentGroup, horizon: Horizon) -> np.ndarray:
    """Agents on duty, ``(days, intervals_per_day)`` integers, from the group's `agents`."""
    if group.agents is None:
        raise ValueError(f"agent group {group.name!r} has no `agents` to simulate with")
    return expand_profile(group.agents, horizon).astype(np.int64)
