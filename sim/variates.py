"""Random variates of the scenario's distributions, drawn in numpy batches, and their variances."""

from __future__ import annotations

import numpy as np

from scenarios.schema import Constant, Distribution, Empirical, Exponential, Gamma, Lognormal


def draw(distribution: Distribution, rng: np.random.Generator, size: int) -> np.ndarray:
    """`size` independent draws (seconds) from `distribution`."""
    if isinstance(distribution, Exponential):
        return rng.exponential(distribution.mean, size)
    if isinstance(distribution, Lognormal):
        # Parameters of the underlying normal that give the requested mean and CV.
        sigma2 = np.log1p(distribution.cv**2)
        mu = np.log(distribution.mean) - sigma2 / 2
        return rng.lognormal(mu, np.sqrt(sigma2), size)
    if isinstance(distribution, Gamma):
        shape = 1.0 / distribution.cv**2
        return rng.gamma(shape, distribution.mean / shape, size)
    if isinstance(distribution, Constant):
        return np.full(size, distribution.mean)
    if isinstance(distribution, Empirical):
        return rng.choice(np.asarray(distribution.values_s, dtype=float), size)
    raise TypeError(f"unknown distribution {distribution!r}")


def variance(distribution: Distribution) -> float:
    """The variance (s squared) of one draw of `distribution` (`draw`'s)."""
    if isinstance(distribution, Exponential):
        return distribution.mean**2
    if isinstance(distribution, Lognormal | Gamma):
        return (distribution.cv * distribution.mean) ** 2
    if isinstance(distribution, Constant):
        return 0.0
    if isinstance(distribution, Empirical):
        return float(np.var(np.asarray(distribution.values_s, dtype=float)))
    raise TypeError(f"unknown distribution {distribution!r}")
