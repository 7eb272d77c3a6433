"""Exact steady-state results for Markovian contact-centre queues.

This module is a *reference oracle* for the test-suite: it gives exact long-run performance
measures of two classical queues so that the discrete-event simulator can be checked against
them.  It is deliberately independent of the simulator (numpy/scipy only, no project imports).

Conventions
-----------
* Rates are per second, times are in seconds; the unit is part of every argument name.
* ``arrival_rate_per_s`` is the Poisson arrival rate lambda; ``mean_handle_s`` is the mean of
  the exponential handle (service) time, so mu = 1 / mean_handle_s; ``mean_patience_s`` is the
  mean of the exponential patience, so theta = 1 / mean_patience_s.
* ``agents`` is the number n of identical agents; service is first-come-first-served (FCFS).
* ``answer_within_s`` is the service-level threshold T ("answered within T seconds").

Every function returns a dict with the same four keys:

``p_wait``
    Probability that an arriving caller finds all agents busy (has to queue).
``service_level``
    Long-run fraction of *all* callers who are answered with a wait <= T.  Callers who
    abandon count against it (they are in the denominator but never in the numerator).
    Callers who find an agent free wait 0 and therefore always count as answered in time.
``asa_s``
    Average speed of answer: mean wait in queue of the callers who are *answered* (for Erlang C
    every caller is answered, so it is the mean wait of all callers, zeros included).
``abandon_rate``
    Long-run fraction of callers who abandon (0.0 for Erlang C).

Models
------
``erlang_c``: M/M/n with an infinite FCFS queue and no abandonment (Erlang 1917).  With load
a = lambda / mu < n,

    P(wait) = C(n, a) = n B / (n - a (1 - B)),   B = Erlang B(n, a),
    P(W <= T) = 1 - C exp(-(n mu - lambda) T),
    E[W] = C / (n mu - lambda).

Erlang B is computed with the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)),
which never forms large powers or factorials.

``erlang_a``: M/M/n+M ("Erlang A", Palm 1943): as above, but each caller has an independent
exponential patience with rate theta and abandons as soon as their wait exceeds it.  The
results are exact up to a truncation of the state space at a tail mass below 1e-14:

1. The number in system k is a birth-death chain with birth rate lambda and death rate
   min(k, n) mu + max(k - n, 0) theta.  Its stationary distribution pi is computed in log
   space and truncated where the remaining tail mass is provably below 1e-14 (the death
   rates are non-decreasing, so the tail is bounded by a geometric series).
2. By PASTA an arrival sees pi.  An arrival that finds k < n waits 0; one that finds
   k = n + j (j >= 0) has j callers ahead of them in the queue.
3. A tagged caller with i callers ahead moves to i - 1 at rate n mu + i theta (a service
   completion, or one of the i ahead abandons); from i = 0 the next service completion
   (rate n mu) answers them.  In every state they abandon themselves at rate theta.  This is
   an absorbing CTMC with transient states {0, ..., J} and absorbing states {answered,
   abandoned}.  Callers behind the tagged one never affect it (FCFS).

   * P(answered within T | j ahead) for all j at once is the "answered" column of expm(Q T),
     Q the full generator (``scipy.linalg.expm`` for chains of up to 400 transient states,
     ``scipy.sparse.linalg.expm_multiply`` beyond).
   * P(answered | j) = (N s)_j and E[W 1{answered} | j] = (N N s)_j, where S is the
     transient block of Q, N = (-S)^{-1} is the fundamental matrix and s is the exit-rate
     vector into "answered".  -S is lower bidiagonal, so these are banded solves.
     P(abandon | j) = (N theta 1)_j is solved separately (not as 1 - P(answered)).

With theta -> 0 these reduce to the Erlang C formulas.  Equivalent closed forms exist
(Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn 2007, via incomplete gamma functions);
the test-suite cross-checks against them.

References
----------
* A. K. Erlang (1917), "Solution of some problems in the theory of probabilities of
  significance in automatic telephone exchanges".
* C. Palm (1943), "Intensitatsschwankungen im Fernsprechverkehr".
* O. Garnett, A. Mandelbaum, M. Reiman (2002), "Designing a call center with impatient
  customers", Manufacturing & Service Operations Management 4(3), 208-227.
* A. Mandelbaum, S. Zeltyn (2007), "The Palm/Erlang-A queue, with applications to call
  centers", technical note, Technion.
"""

