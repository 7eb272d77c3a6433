"""How much each customer behaviour changes the optimised staffing of a scenario.

The scenario (default ``scenarios/library/telecom_hotline_week.yaml``) is optimised as it is,
then once with each behaviour switched off -- the field removed from every contact type or
agent group that has it -- everything else equal (same seed, replications and time limit):

* ``self_service`` (deflection), ``first_contact_resolution`` with ``repeat_after`` (repeats),
  ``retrial`` (redials), ``escalation``, ``callback``, ``volume.overdispersion`` and agent
  groups' ``absence``.

Reported for each run: agent-hours and cost of the verified plan, the change against the run
with every behaviour, whether every target holds in the plan's verification (a simulation with
a seed the loop did not use), the loop's rounds and the wall time. A behaviour "changes the
staffing" by the difference in agent-hours; as the plans come from time-limited solves and a
simulation-driven loop, differences of a percent or so are within the method's noise.

Usage::

    python benchmarks/behaviour_staffing.py [SCENARIO] [--replications R] [--time-limit S]
                                            [--seed S] [--only NAME,NAME] [--markdown]

It runs the optimiser 8 times; on 2 cores about 10-20 minutes for the default scenario.
"""

from __future__ import annotations

import argparse
import copy
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from optimise.loop import optimise
from scenarios.load import from_dict

DEFAULT = Path(__file__).resolve().parents[1] / "scenarios/library/telecom_hotline_week.yaml"


def _drop_type_fields(*names: str) -> Callable[[dict[str, Any]], int]:
    def drop(data: dict[str, Any]) -> int:
        removed = 0
        for ct in data["contact_types"]:
            for name in names:
                removed += ct.pop(name, None) is not None
        return removed

    return drop


def _drop_overdispersion(data: dict[str, Any]) -> int:
    return sum(ct["volume"].pop("overdispersion", None) is not None for ct in data["contact_types"])


def _drop_absence(data: dict[str, Any]) -> int:
    return sum(g.pop("absence", None) is not None for g in data["agent_groups"])


BEHAVIOURS: dict[str, Callable[[dict[str, Any]], int]] = {
    "self_service": _drop_type_fields("self_service"),
    "repeats (first_contact_resolution)": _drop_type_fields(
        "first_contact_resolution", "repeat_after"
    ),
    "retrial": _drop_type_fields("retrial"),
    "escalation": _drop_type_fields("escalation"),
    "callback": _drop_type_fields("callback"),
    "overdispersion": _drop_overdispersion,
    "absence": _drop_absence,
}


def run(data: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Optimise one variant; its figures."""
    scenario = from_dict(data, "variant")
    started = time.perf_counter()
    result = optimise(
        scenario, seed=args.seed, replications=args.replications, time_limit_s=args.time_limit
    )
    document = result.to_json()
    return {
        "agent_hours": document["agent_hours"],
        "cost": document["cost"],
        "targets_met": document["targets_met"],
        "rounds": len(document.get("rounds", [])),
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated behaviours to switch off")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    base = yaml.safe_load(args.scenario.read_text(encoding="utf-8"))
    wanted = [b for b in BEHAVIOURS if not args.only or b.split(" ")[0] in args.only.split(",")]

    rows = []
    full = run(base, args)
    rows.append(("every behaviour", full))
    print(f"every behaviour: {full}", flush=True)
    for name in wanted:
        data = copy.deepcopy(base)
        if not BEHAVIOURS[name](data):
            print(f"{name}: not in the scenario, skipped", flush=True)
            continue
        figures = run(data, args)
        rows.append((f"without {name}", figures))
        print(f"without {name}: {figures}", flush=True)

    lines = [
        f"{args.scenario.name}: seed {args.seed}, {args.replications} replications, "
        f"CP-SAT time limit {args.time_limit:g} s",
        "",
        "| variant | agent-hours | change | cost | targets met | rounds | wall (s) |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for label, f in rows:
        change = (f["agent_hours"] - full["agent_hours"]) / full["agent_hours"]
        lines.append(
            f"| {label} | {f['agent_hours']:,.1f} | {change:+.1%} | {f['cost']:,.0f} "
            f"| {'yes' if f['targets_met'] else 'NO'} | {f['rounds']} | {f['seconds']:.0f} |"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
