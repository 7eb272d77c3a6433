"""The validation table: exact Erlang C / Erlang A results against wfm's simulation.

Runs the parameter sets of ``tests/test_validation.py`` (the same scenarios, seed and
replications) and prints, for each, the exact steady-state service level (20 s), abandon rate
and ASA next to the simulated mean and its 95 % confidence interval.

Usage: ``python benchmarks/validation_table.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import queue_scenario
from exact_queues import erlang_a, erlang_c
from test_validation import CASES, REPLICATIONS, SEED

from report.text import stat_text
from scenarios.load import from_dict
from sim.replicate import simulate


def _cell(exact: float, stat: dict, scale: float, unit: str) -> str:
    inside = "yes" if stat["ci95_low"] <= exact <= stat["ci95_high"] else "NO"
    scaled = {key: stat[key] * scale for key in ("mean", "ci95_low", "ci95_high")}
    text = stat_text(scaled, percent=False, digits=2, separator=", ")
    return f"{exact * scale:.2f}{unit} | {text} | {inside}"


def main() -> None:
    print(
        "| case | interval | λ per interval | AHT s | patience s | agents "
        "| SL exact | SL simulated [95 % CI] | in CI "
        "| abandon exact | abandon simulated | in CI | ASA exact | ASA simulated | in CI |"
    )
    print("|" + "---|" * 15)
    for name, interval_min, volume, aht_s, patience_s, agents in CASES:
        scenario = from_dict(queue_scenario(interval_min, volume, aht_s, patience_s, agents))
        rate = volume / (interval_min * 60)
        if patience_s is None:
            exact = erlang_c(rate, aht_s, agents, 20)
        else:
            exact = erlang_a(rate, aht_s, patience_s, agents, 20)
        kpi = simulate(scenario, seed=SEED, replications=REPLICATIONS).to_json()
        general = kpi["contact_types"]["general"]
        if patience_s is None:
            abandon = f"0 | {general['abandon_rate']['mean']:.2f}% | -"
        else:
            abandon = _cell(exact["abandon_rate"], general["abandon_rate"], 100, "%")
        print(
            f"| {name} | {interval_min} min | {volume} | {aht_s} | {patience_s or '∞'} | {agents} "
            f"| {_cell(exact['service_level'], general['service_level'], 100, '%')} "
            f"| {abandon} | {_cell(exact['asa_s'], general['asa_s'], 1, ' s')} |"
        )


if __name__ == "__main__":
    main()
