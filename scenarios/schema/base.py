"""What every part of a scenario shares: `FieldProblem`, the pydantic base `_Model`, the
weekdays, the minutes of a day and sanity ceilings, clock times (``HH:MM``, read and written),
figures given in one of several units, and the values of a per-interval profile (its length
against the horizon is `scenario`'s)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)  # Monday = 0
DAY_MIN = 24 * 60
# Sanity ceilings: far beyond any centre, low enough that a typo cannot exhaust memory.
MAX_VOLUME_PER_INTERVAL = 1_000_000
MAX_AGENTS = 100_000
# The longest handle time, patience, delay or wait a figure may give: one week. Longer is a
# typo, and simulated clocks, Erlang sums and written JSON stay finite below it.
MAX_DURATION_S = 7 * 86_400
MAX_HORIZON_DAYS = 366
# Times of an incident and its response, in minutes: at most the longest horizon.
MAX_HORIZON_MIN = MAX_HORIZON_DAYS * DAY_MIN
# The shift model prices shifts in integer cents: at these caps even MAX_AGENTS agents all
# of a 366-day horizon cost under 9e17 cents, inside CP-SAT's int64 (9.2e18).
MAX_COST_PER_HOUR = 1_000_000
MAX_COST_FACTOR = 10
# Relative weights (intraday, weekly): any count of contacts fits, and their sum stays finite.
MAX_WEIGHT = 1e9


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


def clock_minutes(text: str, path: str = "") -> int:
    """Minutes after midnight of an ``HH:MM`` clock time (``24:00`` allowed)."""
    parts = text.split(":") if isinstance(text, str) else []
    if len(parts) == 2 and all(p.isdigit() and len(p) == 2 for p in parts):
        hours, minutes = int(parts[0]), int(parts[1])
        if minutes < 60 and (hours < 24 or (hours == 24 and minutes == 0)):
            return hours * 60 + minutes
    raise FieldProblem(path, f"expected a clock time HH:MM, got {text!r}")


def clock_text(minutes: int) -> str:
    """The ``HH:MM`` clock time `minutes` after midnight of some day (``24:00`` is ``00:00``
    of the next)."""
    minutes %= DAY_MIN
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _checked_clock(text: str) -> str:
    clock_minutes(text)
    return text


# A time of day, ``HH:MM`` (``24:00`` allowed).
ClockTime = Annotated[str, AfterValidator(_checked_clock)]


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
