"""What customers contact the centre about (`ContactType`): its tiers, volume, self-service,
redials, escalations and callbacks; and the service-level `Target` it is judged by."""

# ruff sees that a class is a pydantic model only when BaseModel is its base in the same file;
# pydantic copies these models' list defaults per instance, so none is shared.
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from scenarios.schema.base import (
    MAX_DURATION_S,
    MAX_VOLUME_PER_INTERVAL,
    MAX_WEIGHT,
    FieldProblem,
    _check_profile,
    _Model,
)
from scenarios.schema.distributions import Distribution

SHARE_TOLERANCE = 1e-6


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
      average 1, so a week of ``daily: 1000`` offers 7000 whatever the weekly weights. A
      weight is at most `MAX_WEIGHT`.

    `overdispersion` adds day-to-day forecast error on top of the Poisson noise.
    """

    per_interval: Any = None
    daily: float | None = Field(default=None, ge=0, le=MAX_VOLUME_PER_INTERVAL * 96)
    intraday: list[Annotated[float, Field(ge=0, le=MAX_WEIGHT)]] | None = Field(
        default=None, min_length=1
    )
    weekly: list[Annotated[float, Field(ge=0, le=MAX_WEIGHT)]] | None = Field(
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
    callback counts as answered, its wait measured to the call-back. `offer_after_wait_s` is at
    most `MAX_DURATION_S` (one week)."""

    offer_after_wait_s: float = Field(gt=0, le=MAX_DURATION_S)
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
    `answer_within_s` is at most `MAX_DURATION_S` (one week: an e-mail's answer time too).
    """

    contact_type: str
    tier: str | None = Field(default=None, min_length=1)
    answer_within_s: float = Field(gt=0, le=MAX_DURATION_S)
    service_level: float = Field(gt=0, le=1)
    scope: Literal["horizon", "day", "interval"] = "horizon"
    source: str | None = None
