"""Drills: an incident run on top of the normal staffing, its response plans scored side by side.

Every response plan is run with the same seeds, so they meet the same contacts and the same
surge (common random numbers); only the levers differ. Each replication is scored from its
record (`score`), minutes counting from the incident's start:

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
(with the reserve and overflow groups) and the share of replications with each lever in effect.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from scenarios.schema import Incident, Response, Scenario
from scenarios.staffing import group_staffing
from sim.arrivals import draw_contacts
from sim.behaviour import absent_staffing, plan_behaviour
from sim.engine import Centre, Record
from sim.incident import (
    DEFAULT_RECOVERY_LEVEL,
    LEVERS,
    RECOVERY_WINDOW_S,
    Drill,
    IncidentClock,
    LeverLog,
    draw_surge,
    merge,
)
from sim.metrics import answer_thresholds, json_safe, stat
from sim.routing import plan_routing

SCORES = (
    "detect_min", "report_min", "respond_min", "recover_min",
    "lost_contacts", "abandon_rate", "peak_queue", "peak_wait_s",
)  # fmt: skip
BIN_S = 300.0
LEAD_IN_S = 3600.0
HOLD_S = 3600.0  # how long the service level must stay recovered
AS_GIVEN = "as given"  # the name of the incident's own response among the plans compared
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


def run_drill_replication(
    scenario: Scenario,
    staffing: Mapping[str, np.ndarray],
    breaks: Mapping[str, np.ndarray] | None,
    incident_name: str,
    response: Response,
    seed: int,
    replication: int,
) -> DrillReplication:
    """Simulate replication `replication` of the incident under `response` and score it.
    `staffing` and `breaks` (agents on break) are ``(days, steps)`` per group."""
    horizon = scenario.horizon
    incident = scenario.incident(incident_name)
    routing = plan_routing(scenario)
    present = absent_staffing(scenario, staffing, seed, replication)
    groups = scenario.agent_groups
    on_duty = np.stack([np.asarray(present[g.name], dtype=np.int64).ravel() for g in groups])
    on_break = (
        np.zeros_like(on_duty)
        if breaks is None
        else np.stack([np.asarray(breaks[g.name], dtype=np.int64).ravel() for g in groups])
    )
    step_s = horizon.length_s / on_duty.shape[1]
    contacts = merge(
        draw_contacts(scenario, seed, replication),
        draw_surge(scenario, incident, seed, replication),
    )
    behaviour = plan_behaviour(scenario, seed, replication)
    drill = Drill(scenario, incident, response, behaviour, on_break, seed, replication)
    centre = Centre(routing, contacts, on_duty, step_s, horizon.length_s, behaviour, drill)
    drill.attach(centre)
    return score(scenario, incident, response, centre.run(), drill.log)


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


@dataclass(frozen=True)
class DrillResult:
    """Replications of an incident under each response plan compared (`AS_GIVEN` first)."""

    scenario: Scenario
    incident: Incident
    seed: int
    plans: dict[str, list[DrillReplication]]

    def scorecard(self, plan: str = AS_GIVEN) -> dict[str, dict[str, float | None]]:
        runs = self.plans[plan]
        return {
            name: stat(
                np.array([r.scores[name] for r in runs]),
                upper=1.0 if name == "abandon_rate" else None,
            )
            for name in SCORES
        }

    def targets(self, plan: str = AS_GIVEN) -> list[dict[str, Any]]:
        """Each incident target with its value, what the plan achieved and whether it is met:
        on the mean over replications, like the scenario's targets, and for a time only when
        the event came in every replication (a censored time is not a met one). An abandon
        rate with nothing decided is met."""
        goals = self.incident.targets
        card = self.scorecard(plan)
        wanted = [
            ("report_min", goals.report_within_min),
            ("respond_min", goals.respond_within_min),
            ("recover_min", goals.recover.within_min if goals.recover else None),
            ("abandon_rate", goals.max_abandon_rate),
        ]
        out = []
        for metric, value in wanted:
            if value is None:
                continue
            mean = card[metric]["mean"]
            if mean is None:
                met = metric == "abandon_rate"
            else:
                met = mean <= value and all(r.happened(metric) for r in self.plans[plan])
            out.append({"metric": metric, "value": value, "achieved": card[metric], "met": met})
        return out

    def met(self, plan: str = AS_GIVEN, metrics: Sequence[str] | None = None) -> bool:
        """True when every incident target (or those on `metrics`) is met."""
        return all(
            t["met"] for t in self.targets(plan) if metrics is None or t["metric"] in metrics
        )

    def timeline(self, plan: str = AS_GIVEN) -> list[dict[str, Any]]:
        """The mean timeline over replications, one row per 5-minute bin."""
        runs = self.plans[plan]
        bins = timeline_bins(self.scenario, self.incident)
        onset = IncidentClock.of(self.scenario, self.incident).onset_s
        means = {
            name: _nanmean_rows(np.stack([r.timeline[name] for r in runs]).astype(float))
            for name in TIMELINE
        }
        rows = []
        for k, start in enumerate(bins):
            minute = (start - onset) / 60.0
            row = {
                "minute": minute,
                "day": int(start // 86400),
                "time": _clock(start),
                **{name: means[name][k] for name in TIMELINE},
                "levers": {
                    lever: sum(_active(r.levers.get(lever), minute) for r in runs) / len(runs)
                    for lever in LEVERS
                    if lever != "report"
                },
            }
            rows.append(row)
        return rows

    def lever_times(self, plan: str = AS_GIVEN) -> dict[str, dict[str, Any]]:
        """Per lever used: the share of replications where it started, and its start and end
        (minutes from the incident's start) as Stats over those replications."""
        runs = self.plans[plan]
        out = {}
        for lever in LEVERS:
            used = [r.levers[lever] for r in runs if lever in r.levers]
            if not used:
                continue
            ends = [e for _, e in used if e is not None]
            out[lever] = {
                "share": len(used) / len(runs),
                "start_min": stat(np.array([s for s, _ in used])),
                "end_min": stat(np.array(ends)) if ends else None,
            }
        return out

    def plan_json(self, plan: str) -> dict[str, Any]:
        runs = self.plans[plan]
        return {
            "scorecard": self.scorecard(plan),
            "recovered": all(r.recovered for r in runs),
            "recovered_share": sum(r.recovered for r in runs) / len(runs),
            "detected_share": sum(r.detected for r in runs) / len(runs),
            "targets": self.targets(plan),
            "targets_met": self.met(plan),
            "levers": self.lever_times(plan),
        }

    def to_json(self) -> dict[str, Any]:
        """The ``wfm drill --json`` document."""
        clock = IncidentClock.of(self.scenario, self.incident)
        document = {
            "scenario": self.scenario.name,
            "incident": self.incident.name,
            "kind": self.incident.kind,
            "grade": self.incident.grade,
            "start": {"day": self.incident.start.day, "time": self.incident.start.time},
            "duration_min": self.incident.duration_min,
            "over_min": (clock.over_s - clock.onset_s) / 60.0,
            "recover_level": recover_level(self.incident),
            "seed": self.seed,
            "replications": len(self.plans[AS_GIVEN]),
            **self.plan_json(AS_GIVEN),
            "timeline": self.timeline(),
            "plans": {name: self.plan_json(name) for name in self.plans if name != AS_GIVEN},
        }
        return json_safe(document)


def drill(
    scenario: Scenario,
    incident: str,
    staffing: Mapping[str, np.ndarray] | None = None,
    breaks: Mapping[str, np.ndarray] | None = None,
    compare: Sequence[str] = (),
    seed: int = 0,
    replications: int = 10,
    executor: Executor | None = None,
    workers: int | None = None,
    response: Response | None = None,
) -> DrillResult:
    """Run `incident` on `staffing` (default: the scenario's own, with its breaks) under its
    own response (or `response`) and under each response plan named in `compare`, on the same
    seeds."""
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    chosen = scenario.incident(incident)
    if staffing is None:
        staffing = group_staffing(scenario)
        gross = group_staffing(scenario, net_of_breaks=False)
        breaks = {name: gross[name] - staffing[name] for name in staffing}
    responses = {AS_GIVEN: response or chosen.response}
    for name in compare:
        responses[name] = scenario.response_of(chosen, name)
    jobs = [(name, r) for name in responses for r in range(replications)]

    def args(name: str, r: int) -> tuple:
        return (scenario, staffing, breaks, incident, responses[name], seed, r)

    workers = workers or os.cpu_count() or 1
    if executor is None and (workers == 1 or len(jobs) == 1):
        outcomes = [run_drill_replication(*args(name, r)) for name, r in jobs]
    else:
        own = executor is None
        pool = executor or ProcessPoolExecutor(max_workers=min(workers, len(jobs)))
        try:
            futures = [pool.submit(run_drill_replication, *args(name, r)) for name, r in jobs]
            outcomes = [f.result() for f in futures]
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
    plans: dict[str, list[DrillReplication]] = {name: [] for name in responses}
    for (name, _), outcome in zip(jobs, outcomes, strict=True):
        plans[name].append(outcome)
    return DrillResult(scenario, chosen, seed, plans)


def _active(times: tuple[float | None, float | None] | None, minute: float) -> bool:
    if times is None or times[0] is None:
        return False
    start, end = times
    return start <= minute + BIN_S / 60.0 and (end is None or end > minute)


def _nanmean_rows(values: np.ndarray) -> np.ndarray:
    counts = (~np.isnan(values)).sum(axis=0)
    sums = np.nansum(values, axis=0)
    return np.divide(sums, counts, out=np.full(values.shape[1], np.nan), where=counts > 0)


def _clock(time_s: float) -> str:
    minutes = int(time_s // 60) % 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
