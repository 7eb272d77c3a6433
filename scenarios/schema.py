"""The scenario: a typed, validated description of what a contact centre looks like.

Every model forbids unknown keys, so a misspelt field is an error rather than a silent default.
Shape checks live on the models; checks that relate two parts of a scenario (a skill that no
group has, a target naming an unknown tier, a volume list of the wrong length) live on
`Scenario`. A failed check raises `FieldProblem`, which carries the field path relative to the
model that raised it so that `scenarios.load` can name the exact field in its one-line error.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SHARE_TOLERANCE = 1e-6
# Sanity ceilings: far beyond any centre, low enough that a typo cannot exhaust memory.
MAX_VOLUME_PER_INTERVAL = 1_000_000
MAX_AGENTS = 100_000


def _clock_text(text: str) -> str:
    clock_minutes(text)
    return text


class FieldProblem(ValueError):
    """A validation failure at `path` (e.g. ``tiers`` or ``volume.per_interval[3]``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


class _Model(BaseModel):
    """Every mapping of a scenario may say where its figures come from in `source` (a seed
    file and section, or "assumption")."""

    # strict: no silent coercion of `true` to 1 or "30" to 30.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)
    source: str | None = None


# A time of day, ``HH:MM`` (``24:00`` allowed).
ClockTime = Annotated[str, AfterValidator(_clock_text)]


# --- distributions of handle time and patience -------------------------------------------------


class _Mean(_Model):
    """A mean given in one unit of time: exactly one of `mean_s`, `mean_min`, `mean_h`."""

    mean_s: float | None = Field(default=None, gt=0)
    mean_min: float | None = Field(default=None, gt=0)
    mean_h: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_unit(self) -> _Mean:
        _one_of_units(self, ("mean_s", "mean_min", "mean_h"))
        return self

    @property
    def mean(self) -> float:
        """The mean in seconds."""
        return _seconds(self, "mean")


class Exponential(_Mean):
    distribution: Literal["exponential"]


class Lognormal(_Mean):
    distribution: Literal["lognormal"]
    cv: float = Field(ge=0.01, le=20)


class Gamma(_Mean):
    distribution: Literal["gamma"]
    cv: float = Field(ge=0.01, le=20)


class Constant(_Model):
    """Always the same: exactly one of `value_s`, `value_min`, `value_h`."""

    distribution: Literal["constant"]
    value_s: float | None = Field(default=None, gt=0)
    value_min: float | None = Field(default=None, gt=0)
    value_h: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_unit(self) -> Constant:
        _one_of_units(self, ("value_s", "value_min", "value_h"))
        return self

    @property
    def mean(self) -> float:
        """The value in seconds."""
        return _seconds(self, "value")


class Empirical(_Model):
    """Resampled uniformly from the given observations (seconds)."""

    distribution: Literal["empirical"]
    values_s: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)

    @field_validator("values_s")
    @classmethod
    def _positive_mean(cls, values: list[float]) -> list[float]:
        if sum(values) <= 0:
            raise FieldProblem("", "must contain at least one value > 0")
        return values

    @property
    def mean(self) -> float:
        return sum(self.values_s) / len(self.values_s)


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Constant | Empirical, Field(discriminator="distribution")
]
DISTRIBUTION_KINDS = ("exponential", "lognormal", "gamma", "constant", "empirical")


# --- the centre --------------------------------------------------------------------------------


class Horizon(_Model):
    days: int = Field(ge=1, le=366)
    interval_min: int = Field(gt=0)
    start: Annotated[dt.date | None, Field(strict=False)] = None  # YAML dates or "YYYY-MM-DD"
    cyclic: bool = True

    @field_validator("interval_min")
    @classmethod
    def _divides_day(cls, minutes: int) -> int:
        if 1440 % minutes:
            raise FieldProblem("", f"must divide a day (1440 min) evenly, got {minutes}")
        return minutes

    @property
    def intervals_per_day(self) -> int:
        return 1440 // self.interval_min

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
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = list(WEEKDAYS)

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


