"""The results of a simulation: replication totals, and the views people and scripts read.

`Results.to_json()` is the contract of ``wfm simulate --json`` (``shared/DESIGN.md``); the
tables are the per-interval metrics as pandas DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from scenarios.demand import open_mask
from scenarios.schema import Scenario, clock_text
from sim.arrivals import arrival_work
from sim.controls import per_period, target_control
from sim.metrics import (
    OFFERED,
    RATES,
    ReplicationSummary,
    answer_thresholds,
    ci95_columns,
    json_safe,
    kpis,
    ratio,
    stat,
)
from sim.verdict import DecisionRule, Spread, Verdict, decide, period_spread


@dataclass(frozen=True)
class Results:
    """Replication totals of one staffing; `rule` decides the targets' verdicts (its `looks`
    count the looks a sequential procedure took, or may take, at this sample)."""

    scenario: Scenario
    seed: int
    summaries: list[ReplicationSummary]
    rule: DecisionRule = field(default_factory=DecisionRule)
    first_replication: int = 0  # the number of the first summary's replication on `seed`
    # Each replication's arrived work (`arrived_work`) by replication number, drawn once: the
    # Results that `dataclasses.replace` makes of this one (another rule; a sequential check's
    # next look, with more summaries) share the dict, so a look draws only its new
    # replications. Nothing replaces a Results' scenario or seed.
    work_drawn: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @property
    def replications(self) -> int:
        return len(self.summaries)

    @cached_property
    def counts(self) -> np.ndarray:
        """``(replications, intervals, contact types, tiers, fields)`` totals."""
        return np.stack([s.counts for s in self.summaries])

    # --- horizon KPIs --------------------------------------------------------------------------

    def contact_type_kpis(self) -> dict[str, dict[str, Any]]:
        """Per contact type (and tier): KPI Stats over the whole horizon; an e-mail type also
        has its ``backlog`` at the end of each day."""
        type_threshold, tier_threshold = answer_thresholds(self.scenario)
        peak = np.stack([s.peak_queue for s in self.summaries])  # (R, intervals, types)
        deflected = np.stack([s.deflected.sum(axis=0) for s in self.summaries])  # (R, types)
        backlog = np.stack([s.backlog for s in self.summaries])  # (R, days, types)
        out: dict[str, dict[str, Any]] = {}
        for t, ct in enumerate(self.scenario.contact_types):
            per_tier = self.counts[:, :, t].sum(axis=1)  # (R, tiers, fields)
            entry = _kpi_stats(kpis(per_tier.sum(axis=1), threshold="type"))
            entry["answer_within_s"] = float(type_threshold[t])
            entry["peak_queue"] = stat(peak[:, :, t].max(axis=1))
            entry["deflected"] = stat(deflected[:, t])
            if self.scenario.channel_of(ct).kind == "email":
                entry["backlog"] = [stat(backlog[:, d, t]) for d in range(backlog.shape[1])]
            entry["tiers"] = {}
            if ct.tiers:
                for k, tier in enumerate(ct.tier_names):
                    tier_entry = _kpi_stats(kpis(per_tier[:, k]))
                    tier_entry["answer_within_s"] = float(tier_threshold[t, k])
                    entry["tiers"][tier] = tier_entry
            out[ct.name] = entry
        return out

    def agent_group_kpis(self) -> dict[str, dict[str, Any]]:
        """Per agent group: occupancy and on-duty agent-hours over the horizon."""
        busy = np.stack([s.busy_s.sum(axis=0) for s in self.summaries])  # (R, groups)
        duty = np.stack([s.duty_s.sum(axis=0) for s in self.summaries])
        return {
            g.name: {
                "occupancy": stat(ratio(busy[:, i], duty[:, i]), upper=1.0),
                "agent_hours": stat(duty[:, i] / 3600.0),
            }
            for i, g in enumerate(self.scenario.agent_groups)
        }

    def target_results(self) -> list[dict[str, Any]]:
        """Every target with the service level achieved at its scope, and its verdict.

        ``scope: horizon`` judges the service level over the whole horizon; ``day`` and
        ``interval`` judge every day (every interval with contacts answered or abandoned)
        separately, and report the worst of them as ``achieved`` (``worst`` says which, and
        ``periods_met`` how many of ``periods`` meet it).

        ``verdict`` (``met``, ``missed`` or ``undecided``), ``confidence`` and, when
        undecided, ``replications_needed`` are the decision of `sim.verdict` under `rule`:
        on the expected level of every period, with a family-wise error rate; ``room`` is the
        worst period's mean minus the target, ``room_low`` the same for its one-sided lower
        confidence bound. ``met`` is kept as it always was: the point estimate reaches the
        target in every period. ``ci_verdict`` says whether the 95 % interval of ``achieved``
        lies wholly above the target (``met``), wholly below (``missed``) or straddles it
        (``uncertain``, also with one replication).
        """
        horizon = self.scenario.horizon
        rows = []
        for j, (target, verdict) in enumerate(
            zip(self.scenario.targets, self.verdicts(), strict=True)
        ):
            levels = self.target_period_levels(j)
            means = _nanmean(levels)
            judged = np.flatnonzero(~np.isnan(means))
            worst = int(judged[np.argmin(means[judged])]) if judged.size else 0
            achieved = stat(levels[:, worst], upper=1.0)
            low, high = achieved["ci95_low"], achieved["ci95_high"]
            if low is not None and low >= target.service_level:
                ci_verdict = "met"
            elif high is not None and high < target.service_level:
                ci_verdict = "missed"
            else:
                ci_verdict = "uncertain"
            row = {
                "contact_type": target.contact_type,
                "tier": target.tier,
                "answer_within_s": target.answer_within_s,
                "service_level": target.service_level,
                "achieved": achieved,
                "met": bool(judged.size) and bool(np.all(means[judged] >= target.service_level)),
                "ci_verdict": ci_verdict,
                "verdict": verdict.verdict,
                "confidence": verdict.confidence,
                "decision": {
                    "confidence": self.rule.confidence,
                    "tolerance": self.rule.tolerance,
                    "looks": self.rule.looks,
                },
                "room": verdict.room,
                "room_low": verdict.room_low,
                "replications": verdict.replications,
                "replications_needed": verdict.replications_needed,
                "scope": target.scope,
                "source": target.source,
            }
            if target.scope != "horizon":
                row["periods"] = int(judged.size)
                row["periods_met"] = int(np.sum(means[judged] >= target.service_level))
                row["worst"] = (
                    {"day": worst}
                    if target.scope == "day"
                    else {
                        "day": worst // horizon.intervals_per_day,
                        "interval": worst % horizon.intervals_per_day,
                        "start": clock_text(worst * horizon.interval_min),
                    }
                )
            rows.append(row)
        return rows

    @cached_property
    def _verdicts(self) -> list[Verdict]:
        return [
            decide(
                self.target_period_levels(j),
                target.service_level,
                self.rule,
                self.target_period_closed(j),
                self.target_period_control(j),
            )
            for j, target in enumerate(self.scenario.targets)
        ]

    def verdicts(self) -> list[Verdict]:
        """Each target's verdict under `rule` (`sim.verdict.decide`), in the scenario's order."""
        return self._verdicts

    def target_period_counts(self, j: int) -> np.ndarray:
        """Totals of target `j`'s population in each period of its scope, per replication,
        ``(replications, periods, fields)``: one period for ``horizon``, one per day, or one
        per interval (by arrival)."""
        per_interval = np.stack([s.target_counts[:, j] for s in self.summaries])  # (R, K, F)
        return per_period(per_interval, self.scenario.targets[j].scope, self.scenario.horizon)

    @cached_property
    def arrived_work(self) -> np.ndarray:
        """``(replications, contact types, intervals)``: the handle time (s) of the contacts
        that arrived, before self-service, re-drawn from each replication's streams
        (`sim.arrivals.arrival_work`), each replication once (`work_drawn`)."""
        numbers = range(self.first_replication, self.first_replication + self.replications)
        for r in numbers:
            if r not in self.work_drawn:
                self.work_drawn[r] = arrival_work(self.scenario, self.seed, r)
        return np.stack([self.work_drawn[r] for r in numbers])

    @cached_property
    def _controls(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [target_control(self.scenario, j, self.arrived_work)
                for j in range(len(self.scenario.targets))]  # fmt: skip

    def target_period_control(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Target `j`'s control variates (`sim.controls`): per replication, period and
        control, and their exact expectations per period and control."""
        return self._controls[j]

    @cached_property
    def _spreads(self) -> list[Spread]:
        return [
            period_spread(
                self.target_period_levels(j),
                target.service_level,
                self.target_period_closed(j),
                self.target_period_control(j),
            )
            for j, target in enumerate(self.scenario.targets)
        ]

    def target_period_spread(self, j: int) -> Spread:
        """Target `j`'s estimate per period (`sim.verdict.period_spread`): the mean level
        corrected by its control variate, its spread, replications and degrees of freedom:
        what the verdicts, the search's aims and its cuts all read."""
        return self._spreads[j]

    def target_period_closed(self, j: int) -> np.ndarray:
        """Contacts answered or abandoned in each period of target `j`'s scope, per
        replication, ``(replications, periods)``."""
        values = kpis(self.target_period_counts(j))
        return values["answered"] + values["abandoned"]

    def target_period_levels(self, j: int) -> np.ndarray:
        """Service level of target `j`'s population in each period of its scope, per
        replication, ``(replications, periods)``; NaN where nothing was answered or
        abandoned."""
        return kpis(self.target_period_counts(j))["service_level"]

    def centre_kpis(self) -> dict[str, Any]:
        """The live channels' contacts taken together over the horizon: service level (each
        contact against its own type's threshold) and abandon rate, as Stats."""
        live = self._live_types()
        totals = self.counts[:, :, live].sum(axis=(1, 2, 3))  # (R, fields)
        values = kpis(totals, threshold="type")
        return {name: stat(values[name], upper=1.0) for name in RATES}

    def workload_table(self) -> pd.DataFrame:
        """Capacity against demand per day and interval, all channels together:
        ``load_erlangs`` (the offered workload: contacts x their type's mean handle time over
        the interval, in agents' capacity, a chat agent holding several) with its 95 % interval,
        agents on duty in all groups (``agents``) and agents busy (``busy_agents``), means over
        replications. Every contact offered counts, redials and callers who then abandon among
        them (the work asked of the centre, not the work done: ``busy_agents`` is that).
        E-mail waits for business hours, so its workload over the horizon is spread evenly
        over the open intervals of its channel."""
        scenario, horizon = self.scenario, self.scenario.horizon
        offered = self.counts[..., OFFERED].sum(axis=3)  # (R, intervals, types)
        load = np.zeros(offered.shape[:2])
        for t, ct in enumerate(scenario.contact_types):
            channel = scenario.channel_of(ct)
            work_s = offered[:, :, t] * ct.handle_time.mean / channel.concurrency
            if channel.kind == "email":
                worked = open_mask(channel.business_hours, horizon).ravel()
                share = worked / max(int(worked.sum()), 1)
                load += work_s.sum(axis=1, keepdims=True) * share / horizon.interval_s
            else:
                load += work_s / horizon.interval_s
        low, high = _ci_arrays(load)
        duty = np.stack([s.duty_s.sum(axis=1) for s in self.summaries])  # (R, intervals)
        busy = np.stack([s.busy_s.sum(axis=1) for s in self.summaries])
        index = np.arange(load.shape[1])
        return pd.DataFrame(
            {
                "day": index // horizon.intervals_per_day,
                "interval": index % horizon.intervals_per_day,
                "start": [clock_text(k * horizon.interval_min) for k in index],
                "load_erlangs": load.mean(axis=0),
                "load_ci95_low": low,
                "load_ci95_high": high,
                "agents": duty.mean(axis=0) / horizon.interval_s,
                "busy_agents": busy.mean(axis=0) / horizon.interval_s,
            }
        )

    def _live_types(self) -> list[int]:
        return [
            t
            for t, ct in enumerate(self.scenario.contact_types)
            if self.scenario.channel_of(ct).kind != "email"
        ]

    # --- interval tables -----------------------------------------------------------------------

    def interval_table(self, by_tier: bool = False) -> pd.DataFrame:
        """One row per day, interval and contact type (and tier, with `by_tier`, for the types
        that have tiers): means over replications, by arrival interval, with the service
        level's and the peak queue's 95 % intervals. The peak queue is per contact type."""
        horizon = self.scenario.horizon
        peaks = np.stack([s.peak_queue for s in self.summaries])  # (R, intervals, types)
        index = np.arange(self.counts.shape[1])
        clock = {
            "day": index // horizon.intervals_per_day,
            "interval": index % horizon.intervals_per_day,
            "start": [clock_text(k * horizon.interval_min) for k in index],
        }
        blocks = []
        for t, ct in enumerate(self.scenario.contact_types):
            counts = self.counts[:, :, t]  # (R, intervals, tiers, fields)
            if by_tier and ct.tiers:
                parts = [(tier, kpis(counts[:, :, k])) for k, tier in enumerate(ct.tier_names)]
            else:
                parts = [(None, kpis(counts.sum(axis=2), threshold="type"))]
            for tier, values in parts:
                sl_low, sl_high = _ci_arrays(values["service_level"], upper=1.0)
                queue_low, queue_high = _ci_arrays(peaks[:, :, t])
                block = {**clock, "contact_type": ct.name}
                if by_tier:
                    block["tier"] = tier or ""
                block |= {
                    "offered": values["offered"].mean(axis=0),
                    "answered": values["answered"].mean(axis=0),
                    "answered_within": values["answered_within"].mean(axis=0),
                    "abandoned": values["abandoned"].mean(axis=0),
                    "unfinished": values["unfinished"].mean(axis=0),
                    "service_level": _nanmean(values["service_level"]),
                    "service_level_ci95_low": sl_low,
                    "service_level_ci95_high": sl_high,
                    "asa_s": _nanmean(values["asa_s"]),
                    "aht_s": _nanmean(values["aht_s"]),
                    "abandon_time_s": _nanmean(values["abandon_time_s"]),
                    "peak_queue": peaks[:, :, t].mean(axis=0),
                    "peak_queue_ci95_low": queue_low,
                    "peak_queue_ci95_high": queue_high,
                }
                blocks.append(pd.DataFrame(block))
        table = pd.concat(blocks, ignore_index=True)
        return table.sort_values(["day", "interval"], kind="stable", ignore_index=True)

    def group_interval_table(self) -> pd.DataFrame:
        """One row per day, interval and agent group: agents on duty and occupancy (means)."""
        horizon = self.scenario.horizon
        busy = np.stack([s.busy_s for s in self.summaries])  # (R, intervals, groups)
        duty = np.stack([s.duty_s for s in self.summaries])
        index = np.arange(busy.shape[1])
        frames = [
            pd.DataFrame(
                {
                    "day": index // horizon.intervals_per_day,
                    "interval": index % horizon.intervals_per_day,
                    "start": [clock_text(k * horizon.interval_min) for k in index],
                    "group": g.name,
                    "agents": duty[:, :, i].mean(axis=0) / horizon.interval_s,
                    "occupancy": _nanmean(ratio(busy[:, :, i], duty[:, :, i])),
                }
            )
            for i, g in enumerate(self.scenario.agent_groups)
        ]
        table = pd.concat(frames, ignore_index=True)
        return table.sort_values(["day", "interval"], kind="stable", ignore_index=True)

    # --- the JSON contract ---------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The ``wfm simulate --json`` document (NaN written as null)."""
        intervals = self.interval_table()
        keep = [
            "day", "interval", "start", "contact_type", "offered", "answered", "abandoned",
            "unfinished", "answered_within", "service_level", "asa_s", "peak_queue",
        ]  # fmt: skip
        groups = self.group_interval_table()
        return json_safe(
            {
                "scenario": self.scenario.name,
                "seed": self.seed,
                "replications": self.replications,
                "contact_types": self.contact_type_kpis(),
                "agent_groups": self.agent_group_kpis(),
                "targets": self.target_results(),
                "intervals": intervals[keep].to_dict(orient="records"),
                "group_intervals": groups.to_dict(orient="records"),
            }
        )


def _kpi_stats(values: dict[str, np.ndarray]) -> dict[str, Any]:
    return {name: stat(v, upper=1.0 if name in RATES else None) for name, v in values.items()}


def _nanmean(values: np.ndarray) -> np.ndarray:
    valid = ~np.isnan(values)
    total = np.where(valid, values, 0.0).sum(axis=0)
    return ratio(total, valid.sum(axis=0))


def _ci_arrays(values: np.ndarray, upper: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-column 95 % bounds over the replications axis (NaN where undefined); `upper` caps a
    rate's bound at 1."""
    _, low, high = ci95_columns(values, upper)
    return low, high
