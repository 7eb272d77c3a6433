"""Key performance indicators: per replication (small arrays) and across replications (Stats).

Definitions (the contract of ``shared/DESIGN.md``):

- service level = answered within the threshold / (answered + abandoned); contacts still waiting
  when the horizon ends are ``unfinished`` and excluded;
- abandon rate = abandoned / (answered + abandoned), on the same footing;
- ASA = mean wait of answered contacts; AHT = mean handle time of answered contacts;
- occupancy = agent time spent handling contacts / agent time on duty, where a chat counts
  ``1 / concurrency`` of an agent (an agent holding the channel's full load is fully occupied);
- interval metrics are by arrival interval;
- ``offered`` counts every attempt: first contacts, redials (``retrials``), contacts that came
  back unresolved (``repeats``) and contacts escalated from another type (``transfers_in``);
  ``callers`` = offered - retrials (a redial is the same person trying again); ``callbacks``
  counts contacts that took a callback offer (answered when called back, their wait measured
  to the call-back); ``deflected`` counts contacts resolved by self-service, never offered;
- ``backlog`` (per day) is the contacts still waiting at the end of the day;
- a Stat is the mean over replications with a Student-t 95 % confidence interval (``None``
  bounds with a single replication; ``None`` throughout where the KPI is undefined, e.g. a
  service level with nothing answered or abandoned).

The threshold of a contact type is that of its own target, else of its first tier target, else
`DEFAULT_ANSWER_WITHIN_S`; a tier uses its own target's threshold when it has one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from scenarios.schema import Scenario
from sim.behaviour import REPEAT, RETRIAL, TRANSFER
from sim.record import Record

DEFAULT_ANSWER_WITHIN_S = 20.0

# WITHIN counts against the tier's threshold, WITHIN_TYPE against the contact type's.
OFFERED, ANSWERED, ABANDONED, UNFINISHED, WITHIN, WITHIN_TYPE, WAIT_SUM, HANDLE_SUM = range(8)
RETRIALS, REPEATS, TRANSFERS_IN, CALLBACKS, ABANDON_WAIT_SUM = range(8, 13)
N_FIELDS = 13


@dataclass(frozen=True)
class ReplicationSummary:
    """One replication's totals by arrival interval (over the whole horizon)."""

    counts: np.ndarray  # (intervals, contact types, tiers, N_FIELDS)
    target_counts: np.ndarray  # (intervals, targets, N_FIELDS): each target's population
    peak_queue: np.ndarray  # (intervals, contact types): most contacts waiting at once
    busy_s: np.ndarray  # (intervals, agent groups): agent-seconds handling contacts
    duty_s: np.ndarray  # (intervals, agent groups): agent-seconds on duty
    deflected: np.ndarray  # (intervals, contact types): resolved by self-service
    backlog: np.ndarray  # (days, contact types): contacts waiting at the end of each day