class Tier(_Model):
    name: str = Field(min_length=1)
    share: float = Field(gt=0, le=1)


class Overdispersion(_Model):
    """Forecast error: each day's volume is multiplied by a gamma factor of mean 1 and this CV."""

    cv: float = Field(gt=0, le=2)


class Volume(_Model):
    """Contacts offered, given one of two ways.

    - `per_interval`: a number (every interval of every day), a list with one value per
      interval of the day (repeated every day), or a list of such lists, one per day;
    - `daily` (contacts on an average day) spread by `intraday` (one weight per interval of the
      day; default flat) and `weekly` (7 weights, Monday first, for the horizon's weekdays;
      default flat). Weights are relative: intraday ones are scaled to sum to 1, weekly ones to
      average 1, so a week of ``daily: 1000`` offers 7000 whatever the weekly weights.

    `overdispersion` adds day-to-day forecast error on top of the Poisson noise.
    """

    per_interval: Any = None
    daily: float | None = Field(default=None, ge=0, le=MAX_VOLUME_PER_INTERVAL * 96)
    intraday: list[Annotated[float, Field(ge=0)]] | None = Field(default=None, min_length=1)
    weekly: list[Annotated[float, Field(ge=0)]] | None = Field(
        default=None, min_length=7, max_length=7
    )
    overdispersion: Overdispersion | None = None

    @field_validator("per_interval")
    @classmethod
    def _profile(cls, value: Any) -> Any:
        return None if value is None else _check_profile(value, integer=False)

    @model_validator(mode="after")
    def _one_way(self) -> Volume:
        if self.per_interval is not None:
            for name in ("daily", "intraday", "weekly"):
                if getattr(self, name) is not None:
                    raise FieldProblem(name, "give either per_interval or daily (with intraday, "
                                       "weekly), not both")  # fmt: skip
        elif self.daily is None:
            raise FieldProblem("per_interval", "required field is missing (or daily)")
        if self.intraday is not None and sum(self.intraday) <= 0:
            raise FieldProblem("intraday", "expected weights with a positive sum")
        if self.weekly is not None and sum(self.weekly) <= 0:
            raise FieldProblem("weekly", "expected weights with a positive sum")
        return self


class SelfService(_Model):
    """The share of contacts that IVR or app self-service resolves before they queue."""

    deflection: float = Field(ge=0, lt=1)


class Retrial(_Model):
    """A caller who abandons redials with `probability`, after `delay`."""

    probability: float = Field(ge=0, le=1)
    delay: Distribution


class Escalation(_Model):
    """After service, `probability` of the contacts become a contact of type `to`."""

    to: str = Field(min_length=1)
    probability: float = Field(gt=0, le=1)


class Callback(_Model):
    """Callers still waiting `offer_after_wait_s` are offered a call back and `take_up` of them
    accept: they leave the queue without abandoning and are called back, first come first
    served, when an agent of the skill is free and no live caller of the skill is waiting. A
    callback counts as answered, its wait measured to the call-back."""

    offer_after_wait_s: float = Field(gt=0)
    take_up: float = Field(ge=0, le=1)


