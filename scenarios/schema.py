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
    # strict: no silent coercion of `true` to 1 or "30" to 30.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


# --- distributions of handle time and patience -------------------------------------------------


class Exponential(_Model):
    distribution: Literal["exponential"]
    mean_s: float = Field(gt=0)

    @property
    def mean(self) -> float:
        return self.mean_s


class Lognormal(_Model):
    distribution: Literal["lognormal"]
    mean_s: float = Field(gt=0)
    cv: float = Field(ge=0.01, le=20)

    @property
    def mean(self) -> float:
        return self.mean_s


class Gamma(_Model):
    distribution: Literal["gamma"]
    mean_s: float = Field(gt=0)
    cv: float = Field(ge=0.01, le=20)

    @property
    def mean(self) -> float:
        return self.mean_s


class Constant(_Model):
    distribution: Literal["constant"]
    value_s: float = Field(gt=0)

    @property
    def mean(self) -> float:
        return self.value_s


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


class Channel(_Model):
    name: str = Field(min_length=1)
    kind: Literal["voice", "chat"]
    concurrency: int = Field(default=1, ge=1, le=100)

    @model_validator(mode="after")
    def _voice_is_one_at_a_time(self) -> Channel:
        if self.kind == "voice" and self.concurrency != 1:
            raise FieldProblem("concurrency", f"a voice channel takes 1, got {self.concurrency}")
        return self


class Tier(_Model):
    name: str = Field(min_length=1)
    share: float = Field(gt=0, le=1)


class Volume(_Model):
    """Contacts offered per interval: a number (every interval of every day), a list with one
    value per interval of the day (repeated every day), or a list of such lists, one per day."""

    per_interval: Any

    @field_validator("per_interval")
    @classmethod
    def _profile(cls, value: Any) -> Any:
        return _check_profile(value, integer=False)


class ContactType(_Model):
    name: str = Field(min_length=1)
    channel: str
    skill: str = Field(min_length=1)
    tiers: list[Tier] | None = Field(default=None, min_length=1)
    volume: Volume
    handle_time: Distribution
    patience: Distribution | None = None

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


class AgentGroup(_Model):
    """Agents sharing a skill list (in routing preference order).

    `agents` is the on-duty count, shaped like `Volume.per_interval`; without it the optimiser
    decides the staffing.
    """

    name: str = Field(min_length=1)
    skills: list[str] = Field(min_length=1)
    agents: Any = None
    cost_per_hour: float | None = Field(default=None, ge=0)
    min_agents: int | None = Field(default=None, ge=0)
    max_agents: int | None = Field(default=None, ge=0)

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
            _check_profile_shape(
                ct.volume.per_interval, self.horizon, f"{where}.volume.per_interval"
            )
        types = {ct.name: ct for ct in self.contact_types}
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
        """True when every agent group gives its on-duty count (the scenario can be simulated)."""
        return all(g.agents is not None for g in self.agent_groups)


# --- helpers -----------------------------------------------------------------------------------


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
