"""A capacity file: the year (or any run of weeks) an executive plans, on a representative week.

It names the scenario of that week (its targets, agent groups, shifts and pay) and, optionally,
its optimised plan at today's volume; how the volume moves week by week (a yearly growth
compounded weekly, seasonal factors or a ``wfm forecast`` output, and a week-level
uncertainty); the hours agents are paid and how much of them is shrinkage; the chance each
week must have of enough agents; and per agent group its headcount, attrition, training,
ramp-up, class size and the cost of a hire. Paths are relative to the file.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, model_validator

from scenarios.schema.base import MAX_AGENTS, MAX_COST_PER_HOUR, FieldProblem, _Model

MAX_WEEKS = 260  # five years of weeks


class Demand(_Model):
    """How the representative week's volume moves: ``growth_per_year`` compounded weekly,
    times ``weekly_factors`` (one per week) or the weekly totals of a ``wfm forecast`` CSV
    relative to its first week, with a week-level coefficient of variation ``cv``."""

    growth_per_year: float = Field(default=0.0, gt=-0.9, le=10)
    weekly_factors: list[Annotated[float, Field(gt=0, le=100)]] | None = None
    forecast: str | None = Field(default=None, min_length=1)
    cv: float = Field(default=0.0, ge=0, le=2)

    @model_validator(mode="after")
    def _one_season(self) -> Demand:
        if self.weekly_factors is not None and self.forecast is not None:
            raise FieldProblem("forecast", "give weekly_factors or forecast, not both")
        return self


class CapacityGroup(_Model):
    """An agent group of the scenario as it is staffed over the weeks."""

    name: str = Field(min_length=1)
    headcount: int = Field(ge=0, le=MAX_AGENTS)
    attrition_per_month: float = Field(default=0.0, ge=0, lt=1)
    training_weeks: int = Field(default=0, ge=0, le=52)
    ramp: list[Annotated[float, Field(gt=0, le=1)]] = Field(default_factory=list, max_length=26)
    max_class_size: int = Field(default=MAX_AGENTS, ge=1, le=MAX_AGENTS)
    hire_cost: float = Field(default=0.0, ge=0, le=MAX_COST_PER_HOUR)


class CapacityPlan(_Model):
    """The capacity file's fields (see the module)."""

    name: str = Field(min_length=1)
    scenario: str = Field(min_length=1)
    plan: str | None = Field(default=None, min_length=1)
    start: Annotated[dt.date, Field(strict=False)]
    weeks: int = Field(ge=1, le=MAX_WEEKS)
    demand: Demand = Field(default_factory=Demand)
    paid_hours_per_week: float = Field(default=40.0, gt=0, le=80)
    shrinkage: float = Field(default=0.3, ge=0, lt=0.95)
    service_probability: float = Field(default=0.9, ge=0.5, le=0.999)
    groups: list[CapacityGroup] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> CapacityPlan:
        if self.start.weekday() != 0:
            raise FieldProblem("start", f"expected a Monday, got {self.start} (a "
                               f"{self.start:%A})")  # fmt: skip
        factors = self.demand.weekly_factors
        if factors is not None and len(factors) != self.weeks:
            raise FieldProblem(
                "demand.weekly_factors", f"expected {self.weeks} (one a week), got {len(factors)}"
            )
        names = [g.name for g in self.groups]
        for k, name in enumerate(names):
            if name in names[:k]:
                raise FieldProblem(f"groups[{k}].name", f"{name!r} is given twice")
        return self

    @property
    def productive_hours_per_week(self) -> float:
        """An agent's paid hours a week less shrinkage: what one FTE gives the queues."""
        return self.paid_hours_per_week * (1 - self.shrinkage)