class ContactType(_Model):
    """What customers contact the centre about, on one channel, served by one skill.

    Behaviour (all optional): `self_service` deflects a share before it queues;
    `first_contact_resolution` below 1 brings the unresolved share back as repeat contacts after
    `repeat_after` (which repeats may do again); `retrial` redials abandoned callers;
    `escalation` turns a share of the served contacts into contacts of other types; `callback`
    offers waiting callers a call back (voice only).
    """

    name: str = Field(min_length=1)
    channel: str
    skill: str = Field(min_length=1)
    tiers: list[Tier] | None = Field(default=None, min_length=1)
    volume: Volume
    handle_time: Distribution
    patience: Distribution | None = None
    self_service: SelfService | None = None
    first_contact_resolution: float | None = Field(default=None, gt=0, le=1)
    repeat_after: Distribution | None = None
    retrial: Retrial | None = None
    escalation: list[Escalation] = []
    callback: Callback | None = None

    @model_validator(mode="after")
    def _behaviour(self) -> ContactType:
        fcr = self.first_contact_resolution
        if fcr is not None and fcr < 1 and self.repeat_after is None:
            raise FieldProblem("repeat_after", "required when first_contact_resolution is below 1")
        if self.repeat_after is not None and fcr is None:
            raise FieldProblem("first_contact_resolution", "required with repeat_after")
        if self.retrial is not None and self.patience is None:
            raise FieldProblem("retrial", "needs patience: only a caller who abandons redials")
        total = sum(e.probability for e in self.escalation)
        if total > 1 + SHARE_TOLERANCE:
            raise FieldProblem("escalation", f"probabilities must sum to at most 1, got {total:g}")
        return self

    @model_validator(mode="after")
    def _tiers_are_a_partition(self) -> ContactType:
        if self.tiers is None:
            return self
        names = [t.name for t in self.tiers]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise FieldProblem(f"tiers[{i}].name", f"duplicate tier {name!r}")
        total = sum(t.share for t in self.tiers)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise FieldProblem("tiers", f"shares must sum to 1, got {total:g}")
        return self

    @property
    def tier_names(self) -> list[str]:
        """Tier names highest priority first; a type without tiers has the one tier ``""``."""
        return [t.name for t in self.tiers] if self.tiers else [""]

    @property
    def tier_shares(self) -> list[float]:
        return [t.share for t in self.tiers] if self.tiers else [1.0]


class Target(_Model):
    """Service level target: `service_level` of contacts answered within `answer_within_s`.

    `scope` says over what it is judged: the whole horizon, every day, or every interval.
    """

    contact_type: str
    tier: str | None = Field(default=None, min_length=1)
    answer_within_s: float = Field(gt=0)
    service_level: float = Field(gt=0, le=1)
    scope: Literal["horizon", "day", "interval"] = "horizon"
    source: str | None = None


class ShiftBreak(_Model):
    """A break of a worked shift: from `start` (``HH:MM``) for `length_min` minutes."""

    start: ClockTime
    length_min: int = Field(gt=0, le=24 * 60)


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
            offset = (clock_minutes(b.start) - self.start_min) % 1440
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
        return (clock_minutes(self.end) - self.start_min - 1) % 1440 + 1


class AgentGroup(_Model):
    """Agents sharing a skill list (in routing preference order).

    Staffing is given one of two ways, or left to the optimiser: `agents`, the on-duty count
    shaped like `Volume.per_interval`, or `shifts`, the shifts worked (agents on break are off
    duty). `absence` is unplanned absence: each agent misses each day with that probability
    (the count is scaled down day by day; with shifts, whole shifts are missed).
    """

    name: str = Field(min_length=1)
    skills: list[str] = Field(min_length=1)
    agents: Any = None
    shifts: list[Shift] | None = None
    absence: float = Field(default=0.0, ge=0, lt=1)
    cost_per_hour: float | None = Field(default=None, ge=0)
    min_agents: int | None = Field(default=None, ge=0)
    max_agents: int | None = Field(default=None, ge=0)

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
    length_min: int = Field(gt=0)
    after_h_min: float = Field(ge=0)
    after_h_max: float = Field(ge=0)

    @model_validator(mode="after")
    def _window(self) -> Break:
        if self.after_h_max < self.after_h_min:
            raise FieldProblem(
                "after_h_max",
                f"must be >= after_h_min ({self.after_h_min:g}), got {self.after_h_max:g}",
            )
        return self


class ShiftTemplate(_Model):
    name: str = Field(min_length=1)
    length_h: float = Field(gt=0, le=24)
    start_between: Annotated[tuple[str, str], Field(strict=False)]  # a YAML list of two times
    start_step_min: int = Field(gt=0)
    breaks: list[Break] = []
    cost_factor: float = Field(default=1.0, gt=0)
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = list(WEEKDAYS)

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


