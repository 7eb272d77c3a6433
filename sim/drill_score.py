"""A drill replication's scorecard and timeline, read off its record and lever log (`score`).

Times are in minutes from the incident's start:

- ``detect_min``, ``report_min``: when the incident was detected, and reported
  (`report_after_min` later); ``respond_min``: when the first lever (other than the report)
  took effect. Never within the horizon: the minutes to its end (censored).
- ``recover_min``: from the start until the 30-minute rolling service level of the incident's
  contact types (by arrival; a window without decided contacts counts as meeting it) is back at
  the recovery level and stays there for an hour; 0 when it does not drop below while the
  incident (with its decay) lasts -- a later dip is the normal day's. The level is the
  `recover` target's, else 80 %. Not recovered within the horizon (the hour included): the
  minutes to its end, and ``recovered`` false.
- over the incident's contact types arriving in the *scored period*, from the start to the
  first midnight after the incident (with its decay) is over: ``abandon_rate`` (abandoned /
  answered + abandoned), ``lost_contacts`` (abandoned and not redialled), ``peak_wait_s`` (the
  longest wait, answered or not, to the call-back for a callback) and ``peak_queue`` (most
  waiting at once; callbacks taken are not waiting) -- these two of the live channels only, as
  e-mail waits hours by design. Callers hanging up at the IVR announcement are not offered.

The timeline has 5-minute bins from an hour before the start to the end of the scored period:
offered, hung up at the IVR, answered and abandoned in the bin, the queue and the rolling
service level at its end, the agents on duty of the groups that serve the incident's types
(with the reserve and overflow groups); `sim.drill_result` adds the share of replications with
each lever in effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scenarios.schema import Incident, Response, Scenario
from sim.incident import DEFAULT_RECOVERY_LEVEL, LEVERS, RECOVERY_WINDOW_S, LeverLog
from sim.metrics import answer_thresholds
from sim.record import Record
from sim.surge import IncidentClock

SCORES = (
    "detect_min", "report_min", "respond_min", "recover_min",
    "lost_contacts", "abandon_rate", "peak_queue", "peak_wait_s",
)  # fmt: skip
BIN_S = 300.0
LEAD_IN_S = 3600.0
HOLD_S = 3600.0  # how long the service level must stay recovered
TIMELINE = ("offered", "ivr_deflected", "answered", "abandoned", "queue", "service_level", "agents")


@dataclass(frozen=True)
class DrillReplication:
    """One replication's scorecard, timeline (arrays over the bins) and lever times (minutes
    from the start; None: never)."""

    scores: dict[str, float]
    recovered: bool
    detected: bool
    timeline: dict[str, np.ndarray]
    levers: dict[str, tuple[float | None, float | None]]
    reported: bool = True
    responded: bool = True

    def happened(self, metric: str) -> bool:
        """False when `metric` is censored (the event never came within the horizon)."""
        events = {
            "detect_min": self.detected,
            "report_min": self.reported,
            "respond_min": self.responded,
            "recover_min": self.recovered,
        }
        return events.get(metric, True)


def scored_period(scenario: Scenario, incident: Incident) -> tuple[float, float]:
    """Start and end (s) of the period the scorecard counts contacts over."""
    clock = IncidentClock.of(scenario, incident)
    end = math.ceil(clock.over_s / 86400.0) * 86400.0
    return clock.onset_s, min(end, scenario.horizon.length_s)


def recover_level(incident: Incident) -> float:
    """The service level the incident's contact types must get back to."""
    recover = incident.targets.recover
    return recover.service_level if recover is not None else DEFAULT_RECOVERY_LEVEL


def timeline_bins(scenario: Scenario, incident: Incident) -> np.ndarray:
    """Start times (s) of the timeline's 5-minute bins."""
    onset, end = scored_period(scenario, incident)
    return np.arange(max(onset - LEAD_IN_S, 0.0), end, BIN_S)


