"""The agents a group has each week, by Monte Carlo: the headcount at the start and every hiring
class lose agents to attrition (binomial leavers each week), a class takes no contacts while it
trains and then ramps up; and the agents each week needs, from its volume with week-level noise.

Units: full-time equivalents (FTE), one agent at full productivity for a week of paid hours
less shrinkage. An agent in training counts in the headcount (and is paid) but gives 0 FTE;
in week ``k`` after training it gives ``ramp[k]`` (1 after the ramp).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

WEEKS_PER_MONTH = 52 / 12


@dataclass(frozen=True)
class GroupSupply:
    """What drives one group's supply: its starting `headcount`, monthly attrition, training
    weeks and ramp."""

    headcount: int
    attrition_per_month: float
    training_weeks: int
    ramp: tuple[float, ...]

    @property
    def weekly_leave(self) -> float:
        """The chance an agent leaves in a given week."""
        return 1 - (1 - self.attrition_per_month) ** (1 / WEEKS_PER_MONTH)

    def productivity(self, weeks_since_start: np.ndarray) -> np.ndarray:
        """FTE per agent of a class that started `weeks_since_start` weeks ago (0: its first
        week)."""
        after = np.asarray(weeks_since_start) - self.training_weeks
        ramp = np.asarray([*self.ramp, 1.0])
        return np.where(after < 0, 0.0, ramp[np.clip(after, 0, len(self.ramp))])

    def expected_fte_per_hire(self, weeks: int) -> np.ndarray:
        """`(weeks, weeks)`: the expected FTE in week w of one agent hired in week s (survival
        times productivity; 0 before s)."""
        lag = np.arange(weeks)[:, None] - np.arange(weeks)[None, :]
        survival = (1 - self.weekly_leave) ** np.maximum(lag, 0)
        return np.where(lag >= 0, survival * self.productivity(np.maximum(lag, 0)), 0.0)


@dataclass(frozen=True)
class SupplyRun:
    """Per replication and week (``(replications, weeks)``): agents employed, in training,
    and FTE available."""

    employed: np.ndarray
    in_training: np.ndarray
    available_fte: np.ndarray


def simulate_supply(
    group: GroupSupply, hires: np.ndarray, replications: int, rng: np.random.Generator
) -> SupplyRun:
    """The group over ``len(hires)`` weeks with ``hires[w]`` agents starting in week w; each
    agent employed at a week's start leaves during it with the weekly chance."""
    weeks = len(hires)
    stay = 1 - group.weekly_leave
    # Cohort 0 is the starting headcount (fully productive); cohort 1 + s is week s's class.
    cohorts = np.zeros((replications, weeks + 1), dtype=np.int64)
    cohorts[:, 0] = group.headcount
    employed = np.zeros((replications, weeks))
    training = np.zeros((replications, weeks))
    available = np.zeros((replications, weeks))
    for week in range(weeks):
        cohorts[:, week + 1] = hires[week]
        lag = week - np.arange(weeks + 1) + 1  # weeks since each class started (cohort 0: n/a)
        fte = np.where(np.arange(weeks + 1) == 0, 1.0, group.productivity(np.maximum(lag, 0)))
        fte[week + 2 :] = 0.0  # classes not started yet
        employed[:, week] = cohorts.sum(axis=1)
        trainee = (np.arange(weeks + 1) > 0) & (lag >= 0) & (lag < group.training_weeks)
        training[:, week] = cohorts[:, trainee].sum(axis=1)
        available[:, week] = cohorts @ fte
        cohorts = rng.binomial(cohorts, stay)  # who is still there next week
    return SupplyRun(employed, training, available)


def simulate_required(
    required_fte: Callable[[np.ndarray], np.ndarray],
    volume_factors: np.ndarray,
    cv: float,
    replications: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``(replications, weeks)``: the FTE each week needs, its volume factor times a gamma
    noise of mean 1 and coefficient of variation `cv` (none when 0)."""
    factors = np.broadcast_to(volume_factors, (replications, len(volume_factors)))
    if cv > 0:
        factors = factors * rng.gamma(1 / cv**2, cv**2, size=factors.shape)
    return required_fte(factors)
