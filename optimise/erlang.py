"""Analytic staffing: Erlang B, C and A, vectorised over intervals.

Every function takes scalars or numpy arrays (one value per interval, say), broadcasts them
together and returns numpy arrays of the broadcast shape. Rates are per second and times in
seconds; the unit is part of each argument name.

Models, with Poisson arrivals at rate lambda, exponential handle times of mean ``aht_s`` = 1/mu,
n identical agents, first-come-first-served, and the offered load a = lambda/mu in Erlangs:

* **Erlang B** (M/M/n/n): no queue; B(n, a) is the share of arrivals finding every agent busy.
* **Erlang C** (M/M/n): an unlimited queue and nobody abandons. Stable only when a < n; an
  unstable interval has P(wait) = 1, service level 0 and an infinite ASA.
* **Erlang A** (M/M/n+M, Palm): as Erlang C, but a waiting caller abandons once the wait
  exceeds an exponential patience of mean ``patience_s`` = 1/theta. Always stable.

Service level is answered within the threshold over *all* contacts: abandoned contacts count
against it, as in the simulator. ASA is the mean wait of answered contacts. With no arrivals,
every function reports the ideal (service level 1, no waiting, no abandonment).

Erlang A is computed exactly from its birth-death chain. With x = n mu / theta and
y = lambda / theta, an arrival finds j >= 0 callers queued with probability P(all busy, none
queued) * r_j, where r_j = prod_{i=1..j} y / (x + i); that caller is answered with probability
x / (x + j + 1), after a mean wait of sum_{i=1..j+1} 1 / (theta (x + i)) if answered. The terms
r_j are summed in log space until the rest adds up to less than e^-40 of the largest one, so
the results are exact to rounding error. Mandelbaum & Zeltyn (2007), "The Palm/Erlang-A queue,
with applications to call centers", give the same measures with incomplete gamma functions.

`optimise.sizing.agents_needed` inverts these measures.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "abandon_rate",
    "asa_s",
    "check_rates",
    "erlang_b",
    "erlang_c",
    "measures",
    "p_wait",
    "service_level",
]


def _integers(values: np.ndarray, name: str) -> np.ndarray:
    """``values`` as an int64 array; raises ValueError unless whole numbers >= 0."""
    if not (np.all(np.isfinite(values)) and np.all(values >= 0) and np.all(values % 1 == 0)):
        raise ValueError(f"{name} must be whole numbers >= 0")
    return values.astype(np.int64)


def _erlang_b(agents: np.ndarray, load_erl: np.ndarray) -> np.ndarray:
    """B(n, a) for 1-D arrays by the stable recursion B(k) = a B(k-1) / (k + a B(k-1))."""
    blocking = np.ones(load_erl.shape)
    for k in range(1, int(agents.max(initial=0)) + 1):
        step = load_erl * blocking
        blocking = np.where(k <= agents, step / (k + step), blocking)
    return blocking


def erlang_b(agents: ArrayLike, load_erl: ArrayLike) -> NDArray[np.float64]:
    """Blocking probability B(n, a) of the Erlang loss system M/M/n/n.

    Args:
        agents: number of agents (servers) n, whole numbers >= 0.
        load_erl: offered load a = arrival rate x mean handle time, in Erlangs, >= 0.

    Returns:
        B(n, a), from the recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), which forms
        no factorials or powers, so it neither overflows nor loses precision for large n.
    """
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load_erl, dtype=float))
    if not np.all(np.isfinite(a) & (a >= 0)):
        raise ValueError("load_erl must be finite and >= 0")
    n = _integers(n, "agents")
    return _erlang_b(n.ravel(), a.ravel()).reshape(n.shape)


def erlang_c(agents: ArrayLike, load_erl: ArrayLike) -> NDArray[np.float64]:
    """Probability of waiting C(n, a) in the Erlang C queue M/M/n.

    Args:
        agents: number of agents n, whole numbers >= 0.
        load_erl: offered load a in Erlangs, >= 0.

    Returns:
        C(n, a) = n B / (n - a (1 - B)) with B = B(n, a) when a < n; 1 where a >= n (the queue
        is unstable and every caller waits).
    """
    blocking = erlang_b(agents, load_erl)
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load_erl, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = n * blocking / (n - a * (1.0 - blocking))
    return np.where(a < n, wait, 1.0)


def _erlang_c_measures(
    n: np.ndarray, lam: np.ndarray, aht: np.ndarray, within: np.ndarray
) -> tuple[np.ndarray, ...]:
    """(p_wait, service_level, asa_s, abandon_rate) of M/M/n for 1-D arrays with lambda > 0."""
    load = lam * aht
    stable = load < n
    blocking = _erlang_b(n, load)
    gap_per_s = (n - load) / aht  # n mu - lambda
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wait = np.where(stable, n * blocking / (n - load * (1.0 - blocking)), 1.0)
        level = np.where(stable, 1.0 - wait * np.exp(-gap_per_s * within), 0.0)
        asa = np.where(stable, wait / gap_per_s, np.inf)
    return wait, level, asa, np.zeros_like(wait)


def _log_terms(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log r_j = sum_{i=1..j} log(y / (x + i)) for j = 0..J, one row per element, with J large
    enough that all the terms beyond J add up to less than e^-40 of the largest term."""
    # The terms grow up to j = y - x, then fall: about like a normal density of variance y,
    # and at least by a factor (x + 1) / y per step. Guess J from that, then make sure.
    with np.errstate(divide="ignore"):
        fall = np.minimum(10.0 * np.sqrt(y), 45.0 / np.log(np.maximum((x + 1.0) / y, 1.0)))
    length = int(np.max(np.maximum(y - x, 0.0) + fall)) + 20
    while True:
        steps = np.log(y)[:, None] - np.log(x[:, None] + np.arange(1, length))
        log_r = np.concatenate((np.zeros((x.size, 1)), np.cumsum(steps, axis=1)), axis=1)
        # Every later ratio r_{j+1} / r_j is at most q < 1, so the tail is below r_J q / (1 - q).
        q = y / (x + length)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_tail = log_r[:, -1] + np.log(q) - np.log1p(-q)
        if np.all((q < 1.0) & (log_tail < log_r.max(axis=1) - 40.0)):
            return log_r
        length *= 2