def score(
    scenario: Scenario, incident: Incident, response: Response, record: Record, log: LeverLog
) -> DrillReplication:
    """The scorecard and timeline of one replication (see the module docstring)."""
    length = scenario.horizon.length_s
    onset, end = scored_period(scenario, incident)
    censored_min = (length - onset) / 60.0
    c = record.contacts
    types = scenario.incident_types(incident)
    own = np.isin(c.contact_type, types) & ~record.ivr_deflected
    arrival, answer = c.arrival_s, record.answer_s
    answered = ~np.isnan(answer)
    abandon_at = arrival + c.patience_s
    abandoned = own & ~answered & (abandon_at < length)
    threshold = answer_thresholds(scenario)[0][c.contact_type]
    good = answered & (answer - arrival <= threshold)
    left = np.where(
        record.callback,
        record.callback_at_s,
        np.where(answered, answer, np.where(abandoned, abandon_at, np.inf)),
    )
    counted = own & (arrival >= onset) & (arrival < end)
    deferred = [t for t, ct in enumerate(scenario.contact_types)
                if scenario.channel_of(ct).kind == "email"]  # fmt: skip
    live = ~np.isin(c.contact_type, deferred)
    decided = (answered | abandoned)[counted].sum()
    wait = np.where(answered, answer - arrival, np.minimum(abandon_at, length) - arrival)

    # A contact still waiting at the end, past its threshold, has failed it already.
    failed_waiting = ~answered & ~abandoned & (arrival + threshold < length)
    rolling = _RollingLevel(arrival[own], good[own], (answered | abandoned | failed_waiting)[own])
    over = IncidentClock.of(scenario, incident).over_s
    recovered_at = _recovery(rolling, onset, over, length, recover_level(incident))
    queue = _Queue(arrival[own & live], left[own & live])

    def minutes(time_s: float | None) -> float:
        return censored_min if time_s is None else (time_s - onset) / 60.0

    first_lever = min((t for lever, t in log.starts.items() if lever != "report"), default=None)
    scores = {
        "detect_min": minutes(log.detected_s),
        "report_min": minutes(log.starts.get("report")),
        "respond_min": minutes(first_lever),
        "recover_min": minutes(recovered_at),
        "lost_contacts": float((abandoned & ~record.redialled)[counted].sum()),
        "abandon_rate": float(abandoned[counted].sum() / decided) if decided else math.nan,
        "peak_queue": float(queue.peak(onset, end)),
        "peak_wait_s": float(wait[counted & live].max()) if (counted & live).any() else 0.0,
    }
    bins = timeline_bins(scenario, incident)
    edges = np.append(bins, bins[-1] + BIN_S)
    bin_ends = np.minimum(edges[1:], length)
    served = _serving_groups(scenario, incident, response)
    timeline = {
        "offered": np.histogram(arrival[own], edges)[0],
        "ivr_deflected": np.histogram(arrival[record.ivr_deflected], edges)[0],
        "answered": np.histogram(answer[own & answered], edges)[0],
        "abandoned": np.histogram(abandon_at[abandoned], edges)[0],
        "queue": queue.level(bin_ends),
        "service_level": rolling.at(bin_ends),
        "agents": _agents_at(record.duty_changes, served, bin_ends),
    }
    levers = {
        lever: (
            minutes(log.starts[lever]) if lever in log.starts else None,
            minutes(log.ends[lever]) if lever in log.ends else None,
        )
        for lever in LEVERS
        if lever in log.starts
    }
    return DrillReplication(
        scores,
        recovered=recovered_at is not None,
        detected=log.detected_s is not None,
        timeline=timeline,
        levers=levers,
        reported="report" in log.starts,
        responded=first_lever is not None,
    )


class _RollingLevel:
    """The 30-minute rolling service level by arrival: answered within the threshold over
    answered + abandoned, of the contacts arriving in ``(t - 30 min, t]``."""

    def __init__(self, arrival: np.ndarray, good: np.ndarray, decided: np.ndarray) -> None:
        order = np.argsort(arrival, kind="stable")
        self.arrival = arrival[order]
        self.good = np.concatenate([[0], np.cumsum(good[order])])
        self.decided = np.concatenate([[0], np.cumsum(decided[order])])

    def at(self, times: np.ndarray) -> np.ndarray:
        """The level at each of `times` (NaN where no contact was decided)."""
        last = np.searchsorted(self.arrival, times, side="right")
        first = np.searchsorted(self.arrival, times - RECOVERY_WINDOW_S, side="right")
        decided = self.decided[last] - self.decided[first]
        good = self.good[last] - self.good[first]
        return np.divide(good, decided, out=np.full(len(times), np.nan), where=decided > 0)


def _recovery(
    rolling: _RollingLevel, onset: float, over: float, length: float, level: float
) -> float | None:
    """When the rolling level, having dropped below `level` while the incident lasted (from
    `onset` to `over`), is back at it for an hour; the start itself when it did not drop then
    (a dip after the incident is the normal day's, not the incident's). None when it does not
    recover within `length`."""
    grid = np.arange(onset, length + 1e-9, BIN_S)
    levels = rolling.at(grid)
    ok = np.isnan(levels) | (levels >= level)
    during = grid <= over
    if ok[during].all():
        return onset
    hold = round(HOLD_S / BIN_S)
    first_dip = int(np.argmin(ok | ~during))
    for k in range(first_dip + 1, len(grid) - hold):
        if ok[k : k + hold + 1].all():
            return float(grid[k])
    return None


class _Queue:
    """How many contacts wait at a time: each from its arrival until it `left` the queue."""

    def __init__(self, enter: np.ndarray, leave: np.ndarray) -> None:
        self.enter = np.sort(enter)
        self.leave = np.sort(leave)

    def level(self, times: np.ndarray) -> np.ndarray:
        entered = np.searchsorted(self.enter, times, side="right")
        gone = np.searchsorted(self.leave, times, side="right")
        return entered - gone

    def peak(self, start: float, end: float) -> int:
        """The most waiting at once in ``[start, end)``: the level peaks at an arrival."""
        inside = self.enter[(self.enter >= start) & (self.enter < end)]
        candidates = np.append(inside, start)
        return int(self.level(candidates).max())


def _serving_groups(scenario: Scenario, incident: Incident, response: Response) -> list[int]:
    """Groups that serve the incident's contact types, or join in through its levers."""
    skills = {scenario.contact_types[t].skill for t in scenario.incident_types(incident)}
    names = {g.name for g in scenario.agent_groups if skills & set(g.skills)}
    if response.reserve is not None:
        names.add(response.reserve.group)
    if response.overflow is not None:
        names.update(response.overflow.to_groups)
    return [g for g, group in enumerate(scenario.agent_groups) if group.name in names]


def _agents_at(duty_changes: np.ndarray, groups: list[int], times: np.ndarray) -> np.ndarray:
    """Agents of `groups` on duty at each of `times`."""
    rows = duty_changes[np.isin(duty_changes[:, 1], groups)]
    order = np.argsort(rows[:, 0], kind="stable")
    when, change = rows[order, 0], np.cumsum(rows[order, 2])
    k = np.searchsorted(when, times, side="right")
    return np.where(k > 0, change[np.maximum(k - 1, 0)], 0)