# --- incidents and drills -----------------------------------------------------------------------

INCIDENT_KINDS = ("network_fault", "complaint_wave", "security", "weather", "multi_department")


class IncidentStart(_Model):
    """When an incident begins: horizon `day` (0-based) at `time` (``HH:MM``)."""

    day: int = Field(ge=0)
    time: ClockTime


class Surge(_Model):
    """Extra demand of one contact type: its forecast offered volume times `multiplier`,
    reached linearly over `ramp_min` from the incident's start, held to its end, and falling
    back linearly over `decay_min` after it."""

    contact_type: str
    multiplier: float = Field(ge=1, le=1000)
    ramp_min: float = Field(default=0.0, ge=0)
    decay_min: float = Field(default=0.0, ge=0)


class Detect(_Model):
    """When the centre notices the incident: at a check (every minute from its start) where,
    over the last `window_min`, the incident's contact types were offered more than
    `offered_over_forecast` times their forecast, or their service level fell below
    `service_level_below`. At least one of the two conditions must be given."""

    window_min: float = Field(default=15.0, gt=0, le=24 * 60)
    offered_over_forecast: float | None = Field(default=None, gt=1)
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

    after_min: float = Field(default=0.0, ge=0)
    deflection: float = Field(ge=0, lt=1)


class Reserve(_Model):
    """`agents` on-call agents of `group` who join `activation_delay_min` after detection. On
    call they cost `cost_factor` of the group's hourly cost (the optimiser's reserve sizing)."""

    group: str
    agents: int = Field(ge=0, le=MAX_AGENTS)
    activation_delay_min: float = Field(default=30.0, ge=0)
    cost_factor: float = Field(default=0.2, ge=0, le=1)


class Overflow(_Model):
    """From detection, contacts of `contact_type` that have waited `after_wait_s` are also
    answered by agents of `to_groups`, before those agents' own work (the groups are re-tasked
    for the emergency)."""

    contact_type: str
    to_groups: list[str] = Field(min_length=1)
    after_wait_s: float = Field(default=0.0, ge=0)


class Response(_Model):
    """The levers of an incident's response. Every time counts from detection; every lever
    stands down together once the incident is over and the service level has recovered."""

    detect: Detect = Detect(offered_over_forecast=1.5, service_level_below=0.6)
    report_after_min: float = Field(default=0.0, ge=0)
    ivr_announcement: IvrAnnouncement | None = None
    reserve: Reserve | None = None
    overflow: Overflow | None = None
    callback: Callback | None = None
    suspend_breaks: bool = False


class Recover(_Model):
    service_level: float = Field(gt=0, le=1)
    within_min: float = Field(gt=0)


class IncidentTargets(_Model):
    """What the response must achieve; minutes count from the incident's start."""

    report_within_min: float | None = Field(default=None, gt=0)
    respond_within_min: float | None = Field(default=None, gt=0)
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
    kind: Literal["network_fault", "complaint_wave", "security", "weather", "multi_department"]
    grade: int = Field(ge=1, le=4)
    start: IncidentStart
    duration_min: float = Field(gt=0)
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
    report_after_min: float | None = Field(default=None, ge=0)
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


