"""An incident's clock and its surge: the extra contacts it brings, drawn before the run.

Each surged contact type is offered, on top of its normal contacts, a Poisson stream at
``(multiplier(t) - 1)`` times its forecast offered rate (`expected_offered`): the multiplier
ramps up linearly over `ramp_min` from the start, holds to the end of the incident, and falls
back linearly over `decay_min`. The rate is constant within each minute (`SURGE_STEP_S`), and
the extra contacts are drawn like the normal ones (`sim.arrivals.poisson_arrivals`) from
streams keyed by the incident's name, so every response plan meets the same surge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scenarios.demand import expected_offered
from scenarios.schema import Incident, Scenario, clock_minutes
from sim.arrivals import Contacts, poisson_arrivals
from sim.streams import Purpose, stream
from sim.variates import draw

SURGE_STEP_S = 60.0  # resolution of the surge's rate


@dataclass(frozen=True)
class IncidentClock:
    """An incident's times in seconds from the horizon's start."""

    onset_s: float
    end_s: float  # start + duration
    over_s: float  # end + the longest decay of its surge

    @classmethod
    def of(cls, scenario: Scenario, incident: Incident) -> IncidentClock:
        onset = incident.start.day * 86400.0 + clock_minutes(incident.start.time) * 60.0
        end = onset + incident.duration_min * 60.0
        decay = max((s.decay_min for s in incident.surge), default=0.0)
        return cls(onset, end, end + decay * 60.0)


def multiplier(clock: IncidentClock, surge_multiplier: float, ramp_min: float, decay_min: float,
               t_s: np.ndarray) -> np.ndarray:  # fmt: skip
    """The surge's demand multiplier at times `t_s` (1 outside the incident)."""
    extra = surge_multiplier - 1.0
    ramp = np.clip((t_s - clock.onset_s) / max(ramp_min * 60.0, 1e-9), 0.0, 1.0)
    decay = np.clip(1.0 - (t_s - clock.end_s) / max(decay_min * 60.0, 1e-9), 0.0, 1.0)
    level = np.where(t_s < clock.end_s, ramp, decay)
    return 1.0 + extra * np.where(t_s >= clock.onset_s, level, 0.0)


def draw_surge(scenario: Scenario, incident: Incident, seed: int, replication: int) -> Contacts:
    """The incident's extra contacts of one replication, in arrival order."""
    horizon = scenario.horizon
    clock = IncidentClock.of(scenario, incident)
    forecast = expected_offered(scenario)
    index = {ct.name: t for t, ct in enumerate(scenario.contact_types)}
    start = math.floor(clock.onset_s / SURGE_STEP_S) * SURGE_STEP_S
    edges = np.arange(start, min(clock.over_s + SURGE_STEP_S, horizon.length_s), SURGE_STEP_S)
    parts = []
    for surge in incident.surge:
        t = index[surge.contact_type]
        ct = scenario.contact_types[t]
        rate = forecast[t].ravel() / horizon.interval_s  # contacts per second, per interval
        mids = edges + SURGE_STEP_S / 2
        base = rate[np.minimum((mids // horizon.interval_s).astype(np.int64), rate.size - 1)]
        factor = multiplier(clock, surge.multiplier, surge.ramp_min, surge.decay_min, mids)
        expected = (factor - 1.0) * base * SURGE_STEP_S
        key = f"{incident.name}/{ct.name}"
        rng = stream(seed, replication, Purpose.SURGE_ARRIVALS, key)
        arrival = poisson_arrivals(rng, expected, edges, SURGE_STEP_S)
        arrival = arrival[arrival < horizon.length_s]
        n = arrival.size
        shares = np.asarray(ct.tier_shares)
        tier = stream(seed, replication, Purpose.SURGE_TIERS, key).choice(
            len(shares), size=n, p=shares / shares.sum()
        )
        handle = draw(ct.handle_time, stream(seed, replication, Purpose.SURGE_HANDLE, key), n)
        patience = (
            np.full(n, np.inf)
            if ct.patience is None
            else draw(ct.patience, stream(seed, replication, Purpose.SURGE_PATIENCE, key), n)
        )
        parts.append((arrival, np.full(n, t), tier, handle, patience))
    if not parts:
        empty = np.zeros(0)
        return Contacts(empty, empty.astype(np.int64), empty.astype(np.int64), empty, empty)
    arrival, types, tier, handle, patience = (np.concatenate(p) for p in zip(*parts, strict=True))
    order = np.argsort(arrival, kind="stable")
    return Contacts(
        arrival[order], types[order].astype(np.int64), tier[order].astype(np.int64),
        handle[order], patience[order],
    )  # fmt: skip


def merge(normal: Contacts, extra: Contacts) -> Contacts:
    """The contacts of both, in arrival order (normal ones first at equal times)."""
    arrays = [
        np.concatenate([getattr(normal, name), getattr(extra, name)])
        for name in ("arrival_s", "contact_type", "tier", "handle_s", "patience_s")
    ]
    order = np.argsort(arrays[0], kind="stable")
    arrival, types, tier, handle, patience = (a[order] for a in arrays)
    return Contacts(arrival, types, tier, handle, patience, deflected=normal.deflected)
