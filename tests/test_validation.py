"""The simulator against exact queueing results.

With Poisson arrivals, exponential handle times and constant staffing, a contact type is the
M/M/n queue (Erlang C) or, with exponential patience, M/M/n+M (Erlang A), whose steady-state
service level, abandonment and ASA are known exactly (`exact_queues`, computed independently
of wfm). A week-long run reaches steady state within minutes, so the exact value must lie in
the simulation's own 95 % confidence interval. The seeds are fixed, so the check is
repeatable; a wrong engine moves the estimate by far more than the interval's width.
"""

from __future__ import annotations

import math

import pytest
from builders import queue_scenario
from exact_queues import erlang_a, erlang_c

from scenarios.load import from_dict
from sim.replicate import simulate

CASES = [
    # id, interval_min, contacts per interval, AHT s, patience s (None: Erlang C), agents
    ("C-30min-a30-n33", 30, 300, 180, None, 33),
    ("C-15min-a27-n29", 15, 100, 240, None, 29),
    ("A-30min-single-queue", 30, 300, 180, 120, 33),
    ("A-60min-a33-n34", 60, 400, 300, 90, 34),
    ("A-15min-small-n8", 15, 50, 120, 60, 8),
]


SEED = 20261123
REPLICATIONS = 10


@pytest.mark.slow
@pytest.mark.parametrize(
    ("interval_min", "volume", "aht_s", "patience_s", "agents"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_simulation_reproduces_exact_erlang(interval_min, volume, aht_s, patience_s, agents):
    scenario = from_dict(queue_scenario(interval_min, volume, aht_s, patience_s, agents))
    rate_per_s = volume / (interval_min * 60)
    if patience_s is None:
        exact = erlang_c(rate_per_s, aht_s, agents, 20)
    else:
        exact = erlang_a(rate_per_s, aht_s, patience_s, agents, 20)

    kpi = simulate(scenario, seed=SEED, replications=REPLICATIONS, workers=2).to_json()
    general = kpi["contact_types"]["general"]

    for name in ("service_level", "abandon_rate", "asa_s"):
        low, high = general[name]["ci95_low"], general[name]["ci95_high"]
        if patience_s is None and name == "abandon_rate":
            assert general[name]["mean"] == 0.0
            continue
        assert low <= exact[name] <= high, (
            f"{name}: exact {exact[name]:.5f} outside simulated 95 % CI "
            f"[{low:.5f}, {high:.5f}] (mean {general[name]['mean']:.5f})"
        )
        # The interval must be informative, not wide enough to contain anything: five points
        # for a rate; for ASA, whose Erlang C waits are heavy-tailed, a third of its value.
        assert high - low < (0.35 * exact[name] if name == "asa_s" else 0.05)
    expected_offered = volume * 7 * 1440 / interval_min
    assert math.isclose(general["offered"]["mean"], expected_offered, rel_tol=0.01)
