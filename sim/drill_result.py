"""The replications of a drill under each response plan, summed up: scorecards against the
incident's targets, the mean timeline, when the levers were in effect, and the JSON document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scenarios.schema import Incident, Scenario, clock_text
from sim.drill_score import BIN_S, SCORES, TIMELINE, DrillReplication, recover_level, timeline_bins
from sim.incident import LEVERS
from sim.metrics import json_safe, stat
from sim.surge import IncidentClock

AS_GIVEN = "as given"  # the name of the incident's own response among the plans compared


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
                "time": clock_text(int(start // 60)),
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


def _active(times: tuple[float | None, float | None] | None, minute: float) -> bool:
    if times is None or times[0] is None:
        return False
    start, end = times
    return start <= minute + BIN_S / 60.0 and (end is None or end > minute)


def _nanmean_rows(values: np.ndarray) -> np.ndarray:
    counts = (~np.isnan(values)).sum(axis=0)
    sums = np.nansum(values, axis=0)
    return np.divide(sums, counts, out=np.full(values.shape[1], np.nan), where=counts > 0)
