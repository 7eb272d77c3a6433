"""The telecom year (`scenarios/library/capacity/telecom_year.yaml`): wfm's capacity plan against
no hiring and against the usual spreadsheet method, all checked on the same fresh Monte Carlo
sample against wfm's simulation-based requirement curve.

- **wfm**: ``run_capacity`` (the curve measured with the optimiser, or taken from ``--curve``),
  timed.
- **spreadsheet**: each week's required FTE from Erlang C at that week's volume (the week's
  per-interval Erlang C agents, patience ignored, as agent-hours over the paid hours less
  shrinkage), no demand noise, attrition at its expectation, and the cheapest classes covering
  that exactly (the same hiring model on one deterministic scenario).
- **no hiring**: the starting staff only.

Reported per plan: hires, cost (pay of all employed + hiring), group-weeks whose chance of being
short is above 10 % with one-sided 95 % confidence, and the mean chance over all group-weeks.

Usage::

    python benchmarks/capacity_year.py [--curve EARLIER_JSON] [--replications R]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from optimise.capacity.hiring import plan_hires
from optimise.capacity.plan import GroupModel, check_hires, short_more_than
from optimise.capacity.requirement import curve_from_document
from optimise.requirements import analytic_requirement
from scenarios.edit import scaled_volume
from scenarios.load import from_dict, read_mapping
from services import run_capacity

REPO = Path(__file__).resolve().parents[1]
YEAR = REPO / "scenarios" / "library" / "capacity" / "telecom_year.yaml"


def _erlang_c_fte(inputs) -> dict[str, np.ndarray]:
    """Per group, each week's required FTE by Erlang C at its volume (patience dropped)."""
    mapping = read_mapping(inputs.scenario_file)
    for ct in mapping["contact_types"]:
        ct.pop("patience", None)
        ct.pop("retrial", None)
        ct["volume"].pop("overdispersion", None)  # no demand noise: the spreadsheet's week
    hours: dict[str, list[float]] = {}
    for factor in inputs.volume_factors:
        scaled = dict(mapping)
        scaled["contact_types"] = [{**ct, "volume": scaled_volume(ct["volume"], factor)}
                                   for ct in mapping["contact_types"]]  # fmt: skip
        scenario = from_dict(scaled, "erlang-c week")
        interval_h = scenario.horizon.interval_min / 60
        for group, agents in analytic_requirement(scenario).items():
            week_h = agents.sum() * interval_h * 7 / scenario.horizon.days
            hours.setdefault(group, []).append(week_h)
    productive = inputs.capacity.productive_hours_per_week
    return {group: np.array(h) / productive for group, h in hours.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curve", type=Path)
    parser.add_argument("--replications", type=int, default=200)
    options = parser.parse_args()
    started = time.perf_counter()
    run = run_capacity(YEAR, replications=options.replications, seed=1, time_limit_s=2,
                       max_rounds=5, curve_file=options.curve, keep=False)  # fmt: skip
    wall = time.perf_counter() - started
    inputs = run.inputs
    names = [g.name for g in inputs.capacity.groups]
    curve = curve_from_document(run.document, names, "the run")
    allowed = 1 - inputs.capacity.service_probability
    totals = {plan: [0, 0.0, 0, 0.0] for plan in ("wfm", "spreadsheet", "no hiring")}
    erlang_c = _erlang_c_fte(inputs)
    for index, name in enumerate(names):
        model = GroupModel(inputs, curve, index, seed=1)
        group, supply = model.group, model.supply
        expected = supply.headcount * (1 - supply.weekly_leave) ** np.arange(inputs.capacity.weeks)
        shortfall = (erlang_c[name] - expected)[None, :]
        spreadsheet = plan_hires(supply, shortfall, 1.0, group.max_class_size, group.hire_cost,
                                 model.weekly_pay)  # fmt: skip
        wfm_hires = np.zeros(inputs.capacity.weeks, dtype=np.int64)
        for hire in run.document["hires"]:
            if hire["group"] == name:
                wfm_hires[hire["week"]] = hire["count"]
        plans = {"wfm": wfm_hires, "spreadsheet": spreadsheet.hires,
                 "no hiring": np.zeros_like(wfm_hires)}  # fmt: skip
        for plan, hires in plans.items():
            outlook = check_hires(model, hires, options.replications)
            risky = short_more_than(outlook.p_short, options.replications, allowed)
            totals[plan][0] += int(hires.sum())
            totals[plan][1] += outlook.pay + group.hire_cost * hires.sum()
            totals[plan][2] += int(risky.sum())
            totals[plan][3] += float(outlook.p_short.sum())
    weeks = len(names) * inputs.capacity.weeks
    print(f"wfm capacity: {wall:.1f} s ({'curve given' if options.curve else 'curve measured'})")
    print("| plan | hires | cost | group-weeks at risk | mean chance of being short |")
    print("|---|---|---|---|---|")
    for plan, (hires, cost, risky, chance) in totals.items():
        print(f"| {plan} | {hires:,} | {cost / 1e6:,.2f} M | {risky} of {weeks} | "
              f"{chance / weeks:.1%} |")  # fmt: skip


if __name__ == "__main__":
    main()
