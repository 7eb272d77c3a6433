"""Sizing: the fewest agents meeting service targets, from the Erlang measures
(`optimise.erlang`).

`agents_needed` bisects, per interval, on the number of agents (every measure is monotone in
it). With a day-to-day forecast error (`volume_cv`) the targets hold for the measures'
expectation over a gamma day factor, which `day_factors` stands for by equally likely values.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from optimise.erlang import check_rates, measures

DAY_FACTOR_NODES = 32


def day_factors(cv: float | None) -> NDArray[np.float64]:
    """`DAY_FACTOR_NODES` equally likely values standing for a gamma day factor of mean 1 and
    coefficient of variation `cv` (the midpoints of as many equal-probability strata,
    rescaled to mean 1 exactly); just 1 when `cv` is None."""
    if cv is None:
        return np.ones(1)
    from scipy.stats import gamma

    shape = 1.0 / cv**2
    nodes = gamma.ppf(
        (np.arange(DAY_FACTOR_NODES) + 0.5) / DAY_FACTOR_NODES, shape, scale=1 / shape
    )
    return nodes / nodes.mean()


def agents_needed(
    arrival_rate_per_s: ArrayLike,
    aht_s: ArrayLike,
    *,
    answer_within_s: ArrayLike = 20.0,
    service_level: float | None = None,
    max_asa_s: float | None = None,
    max_abandon_rate: float | None = None,
    patience_s: ArrayLike | None = None,
    concurrency: ArrayLike = 1,
    shrinkage: ArrayLike = 0.0,
    max_agents: int = 100_000,
    volume_cv: float | None = None,
) -> NDArray[np.int64] | NDArray[np.float64]:
    """The fewest agents, per element, meeting every given target.

    The model is Erlang A with ``patience_s``, else Erlang C (where at least a + 1 agents are
    needed for a stable queue, a the load in Erlangs). Chat: an agent with ``concurrency`` c
    holds c contacts at once, each taking one slot for its handle time; the fewest slots s
    meeting the targets are found, and s / c agents are needed. Shrinkage (breaks, training,
    absence) scales the result to agents on the payroll: on the phones / (1 - shrinkage).

    Args:
        arrival_rate_per_s: Poisson arrival rate, contacts per second, >= 0.
        aht_s: mean handle time, seconds, > 0.
        answer_within_s: threshold of the service-level target, seconds.
        service_level: target share answered within ``answer_within_s``, in (0, 1).
        max_asa_s: target ceiling on the mean wait of answered contacts, seconds, > 0.
        max_abandon_rate: target ceiling on the share abandoning, in (0, 1).
        patience_s: mean exponential patience, seconds; None: nobody abandons.
        concurrency: contacts an agent holds at once, >= 1.
        shrinkage: share of paid time off the phones, in [0, 1).
        max_agents: give up (ValueError) beyond this many agents on the phones.
        volume_cv: a day-to-day forecast error: the arrival rate is scaled by a gamma factor
            of mean 1 and this CV (a scenario's `overdispersion`), and the targets hold for the
            measures' expectations over it (`DAY_FACTOR_NODES` equally likely factors). None:
            the rate is known.

    Returns:
        Agents per element: whole numbers (int64) when concurrency is 1 and shrinkage 0,
        otherwise fractional (float64; the shift optimiser rounds). Zero arrivals need 0.

    Raises:
        ValueError: no target given, a target or argument out of range, or a target that
            ``max_agents`` agents cannot meet.
    """
    if service_level is None and max_asa_s is None and max_abandon_rate is None:
        raise ValueError("give at least one of service_level, max_asa_s, max_abandon_rate")
    if service_level is not None and not 0 < service_level < 1:
        raise ValueError(f"service_level must be in (0, 1), got {service_level}")
    if max_asa_s is not None and not max_asa_s > 0:
        raise ValueError(f"max_asa_s must be > 0, got {max_asa_s}")
    if max_abandon_rate is not None and not 0 < max_abandon_rate < 1:
        raise ValueError(f"max_abandon_rate must be in (0, 1), got {max_abandon_rate}")
    patience = np.inf if patience_s is None else patience_s
    arrays = np.broadcast_arrays(
        *(
            np.asarray(v, dtype=float)
            for v in (arrival_rate_per_s, aht_s, answer_within_s, patience, concurrency, shrinkage)
        )
    )
    lam, aht, within, patience, conc, shrink = (a.ravel() for a in arrays)
    check_rates(lam, aht, within, patience)
    if not np.all(np.isfinite(conc) & (conc >= 1)):
        raise ValueError("concurrency must be >= 1")
    if not np.all((shrink >= 0) & (shrink < 1)):
        raise ValueError("shrinkage must be in [0, 1)")

    factors = day_factors(volume_cv)

    def meets(slots: np.ndarray, rows: np.ndarray) -> np.ndarray:
        level = asa = abandon = 0.0
        for factor in factors:
            _, f_level, f_asa, f_abandon = measures(
                slots, lam[rows] * factor, aht[rows], within[rows], patience[rows]
            )
            level += f_level / factors.size
            asa += f_asa / factors.size
            abandon += f_abandon / factors.size
        ok = level >= service_level if service_level is not None else np.full(rows.size, True)
        if max_asa_s is not None:
            ok &= asa <= max_asa_s
        if max_abandon_rate is not None:
            ok &= abandon <= max_abandon_rate
        return ok

    # Bracket the answer per element: `low` slots fail (by a bound), `high` slots meet the
    # targets. Erlang C fails at n <= a (unstable). Erlang A: fewer than a x (service level)
    # or a x (1 - abandon rate) slots fail, since at most n / a of the contacts are answered.
    # With a day factor, at the smallest factor's load (every factor's is larger).
    busy = np.flatnonzero(lam > 0)
    load = (lam * aht)[busy]
    share = max(service_level or 0.0, 1.0 - (max_abandon_rate or 1.0))
    least = load * factors.min()
    low = np.floor(np.where(np.isinf(patience[busy]), least, least * share)).astype(np.int64)
    cap = np.floor(max_agents * conc[busy]).astype(np.int64)
    if np.any(low >= cap):
        raise ValueError(f"targets not met with max_agents={max_agents} agents")
    high = np.ceil(load + 3.0 * np.sqrt(load)).astype(np.int64)  # normal approximation
    high = np.clip(high, low + 1, cap)
    todo = np.arange(busy.size)
    while todo.size:  # widen the bracket until `high` meets the targets
        ok = meets(high[todo], busy[todo])
        failed = todo[~ok]
        if np.any(high[failed] >= cap[failed]):
            raise ValueError(f"targets not met with max_agents={max_agents} agents")
        wider = np.minimum(2 * high[failed] - low[failed], cap[failed])
        low[failed], high[failed] = high[failed], wider
        todo = failed
    todo = np.flatnonzero(high - low > 1)
    while todo.size:  # bisect
        middle = (low[todo] + high[todo]) // 2
        ok = meets(middle, busy[todo])
        high[todo[ok]] = middle[ok]
        low[todo[~ok]] = middle[~ok]
        todo = todo[high[todo] - low[todo] > 1]

    slots = np.zeros(lam.shape, dtype=np.int64)
    slots[busy] = high
    if np.all(conc == 1) and np.all(shrink == 0):
        return slots.reshape(arrays[0].shape)
    return (slots / conc / (1.0 - shrink)).reshape(arrays[0].shape)
