"""Staffing what really happened (issue 16, part 2): for each of the last eight weeks of the bank's
January-October 1999 history, plan the week from wfm's forecast made the Sunday before -- with
the forecast's calibrated day-to-day uncertainty (`overdispersion` from its backtest), without
it (Poisson around the forecast only), and on the volume the day factor stays under four days
in five (the forecast times the gamma factor's 80 % quantile, no overdispersion) -- and simulate
each plan against the week's *actual* interval counts.

The plans are made by ``run_optimisation`` (the job under ``wfm optimise``, default settings,
seed 1) on `scenarios/library/bank_base.yaml` with the forecast week in place, exactly as
``wfm forecast --scenario ... --write-scenario`` writes it. The actual week is the same
scenario with each interval's volume set to the count that came (no overdispersion): the
simulator draws Poisson arrivals around it, so the check is the actual week plus Poisson noise
-- a little harsher than the week itself. Its target (80 % in 20 s, every day) is judged with
the sequential verdict (`sim.verdict`, one-sided 95 %, tolerance 2 points) from 20 replications
(up to 80) on seed 777.

Usage::

    python benchmarks/forecast_staffing.py [--weeks N]
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import numpy as np
from scipy import stats

from scenarios.forecast.backtest import LEAD_DAYS, forecast_days, holiday_names, run_backtest
from scenarios.forecast.calibrate import overdispersion_cv
from scenarios.forecast.history import read_history, read_holidays
from scenarios.forecast.predict import candidates_for
from scenarios.load import from_dict, read_mapping
from services import run_optimisation, run_simulation

REPO = Path(__file__).resolve().parents[1]
HISTORY = REPO.parent / "shared" / "data" / "anonymous_bank_1999_jan_oct.csv"
HOLIDAYS = REPO / "tests" / "data" / "bank_1999_holidays.csv"
BASE = REPO / "scenarios" / "library" / "bank_base.yaml"
CHECK_SEED = 777
PLANS = ("with cv", "Poisson only", "80 % day")


def _week(base: dict, start_date, volumes: np.ndarray, cv: float | None) -> dict:
    scenario = copy.deepcopy(base)
    scenario["horizon"] = {"days": LEAD_DAYS, "interval_min": 30, "start": start_date.isoformat()}
    volume: dict = {"per_interval": [[round(float(v), 2) for v in day] for day in volumes]}
    if cv:
        volume["overdispersion"] = {"cv": round(cv, 4)}
    scenario["contact_types"][0]["volume"] = volume
    return scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=8)
    options = parser.parse_args()
    if not HISTORY.exists():
        raise SystemExit(f"{HISTORY} is missing: this benchmark needs ../shared/data")
    series = read_history(HISTORY, 30).series["offered"]
    names = holiday_names(series.first_day, series.days, read_holidays(HOLIDAYS))
    candidates = candidates_for(30)
    base = read_mapping(BASE)
    print("| week from | model | cv | actual calls | plan h: with cv / Poisson only / 80 % day | "
          "days met: with cv | Poisson only | 80 % day |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    totals = {label: [0.0, 0, 0] for label in PLANS}
    started = time.perf_counter()
    for k in range(options.weeks - 1, -1, -1):
        start = series.days - LEAD_DAYS - 7 * k
        before = series.offered[:start]
        backtest = run_backtest(before, series.observed[:start], names[:start], candidates)
        point = forecast_days(candidates[backtest.chosen], before, names[:start],
                              names[start : start + LEAD_DAYS])  # fmt: skip
        cv = overdispersion_cv(*backtest.day_totals)
        day = series.dates[start]
        came = series.offered[start : start + LEAD_DAYS]
        actual = from_dict(_week(base, day, came, None), "actual")
        cells = []
        high = stats.gamma(1 / cv**2, scale=cv**2).ppf(0.8) if cv > 0 else 1.0
        volumes = {"with cv": (point, cv), "Poisson only": (point, None),
                   "80 % day": (point * high, None)}  # fmt: skip
        for label in PLANS:
            model = from_dict(_week(base, day, *volumes[label]), f"forecast {day}")
            plan = run_optimisation(model, str(BASE), seed=1, time_limit_s=10, keep=False).document
            check = run_simulation(actual, "actual", plan=plan, plan_source="plan",
                                   replications=20, max_replications=80, seed=CHECK_SEED,
                                   keep=False).document  # fmt: skip
            (target,) = check["targets"]
            cells.append((plan["agent_hours"], target))
            totals[label][0] += plan["agent_hours"]
            totals[label][1] += target["periods_met"]
            totals[label][2] += target["periods"]
        hours = " / ".join(f"{h:,.0f}" for h, _ in cells)
        met = " | ".join(_met(t) for _, t in cells)
        print(f"| {day} | {backtest.chosen} | {cv:.3f} | {came.sum():,.0f} | {hours} | {met} |",
              flush=True)  # fmt: skip
    base_hours = totals["Poisson only"][0]
    for label, (hours, met, days) in totals.items():
        print(f"\n{label}: {hours:,.0f} agent-hours ({hours / base_hours - 1:+.1%}), "
              f"{met} of {days} days met")  # fmt: skip
    print(f"({time.perf_counter() - started:.0f} s)")


def _met(target: dict) -> str:
    worst = target["achieved"]["mean"]
    return f"{target['periods_met']}/{target['periods']}, worst {worst:.0%}"


if __name__ == "__main__":
    main()
