"""Emergencies layered on a normal scenario (drills): the `Incident` (one of the
`INCIDENT_KINDS`) with its surge, the `Response` that detects and answers it, what the
response must achieve, and the named `ResponsePlan`s that change its levers.

Every time in minutes is at most `MAX_HORIZON_MIN` (the longest horizon), every wait in
seconds at most `MAX_DURATION_S` (one week)."""

# ruff sees that a class is a pydantic model only when BaseModel is its base in the same file;
# pydantic copies these models' list defaults per instance, so none is shared.
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, model_validator

from scenarios.schema.base import (
    DAY_MIN,
    MAX_AGENTS,
    MAX_DURATION_S,
    MAX_HORIZON_DAYS,
    MAX_HORIZON_MIN,
    ClockTime,
    FieldProblem,
    _Model,
)
from scenarios.schema.contacts import Callback
from scenarios.schema.distributions import Distribution

IncidentKind = Literal["network_fault", "complaint_wave", "security", "weather", "multi_department"]
INCIDENT_KINDS: tuple[IncidentKind, ...] = get_args(IncidentKind)


class IncidentStart(_Model):
    """When an incident begins: horizon `day` (0-based) at `time` (``HH:MM``)."""

    day: int = Field(ge=0, lt=MAX_HORIZON_DAYS)
    time: ClockTime


class Surge(_Model):
    """Extra demand of one contact type: its forecast offered volume times `multiplier`,
    reached linearly over `ramp_min` from the incident's start, held to its end, and falling
    back linearly over `decay_min` after it."""

    contact_type: str
    multiplier: float = Field(ge=1, le=1000)
    ramp_min: float = Field(default=0.0, ge=0, le=MAX_HORIZON_MIN)
    decay_min: float = Field(default=0.0, ge=0, le=MAX_HORIZON_MIN)


class Detect(_Model):
    """When the centre notices the incident: at a check (every minute from its start) where,
    over the last `window_min`, the incident's contact types were offered more than
    `offered_over_forecast` times their forecast, or their service level fell below
    `service_level_below`. At least one of the two conditions must be given."""

    window_min: float = Field(default=15.0, gt=0, le=DAY_MIN)
    offered_over_forecast: float | None = Field(default=None, gt=1, le=1000)
    service_level_below: float | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="after")
    def _a_condition(self) -> Detect:
        if self.offered_over_forecast is None and self.service_level_below is None:
            raise FieldProblem(
                "offered_over_forecast",
                "required field is missing (or service_level_below): nothing would detect it",
            )
        return self


class IvrAnnouncement(_Model):
    """From `after_min` after detection the IVR announces the incident: `deflection` of the
    incident's callers hang up satisfied before they queue."""

    after_min: float = Field(default=0.0, ge=0, le=MAX_HORIZON_MIN)
    deflection: float = Field(ge=0, lt=1)


class Reserve(_Model):
    """`agents` on-call agents of `group` who join `activation_delay_min` after detection. On
    call they cost `cost_factor` of the group's hourly cost (the optimiser's reserve sizing)."""

    group: str
    agents: int = Field(ge=0, le=MAX_AGENTS)
    activation_delay_min: float = Field(default=30.0, ge=0, le=MAX_HORIZON_MIN)
    cost_factor: float = Field(default=0.2, ge=0, le=1)


class Overflow(_Model):
    """From detection, contacts of `contact_type` that have waited `after_wait_s` are also
    answered by agents of `to_groups`, before those agents' own work (the groups are re-tasked
    for the emergency)."""

    contact_type: str
    to_groups: list[str] = Field(min_length=1)
    after_wait_s: float = Field(default=0.0, ge=0, le=MAX_DURATION_S)


class Response(_Model):
    """The levers of an incident's response. Every time counts from detection; every lever
    stands down together once the incident is over and the service level has recovered."""

    detect: Detect = Detect(offered_over_forecast=1.5, service_level_below=0.6)
    report_after_min: float = Field(default=0.0, ge=0, le=MAX_HORIZON_MIN)
    ivr_announcement: IvrAnnouncement | None = None
    reserve: Reserve | None = None
    overflow: Overflow | None = None
    callback: Callback | None = None
    suspend_breaks: bool = False


class Recover(_Model):
    service_level: float = Field(gt=0, le=1)
    within_min: float = Field(gt=0, le=MAX_HORIZON_MIN)


class IncidentTargets(_Model):
    """What the response must achieve; minutes count from the incident's start."""

    report_within_min: float | None = Field(default=None, gt=0, le=MAX_HORIZON_MIN)
    respond_within_min: float | None = Field(default=None, gt=0, le=MAX_HORIZON_MIN)
    recover: Recover | None = None
    max_abandon_rate: float | None = Field(default=None, ge=0, le=1)


class Incident(_Model):
    """An emergency layered on the normal scenario (see `sim.drill`).

    Its contact types are those of its `surge`, or every live (not e-mail) contact type when it
    has none: detection watches them, the IVR announcement, redials and callbacks apply to them
    and the scorecard counts them. `redial_probability` replaces their redial probability while
    the incident lasts (the delay: `redial_delay`, default exponential with a 5-minute mean);
    `absence` is the share of every group's agents unable to work from start to end.
    """

    name: str = Field(min_length=1)
    kind: IncidentKind
    grade: int = Field(ge=1, le=4)
    start: IncidentStart
    duration_min: float = Field(gt=0, le=MAX_HORIZON_MIN)
    surge: list[Surge] = []
    redial_probability: float | None = Field(default=None, ge=0, le=1)
    redial_delay: Distribution | None = None
    absence: float = Field(default=0.0, ge=0, lt=1)
    response: Response = Response()
    targets: IncidentTargets = IncidentTargets()


class ResponseChanges(_Model):
    """The levers a response plan changes: each field given replaces the incident's own; a
    lever given as ``null`` is removed (`detect`, `report_after_min` and `suspend_breaks` go
    back to their defaults)."""

    detect: Detect | None = None
    report_after_min: float | None = Field(default=None, ge=0, le=MAX_HORIZON_MIN)
    ivr_announcement: IvrAnnouncement | None = None
    reserve: Reserve | None = None
    overflow: Overflow | None = None
    callback: Callback | None = None
    suspend_breaks: bool | None = None

    def applied_to(self, response: Response) -> Response:
        """`response` with these changes."""
        changes = {k: getattr(self, k) for k in self.model_fields_set if k != "source"}
        defaults = {name: f.default for name, f in Response.model_fields.items()}
        for name, value in changes.items():
            if value is None:
                changes[name] = defaults[name]
        return response.model_copy(update=changes)


class ResponsePlan(_Model):
    """A named alternative response to `incident` (see `ResponseChanges`)."""

    name: str = Field(min_length=1)
    incident: str
    response: ResponseChanges