def _log_sum_exp(values: np.ndarray) -> np.ndarray:
    """log(sum(exp(values), axis=1)) without overflow."""
    top = values.max(axis=1)
    return top + np.log(np.exp(values - top[:, None]).sum(axis=1))


def _erlang_a_measures(
    n: np.ndarray, lam: np.ndarray, aht: np.ndarray, within: np.ndarray, patience: np.ndarray
) -> tuple[np.ndarray, ...]:
    """(p_wait, service_level, asa_s, abandon_rate) of M/M/n+M for 1-D arrays with lambda > 0.

    Uses the series of the module docstring. Of the callers answered after a wait, the share
    answered later than T is P(x+1, z) / P(x+1, y) (Mandelbaum & Zeltyn), P the regularised
    lower incomplete gamma function and z = y e^(-theta T). Expanding P in its power series
    turns that ratio into the series
    e^(y - z - (x+1) theta T) sum_{j>=1} r_j e^(-(j-1) theta T) / sum_{j>=1} r_j.
    """
    theta = 1.0 / patience
    x = n / aht / theta
    y = lam / theta
    log_r = _log_terms(x, y)
    j = np.arange(log_r.shape[1])
    top = log_r.max(axis=1)
    weights = np.exp(log_r - top[:, None])  # r_j / max r
    answered_if = x[:, None] / (x[:, None] + j + 1.0)  # P(answered | j ahead)
    abandon_if = (j + 1.0) / (x[:, None] + j + 1.0)
    mean_wait_if = np.cumsum(1.0 / (x[:, None] + j + 1.0), axis=1) / theta[:, None]
    total = weights.sum(axis=1)

    blocking = _erlang_b(n, lam * aht)
    # P(all busy, none queued) = B / (1 + (A - 1) B) with A = sum r_j, so that
    # P(wait) = A B / (1 + (A - 1) B); written with 1/A, which may underflow to 0.
    inv_a = np.exp(-top) / total
    no_wait = (1.0 - blocking) * inv_a / (blocking + (1.0 - blocking) * inv_a)
    wait = blocking / (blocking + (1.0 - blocking) * inv_a)
    answered_after_wait = wait * (weights * answered_if).sum(axis=1) / total
    abandon = wait * (weights * abandon_if).sum(axis=1) / total
    waited_s = wait * (weights * answered_if * mean_wait_if).sum(axis=1) / total

    theta_t = theta * within
    with np.errstate(invalid="ignore"):
        log_late = (
            y * -np.expm1(-theta_t)
            - (x + 1.0) * theta_t
            + _log_sum_exp(log_r[:, 1:] - theta_t[:, None] * (j[1:] - 1))
            - _log_sum_exp(log_r[:, 1:])
        )
    in_time = np.where(np.isinf(within), 1.0, -np.expm1(np.minimum(log_late, 0.0)))
    level = no_wait + answered_after_wait * in_time
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = waited_s / (no_wait + answered_after_wait)
    return wait, level, asa, abandon


