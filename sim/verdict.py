"""Whether a target is met, decided from replications with a stated error rate.

A target is *met* when its expected service level (the long-run mean over replications) reaches
the target in every period of its scope: the whole horizon, each day, or each interval. For
`day` and `interval` scopes that is a family of hypotheses, one per period. Replications can
tell apart a plan that meets the target and one some period of which falls more than a
`tolerance` short of it; between the two (a period up to the tolerance under the target)
either answer is accepted, and the verdict says how far the worst period is (`room`). A
verdict on the family is one of:

- ``met``: every period's expected level is at least ``target - tolerance`` with one-sided
  confidence ``1 - alpha / looks`` (an intersection-union test: the claim "all periods are
  within tolerance" is wrong only if some period's own test is, so no division by the number
  of periods is needed). A plan with a period truly more than the tolerance below target is
  called met with probability at most ``alpha``.
- ``missed``: not met, and some period is significantly below the target. Each period is
  tested one-sided at level ``alpha / (periods x looks)`` (Bonferroni over the family and
  over the looks a sequential procedure may take), so a plan whose every period truly sits
  at the target is called missed with probability at most ``alpha``, however many intervals
  it has.
- ``undecided``: neither yet; `replications_needed` projects how many replications in all
  would decide it, if the means stayed where they are.

"Met" is tested first: a plan whose worst period sits a point under the target is met
within the 2-point tolerance whatever the replications, rather than met on a few and missed
on many (more replications only make it surer).
A plan whose periods sit exactly at the target is called met once the replications make each
period's confidence bound narrower than the tolerance; it is never called missed more often
than ``alpha``. The spread of a period's level is never taken as smaller than that of a share
of independent contacts at the target (``target x (1 - target) / contacts``), so a handful of
replications that happen to agree cannot make a quiet interval look certain. Where the levels
come with a control variate (`sim.controls`: the work that arrived, whose expectation is
known), each period's mean and spread are those of the regression on it (`period_spread`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

MET, MISSED, UNDECIDED = "met", "missed", "undecided"
MIN_CONTROL = 10  # replications a period needs before a control variate corrects its level
SINGULAR = 1e-9  # controls this close to collinear in a period are not regressed on


@dataclass(frozen=True)
class DecisionRule:
    """How verdicts are taken: one-sided `confidence` over the family, `tolerance` in
    service-level points (0.02 = 2 points), and the number of `looks` a sequential procedure
    may take at the same plan (the error rate is split over them)."""

    confidence: float = 0.95
    tolerance: float = 0.02
    looks: int = 1

    def __post_init__(self) -> None:
        if not 0.5 <= self.confidence < 1:
            raise ValueError(f"confidence must be in [0.5, 1), got {self.confidence}")
        if not 0 <= self.tolerance < 1:
            raise ValueError(f"tolerance must be in [0, 1), got {self.tolerance}")
        if self.looks < 1:
            raise ValueError(f"looks must be >= 1, got {self.looks}")

    @property
    def alpha(self) -> float:
        return 1.0 - self.confidence


@dataclass(frozen=True)
class Verdict:
    """The verdict on one target over its periods.

    `confidence` is the confidence the data give the verdict's claim (at least the rule's for
    ``met`` and ``missed``; for ``undecided``, how sure it is so far that the target is met).
    `room` is the worst period's expected level minus the target (negative: short), `room_low`
    the same for its lower one-sided confidence bound. `replications_needed` is set only when
    undecided: the replications in all that would decide it (at least one more)."""

    verdict: str
    confidence: float
    periods: int
    worst_period: int
    room: float
    room_low: float
    replications: int
    replications_needed: int | None = None

    @property
    def decided(self) -> bool:
        return self.verdict != UNDECIDED


def decide(
    levels: np.ndarray,
    goal: float,
    rule: DecisionRule,
    contacts: np.ndarray | None = None,
    control: tuple[np.ndarray, np.ndarray] | None = None,
) -> Verdict:
    """The verdict on a target of level `goal` from `levels`, ``(replications, periods)``
    service levels with NaN where a replication had no contact in that period. `contacts`,
    the same shape, gives the contacts answered or abandoned behind each level (used for the
    floor on the spread; without it there is no floor); `control` a control variate
    (`period_spread`)."""
    from scipy.stats import t as student_t

    mean, sd, n, judged, df = period_spread(levels, goal, contacts, control)
    replications = np.shape(levels)[0]
    if judged.size == 0:
        return Verdict(UNDECIDED, 0.0, 0, 0, math.nan, math.nan, replications, replications + 1)
    error = sd / np.sqrt(n)
    family = judged.size
    looks = rule.looks
    alpha = rule.alpha

    # One-sided tail probabilities: of a mean this low if the period met the target, and of a
    # mean this high if the period were a tolerance short. NaN errors (one replication) are
    # treated as no evidence either way.
    with np.errstate(invalid="ignore", divide="ignore"):
        p_short = np.where(
            error > 0, student_t.cdf((mean - goal) / error, df), np.where(mean < goal, 0.0, 1.0)
        )
        p_within = np.where(
            error > 0,
            student_t.sf((mean - (goal - rule.tolerance)) / error, df),
            np.where(mean < goal - rule.tolerance, 1.0, 0.0),
        )
    p_short = np.where(np.isnan(error), 1.0, p_short)
    p_within = np.where(np.isnan(error), 1.0, p_within)

    worst = int(np.argmin(mean))
    t_met = student_t.ppf(1 - alpha / looks, df)
    low = mean - t_met * error  # NaN where a period has one replication: no bound
    room = float(mean[worst] - goal)
    room_low = float(np.min(low) - goal)
    met_at = float(np.max(p_within)) * looks
    if met_at <= alpha:
        return Verdict(MET, 1 - met_at, family, int(judged[worst]), room, room_low, replications)
    missed_at = float(np.min(p_short)) * family * looks
    if missed_at <= alpha:
        return Verdict(
            MISSED, 1 - missed_at, family, int(judged[int(np.argmin(p_short))]), room,
            room_low, replications,
        )  # fmt: skip
    needed = _replications_needed(mean, sd, n, goal, rule, family, replications)
    return Verdict(
        UNDECIDED, max(0.0, 1 - met_at), family, int(judged[worst]), room, room_low,
        replications, needed,
    )  # fmt: skip


class Spread(NamedTuple):
    """A target's estimate per judged period (`period_spread`)."""

    mean: np.ndarray  # the expected level's estimate
    sd: np.ndarray  # the spread of one replication's level about it (NaN: one replication)
    n: np.ndarray  # replications that had contacts there
    judged: np.ndarray  # the periods' indices
    df: np.ndarray  # the degrees of freedom of `sd` (at least 1)