class Scenario(_Model):
    name: str = Field(min_length=1)
    horizon: Horizon
    channels: list[Channel] = Field(min_length=1)
    contact_types: list[ContactType] = Field(min_length=1)
    targets: list[Target] = []
    agent_groups: list[AgentGroup] = Field(min_length=1)
    shift_templates: list[ShiftTemplate] = []
    incidents: list[Incident] = []
    response_plans: list[ResponsePlan] = []
    surge_targets: list[str] = []

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        _unique_names(self.channels, "channels")
        _unique_names(self.contact_types, "contact_types")
        _unique_names(self.agent_groups, "agent_groups")
        _unique_names(self.shift_templates, "shift_templates")
        channels = {c.name: c for c in self.channels}
        skill_channel: dict[str, str] = {}
        group_skills = {s for g in self.agent_groups for s in g.skills}
        for i, ct in enumerate(self.contact_types):
            where = f"contact_types[{i}]"
            if ct.channel not in channels:
                raise FieldProblem(
                    f"{where}.channel", f"unknown channel {ct.channel!r}{_one_of(channels)}"
                )
            if ct.skill not in group_skills:
                raise FieldProblem(f"{where}.skill", f"no agent group has skill {ct.skill!r}")
            first = skill_channel.setdefault(ct.skill, ct.channel)
            if first != ct.channel:
                raise FieldProblem(
                    f"{where}.skill",
                    f"skill {ct.skill!r} is already used on channel {first!r}; "
                    "a skill serves one channel",
                )
            _check_volume(ct.volume, self.horizon, f"{where}.volume")
            kind = channels[ct.channel].kind
            if ct.callback is not None and kind != "voice":
                raise FieldProblem(f"{where}.callback", f"only voice calls get one, not {kind}")
            if ct.patience is not None and kind == "email":
                raise FieldProblem(f"{where}.patience", "an e-mail does not abandon: leave it out")
        types = {ct.name: ct for ct in self.contact_types}
        for i, ct in enumerate(self.contact_types):
            for j, e in enumerate(ct.escalation):
                where = f"contact_types[{i}].escalation[{j}].to"
                if e.to not in types:
                    raise FieldProblem(where, f"unknown contact type {e.to!r}{_one_of(types)}")
                if e.to == ct.name:
                    raise FieldProblem(where, "a contact type cannot escalate to itself")
        for i, channel in enumerate(self.channels):
            if channel.hours is not None:
                field = "business_hours" if channel.kind == "email" else "opening_hours"
                for part in ("start", "end"):
                    minutes = getattr(channel.hours, f"{part}_min")
                    if minutes % self.horizon.interval_min:
                        raise FieldProblem(
                            f"channels[{i}].{field}.{part}",
                            f"must fall on the {self.horizon.interval_min}-min interval grid, "
                            f"got {getattr(channel.hours, part)}",
                        )
        for i, target in enumerate(self.targets):
            where = f"targets[{i}]"
            ct = types.get(target.contact_type)
            if ct is None:
                raise FieldProblem(
                    f"{where}.contact_type",
                    f"unknown contact type {target.contact_type!r}{_one_of(types)}",
                )
            if target.tier is not None and target.tier not in ct.tier_names:
                tiers = (
                    f" (tiers: {', '.join(ct.tier_names)})" if ct.tiers else " (it has no tiers)"
                )
                raise FieldProblem(f"{where}.tier", f"unknown tier {target.tier!r}{tiers}")
        for i, group in enumerate(self.agent_groups):
            if group.agents is not None:
                _check_profile_shape(group.agents, self.horizon, f"agent_groups[{i}].agents")
            for j, shift in enumerate(group.shifts or []):
                if isinstance(shift.day, int) and shift.day >= self.horizon.days:
                    raise FieldProblem(
                        f"agent_groups[{i}].shifts[{j}].day",
                        f"expected a day from 0 to {self.horizon.days - 1} or a weekday name, "
                        f"got {shift.day}",
                    )
        _check_incidents(self)
        return self

    def incident(self, name: str) -> Incident:
        return next(i for i in self.incidents if i.name == name)

    def response_of(self, incident: Incident, plan: str | None = None) -> Response:
        """The response of `incident` as given, or as the response plan named `plan` alters it."""
        if plan is None:
            return incident.response
        found = next(p for p in self.response_plans if p.name == plan)
        return found.response.applied_to(incident.response)

    def incident_types(self, incident: Incident) -> list[int]:
        """Indices of the incident's contact types: those it surges, else every live one."""
        surged = {s.contact_type for s in incident.surge}
        return [
            t
            for t, ct in enumerate(self.contact_types)
            if (ct.name in surged if surged else self.channel_of(ct).kind != "email")
        ]

    def channel_of(self, contact_type: ContactType) -> Channel:
        return next(c for c in self.channels if c.name == contact_type.channel)

    def target_for(self, contact_type: str, tier: str | None = None) -> Target | None:
        """The target of a contact type (``tier=None``) or of one of its tiers."""
        for target in self.targets:
            if target.contact_type == contact_type and target.tier == tier:
                return target
        return None

    @property
    def staffed(self) -> bool:
        """True when every agent group gives its agents or shifts (the scenario can be
        simulated)."""
        return all(g.staffed for g in self.agent_groups)


