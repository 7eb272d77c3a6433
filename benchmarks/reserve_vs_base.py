"""A standby reserve against more base staff: what it costs to meet a drill's surge targets.

For each drill whose incident is a surge target (`surge_targets`), on the bundled week plan:

* **reserve**: `optimise.reserve.size_reserve` -- the fewest on-call agents of the lever's group,
  joining after its activation delay, with which recovery and the abandon rate meet the
  incident's targets; on call they cost `cost_factor` of the pay for every hour of the week;
* **base staff**: the reserve lever removed, the fewest extra agents of the same group on duty
  around the clock all week (the incident may come at any time) meeting the same targets,
  found by the same search (doubling, bisection, on the same seeds), at full pay.

Both searches use the same replications and seed; the figures are the week's cost of each.

Usage::

    python benchmarks/reserve_vs_base.py [DRILL.yaml ...] [--replications R] [--seed S]
                                         [--plan PLAN_JSON] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from optimise.reserve import SIZED_TARGETS, VERIFY_SEED_OFFSET, size_reserve, smallest_count
from scenarios.load import load
from scenarios.schema import Scenario
from scenarios.staffing import on_duty
from sim.drill import drill

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios/library/drills"


def compare(scenario: Scenario, name: str, shifts: list[dict], replications: int,
            seed: int) -> dict[str, Any]:  # fmt: skip
    """The reserve and the base-staff alternative for incident `name`."""
    net = on_duty(scenario, shifts)
    gross = on_duty(scenario, shifts, net_of_breaks=False)
    breaks = {g: gross[g] - net[g] for g in net}
    started = time.perf_counter()
    sizing = size_reserve(scenario, net, breaks, seed=seed, replications=replications,
                          progress=print)  # fmt: skip
    reserve_s = time.perf_counter() - started
    lever = scenario.incident(name).response.reserve
    group = next(g for g in scenario.agent_groups if g.name == lever.group)
    bare = scenario.incident(name).response.model_copy(update={"reserve": None})

    def holds(extra: int, run_seed: int) -> bool:
        staffed = {g: grid + (extra if g == group.name else 0) for g, grid in net.items()}
        met = drill(scenario, name, staffed, breaks, seed=run_seed, replications=replications,
                    response=bare).met(metrics=SIZED_TARGETS)  # fmt: skip
        print(f"base staff for {name}: +{extra} agents, targets {met}", flush=True)
        return met

    started = time.perf_counter()
    extra = smallest_count(lambda k: holds(k, seed))
    while extra is not None and not holds(extra, seed + VERIFY_SEED_OFFSET):
        extra += max(1, -(-extra // 8))
    base_s = time.perf_counter() - started
    hours = scenario.horizon.days * 24.0
    return {
        "incident": name, "group": group.name,
        "reserve": sizing.groups[lever.group]["agents"], "delay": lever.activation_delay_min,
        "reserve_cost": sizing.groups[lever.group]["cost"],
        "reserve_met": sizing.incidents[name]["sized_targets_met"],
        "extra": extra, "base_cost": (extra or 0) * (group.cost_per_hour or 0.0) * hours,
        "seconds": reserve_s + base_s, "scorecard": sizing.incidents[name]["scorecard"],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("drills", nargs="*", type=Path)
    parser.add_argument("--plan", type=Path, default=LIBRARY / "telecom_week_plan.json")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    shifts = json.loads(args.plan.read_text(encoding="utf-8"))["shifts"]
    rows = []
    for path in args.drills or sorted(LIBRARY.glob("*.yaml")):
        scenario = load(path)
        for name in scenario.surge_targets:
            row = compare(scenario, name, shifts, args.replications, args.seed)
            rows.append({"drill": path.name, **row})
            print(rows[-1], flush=True)
    lines = [
        f"Bundled week plan, {args.replications} replications, seed {args.seed} (sizing checked "
        "with an independent seed); targets sized: recovery and abandon rate.",
        "",
        "| drill | group | reserve (on call) | its week cost | targets met | base staff instead "
        "(24/7) | its week cost | reserve saves | wall (s) |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        base = "out of reach" if r["extra"] is None else f"+{r['extra']}"
        saving = 1 - r["reserve_cost"] / r["base_cost"] if r["base_cost"] else np.nan
        lines.append(
            f"| {r['drill']} | {r['group']} | {r['reserve']} after {r['delay']:g} min "
            f"| {r['reserve_cost']:,.0f} | {'yes' if r['reserve_met'] else 'NO'} "
            f"| {base} | {r['base_cost']:,.0f} | {saving:.0%} | {r['seconds']:.0f} |"
        )
    if args.markdown:
        print("\n".join(lines))


if __name__ == "__main__":
    main()
