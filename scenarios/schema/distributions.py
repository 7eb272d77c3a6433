"""Distributions of handle time, patience and delays, told apart by their `distribution` key;
each gives its `mean` in seconds, at most `MAX_DURATION_S` (one week) in any unit."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from scenarios.schema.base import MAX_DURATION_S, FieldProblem, _Model, _one_of_units, _seconds

# A duration given in seconds, minutes or hours: above 0, at most one week.
_S = Field(default=None, gt=0, le=MAX_DURATION_S)
_MIN = Field(default=None, gt=0, le=MAX_DURATION_S / 60)
_H = Field(default=None, gt=0, le=MAX_DURATION_S / 3600)


class _Mean(_Model):
    """A mean given in one unit of time: exactly one of `mean_s`, `mean_min`, `mean_h`."""

    mean_s: float | None = _S
    mean_min: float | None = _MIN
    mean_h: float | None = _H

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
    value_s: float | None = _S
    value_min: float | None = _MIN
    value_h: float | None = _H

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
    values_s: list[Annotated[float, Field(ge=0, le=MAX_DURATION_S)]] = Field(min_length=1)

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