def _check_incidents(scenario: Scenario) -> None:
    """References of the incidents, response plans and surge targets."""
    _unique_names(scenario.incidents, "incidents")
    _unique_names(scenario.response_plans, "response_plans")
    types = {ct.name: ct for ct in scenario.contact_types}
    incidents = {i.name: i for i in scenario.incidents}
    for i, incident in enumerate(scenario.incidents):
        where = f"incidents[{i}]"
        if incident.start.day >= scenario.horizon.days:
            raise FieldProblem(
                f"{where}.start.day",
                f"expected a day from 0 to {scenario.horizon.days - 1}, got {incident.start.day}",
            )
        for j, surge in enumerate(incident.surge):
            if surge.contact_type in [x.contact_type for x in incident.surge[:j]]:
                raise FieldProblem(
                    f"{where}.surge[{j}].contact_type",
                    f"{surge.contact_type!r} is surged twice: give one entry per contact type",
                )
            if surge.contact_type not in types:
                raise FieldProblem(
                    f"{where}.surge[{j}].contact_type",
                    f"unknown contact type {surge.contact_type!r}{_one_of(types)}",
                )
        _check_response(scenario, incident, incident.response, f"{where}.response")
    for i, plan in enumerate(scenario.response_plans):
        where = f"response_plans[{i}]"
        if plan.incident not in incidents:
            raise FieldProblem(
                f"{where}.incident", f"unknown incident {plan.incident!r}{_one_of(incidents)}"
            )
        incident = incidents[plan.incident]
        _check_response(
            scenario, incident, plan.response.applied_to(incident.response), f"{where}.response"
        )
    for i, name in enumerate(scenario.surge_targets):
        if name in incidents and incidents[name].response.reserve is None:
            raise FieldProblem(
                f"surge_targets[{i}]",
                f"incident {name!r} has no response.reserve to size (give its group and "
                "activation_delay_min)",
            )
        if name not in incidents:
            raise FieldProblem(
                f"surge_targets[{i}]", f"unknown incident {name!r}{_one_of(incidents)}"
            )


def _check_response(scenario: Scenario, incident: Incident, response: Response, where: str) -> None:
    types = {ct.name: ct for ct in scenario.contact_types}
    groups = {g.name for g in scenario.agent_groups}
    if response.callback is not None and not any(
        scenario.channel_of(scenario.contact_types[t]).kind == "voice"
        for t in scenario.incident_types(incident)
    ):
        raise FieldProblem(
            f"{where}.callback", "the incident's contact types include no voice calls to call back"
        )
    if response.reserve is not None and response.reserve.group not in groups:
        raise FieldProblem(
            f"{where}.reserve.group",
            f"unknown agent group {response.reserve.group!r}{_one_of(groups)}",
        )
    if response.overflow is not None:
        overflow = response.overflow
        if overflow.contact_type not in types:
            raise FieldProblem(
                f"{where}.overflow.contact_type",
                f"unknown contact type {overflow.contact_type!r}{_one_of(types)}",
            )
        channel = scenario.channel_of(types[overflow.contact_type])
        if channel.kind == "email":
            raise FieldProblem(
                f"{where}.overflow.contact_type", "e-mail is deferred work: it does not overflow"
            )
        for k, group in enumerate(overflow.to_groups):
            if group not in groups:
                raise FieldProblem(
                    f"{where}.overflow.to_groups[{k}]",
                    f"unknown agent group {group!r}{_one_of(groups)}",
                )


