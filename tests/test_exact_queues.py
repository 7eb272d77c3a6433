"""Checks of the exact-queue oracle in ``exact_queues`` against independent computations.

Every reference value here is obtained by a *different* route from the one the module uses:
hand-checkable textbook numbers, exact rational arithmetic, the incomplete-gamma closed forms
of Mandelbaum & Zeltyn, flow/Little identities on a separately computed birth-death
distribution, per-position closed forms, and an ODE integration of the waiting process.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.special import gammainc, gammaln

try:
    from tests import exact_queues
except ImportError:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    import exact_queues

erlang_a = exact_queues.erlang_a
erlang_c = exact_queues.erlang_c

# (arrival_rate_per_s, mean_handle_s, mean_patience_s, agents): under-, critically and
# over-loaded systems, small and large n, patience shorter and longer than the handle time.
ERLANG_A_CASES = [
    (300 / 1800, 180.0, 120.0, 33),  # a = 30 Erl
    (300 / 1800, 180.0, 60.0, 28),  # a = 30 Erl, understaffed
    (2.0, 5.0, 3.0, 9),  # a = 10 Erl, overloaded
    (0.5, 4.0, 30.0, 1),  # single agent, a = 2 Erl
    (1000 / 1800, 180.0, 300.0, 100),  # a = 100 Erl, critically loaded
]


def _reference_stationary(
    lam: float, mu: float, theta: float, n: int, extra: int = 600
) -> np.ndarray:
    """M/M/n+M number-in-system distribution on 0..n+extra by a plain product loop."""
    weights = [1.0]
    for k in range(1, n + extra + 1):
        death = k * mu if k <= n else n * mu + (k - n) * theta
        weights.append(weights[-1] * lam / death)
    pi = np.array(weights)
    assert pi[-1] / pi.sum() < 1e-15, "reference truncation too short"
    return pi / pi.sum()


# ----------------------------------------------------------------------------- Erlang C


def _erlang_c_by_factorials(load: Fraction, n: int) -> Fraction:
    """Erlang C straight from its definition, in exact rational arithmetic."""
    top = load**n / math.factorial(n) * Fraction(n) / (n - load)
    bottom = sum(load**k / math.factorial(k) for k in range(n)) + top
    return top / bottom


@pytest.mark.parametrize(
    ("load", "agents"),
    [
        (Fraction(1, 2), 1),
        (Fraction(2), 3),
        (Fraction(10), 11),
        (Fraction(30), 33),
        (Fraction(47, 3), 20),
        (Fraction(99, 10), 10),
    ],
)
def test_erlang_c_matches_direct_factorial_sum(load: Fraction, agents: int) -> None:
    handle_s = 180.0
    expected = float(_erlang_c_by_factorials(load, agents))
    got = erlang_c(float(load) / handle_s, handle_s, agents, 20.0)
    assert got["p_wait"] == pytest.approx(expected, rel=1e-11)
    gap_per_s = (agents - float(load)) / handle_s
    assert got["asa_s"] == pytest.approx(expected / gap_per_s, rel=1e-11)
    assert got["service_level"] == pytest.approx(
        1.0 - expected * math.exp(-gap_per_s * 20.0), rel=1e-11
    )
    assert got["abandon_rate"] == 0.0


def test_erlang_c_textbook_example() -> None:
    # 100 calls per 30 minutes, 3-minute handle time -> 10 Erlangs; 11 agents; 20 s target.
    # Published/hand-computed: P(wait) = 0.6821, SL = 1 - 0.6821 e^{-20/180} = 0.3896,
    # ASA = 0.6821 * 180 s / (11 - 10) = 122.8 s.
    got = erlang_c(100 / 1800, 180.0, 11, 20.0)
    assert got["p_wait"] == pytest.approx(0.6821, abs=5e-5)
    assert got["service_level"] == pytest.approx(0.3896, abs=5e-5)
    assert got["asa_s"] == pytest.approx(122.78, abs=0.01)


def test_erlang_c_small_exact_case() -> None:
    # a = 2, n = 3: P0-weights 1, 2, 2 and queue mass (8/6) * 3/(3-2) = 4, so C = 4/9.
    got = erlang_c(2.0 / 60.0, 60.0, 3, 0.0)
    assert got["p_wait"] == pytest.approx(4 / 9, rel=1e-13)
    assert got["service_level"] == pytest.approx(5 / 9, rel=1e-13)  # T = 0: answered at once
    assert got["asa_s"] == pytest.approx((4 / 9) * 60.0, rel=1e-13)


def test_erlang_c_large_n_is_stable() -> None:
    # The naive a^n / n! overflows here; the recursion must still give a sane answer.
    got = erlang_c(4900 / 180, 180.0, 5000, 20.0)
    assert 0.0 < got["p_wait"] < 1.0
    assert 0.0 < got["service_level"] < 1.0
    # Halfin-Whitt: with beta = (n - a)/sqrt(a) = 100/70, C ~ [1 + beta Phi(beta)/phi(beta)]^-1.
    beta = 100 / 70
    phi = math.exp(-beta * beta / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * (1 + math.erf(beta / math.sqrt(2)))
    assert got["p_wait"] == pytest.approx(1 / (1 + beta * big_phi / phi), rel=0.05)


@pytest.mark.parametrize("agents", [10, 9])
def test_erlang_c_rejects_unstable_load(agents: int) -> None:
    with pytest.raises(ValueError):
        erlang_c(10 / 180, 180.0, agents, 20.0)


@pytest.mark.parametrize(
    "args",
    [
        (-1.0, 180.0, 5, 20.0),
        (0.01, 0.0, 5, 20.0),
        (0.01, 180.0, 0, 20.0),
        (0.01, 180.0, 5, -1.0),
        (0.01, 180.0, 5, math.nan),
    ],
)
def test_erlang_c_rejects_bad_arguments(args: tuple) -> None:
    with pytest.raises(ValueError):
        erlang_c(*args)


def test_erlang_c_monotone_in_agents() -> None:
    rows = [erlang_c(300 / 1800, 180.0, n, 20.0) for n in range(31, 45)]
    for worse, better in itertools.pairwise(rows):
        assert better["service_level"] > worse["service_level"]
        assert better["p_wait"] < worse["p_wait"]
        assert better["asa_s"] < worse["asa_s"]


# ----------------------------------------------------------------------------- Erlang A


@pytest.mark.parametrize(
    ("lam", "handle_s", "agents", "t_s"),
    [
        (300 / 1800, 180.0, 33, 20.0),
        (100 / 1800, 180.0, 11, 20.0),
        (0.5, 4.0, 3, 0.0),
        (0.5, 4.0, 3, 5.0),
    ],
)
def test_erlang_a_with_infinite_patience_limit_is_erlang_c(
    lam: float, handle_s: float, agents: int, t_s: float
) -> None:
    expected = erlang_c(lam, handle_s, agents, t_s)
    nearly = erlang_a(lam, handle_s, 1e9, agents, t_s)
    exactly = erlang_a(lam, handle_s, math.inf, agents, t_s)
    for key in ("p_wait", "service_level", "asa_s"):
        assert nearly[key] == pytest.approx(expected[key], rel=1e-5)
        assert exactly[key] == pytest.approx(expected[key], rel=1e-10)
    assert nearly["abandon_rate"] < 1e-5
    assert exactly["abandon_rate"] == 0.0


@pytest.mark.parametrize(("lam", "handle_s", "patience_s", "agents"), ERLANG_A_CASES)
def test_erlang_a_flow_and_little_identities(
    lam: float, handle_s: float, patience_s: float, agents: int
) -> None:
    mu, theta, n = 1.0 / handle_s, 1.0 / patience_s, agents
    pi = _reference_stationary(lam, mu, theta, n)
    k = np.arange(pi.size)
    busy = float(pi @ np.minimum(k, n))
    queue = float(pi @ np.maximum(k - n, 0))
    got = erlang_a(lam, handle_s, patience_s, agents, 20.0)
    # Throughput: answered callers per second = completions per second.
    assert lam * (1.0 - got["abandon_rate"]) == pytest.approx(mu * busy, rel=1e-9)
    # Abandonments per second = theta * E[queue length] (exponential patience).
    assert got["abandon_rate"] == pytest.approx(theta * queue / lam, rel=1e-9)
    # PASTA: arrivals find all agents busy with the stationary probability.
    assert got["p_wait"] == pytest.approx(float(pi[n:].sum()), rel=1e-10)


def _kummer_a(x: float, y: float) -> float:
    """Mandelbaum-Zeltyn A(x, y) = x e^y y^-x gamma_lower(x, y) = sum_j y^j / (x+1)_j."""
    return math.exp(math.log(x) + y - x * math.log(y) + gammaln(x) + math.log(gammainc(x, y)))


@pytest.mark.parametrize(("lam", "handle_s", "patience_s", "agents"), ERLANG_A_CASES)
def test_erlang_a_matches_mandelbaum_zeltyn_closed_forms(
    lam: float, handle_s: float, patience_s: float, agents: int
) -> None:
    mu, theta, n = 1.0 / handle_s, 1.0 / patience_s, agents
    load = lam / mu
    # Erlang B(n, a) from its definition via log-sum-exp (independent of the recursion).
    logs = np.array([j * math.log(load) - math.lgamma(j + 1) for j in range(n + 1)])
    blocking = math.exp(logs[-1] - (logs.max() + math.log(np.exp(logs - logs.max()).sum())))
    a_xy = _kummer_a(n * mu / theta, lam / theta)
    pi_n = blocking / (1.0 + (a_xy - 1.0) * blocking)
    p_wait = a_xy * pi_n
    rho = lam / (n * mu)
    p_abandon = (1.0 / (rho * a_xy) + 1.0 - 1.0 / rho) * p_wait
    got = erlang_a(lam, handle_s, patience_s, agents, 20.0)
    assert got["p_wait"] == pytest.approx(p_wait, rel=1e-9)
    assert got["abandon_rate"] == pytest.approx(p_abandon, rel=1e-9)


@pytest.mark.parametrize(("lam", "handle_s", "patience_s", "agents"), ERLANG_A_CASES)
@pytest.mark.parametrize("t_s", [0.0, 7.5, 20.0, 60.0])
def test_erlang_a_asa_and_service_level_by_independent_routes(
    lam: float, handle_s: float, patience_s: float, agents: int, t_s: float
) -> None:
    mu, theta, n = 1.0 / handle_s, 1.0 / patience_s, agents
    pi = _reference_stationary(lam, mu, theta, n)
    ahead = pi[n:]  # j = 0, 1, ... callers ahead of an arrival who has to wait
    j = np.arange(ahead.size)
    exit_rate = n * mu + (j + 1) * theta  # total leaving rate with j ahead
    # Competing exponentials: answered iff every stage ends by "advance", not "abandon";
    # given that, the stage holding times are still Exp(exit_rate).
    p_answered = np.cumprod((n * mu + j * theta) / exit_rate)
    wait_answered = p_answered * np.cumsum(1.0 / exit_rate)
    answered = pi[:n].sum() + ahead @ p_answered
    expected_asa = float(ahead @ wait_answered / answered)

    # Service level: integrate the forward equations of the mixed waiting process.
    def forward(_t: float, x: np.ndarray) -> np.ndarray:
        q = x[:-1]
        dq = -exit_rate * q
        dq[:-1] += (n * mu + j[1:] * theta) * q[1:]
        return np.append(dq, n * mu * q[0])

    sol = solve_ivp(
        forward, (0.0, t_s), np.append(ahead, 0.0), method="DOP853", rtol=1e-11, atol=1e-15
    )
    expected_sl = float(pi[:n].sum() + sol.y[-1, -1])

    got = erlang_a(lam, handle_s, patience_s, agents, t_s)
    assert got["asa_s"] == pytest.approx(expected_asa, rel=1e-9)
    assert got["service_level"] == pytest.approx(expected_sl, rel=1e-8)
    assert got["abandon_rate"] == pytest.approx(1.0 - answered, rel=1e-9)


def test_erlang_a_service_level_limits_in_threshold() -> None:
    args = (300 / 1800, 180.0, 120.0, 33)
    at_zero = erlang_a(*args, 0.0)
    assert at_zero["service_level"] == pytest.approx(1.0 - at_zero["p_wait"], rel=1e-12)
    levels = [erlang_a(*args, t)["service_level"] for t in (0.0, 5.0, 20.0, 60.0, 600.0)]
    assert all(b > a for a, b in itertools.pairwise(levels))
    # The matrix-exponential route at a long horizon must meet the absorption route.
    far = erlang_a(*args, 1e5)
    never = erlang_a(*args, math.inf)
    assert far["service_level"] == pytest.approx(1.0 - never["abandon_rate"], rel=1e-9)
    assert never["service_level"] == pytest.approx(1.0 - never["abandon_rate"], rel=1e-12)


@pytest.mark.parametrize("t_s", [0.5, 20.0, 300.0])
def test_erlang_a_dense_and_sparse_matrix_exponentials_agree(
    monkeypatch: pytest.MonkeyPatch, t_s: float
) -> None:
    args = (300 / 1800, 180.0, 600.0, 31, t_s)
    dense = erlang_a(*args)
    monkeypatch.setattr(exact_queues, "_DENSE_EXPM_MAX", 0)
    sparse = erlang_a(*args)
    assert sparse["service_level"] == pytest.approx(dense["service_level"], rel=1e-10)


def test_erlang_a_monotone_in_agents_and_patience() -> None:
    rows = [erlang_a(300 / 1800, 180.0, 120.0, n, 20.0) for n in range(20, 45)]
    for worse, better in itertools.pairwise(rows):
        assert better["service_level"] > worse["service_level"]
        assert better["abandon_rate"] < worse["abandon_rate"]
        assert better["p_wait"] < worse["p_wait"]
        assert better["asa_s"] < worse["asa_s"]
    by_patience = [erlang_a(300 / 1800, 180.0, p, 30, 20.0) for p in (30.0, 120.0, 600.0)]
    for impatient, patient in itertools.pairwise(by_patience):
        assert patient["abandon_rate"] < impatient["abandon_rate"]
        assert patient["asa_s"] > impatient["asa_s"]


def test_erlang_a_overload_respects_capacity_bound() -> None:
    # a = 60 Erl on 50 agents: at most n mu of the lambda can be served.
    got = erlang_a(60 / 180, 180.0, 90.0, 50, 20.0)
    assert got["abandon_rate"] > 1.0 - 50 / 60
    assert got["abandon_rate"] < 1.0
    assert 0.0 < got["service_level"] < 1.0 - got["abandon_rate"]


def test_erlang_a_large_system_runs_quickly_and_sanely() -> None:
    got = erlang_a(1000 / 180, 180.0, 120.0, 900, 20.0)  # a = 1000 Erl on 900 agents
    assert got["abandon_rate"] > 1.0 - 900 / 1000
    assert 0.0 < got["service_level"] < 1.0


@pytest.mark.parametrize(
    "args",
    [
        (0.1, 180.0, 0.0, 5, 20.0),
        (0.1, 180.0, -5.0, 5, 20.0),
        (0.1, 180.0, math.nan, 5, 20.0),
        (0.1, 180.0, math.inf, 18, 20.0),
        (0.1, 180.0, 60.0, 0, 20.0),
    ],
)
def test_erlang_a_rejects_bad_arguments(args: tuple) -> None:
    with pytest.raises(ValueError):
        erlang_a(*args)
