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

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SHARE_TOLERANCE = 1e-6
# Sanity ceilings: far beyond any centre, low enough that a typo cannot exhaust memory.
MAX_VOLUME_PER_INTERVAL = 1_000_000
MAX_AGENTS = 100_000


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

    start: str
    length_min: int = Field(gt=0, le=24 * 60)

    @field_validator("start")
    @classmethod
    def _clock(cls, text: str) -> str:
        clock_minutes(text)
        return text


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


class Scenario(_Model):
    name: str = Field(min_length=1)
    horizon: Horizon
    channels: list[Channel] = Field(min_length=1)
    contact_types: list[ContactType] = Field(min_length=1)
    targets: list[Target] = []
    agent_groups: list[AgentGroup] = Field(min_length=1)
    shift_templates: list[ShiftTemplate] = []

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
        return self

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
