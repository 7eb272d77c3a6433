"""Who answers: agent groups with their skills and staffing (an on-duty count or the shifts
worked, with their breaks), and the shift templates the optimiser may choose from."""

# ruff sees that a class is a pydantic model only when BaseModel is its base in the same file;
# pydantic copies these models' list defaults per instance, so none is shared.
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from scenarios.schema.base import (
    DAY_MIN,
    MAX_AGENTS,
    MAX_COST_FACTOR,
    MAX_COST_PER_HOUR,
    WEEKDAYS,
    ClockTime,
    FieldProblem,
    Weekday,
    _check_profile,
    _Model,
    clock_minutes,
)


class ShiftBreak(_Model):
    """A break of a worked shift: from `start` (``HH:MM``) for `length_min` minutes."""

    start: ClockTime
    length_min: int = Field(gt=0, le=DAY_MIN)


class Shift(_Model):
    """`count` agents working from `start` to `end` (``HH:MM``; an `end` at or before `start`
    is on the next day) on `day`: a horizon day (0-based) or a weekday name (every such day of
    the horizon). The format of an optimised plan's shifts, with `end` for `length_h`."""

    day: int | str
    start: str
    end: str
    count: int = Field(default=1, ge=0, le=MAX_AGENTS)

    @field_validator("day", mode="before")
    @classmethod
    def _day(cls, day: Any) -> Any:
        if not (isinstance(day, int) and not isinstance(day, bool)) and day not in WEEKDAYS:
            raise FieldProblem(
                "",
                f"expected a horizon day (0, 1, ...) or a weekday name (mon .. sun), got {day!r}",
            )
        return day

    breaks: list[ShiftBreak] = []

    @model_validator(mode="after")
    def _times(self) -> Shift:
        if isinstance(self.day, int) and self.day < 0:
            raise FieldProblem("day", f"expected a day >= 0 or a weekday name, got {self.day}")
        clock_minutes(self.start, "start")
        clock_minutes(self.end, "end")
        for i, b in enumerate(self.breaks):
            offset = (clock_minutes(b.start) - self.start_min) % DAY_MIN
            if offset + b.length_min > self.length_min:
                raise FieldProblem(
                    f"breaks[{i}]", f"must lie within the shift {self.start}-{self.end}"
                )
        return self

    @property
    def start_min(self) -> int:
        return clock_minutes(self.start)

    @property
    def length_min(self) -> int:
        """Minutes from start to end (a shift ending at or before its start crosses midnight)."""
        return (clock_minutes(self.end) - self.start_min - 1) % DAY_MIN + 1


class AgentGroup(_Model):
    """Agents sharing a skill list (in routing preference order).

    Staffing is given one of two ways, or left to the optimiser: `agents`, the on-duty count
    shaped like `Volume.per_interval`, or `shifts`, the shifts worked (agents on break are off
    duty). `absence` is unplanned absence: each agent misses each day with that probability
    (the count is scaled down day by day; with shifts, whole shifts are missed).

    `cost_per_hour` is at most `MAX_COST_PER_HOUR` (the shift model prices shifts in integer
    cents); `min_agents` and `max_agents` at most `MAX_AGENTS`.
    """

    name: str = Field(min_length=1)
    skills: list[str] = Field(min_length=1)
    agents: Any = None
    shifts: list[Shift] | None = None
    absence: float = Field(default=0.0, ge=0, lt=1)
    cost_per_hour: float | None = Field(default=None, ge=0, le=MAX_COST_PER_HOUR)
    min_agents: int | None = Field(default=None, ge=0, le=MAX_AGENTS)
    max_agents: int | None = Field(default=None, ge=0, le=MAX_AGENTS)

    @model_validator(mode="after")
    def _one_staffing(self) -> AgentGroup:
        if self.agents is not None and self.shifts is not None:
            raise FieldProblem("shifts", "give either agents or shifts, not both")
        return self

    @property
    def staffed(self) -> bool:
        return self.agents is not None or self.shifts is not None

    @field_validator("skills")
    @classmethod
    def _unique_skills(cls, skills: list[str]) -> list[str]:
        for i, skill in enumerate(skills):
            if skill in skills[:i]:
                raise FieldProblem(f"[{i}]", f"duplicate skill {skill!r}")
        return skills

    @field_validator("agents")
    @classmethod
    def _profile(cls, value: Any) -> Any:
        return None if value is None else _check_profile(value, integer=True)

    @model_validator(mode="after")
    def _bounds(self) -> AgentGroup:
        if (
            self.min_agents is not None
            and self.max_agents is not None
            and self.min_agents > self.max_agents
        ):
            raise FieldProblem(
                "max_agents", f"must be >= min_agents ({self.min_agents}), got {self.max_agents}"
            )
        return self


class Break(_Model):
    """A break of a shift template: `length_min` minutes, starting between `after_h_min` and
    `after_h_max` hours into the shift (a day at most, like the shift)."""

    length_min: int = Field(gt=0, le=DAY_MIN)
    after_h_min: float = Field(ge=0, le=24)
    after_h_max: float = Field(ge=0, le=24)

    @model_validator(mode="after")
    def _window(self) -> Break:
        if self.after_h_max < self.after_h_min:
            raise FieldProblem(
                "after_h_max",
                f"must be >= after_h_min ({self.after_h_min:g}), got {self.after_h_max:g}",
            )
        return self


class ShiftTemplate(_Model):
    """Shifts the optimiser may choose: `length_h` long, starting every `start_step_min` (at
    most a day) within `start_between` on `days`, costing `cost_factor` (at most
    `MAX_COST_FACTOR`, as the shift model prices in integer cents) of the group's hourly cost."""

    name: str = Field(min_length=1)
    length_h: float = Field(gt=0, le=24)
    start_between: Annotated[tuple[str, str], Field(strict=False)]  # a YAML list of two times
    start_step_min: int = Field(gt=0, le=DAY_MIN)
    breaks: list[Break] = []
    cost_factor: float = Field(default=1.0, gt=0, le=MAX_COST_FACTOR)
    days: list[Weekday] = list(WEEKDAYS)

    @model_validator(mode="after")
    def _breaks_inside(self) -> ShiftTemplate:
        for i, b in enumerate(self.breaks):
            if b.after_h_max * 60 + b.length_min > self.length_h * 60:
                raise FieldProblem(
                    f"breaks[{i}].after_h_max",
                    f"the break must end within the {self.length_h:g} h shift, got a start "
                    f"up to {b.after_h_max:g} h for {b.length_min} min",
                )
        return self

    @field_validator("start_between")
    @classmethod
    def _clock_times(cls, window: tuple[str, str]) -> tuple[str, str]:
        for i, text in enumerate(window):
            clock_minutes(text, f"[{i}]")
        if clock_minutes(window[1]) < clock_minutes(window[0]):
            raise FieldProblem("[1]", f"must not be before {window[0]}, got {window[1]}")
        return window
