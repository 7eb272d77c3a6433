"""The centre's calendar and doors: the planning `Horizon`, daily opening `Hours`, and the
`Channel`s contacts arrive by."""

# ruff sees that a class is a pydantic model only when BaseModel is its base in the same file;
# pydantic copies these models' list defaults per instance, so none is shared.
# ruff: noqa: RUF012

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from scenarios.schema.base import (
    DAY_MIN,
    MAX_HORIZON_DAYS,
    WEEKDAYS,
    FieldProblem,
    Weekday,
    _Model,
    clock_minutes,
)


class Horizon(_Model):
    days: int = Field(ge=1, le=MAX_HORIZON_DAYS)
    interval_min: int = Field(gt=0)
    start: Annotated[dt.date | None, Field(strict=False)] = None  # YAML dates or "YYYY-MM-DD"
    cyclic: bool = True

    @field_validator("interval_min")
    @classmethod
    def _divides_day(cls, minutes: int) -> int:
        if DAY_MIN % minutes:
            raise FieldProblem("", f"must divide a day ({DAY_MIN} min) evenly, got {minutes}")
        return minutes

    @property
    def intervals_per_day(self) -> int:
        return DAY_MIN // self.interval_min

    @property
    def interval_s(self) -> float:
        return self.interval_min * 60.0

    @property
    def length_s(self) -> float:
        return self.days * 86400.0

    @property
    def first_weekday(self) -> int:
        """Weekday of day 0, Monday = 0 (a Monday when no start date is given)."""
        return self.start.weekday() if self.start else 0


class Hours(_Model):
    """Daily opening hours ``start``..``end`` (``HH:MM``, ``end`` after ``start``, ``24:00``
    allowed) on the weekdays `days`; both times must fall on the scenario's interval grid."""

    start: str
    end: str
    days: list[Weekday] = list(WEEKDAYS)

    @model_validator(mode="after")
    def _times(self) -> Hours:
        start, end = clock_minutes(self.start, "start"), clock_minutes(self.end, "end")
        if end <= start:
            raise FieldProblem("end", f"must be after start ({self.start}), got {self.end}")
        return self

    @property
    def start_min(self) -> int:
        return clock_minutes(self.start)

    @property
    def end_min(self) -> int:
        return clock_minutes(self.end)


class Channel(_Model):
    """How contacts reach the centre.

    ``voice`` and ``chat`` are live: contacts queue as they arrive (chat agents hold up to
    `concurrency` at once). ``email`` is deferred work (e-mail, web tickets), handled only
    within `business_hours`, the backlog carried over from one day to the next. ``walk_in`` is a
    business-hall counter: visitors arrive only within `opening_hours`. Without hours the
    channel is open all the time.
    """

    name: str = Field(min_length=1)
    kind: Literal["voice", "chat", "email", "walk_in"]
    concurrency: int = Field(default=1, ge=1, le=100)
    business_hours: Hours | None = None
    opening_hours: Hours | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> Channel:
        if self.kind != "chat" and self.concurrency != 1:
            raise FieldProblem(
                "concurrency", f"a {self.kind} channel takes 1, got {self.concurrency}"
            )
        if self.business_hours is not None and self.kind != "email":
            raise FieldProblem("business_hours", f"only an email channel has them, not {self.kind}")
        if self.opening_hours is not None and self.kind != "walk_in":
            raise FieldProblem("opening_hours", f"only a walk_in channel has them, not {self.kind}")
        return self

    @property
    def hours(self) -> Hours | None:
        """When the channel works (None: always)."""
        return self.business_hours or self.opening_hours