from __future__ import annotations

import math
import operator

import numpy as np
from scipy.linalg import expm, solve_banded
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import expm_multiply

__all__ = ["erlang_a", "erlang_c"]

#: Upper bound on the stationary tail mass that is discarded by truncation.
_TAIL_MASS = 1e-14
#: Refuse state spaces larger than this (e.g. heavy overload with near-infinite patience).
_MAX_STATES = 2_000_000
#: Largest tagged-caller chain for which the dense matrix exponential is used.
_DENSE_EXPM_MAX = 400


def _check_common(
    arrival_rate_per_s: float, mean_handle_s: float, agents: int, answer_within_s: float
) -> tuple[float, float, int, float]:
    """Validate the arguments shared by both models; return (lambda, 1/mu, n, T)."""
    lam = float(arrival_rate_per_s)
    handle = float(mean_handle_s)
    t = float(answer_within_s)
    if not (math.isfinite(lam) and lam >= 0.0):
        raise ValueError(f"arrival_rate_per_s must be finite and >= 0, got {arrival_rate_per_s}")
    if not (math.isfinite(handle) and handle > 0.0):
        raise ValueError(f"mean_handle_s must be finite and > 0, got {mean_handle_s}")
    if isinstance(agents, bool):
        raise TypeError("agents must be an integer, not a bool")
    n = operator.index(agents)
    if n < 1:
        raise ValueError(f"agents must be >= 1, got {agents}")
    if math.isnan(t) or t < 0.0:
        raise ValueError(f"answer_within_s must be >= 0 (inf allowed), got {answer_within_s}")
    return lam, handle, n, t


def _erlang_b(load_erl: float, agents: int) -> float:
    """Erlang B blocking probability B(n, a) by the stable forward recursion."""
    b = 1.0
    for k in range(1, agents + 1):
        b = load_erl * b / (k + load_erl * b)
    return b


def erlang_c(
    arrival_rate_per_s: float, mean_handle_s: float, agents: int, answer_within_s: float
) -> dict[str, float]:
    """Exact steady-state measures of the M/M/n queue (Erlang C, no abandonment).

    Args:
        arrival_rate_per_s: Poisson arrival rate lambda (calls per second), >= 0.
        mean_handle_s: mean exponential handle time 1/mu (seconds), > 0.
        agents: number of agents n, >= 1.
        answer_within_s: service-level threshold T (seconds), >= 0; ``math.inf`` allowed.

    Returns:
        ``{"p_wait", "service_level", "asa_s", "abandon_rate"}`` (see module docstring);
        ``abandon_rate`` is always 0.0.

    Raises:
        ValueError: on invalid arguments, or if the offered load a = lambda/mu >= n (the
            queue is unstable and has no steady state).
        TypeError: if ``agents`` is not an integer.
    """
    lam, handle_s, n, t = _check_common(arrival_rate_per_s, mean_handle_s, agents, answer_within_s)
    mu = 1.0 / handle_s
    load = lam * handle_s
    if load >= n:
        raise ValueError(f"unstable M/M/n: offered load {load:.6g} Erl >= {n} agents")
    b = _erlang_b(load, n)
    c = n * b / (n - load * (1.0 - b))
    gap_per_s = n * mu - lam
    return {
        "p_wait": c,
        "service_level": 1.0 - c * math.exp(-gap_per_s * t),
        "asa_s": c / gap_per_s,
        "abandon_rate": 0.0,
    }