def answer_thresholds(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Service-level thresholds in seconds: per contact type ``(types,)`` and per tier
    ``(types, tiers)``."""
    max_tiers = max(len(ct.tier_names) for ct in scenario.contact_types)
    per_type = np.full(len(scenario.contact_types), DEFAULT_ANSWER_WITHIN_S)
    per_tier = np.full((len(scenario.contact_types), max_tiers), DEFAULT_ANSWER_WITHIN_S)
    for t, ct in enumerate(scenario.contact_types):
        tier_targets = [scenario.target_for(ct.name, tier) for tier in ct.tier_names]
        own = scenario.target_for(ct.name) or next((x for x in tier_targets if x), None)
        per_type[t] = own.answer_within_s if own else DEFAULT_ANSWER_WITHIN_S
        per_tier[t] = per_type[t]
        for k, target in enumerate(tier_targets):
            if target is not None:
                per_tier[t, k] = target.answer_within_s
    return per_type, per_tier


def summarise_replication(
    scenario: Scenario, record: Record, concurrency: np.ndarray
) -> ReplicationSummary:
    """Reduce one replication's per-contact record to interval totals.

    `concurrency` gives, per contact type, the concurrency of its channel.
    """
    horizon = scenario.horizon
    n_intervals = horizon.days * horizon.intervals_per_day
    n_types = len(scenario.contact_types)
    n_tiers = max(len(ct.tier_names) for ct in scenario.contact_types)
    end_s = horizon.length_s

    contacts = record.contacts
    arrival, ctype, tier = contacts.arrival_s, contacts.contact_type, contacts.tier
    answer = record.answer_s
    answered = ~np.isnan(answer)
    deadline = arrival + contacts.patience_s
    abandoned = ~answered & (deadline <= end_s)
    unfinished = ~answered & ~abandoned
    wait = np.where(answered, answer - arrival, 0.0)
    type_threshold, tier_threshold = answer_thresholds(scenario)
    interval = np.minimum((arrival // horizon.interval_s).astype(np.int64), n_intervals - 1)
    columns = [
        np.ones(len(arrival)),
        answered,
        abandoned,
        unfinished,
        answered & (wait <= tier_threshold[ctype, tier]),
        answered & (wait <= type_threshold[ctype]),
        wait,
        np.where(answered, contacts.handle_s, 0.0),
        record.origin == RETRIAL,
        record.origin == REPEAT,
        record.origin == TRANSFER,
        record.callback,
        np.where(abandoned, contacts.patience_s, 0.0),  # an abandoning caller waits its patience
    ]
    cell = (interval * n_types + ctype) * n_tiers + tier
    counts = _totals(cell, columns, n_intervals * n_types * n_tiers)
    counts = counts.reshape(n_intervals, n_types, n_tiers, N_FIELDS)

    types = {ct.name: t for t, ct in enumerate(scenario.contact_types)}
    target_counts = np.zeros((n_intervals, len(scenario.targets), N_FIELDS))
    for j, target in enumerate(scenario.targets):
        t = types[target.contact_type]
        sel = ctype == t
        if target.tier is not None:
            sel &= tier == scenario.contact_types[t].tier_names.index(target.tier)
        within = answered[sel] & (wait[sel] <= target.answer_within_s)
        target_columns = [c[sel] for c in columns]
        target_columns[WITHIN] = target_columns[WITHIN_TYPE] = within
        target_counts[:, j] = _totals(interval[sel], target_columns, n_intervals)

    queued = ~answered | (answer > arrival)
    leave = np.where(answered, answer, np.minimum(deadline, end_s))
    peak_queue = np.stack(
        [
            _peak_level(arrival[sel], leave[sel], horizon.interval_s, n_intervals)
            for sel in (queued & (ctype == t) for t in range(n_types))
        ],
        axis=-1,
    )

    edges = np.arange(n_intervals + 1) * horizon.interval_s
    n_groups = len(scenario.agent_groups)
    busy = np.zeros((n_intervals, n_groups))
    duty = np.zeros((n_intervals, n_groups))
    served = record.served_by
    share = 1.0 / concurrency[ctype]
    for g in range(n_groups):
        sel = served == g
        start = answer[sel]
        stop = np.minimum(start + contacts.handle_s[sel], end_s)
        busy[:, g] = _step_integral(
            np.concatenate([start, stop]), np.concatenate([share[sel], -share[sel]]), edges
        )
        changes = record.duty_changes[record.duty_changes[:, 1] == g]
        duty[:, g] = _step_integral(changes[:, 0], changes[:, 2], edges)
    midnights = np.arange(1, horizon.days + 1) * 86400.0
    # Unfinished contacts are still there at the horizon's last midnight.
    gone = np.where(unfinished, np.inf, leave)
    backlog = np.stack(
        [
            _waiting_at(arrival[sel], gone[sel], midnights)
            for sel in (ctype == t for t in range(n_types))
        ],
        axis=-1,
    )
    return ReplicationSummary(
        counts=counts,
        target_counts=target_counts,
        peak_queue=peak_queue,
        busy_s=busy,
        duty_s=duty,
        deflected=contacts.deflected.T.astype(float),
        backlog=backlog,
    )


def _waiting_at(enter: np.ndarray, leave: np.ndarray, times: np.ndarray) -> np.ndarray:
    """How many items are present (entered at or before, not yet left) at each of `times`."""
    entered = np.searchsorted(np.sort(enter), times, side="right")
    left = np.searchsorted(np.sort(leave), times, side="right")
    return (entered - left).astype(float)


def _totals(cell: np.ndarray, columns: list[np.ndarray], size: int) -> np.ndarray:
    """Sum of every column per cell, ``(size, len(columns))``."""
    return np.stack(
        [np.bincount(cell, weights=np.asarray(c, dtype=float), minlength=size) for c in columns],
        axis=-1,
    )


def _step_integral(times: np.ndarray, steps: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Integral over each [edges[k], edges[k+1]) of the step function that starts at 0 and
    jumps by ``steps[j]`` at ``times[j]``: the level at the interval's start times its length,
    plus each jump inside it times the time left to the interval's end. No running total
    over the horizon enters, so an interval where the level is exactly 0 (agents on duty,
    whole steps) integrates to exactly 0; differencing running totals left such an interval
    of the telecom week 1e-10 agent-seconds on one processor and none on another."""
    n = len(edges) - 1
    # Bucket 0: before the first interval; k + 1: interval k; n + 1: after the last.
    bucket = np.searchsorted(edges, times, side="right")
    jumps = np.bincount(bucket, weights=steps, minlength=n + 2)
    level_at_start = np.cumsum(jumps)[:n]
    inside = (bucket >= 1) & (bucket <= n)
    left_s = edges[bucket[inside]] - times[inside]
    jumped = np.bincount(bucket[inside] - 1, weights=steps[inside] * left_s, minlength=n)
    return level_at_start * np.diff(edges) + jumped


def _peak_level(enter: np.ndarray, leave: np.ndarray, interval_s: float, n: int) -> np.ndarray:
    """Most items present at once in each interval, given when each entered and left."""
    peak = np.zeros(n)
    if enter.size == 0:
        return peak
    times = np.concatenate([enter, leave])
    steps = np.concatenate([np.ones(len(enter)), -np.ones(len(leave))])
    order = np.argsort(times, kind="stable")
    t, level = times[order], np.cumsum(steps[order])
    # Only the level after all events of an instant is ever observed.
    settled = np.append(t[1:] != t[:-1], True)
    t, level = t[settled], level[settled]
    where = np.minimum((t // interval_s).astype(np.int64), n - 1)
    np.maximum.at(peak, where, level)
    # The level at an interval's start (after the events at that instant) counts too.
    at_start = np.searchsorted(t, np.arange(n) * interval_s, side="right") - 1
    carried = np.where(at_start >= 0, level[np.maximum(at_start, 0)], 0.0)
    return np.maximum(peak, carried)


# --- across replications -----------------------------------------------------------------------


def stat(values: np.ndarray, upper: float | None = None) -> dict[str, float | None]:
    """Mean and Student-t 95 % confidence interval of a KPI over replications (NaNs ignored).

    KPIs are never negative, so the interval is cut at 0, and at `upper` when given (1 for a
    rate): the t interval does not know a share cannot exceed 100 %."""
    mean, low, high = ci95_columns(np.asarray(values, dtype=float).reshape(-1, 1), upper)
    return {
        "mean": None if np.isnan(mean[0]) else float(mean[0]),
        "ci95_low": None if np.isnan(low[0]) else float(low[0]),
        "ci95_high": None if np.isnan(high[0]) else float(high[0]),
    }


def ci95_columns(
    values: np.ndarray, upper: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`stat` for every column of ``(replications, columns)`` at once: the means and the 95 %
    bounds, NaN where a column has no value (mean) or fewer than two (bounds)."""
    from scipy.special import stdtrit  # imported here: it is slow to import, and only needed now

    x = np.asarray(values, dtype=float)
    valid = ~np.isnan(x)
    n = valid.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid, x, 0.0).sum(axis=0) / n
        spread = np.where(valid, x - mean, 0.0)
        sd = np.sqrt((spread * spread).sum(axis=0) / (n - 1))
        half = stdtrit(np.maximum(n - 1, 1), 0.975) * sd / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    low = np.maximum(mean - half, 0.0)
    high = mean + half if upper is None else np.minimum(mean + half, upper)
    return mean, low, high


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise numerator / denominator, NaN where the denominator is 0."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


RATES = ("service_level", "abandon_rate")


def kpis(counts: np.ndarray, threshold: str = "tier") -> dict[str, np.ndarray]:
    """KPIs of totals with ``N_FIELDS`` as the last axis (any leading shape); the service level
    is against the tier's threshold, or with ``threshold="type"`` the contact type's."""
    answered, abandoned = counts[..., ANSWERED], counts[..., ABANDONED]
    closed = answered + abandoned
    within = counts[..., WITHIN if threshold == "tier" else WITHIN_TYPE]
    return {
        "offered": counts[..., OFFERED],
        "answered": answered,
        "answered_within": within,
        "abandoned": abandoned,
        "unfinished": counts[..., UNFINISHED],
        "service_level": ratio(within, closed),
        "abandon_rate": ratio(abandoned, closed),
        "asa_s": ratio(counts[..., WAIT_SUM], answered),
        "aht_s": ratio(counts[..., HANDLE_SUM], answered),
        "abandon_time_s": ratio(counts[..., ABANDON_WAIT_SUM], abandoned),
        "retrials": counts[..., RETRIALS],
        "callers": counts[..., OFFERED] - counts[..., RETRIALS],
        "repeats": counts[..., REPEATS],
        "transfers_in": counts[..., TRANSFERS_IN],
        "callbacks": counts[..., CALLBACKS],
    }


def json_safe(value: Any) -> Any:
    """`value` with NaN floats replaced by None, numpy scalars made plain."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value