# --- helpers -----------------------------------------------------------------------------------

_UNIT_S = {"s": 1.0, "min": 60.0, "h": 3600.0}


def _one_of_units(model: BaseModel, names: tuple[str, ...]) -> None:
    given = [n for n in names if getattr(model, n) is not None]
    if len(given) != 1:
        listed = ", ".join(names)
        if given:
            raise FieldProblem(given[1], f"give one of {listed}, got {' and '.join(given)}")
        raise FieldProblem(names[0], f"required field is missing (or one of {listed})")


def _seconds(model: BaseModel, stem: str) -> float:
    for unit, factor in _UNIT_S.items():
        value = getattr(model, f"{stem}_{unit}")
        if value is not None:
            return value * factor
    raise AssertionError("validated to have one unit")


def clock_minutes(text: str, path: str = "") -> int:
    """Minutes after midnight of an ``HH:MM`` clock time (``24:00`` allowed)."""
    parts = text.split(":") if isinstance(text, str) else []
    if len(parts) == 2 and all(p.isdigit() and len(p) == 2 for p in parts):
        hours, minutes = int(parts[0]), int(parts[1])
        if minutes < 60 and (hours < 24 or (hours == 24 and minutes == 0)):
            return hours * 60 + minutes
    raise FieldProblem(path, f"expected a clock time HH:MM, got {text!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_profile(value: Any, integer: bool) -> Any:
    """Check the three accepted shapes of a per-interval profile (agents when `integer`, else
    contacts); lengths are checked later."""
    ceiling = MAX_AGENTS if integer else MAX_VOLUME_PER_INTERVAL
    kind = f"a {'whole ' if integer else ''}number from 0 to {ceiling:,}"

    def check(x: Any, path: str) -> None:
        if not _is_number(x) or not 0 <= x <= ceiling or (integer and x != int(x)):
            raise FieldProblem(path, f"expected {kind}, got {x!r}")

    if isinstance(value, list):
        if not value:
            raise FieldProblem("", "expected a number or a non-empty list, got []")
        if all(isinstance(row, list) for row in value):
            for d, row in enumerate(value):
                for i, x in enumerate(row):
                    check(x, f"[{d}][{i}]")
        else:
            for i, x in enumerate(value):
                check(x, f"[{i}]")
    else:
        check(value, "")
    return value


def _check_volume(volume: Volume, horizon: Horizon, path: str) -> None:
    if volume.per_interval is not None:
        _check_profile_shape(volume.per_interval, horizon, f"{path}.per_interval")
    elif volume.intraday is not None and len(volume.intraday) != horizon.intervals_per_day:
        raise FieldProblem(
            f"{path}.intraday",
            f"expected {horizon.intervals_per_day} weights (one per {horizon.interval_min}-min "
            f"interval of the day), got {len(volume.intraday)}",
        )


def _check_profile_shape(value: Any, horizon: Horizon, path: str) -> None:
    per_day = horizon.intervals_per_day
    if not isinstance(value, list):
        return
    if all(isinstance(row, list) for row in value):
        if len(value) != horizon.days:
            raise FieldProblem(
                path, f"expected one list per day ({horizon.days} days), got {len(value)} lists"
            )
        for d, row in enumerate(value):
            if len(row) != per_day:
                raise FieldProblem(
                    f"{path}[{d}]", f"expected {per_day} values (one per interval), got {len(row)}"
                )
    elif len(value) != per_day:
        raise FieldProblem(
            path,
            f"expected {per_day} values (one per {horizon.interval_min}-min interval of the day), "
            f"got {len(value)}",
        )


def _unique_names(items: list[Any], where: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.name in seen:
            raise FieldProblem(f"{where}[{i}].name", f"duplicate name {item.name!r}")
        seen.add(item.name)


def _one_of(names: Any) -> str:
    return f" (expected one of: {', '.join(names)})"
