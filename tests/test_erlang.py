"""Tests of `optimise.erlang` against the exact reference queues in ``exact_queues``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimise.erlang import abandon_rate, asa_s, erlang_b, erlang_c, p_wait, service_level
from optimise.sizing import DAY_FACTOR_NODES, agents_needed, day_factors

try:
    from tests import exact_queues
except ImportError:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    import exact_queues

MEASURES = {
    "p_wait": p_wait,
    "service_level": service_level,
    "asa_s": asa_s,
    "abandon_rate": abandon_rate,
}
# The reference truncates its state space at a tail mass of 1e-14, so probabilities and waits
# far below that are exact only in absolute terms.
EXACT = {"rel": 1e-9, "abs": 1e-12}

# (arrival_rate_per_s, aht_s, agents) with load < agents.
ERLANG_C_CASES = [
    (0.002, 180.0, 1),  # light, a single agent
    (0.5, 4.0, 3),
    (100 / 1800, 180.0, 11),  # the textbook case
    (300 / 1800, 180.0, 31),  # a = 30 Erl, heavy
    (300 / 1800, 180.0, 40),
    (2.6, 180.0, 500),  # a = 468 Erl
    (0.5, 180.0, 500),  # a = 90 Erl on 500 agents: hardly anyone waits
]
# (arrival_rate_per_s, aht_s, patience_s, agents): light, heavy and overloaded.
ERLANG_A_CASES = [
    (0.002, 180.0, 120.0, 1),
    (300 / 1800, 180.0, 120.0, 33),
    (300 / 1800, 180.0, 60.0, 28),  # a = 30 Erl on 28 agents
    (2.0, 5.0, 3.0, 9),  # a = 10 Erl on 9 agents
    (60 / 180, 180.0, 90.0, 50),  # a = 60 Erl on 50 agents
    (1.0, 30.0, 600.0, 5),  # a = 30 Erl on 5 agents, patient callers
    (2.6, 180.0, 300.0, 500),
    (2.6, 180.0, 300.0, 440),  # a = 468 Erl on 440 agents
    (1.0, 180.0, 120.0, 500),  # a = 180 Erl on 500 agents
]
THRESHOLDS_S = [0.0, 20.0, 60.0, math.inf]


@pytest.mark.parametrize(("rate", "aht", "agents"), ERLANG_C_CASES)
@pytest.mark.parametrize("within_s", THRESHOLDS_S)
def test_erlang_c_matches_reference(rate: float, aht: float, agents: int, within_s: float) -> None:
    expected = exact_queues.erlang_c(rate, aht, agents, within_s)
    for name, measure in MEASURES.items():
        assert measure(agents, rate, aht, within_s) == pytest.approx(expected[name], **EXACT)
    assert erlang_c(agents, rate * aht) == pytest.approx(expected["p_wait"], **EXACT)


@pytest.mark.parametrize(("rate", "aht", "patience", "agents"), ERLANG_A_CASES)
@pytest.mark.parametrize("within_s", THRESHOLDS_S)
def test_erlang_a_matches_reference(
    rate: float, aht: float, patience: float, agents: int, within_s: float
) -> None:
    expected = exact_queues.erlang_a(rate, aht, patience, agents, within_s)
    for name, measure in MEASURES.items():
        got = measure(agents, rate, aht, within_s, patience)
        assert got == pytest.approx(expected[name], **EXACT), name


def test_textbook_erlang_c_example() -> None:
    # 100 calls per 30 minutes, AHT 3 minutes: a = 10 Erl on 11 agents, 20 s threshold.
    args = (11, 100 / 1800, 180.0, 20.0)
    assert p_wait(*args) == pytest.approx(0.6821, abs=5e-5)
    assert service_level(*args) == pytest.approx(0.3896, abs=5e-5)
    assert asa_s(*args) == pytest.approx(122.8, abs=0.05)
    assert abandon_rate(*args) == 0.0


def test_erlang_b_small_cases_and_large_n() -> None:
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(1, 3.0) == pytest.approx(3 / 4, rel=1e-15)
    assert erlang_b(2, 1.0) == pytest.approx(1 / 5, rel=1e-15)  # (1/2) / (1 + 1 + 1/2)
    assert erlang_b(3, 0.0) == 0.0
    blocking = erlang_b(5000, 4900.0)  # a^n / n! overflows here
    assert 0.0 < blocking < 0.05


def test_measures_broadcast_like_scalars() -> None:
    agents = np.array([[10], [12], [30]])  # (3, 1)
    rates = np.array([0.0, 0.04, 0.05, 0.15])  # (4,): per interval
    patience = np.array([np.inf, 60.0, 120.0, 300.0])
    for pat in (None, patience):
        for name, measure in MEASURES.items():
            got = measure(agents, rates, 180.0, 20.0, pat)
            assert got.shape == (3, 4)
            for i, j in np.ndindex(3, 4):
                one = None if pat is None else pat[j]
                expected = measure(int(agents[i, 0]), rates[j], 180.0, 20.0, one)
                assert got[i, j] == pytest.approx(expected, rel=1e-12, nan_ok=True), name
    assert erlang_b(agents, rates * 180).shape == (3, 4)
    assert erlang_c(agents, rates * 180).shape == (3, 4)


def test_infinite_patience_is_erlang_c() -> None:
    for name, measure in MEASURES.items():
        assert measure(33, 300 / 1800, 180.0, 20.0, math.inf) == measure(
            33, 300 / 1800, 180.0, 20.0
        ), name


def test_zero_arrivals_are_served_perfectly() -> None:
    for patience in (None, 120.0):
        assert service_level(5, 0.0, 180.0, 20.0, patience) == 1.0
        assert p_wait(5, 0.0, 180.0, 20.0, patience) == 0.0
        assert asa_s(5, 0.0, 180.0, 20.0, patience) == 0.0
        assert abandon_rate(5, 0.0, 180.0, 20.0, patience) == 0.0


@pytest.mark.parametrize("agents", [0, 9, 10])
def test_overloaded_erlang_c_is_never_met(agents: int) -> None:
    args = (agents, 10 / 180, 180.0, 20.0)  # a = 10 Erl
    assert service_level(*args) == 0.0
    assert p_wait(*args) == 1.0
    assert asa_s(*args) == math.inf
    needed = agents_needed(10 / 180, 180.0, max_abandon_rate=0.5)  # trivially met if stable
    assert needed == 11


def test_no_agents_with_patience_answers_nobody() -> None:
    assert abandon_rate(0, 0.1, 180.0, 20.0, 60.0) == pytest.approx(1.0)
    assert service_level(0, 0.1, 180.0, 20.0, 60.0) == pytest.approx(0.0, abs=1e-15)
    assert np.isnan(asa_s(0, 0.1, 180.0, 20.0, 60.0))


# Per-interval arrival rates (contacts per second) of a day with a light night and a peak.
RATES = np.array([0.0005, 0.01, 0.05, 300 / 1800, 0.5, 2.0])
AHT_S = 180.0


@pytest.mark.parametrize("patience", [None, 120.0, 30.0])
@pytest.mark.parametrize(
    "target",
    [
        {"service_level": 0.8},
        {"service_level": 0.95, "answer_within_s": 60.0},
        {"max_asa_s": 15.0},
        {"max_abandon_rate": 0.03},
        {"service_level": 0.8, "max_asa_s": 10.0, "max_abandon_rate": 0.05},
    ],
)
def test_agents_needed_is_minimal(patience: float | None, target: dict[str, float]) -> None:
    needed = agents_needed(RATES, AHT_S, patience_s=patience, **target)
    assert needed.dtype == np.int64
    within = target.get("answer_within_s", 20.0)

    def met(agents: np.ndarray) -> np.ndarray:
        args = (agents, RATES, AHT_S, within, patience)
        ok = agents > (RATES * AHT_S if patience is None else 0)
        if "service_level" in target:
            ok &= service_level(*args) >= target["service_level"]
        if "max_asa_s" in target:
            ok &= asa_s(*args) <= target["max_asa_s"]
        if "max_abandon_rate" in target:
            ok &= abandon_rate(*args) <= target["max_abandon_rate"]
        return ok

    assert np.all(met(needed))
    assert not np.any(met(needed - 1))


def test_agents_needed_example_numbers() -> None:
    rate = 300 / 1800  # 300 contacts per 30 minutes, AHT 180 s: a = 30 Erl
    assert agents_needed(rate, 180.0, service_level=0.8) == 35
    # Impatient callers leave the queue, so fewer agents reach 80 % in 20 s.
    assert agents_needed(rate, 180.0, service_level=0.8, patience_s=120.0) == 32


def test_agents_needed_broadcasts() -> None:
    rates = RATES.reshape(2, 3)
    handle = np.array([120.0, 180.0, 240.0])
    needed = agents_needed(rates, handle, service_level=0.8, patience_s=120.0)
    assert needed.shape == (2, 3)
    for i, j in np.ndindex(2, 3):
        alone = agents_needed(rates[i, j], handle[j], service_level=0.8, patience_s=120.0)
        assert needed[i, j] == alone


def test_chat_concurrency_needs_a_third_of_the_slots() -> None:
    slots = agents_needed(RATES, 300.0, service_level=0.8, answer_within_s=60.0)
    chat = agents_needed(RATES, 300.0, service_level=0.8, answer_within_s=60.0, concurrency=3)
    assert chat.dtype == np.float64
    np.testing.assert_allclose(chat, slots / 3, rtol=1e-15)
    assert np.any(chat % 1 != 0)  # fractional on purpose


def test_shrinkage_divides_by_the_share_on_the_phones() -> None:
    on_phones = agents_needed(RATES, AHT_S, service_level=0.8, patience_s=120.0)
    paid = agents_needed(RATES, AHT_S, service_level=0.8, patience_s=120.0, shrinkage=0.3)
    np.testing.assert_allclose(paid, on_phones / 0.7, rtol=1e-15)


def test_zero_volume_needs_nobody() -> None:
    needed = agents_needed(np.zeros(4), AHT_S, service_level=0.8, shrinkage=0.3)
    np.testing.assert_array_equal(needed, 0.0)
    assert agents_needed(0.0, AHT_S, max_asa_s=10.0, patience_s=60.0) == 0


def test_agents_needed_rejects_missing_or_unreachable_targets() -> None:
    with pytest.raises(ValueError, match="at least one"):
        agents_needed(0.1, AHT_S)
    with pytest.raises(ValueError, match="service_level"):
        agents_needed(0.1, AHT_S, service_level=1.0)
    with pytest.raises(ValueError, match="max_agents"):
        agents_needed(1.0, AHT_S, service_level=0.8, max_agents=100)
    with pytest.raises(ValueError, match="max_agents"):
        agents_needed(1.0, AHT_S, service_level=0.8, patience_s=60.0, max_agents=150)


def test_day_factors_stand_for_the_gamma_day_factor() -> None:
    from scipy.stats import gamma

    nodes = day_factors(0.08)
    assert nodes.size == DAY_FACTOR_NODES
    assert nodes.mean() == pytest.approx(1.0, abs=1e-12)
    # Equal-probability midpoints: the spread of a gamma of CV 8 %, a little under it (the
    # strata's tails are cut to their midpoints).
    assert 0.95 * 0.08 <= nodes.std() <= 0.08
    assert np.all(np.diff(nodes) > 0)
    shape = 1 / 0.08**2
    assert nodes[0] == pytest.approx(gamma.ppf(0.5 / 32, shape, scale=1 / shape), rel=1e-3)
    np.testing.assert_array_equal(day_factors(None), [1.0])


@pytest.mark.parametrize("patience", [None, 240.0])
def test_agents_needed_meets_the_expected_level_over_the_day_factor(patience) -> None:
    rates = np.array([0.05, 300 / 1800, 2.0])  # 9, 30 and 360 Erlangs
    needed = agents_needed(rates, AHT_S, service_level=0.8, patience_s=patience, volume_cv=0.08)
    known = agents_needed(rates, AHT_S, service_level=0.8, patience_s=patience)
    nodes = day_factors(0.08)

    def expected(agents: np.ndarray) -> np.ndarray:
        return np.mean(
            [service_level(agents, rates * f, AHT_S, 20.0, patience) for f in nodes], axis=0
        )

    assert np.all(expected(needed) >= 0.8)
    assert np.all(expected(needed - 1) < 0.8)
    # A busy day costs more service than a quiet day gives back, the more so in a big pool.
    assert np.all(needed >= known)
    assert (needed - known)[-1] > (needed - known)[0]


def test_a_tiny_day_factor_changes_nothing() -> None:
    with_cv = agents_needed(RATES, AHT_S, service_level=0.8, patience_s=120.0, volume_cv=1e-4)
    np.testing.assert_array_equal(
        with_cv, agents_needed(RATES, AHT_S, service_level=0.8, patience_s=120.0)
    )