def _birth_death_stationary(
    arrival_rate_per_s: float, service_rate_per_s: float, abandon_rate_per_s: float, agents: int
) -> np.ndarray:
    """Stationary distribution of the M/M/n+M number-in-system chain, truncated.

    Returns ``pi[0..K]`` (renormalised) with K >= n chosen so that the discarded tail
    sum_{k>K} pi_k is below ``_TAIL_MASS`` times the total.  Weights are built in log space,
    so large n and loads do not overflow.
    """
    lam, mu, theta, n = arrival_rate_per_s, service_rate_per_s, abandon_rate_per_s, agents
    size = max(2 * n, n + 256)
    while True:
        k = np.arange(1, size + 1, dtype=float)
        death = np.where(k <= n, k * mu, n * mu + (k - n) * theta)
        with np.errstate(divide="ignore"):
            log_ratio = math.log(lam) - np.log(death) if lam > 0 else np.full(size, -np.inf)
        log_w = np.concatenate(([0.0], np.cumsum(log_ratio)))
        w = np.exp(log_w - log_w.max())
        total = w.sum()
        # ratio[k] = pi_{k+1} / pi_k.  Death rates are non-decreasing in k, so ratios are
        # non-increasing and, once ratio[k] < 1, the tail beyond k is at most
        # pi_k * ratio[k] / (1 - ratio[k]).
        ratio = np.exp(log_ratio)
        with np.errstate(divide="ignore", invalid="ignore"):
            tail_bound = w[:-1] * ratio / (1.0 - ratio)
        states = np.arange(size)
        ok = (states >= n) & (ratio < 1.0) & (tail_bound < _TAIL_MASS * total)
        hits = np.flatnonzero(ok)
        if hits.size:
            pi = w[: hits[0] + 1]
            return pi / pi.sum()
        if size >= _MAX_STATES:
            raise ValueError(
                "M/M/n+M state space too large to truncate exactly "
                "(overloaded system with near-infinite patience?)"
            )
        size = min(2 * size, _MAX_STATES)


def _answered_within(
    advance_per_s: np.ndarray,
    leave_per_s: np.ndarray,
    serve_per_s: float,
    abandon_per_s: float,
    t_s: float,
) -> np.ndarray:
    """P(absorbed in "answered" by time t | start in state i) for every transient state i.

    The generator Q has transient states 0..m-1 ("i callers ahead"), then "answered" (index m)
    and "abandoned" (index m + 1):  Q[i, i] = -leave[i],  Q[i, i-1] = advance[i] (i >= 1),
    Q[0, answered] = serve,  Q[i, abandoned] = abandon.  The answer is column "answered" of
    expm(Q t) restricted to the transient rows.  Dense scaling-and-squaring (cost grows only
    with log ||Q t||) is used for moderate m; the truncated-Taylor ``expm_multiply`` for large m.
    """
    m = leave_per_s.size
    answered, abandoned = m, m + 1
    i = np.arange(m)
    rows = np.concatenate((i, i[1:], [0], i))
    cols = np.concatenate((i, i[1:] - 1, [answered], np.full(m, abandoned)))
    vals = np.concatenate(
        (-leave_per_s, advance_per_s[1:], [serve_per_s], np.full(m, abandon_per_s))
    )
    generator = csr_matrix((vals * t_s, (rows, cols)), shape=(m + 2, m + 2))
    if m <= _DENSE_EXPM_MAX:
        column = expm(generator.toarray())[:m, answered]
    else:
        target = np.zeros(m + 2)
        target[answered] = 1.0
        column = expm_multiply(generator, target)[:m]
    return np.clip(column, 0.0, 1.0)