def period_spread(
    levels: np.ndarray,
    goal: float,
    contacts: np.ndarray | None = None,
    control: tuple[np.ndarray, np.ndarray] | None = None,
) -> Spread:
    """For the periods with at least one level (`judged`, their indices): the mean level, its
    spread over replications (never under the floor for independent contacts at `goal`; NaN
    with one replication), the number of replications that had contacts there and the
    spread's degrees of freedom.

    With `control`, ``(values, expectation)``: quantities per replication and period,
    ``(replications, periods)`` for one or ``(replications, periods, q)`` for q of them,
    whose expectations per period are known exactly (`sim.controls`), used as control
    variates where a period has at least `MIN_CONTROL` replications: the mean is corrected by
    the regression of the levels on them (``mean - slopes . (controls' means -
    expectations)``), and the spread is the residuals', on ``n - q - 1`` degrees of freedom
    and widened by ``sqrt((n - 2) / (n - q - 2))`` for the estimated slopes (the variance of
    the controlled mean under normality, Lavenberg and Welch 1981). A level that moves with
    the day's volume is then judged on what the volume does not explain."""
    x = np.asarray(levels, dtype=float)
    valid = ~np.isnan(x)
    judged = np.flatnonzero(valid.any(axis=0))
    x, valid = x[:, judged], valid[:, judged]
    n = valid.sum(axis=0)
    mean = np.where(valid, x, 0.0).sum(axis=0) / np.maximum(n, 1)
    spread = np.where(valid, x - mean, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt((spread * spread).sum(axis=0) / (n - 1))
    sd = np.where(n > 1, sd, np.nan)
    df = np.maximum(n - 1, 1)
    if control is not None:
        mean, sd, df = _controlled(spread, valid, n, mean, sd, df, control, judged)
    if contacts is not None:
        per_rep = np.where(valid, np.asarray(contacts, dtype=float)[:, judged], 0.0).sum(axis=0)
        floor = math.sqrt(goal * (1 - goal)) / np.sqrt(np.maximum(per_rep / n, 1.0))
        sd = np.where(np.isnan(sd), np.nan, np.maximum(sd, floor))
    return Spread(mean, sd, n, judged, df)


def _controlled(spread, valid, n, mean, sd, df, control, judged):
    """`mean`, `sd` and `df` corrected by the control variates (see `period_spread`)."""
    values, expectation = control
    c = np.asarray(values, dtype=float)[:, judged]
    e = np.asarray(expectation, dtype=float)[judged]
    if c.ndim == 2:
        c, e = c[..., None], e[..., None]
    q = c.shape[2]
    c_mean = np.where(valid[..., None], c, 0.0).sum(axis=0) / np.maximum(n, 1)[:, None]
    c_spread = np.where(valid[..., None], c - c_mean, 0.0)
    sxx = np.einsum("rpi,rpj->pij", c_spread, c_spread)
    sxy = np.einsum("rpi,rp->pi", c_spread, spread)
    # A period's regression needs its controls to vary independently of each other (a
    # period whose volume never varied, or took two values only, keeps its plain estimate).
    scale = np.sqrt(np.einsum("pii->pi", sxx))
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = sxx / (scale[:, :, None] * scale[:, None, :])
    usable = (n >= MIN_CONTROL) & np.all(scale > 0, axis=1)
    unit = np.where(usable[:, None, None], unit, np.eye(q))
    usable &= np.linalg.det(unit) > SINGULAR
    slope = np.zeros((len(n), q))
    solved = np.linalg.solve(unit[usable], (sxy[usable] / scale[usable])[..., None])[..., 0]
    slope[usable] = solved / scale[usable]
    residual = spread - np.einsum("rpi,pi->rp", c_spread, slope)
    with np.errstate(invalid="ignore", divide="ignore"):
        # The residuals' variance on n - q - 1 degrees of freedom, times (n - 2) / (n - q - 2)
        # for the estimated slopes.
        residual_var = (residual * residual).sum(axis=0) / (n - q - 1)
        residual_sd = np.sqrt(residual_var * (n - 2) / (n - q - 2))
    shift = np.einsum("pi,pi->p", slope, c_mean - e)
    return (
        np.where(usable, mean - shift, mean),
        np.where(usable, residual_sd, sd),
        np.where(usable, n - q - 1, df),
    )


def met_level(
    levels: np.ndarray,
    goal: float,
    rule: DecisionRule,
    contacts: np.ndarray | None = None,
    replications: int | None = None,
    control: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Per period (NaN where never judged), the mean level at which a "met" verdict would
    just be reached with `replications` (default: as many as `levels` has) at this sample's
    spread: the target less the tolerance, plus the one-sided confidence bound's width. What
    a search aims each period at: with the cap of a sequential check as `replications`,
    samples of any size aim at the same level."""
    from scipy.stats import t as student_t

    _, sd, n, judged, df = period_spread(levels, goal, contacts, control)
    if replications is not None:
        scale = replications / max(np.shape(levels)[0], 1)
        n, df = np.maximum(n, 1) * scale, np.maximum(df + (n * scale - n), 1)
    out = np.full(np.shape(levels)[1], np.nan)
    width = student_t.ppf(1 - rule.alpha / rule.looks, df) * sd / np.sqrt(n)
    out[judged] = goal - rule.tolerance + np.nan_to_num(width, nan=rule.tolerance)
    return out


def _replications_needed(
    mean: np.ndarray,
    sd: np.ndarray,
    n: np.ndarray,
    goal: float,
    rule: DecisionRule,
    family: int,
    replications: int,
) -> int:
    """Replications in all after which every period would be decided, if its mean and spread
    stayed as they are (normal quantiles; at least one more than now)."""
    from scipy.stats import norm

    z_met = norm.ppf(1 - rule.alpha / rule.looks)
    z_missed = norm.ppf(1 - rule.alpha / (family * rule.looks))
    spread = np.where(np.isnan(sd), 1.0, sd)  # one replication: assume the widest spread
    with np.errstate(divide="ignore", invalid="ignore"):
        above = mean - (goal - rule.tolerance)
        to_meet = np.where(above > 0, (z_met * spread / above) ** 2, np.inf)
        below = goal - mean
        to_miss = np.where(below > 0, (z_missed * spread / below) ** 2, np.inf)
    per_period = np.minimum(to_meet, to_miss)
    # A period's valid replications are a share of all: scale to the replications needed.
    share = n / max(replications, 1)
    total = per_period / np.maximum(share, 1e-9)
    worst = float(np.max(total))
    if not math.isfinite(worst):
        return replications + 1
    return max(replications + 1, math.ceil(worst))
