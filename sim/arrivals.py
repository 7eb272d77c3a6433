"""The contacts of one replication, drawn up front: who arrives when, with what needs.

Arrivals are a piecewise-constant Poisson process: the count in each interval is Poisson with
the interval's expected volume, and the times are uniform within the interval. With
`overdispersion` each day's volume is first scaled by a gamma factor (mean 1, the given CV),
drawn once per day and contact type. Self-service then resolves each contact with probability
`deflection` before it queues; those are counted per interval and never reach the centre.

Every random purpose (arrival times, tiers, handle times, patience, busyness, self-service) of
every contact type has its own stream (`sim.streams`), keyed by the replication, the purpose
and the contact type's name, so two runs that differ only in staffing see exactly the same
contacts (common random numbers), adding a contact type leaves the others' contacts
unchanged, and a higher deflection removes contacts without changing the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scenarios.demand import scenario_volume
from scenarios.schema import ContactType, Scenario
from sim.streams import Purpose, stream
from sim.variates import draw


@dataclass(frozen=True)
class Contacts:
    """One replication's contacts in arrival order (all arrays have one entry per contact)."""

    arrival_s: np.ndarray  # float, seconds from the start of the horizon
    contact_type: np.ndarray  # int, index into scenario.contact_types
    tier: np.ndarray  # int, index into the contact type's tiers (0 = highest)
    handle_s: np.ndarray  # float, time an agent (or one chat slot) spends on it
    patience_s: np.ndarray  # float, inf when the contact type has no patience
    # (contact types, intervals) ints: resolved by self-service, not among the contacts above
    deflected: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))

    def __len__(self) -> int:
        return len(self.arrival_s)


def arrival_work(scenario: Scenario, seed: int, replication: int) -> np.ndarray:
    """The handle time (s) the contacts arriving in each interval bring, per contact type and
    interval, ``(contact types, intervals)`` over the horizon, before self-service: exactly the
    counts and handle times `draw_contacts` draws, whatever the staffing or incidents. The
    draws are independent of the counts, so its expectation is the scenario's volume times the
    mean handle time (`sim.controls`), which makes it a control variate."""
    n_intervals = scenario.horizon.days * scenario.horizon.intervals_per_day
    work = np.zeros((len(scenario.contact_types), n_intervals))
    for t, ct in enumerate(scenario.contact_types):
        rng = stream(seed, replication, Purpose.ARRIVALS, ct.name)
        counts = rng.poisson(_expected(scenario, ct, seed, replication))
        handle = _handle_times(ct, seed, replication, int(counts.sum()))
        # The contacts are in arrival order, so each interval's are a block of the draws.
        interval = np.repeat(np.arange(n_intervals), counts)
        work[t] = np.bincount(interval, weights=handle, minlength=n_intervals)
    return work


def poisson_arrivals(
    rng: np.random.Generator, expected: np.ndarray, starts_s: np.ndarray, width_s: float
) -> np.ndarray:
    """Arrival times (s), sorted, of a Poisson process whose rate is constant on each piece
    ``[starts_s[k], starts_s[k] + width_s)``, with `expected[k]` arrivals expected there.

    Draws from `rng` the count of every piece first (``rng.poisson(expected)``, so the counts
    alone can be drawn again from a fresh stream), then the times, uniform within their piece.
    """
    counts = rng.poisson(expected)
    n = int(counts.sum())
    return np.sort(np.repeat(starts_s, counts) + rng.uniform(0.0, width_s, n))


def _expected(scenario: Scenario, ct: ContactType, seed: int, replication: int) -> np.ndarray:
    """Contact type `ct`'s expected arrivals per interval of the horizon, flat, in the order
    of the intervals (its volume, scaled by each day's overdispersion factor)."""
    volume = scenario_volume(scenario, ct)
    if ct.volume.overdispersion is not None:
        shape = 1.0 / ct.volume.overdispersion.cv**2
        busy = stream(seed, replication, Purpose.BUSYNESS, ct.name).gamma(
            shape, 1 / shape, scenario.horizon.days
        )
        volume = volume * busy[:, None]
    return volume.ravel()


def _handle_times(ct: ContactType, seed: int, replication: int, n: int) -> np.ndarray:
    """The handle times (s) of contact type `ct`'s `n` contacts in one replication, in arrival
    order, before self-service: `draw_contacts` and `arrival_work` draw the very same."""
    return draw(ct.handle_time, stream(seed, replication, Purpose.HANDLE, ct.name), n)


def draw_contacts(scenario: Scenario, seed: int, replication: int) -> Contacts:
    """All contacts offered over the scenario's horizon in one replication."""
    horizon = scenario.horizon
    parts = []
    deflected = np.zeros((len(scenario.contact_types), horizon.days * horizon.intervals_per_day))
    for index, ct in enumerate(scenario.contact_types):
        expected = _expected(scenario, ct, seed, replication)
        starts = np.arange(expected.size) * horizon.interval_s
        rng = stream(seed, replication, Purpose.ARRIVALS, ct.name)
        arrival = poisson_arrivals(rng, expected, starts, horizon.interval_s)
        n = arrival.size
        tier_rng = stream(seed, replication, Purpose.TIERS, ct.name)
        shares = np.asarray(ct.tier_shares)  # validated to sum to 1 within 1e-6; numpy wants 1e-8
        tier = tier_rng.choice(len(shares), size=n, p=shares / shares.sum())
        handle = _handle_times(ct, seed, replication, n)
        if ct.patience is None:
            patience = np.full(n, np.inf)
        else:
            patience = draw(ct.patience, stream(seed, replication, Purpose.PATIENCE, ct.name), n)
        if ct.self_service is not None:
            uniform = stream(seed, replication, Purpose.DEFLECTION, ct.name).random(n)
            gone = uniform < ct.self_service.deflection
            interval = np.minimum((arrival[gone] // horizon.interval_s).astype(np.int64),
                                  expected.size - 1)  # fmt: skip
            deflected[index] = np.bincount(interval, minlength=expected.size)
            arrival, tier, handle, patience = (a[~gone] for a in (arrival, tier, handle, patience))
            n = arrival.size
        parts.append((arrival, np.full(n, index), tier, handle, patience))
    arrival, contact_type, tier, handle, patience = (
        np.concatenate(p) for p in zip(*parts, strict=False)
    )
    order = np.argsort(arrival, kind="stable")
    return Contacts(
        arrival_s=arrival[order],
        contact_type=contact_type[order].astype(np.int64),
        tier=tier[order].astype(np.int64),
        handle_s=handle[order],
        patience_s=patience[order],
        deflected=deflected.astype(np.int64),
    )