def erlang_a(
    arrival_rate_per_s: float,
    mean_handle_s: float,
    mean_patience_s: float,
    agents: int,
    answer_within_s: float,
) -> dict[str, float]:
    """Exact steady-state measures of the M/M/n+M queue (Erlang A, exponential patience).

    A caller abandons when their wait in queue exceeds their patience; service is FCFS and
    abandoned callers leave without service.  Overloaded systems (lambda/mu >= n) are fine as
    long as theta > 0: abandonment keeps the queue stable.

    Args:
        arrival_rate_per_s: Poisson arrival rate lambda (calls per second), >= 0.
        mean_handle_s: mean exponential handle time 1/mu (seconds), > 0.
        mean_patience_s: mean exponential patience 1/theta (seconds), > 0.  ``math.inf``
            means no abandonment (then the Erlang C stability condition is required).
        agents: number of agents n, >= 1.
        answer_within_s: service-level threshold T (seconds), >= 0; ``math.inf`` allowed
            (then ``service_level`` = 1 - ``abandon_rate``).

    Returns:
        ``{"p_wait", "service_level", "asa_s", "abandon_rate"}`` (see module docstring).
        ``service_level`` is answered-within-T over *all* callers; ``asa_s`` is the mean wait
        of answered callers only.

    Raises:
        ValueError: on invalid arguments, if patience is infinite and lambda/mu >= n, or if
            the truncated state space would exceed ``_MAX_STATES``.
        TypeError: if ``agents`` is not an integer.
    """
    lam, handle_s, n, t = _check_common(arrival_rate_per_s, mean_handle_s, agents, answer_within_s)
    mu = 1.0 / handle_s
    patience = float(mean_patience_s)
    if math.isnan(patience) or patience <= 0.0:
        raise ValueError(f"mean_patience_s must be > 0 (inf allowed), got {mean_patience_s}")
    theta = 1.0 / patience
    if theta == 0.0 and lam * handle_s >= n:
        raise ValueError(
            f"unstable M/M/n without abandonment: load {lam * handle_s:.6g} Erl >= {n}"
        )

    pi = _birth_death_stationary(lam, mu, theta, n)
    p_no_wait = float(pi[:n].sum())
    arrive_ahead = pi[n:]  # P(arrival finds j = 0, 1, ..., J callers already queued)
    m = arrive_ahead.size  # transient states 0..J of the tagged-caller chain

    # Tagged caller with i ahead: advance (i -> i-1, or answered from i = 0) at rate
    # n mu + i theta; abandon at rate theta; total exit rate n mu + (i + 1) theta.
    advance = n * mu + theta * np.arange(m, dtype=float)
    leave = advance + theta

    # Fundamental-matrix quantities with -S lower bidiagonal: diag = leave, sub = -advance.
    banded = np.zeros((2, m))
    banded[0] = leave
    banded[1, :-1] = -advance[1:]
    rhs = np.zeros((m, 2))
    rhs[0, 0] = n * mu  # exit-rate vector s into "answered"
    rhs[:, 1] = theta  # exit-rate vector into "abandoned"
    absorb = solve_banded((1, 0), banded, rhs)
    p_answered_given = absorb[:, 0]  # P(answered | j ahead) = (N s)_j
    p_abandon_given = absorb[:, 1]  # P(abandon | j ahead) = (N theta 1)_j
    wait_answered_given = solve_banded((1, 0), banded, p_answered_given)  # (N N s)_j

    # P(answered within T | j ahead): column "answered" of expm(Q T), Q the full generator
    # on states [0..J, answered, abandoned].
    if t == 0.0:
        in_time_given = np.zeros(m)
    elif math.isinf(t):
        in_time_given = p_answered_given
    else:
        in_time_given = _answered_within(advance, leave, n * mu, theta, t)

    p_answered = p_no_wait + float(arrive_ahead @ p_answered_given)
    abandon = float(arrive_ahead @ p_abandon_given)
    wait_answered = float(arrive_ahead @ wait_answered_given)
    return {
        "p_wait": float(arrive_ahead.sum()),
        "service_level": p_no_wait + float(arrive_ahead @ in_time_given),
        "asa_s": wait_answered / p_answered,
        "abandon_rate": abandon,
    }
