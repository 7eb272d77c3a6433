"""The scorecards of the bundled drills: each incident under its response plan, its alternative
plans and no response at all (detection and the report only), on the bundled week plan.

Every variant of a drill runs on the same seeds (common random numbers). Prints one markdown
table per drill: the scorecard means with their 95 % intervals, and the incident targets met.

Usage::

    python benchmarks/drill_scorecards.py [DRILL.yaml ...] [--replications R] [--seed S]
                                          [--plan PLAN_JSON] [--markdown]

On 2 cores about 2-3 minutes for the five drills at 10 replications.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from report.text import stat_text
from scenarios.load import load
from scenarios.schema import Response
from scenarios.staffing import on_duty
from sim.drill import AS_GIVEN, drill
from sim.drill_score import SCORES

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios/library/drills"
NO_RESPONSE = "no response"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("drills", nargs="*", type=Path)
    parser.add_argument("--plan", type=Path, default=LIBRARY / "telecom_week_plan.json")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    shifts = json.loads(args.plan.read_text(encoding="utf-8"))["shifts"]
    lines = [
        f"Drills on `{args.plan.name}`, {args.replications} replications, seed {args.seed}; "
        "means with 95 % intervals, minutes from the incident's start.",
    ]
    for path in args.drills or sorted(LIBRARY.glob("*.yaml")):
        scenario = load(path)
        net = on_duty(scenario, shifts)
        gross = on_duty(scenario, shifts, net_of_breaks=False)
        breaks = {name: gross[name] - net[name] for name in net}
        incident = scenario.incidents[0]
        plans = [p.name for p in scenario.response_plans if p.incident == incident.name]
        started = time.perf_counter()
        result = drill(scenario, incident.name, net, breaks, compare=plans, seed=args.seed,
                       replications=args.replications)  # fmt: skip
        bare = Response(
            detect=incident.response.detect, report_after_min=incident.response.report_after_min
        )
        silent = drill(scenario, incident.name, net, breaks, seed=args.seed,
                       replications=args.replications, response=bare)  # fmt: skip
        seconds = time.perf_counter() - started
        cards = {name: result.plan_json(name) for name in result.plans}
        cards[NO_RESPONSE] = silent.plan_json(AS_GIVEN)
        lines += ["", f"**{path.name}**: {incident.name} ({incident.kind}, grade "
                  f"{incident.grade}), {seconds:.0f} s", ""]  # fmt: skip
        lines.append("| | " + " | ".join(cards) + " |")
        lines.append("|---|" + "---:|" * len(cards))
        for score in SCORES:
            lines.append(f"| {score} | " + " | ".join(_cell(c["scorecard"][score], score)
                                                     for c in cards.values()) + " |")  # fmt: skip
        lines.append("| recovered in | " + " | ".join(
            f"{round(c['recovered_share'] * args.replications)}/{args.replications}"
            for c in cards.values()) + " |")  # fmt: skip
        for k, target in enumerate(cards[AS_GIVEN]["targets"]):
            lines.append(f"| {target['metric']} <= {target['value']:g} | " + " | ".join(
                "met" if c["targets"][k]["met"] else "**missed**" for c in cards.values()
            ) + " |")  # fmt: skip
        print("\n".join(lines[-(len(SCORES) + 5 + len(cards[AS_GIVEN]["targets"])) :]), flush=True)
    if args.markdown:
        print("\n" + "\n".join(lines))


def _cell(value: dict, score: str) -> str:
    share = score == "abandon_rate"
    return stat_text(value, percent=share, digits=1 if share else 0)


if __name__ == "__main__":
    main()