def measures(
    agents: ArrayLike,
    arrival_rate_per_s: ArrayLike,
    aht_s: ArrayLike,
    answer_within_s: ArrayLike,
    patience_s: ArrayLike | None,
) -> tuple[np.ndarray, ...]:
    """The four measures at once, ``(p_wait, service_level, asa_s, abandon_rate)``: the
    arguments validated (`check_rates`) and broadcast as for `service_level`."""
    patience = np.inf if patience_s is None else patience_s
    values = (agents, arrival_rate_per_s, aht_s, answer_within_s, patience)
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))
    n, lam, aht, within, patience = (a.ravel() for a in arrays)
    n = _integers(n, "agents")
    check_rates(lam, aht, within, patience)
    # Rows p_wait, service_level, asa_s, abandon_rate; no arrivals: no waiting, level 1.
    results = np.zeros((4, lam.size))
    results[1] = 1.0
    rows = (lam > 0) & np.isinf(patience)
    if rows.any():
        results[:, rows] = _erlang_c_measures(n[rows], lam[rows], aht[rows], within[rows])
    rows = (lam > 0) & np.isfinite(patience)
    if rows.any():
        results[:, rows] = _erlang_a_measures(
            n[rows], lam[rows], aht[rows], within[rows], patience[rows]
        )
    return tuple(r.reshape(arrays[0].shape) for r in results)


def check_rates(lam: np.ndarray, aht: np.ndarray, within: np.ndarray, patience: np.ndarray) -> None:
    """Raise ValueError for an arrival rate, handle time, threshold or patience out of range
    (1-D arrays of the same length)."""
    if not np.all(np.isfinite(lam) & (lam >= 0)):
        raise ValueError("arrival_rate_per_s must be finite and >= 0")
    if not np.all(np.isfinite(aht) & (aht > 0)):
        raise ValueError("aht_s must be finite and > 0")
    if not np.all(within >= 0):
        raise ValueError("answer_within_s must be >= 0 (inf allowed)")
    if not np.all(patience > 0):
        raise ValueError("patience_s must be > 0 (inf or None: nobody abandons)")


def service_level(
    agents: ArrayLike,
    arrival_rate_per_s: ArrayLike,
    aht_s: ArrayLike,
    answer_within_s: ArrayLike,
    patience_s: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Share of all contacts answered within ``answer_within_s``; abandoned ones count against.

    Erlang C: 1 - C exp(-(n mu - lambda) T), and 0 where the queue is unstable (a >= n).
    Erlang A: exact, as described in the module docstring.

    Args:
        agents: agents handling contacts, whole numbers >= 0.
        arrival_rate_per_s: Poisson arrival rate lambda, contacts per second, >= 0.
        aht_s: mean (exponential) handle time 1/mu, seconds, > 0.
        answer_within_s: service-level threshold T, seconds, >= 0 (inf allowed).
        patience_s: mean (exponential) patience 1/theta, seconds, > 0: Erlang A. None or inf:
            nobody abandons, Erlang C.
    """
    return measures(agents, arrival_rate_per_s, aht_s, answer_within_s, patience_s)[1]


def asa_s(
    agents: ArrayLike,
    arrival_rate_per_s: ArrayLike,
    aht_s: ArrayLike,
    answer_within_s: ArrayLike | None = None,
    patience_s: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Average speed of answer: the mean wait of answered contacts, in seconds.

    Erlang C: C / (n mu - lambda), inf where unstable. Erlang A: exact; nan with no agents
    (nobody is answered). Arguments as for `service_level`; ``answer_within_s`` is not used,
    it is accepted so that the four measures take the same arguments.
    """
    return measures(agents, arrival_rate_per_s, aht_s, 0.0, patience_s)[2]


def abandon_rate(
    agents: ArrayLike,
    arrival_rate_per_s: ArrayLike,
    aht_s: ArrayLike,
    answer_within_s: ArrayLike | None = None,
    patience_s: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Share of contacts that abandon: 0 for Erlang C, exact for Erlang A.

    Arguments as for `service_level` (``answer_within_s`` is not used).
    """
    return measures(agents, arrival_rate_per_s, aht_s, 0.0, patience_s)[3]


def p_wait(
    agents: ArrayLike,
    arrival_rate_per_s: ArrayLike,
    aht_s: ArrayLike,
    answer_within_s: ArrayLike | None = None,
    patience_s: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Probability that an arriving contact finds every agent busy and has to wait.

    Erlang C: C(n, a), 1 where unstable. Erlang A: exact. Arguments as for `service_level`
    (``answer_within_s`` is not used).
    """
    return measures(agents, arrival_rate_per_s, aht_s, 0.0, patience_s)[0]
