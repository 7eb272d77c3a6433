"""The capacity plan of a checked capacity file on a measured requirement curve: per group the
cheapest hiring classes (`hiring`) planned on one Monte Carlo sample of demand and attrition,
then checked, with the plan without hiring beside it, on a fresh sample: the weeks' required
and available FTE, the chance of being short, and the cost.

Random streams: each group, purpose (planning or checking; demand or supply) and `seed` has
its own generator, so the figures do not depend on the order groups are done in or on where.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from scipy import stats

from optimise.capacity.hiring import HiringPlan, plan_hires
from optimise.capacity.requirement import RequirementCurve
from optimise.capacity.supply import GroupSupply, simulate_required, simulate_supply
from scenarios.capacity_file import CapacityInputs
from scenarios.schema.capacity import CapacityGroup
from sim.metrics import ci95_columns

PLAN, CHECK_DEMAND, CHECK_SUPPLY, PLAN_DEMAND = range(4)  # random-stream purposes


@dataclass(frozen=True)
class GroupOutlook:
    """One group over the weeks, as checked on the fresh sample: required and available FTE
    (``(replications, weeks)``), agents in training, the chance of being short per week, and
    the pay of everyone employed (mean over replications)."""

    required_fte: np.ndarray
    available_fte: np.ndarray
    in_training: np.ndarray
    p_short: np.ndarray
    pay: float


@dataclass(frozen=True)
class GroupModel:
    """Group `index` of a capacity file as the models see it: its supply, one agent's weekly
    pay, its required FTE at any volume factors, and its random streams."""

    inputs: CapacityInputs
    curve: RequirementCurve
    index: int
    seed: int

    @property
    def group(self) -> CapacityGroup:
        return self.inputs.capacity.groups[self.index]

    @property
    def supply(self) -> GroupSupply:
        g = self.group
        return GroupSupply(g.headcount, g.attrition_per_month, g.training_weeks, tuple(g.ramp))

    @property
    def weekly_pay(self) -> float:
        groups = self.inputs.scenario.agent_groups
        rate = next(g.cost_per_hour for g in groups if g.name == self.group.name)
        return self.inputs.capacity.paid_hours_per_week * rate

    def required(self, factors: np.ndarray) -> np.ndarray:
        """Required FTE at volume `factors` (any shape)."""
        hours = self.curve.agent_hours(self.group.name, factors)
        return hours / self.inputs.capacity.productive_hours_per_week

    def stream(self, purpose: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.index, purpose])


def plan_group(
    inputs: CapacityInputs, curve: RequirementCurve, index: int, replications: int, seed: int
) -> tuple[HiringPlan, GroupOutlook, GroupOutlook]:
    """Group `index` of the capacity file: its hiring plan, and the checks of it and of not
    hiring at all."""
    model = GroupModel(inputs, curve, index, seed)
    capacity, group = inputs.capacity, model.group
    demand = capacity.demand
    need = simulate_required(model.required, inputs.volume_factors, demand.cv, replications,
                             model.stream(PLAN_DEMAND))  # fmt: skip
    none = np.zeros(capacity.weeks, dtype=np.int64)
    staff = simulate_supply(model.supply, none, replications, model.stream(PLAN))
    hiring = plan_hires(model.supply, need - staff.available_fte, capacity.service_probability,
                        group.max_class_size, group.hire_cost, model.weekly_pay)  # fmt: skip
    return (hiring, check_hires(model, hiring.hires, replications),
            check_hires(model, none, replications))  # fmt: skip


def check_hires(model: GroupModel, hires: np.ndarray, replications: int) -> GroupOutlook:
    """The group with `hires` per week on the fresh sample (the same for every plan checked,
    so plans are compared on the same demand)."""
    check = simulate_required(model.required, model.inputs.volume_factors,
                              model.inputs.capacity.demand.cv, replications,
                              model.stream(CHECK_DEMAND))  # fmt: skip
    run = simulate_supply(model.supply, hires, replications, model.stream(CHECK_SUPPLY))
    return GroupOutlook(
        required_fte=check, available_fte=run.available_fte, in_training=run.in_training,
        p_short=(run.available_fte < check).mean(axis=0),
        pay=float(run.employed.mean(axis=0).sum() * model.weekly_pay),
    )  # fmt: skip


def weeks_document(
    inputs: CapacityInputs, outlooks: dict[str, GroupOutlook], hires: dict[str, np.ndarray]
) -> list[dict[str, Any]]:
    """The JSON's ``weeks``: per week its start and, per group, required and available FTE
    (mean with its 95 % interval, and the 5-95 % band over replications), hires, agents in
    training, the chance of being short and whether that is significantly above the allowed
    chance (`at_risk`)."""
    start = inputs.capacity.start
    rows = [{"week": w, "start": (start + timedelta(weeks=w)).isoformat(), "groups": {}}
            for w in range(inputs.capacity.weeks)]  # fmt: skip
    for name, outlook in outlooks.items():
        required, available = _stats(outlook.required_fte), _stats(outlook.available_fte)
        training = outlook.in_training.mean(axis=0)
        at_risk = short_more_than(outlook.p_short, len(outlook.required_fte),
                                  1 - inputs.capacity.service_probability)  # fmt: skip
        for w, row in enumerate(rows):
            row["groups"][name] = {
                "required_fte": required[w],
                "available_fte": available[w],
                "hires": int(hires[name][w]),
                "in_training": round(float(training[w]), 3),
                "p_short": round(float(outlook.p_short[w]), 4),
                "at_risk": bool(at_risk[w]),
            }
    return rows


def short_more_than(p_short: np.ndarray, replications: int, allowed: float) -> np.ndarray:
    """Per week, whether its chance of being short is above `allowed` with one-sided 95 %
    confidence (Clopper-Pearson): the check's estimate alone would flag about half the weeks
    of a plan made to sit exactly at the allowed chance."""
    shorts = np.round(p_short * replications)
    lower = np.where(shorts > 0, stats.beta.ppf(0.05, shorts, replications - shorts + 1), 0.0)
    return lower > allowed


def _stats(values: np.ndarray) -> list[dict[str, float]]:
    """Per week (column) the mean, its 95 % interval and the 5-95 % band of the values."""
    mean, low, high = ci95_columns(values)
    p5, p95 = np.percentile(values, [5, 95], axis=0)
    return [
        {"mean": round(float(m), 3), "ci95_low": round(float(lo), 3),
         "ci95_high": round(float(hi), 3), "p5": round(float(a), 3), "p95": round(float(b), 3)}
        for m, lo, hi, a, b in zip(mean, low, high, p5, p95, strict=True)
    ]  # fmt: skip
