"""Scale-out, sweeps and the run store, measured side by side in one run.

1. Replications of the telecom hotline week (bundled plan) on 1 and 2 local worker processes
   and on a Dask `LocalCluster` of 2 single-threaded workers: wall time and speed-up against one
   worker; the numbers must be identical.
2. A 100-point sweep of the telecom week (volume 0.80-1.25 x headcount 0.80-1.25, steps of
   0.05) on the local pool: wall time and seconds per point.
3. The run store: seconds to keep one run of the telecom week (its KPIs and interval table)
   against the seconds the run itself took.

Usage::

    python benchmarks/scale_out.py [--replications R] [--sweep-replications R] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from distributed import LocalCluster

from optimise.sweep import parse_axis, sweep
from runs.record import run_record
from runs.store import save_run
from scenarios.load import load, read_mapping
from scenarios.plan_file import plan_staffing
from sim.cluster import executor_for
from sim.replicate import simulate

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "library"
WEEK = LIBRARY / "telecom_hotline_week.yaml"
PLAN = LIBRARY / "drills" / "telecom_week_plan.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=8)
    parser.add_argument("--sweep-replications", type=int, default=2)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    model = load(WEEK)
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    staffing, breaks = plan_staffing(model, plan["shifts"])

    rows, counts = [], {}
    for label, workers in (("1 local worker", 1), ("2 local workers", 2)):
        start = time.perf_counter()
        results = simulate(model, staffing, seed=1, replications=args.replications,
                           workers=workers)  # fmt: skip
        rows.append((label, time.perf_counter() - start))
        counts[label] = results.counts
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster,
        executor_for(cluster.scheduler_address) as executor,
    ):
        simulate(model, staffing, seed=1, replications=2, executor=executor)  # warm-up
        start = time.perf_counter()
        results = simulate(model, staffing, seed=1, replications=args.replications,
                           executor=executor)  # fmt: skip
        rows.append(("Dask LocalCluster, 2 workers", time.perf_counter() - start))
        counts["dask"] = results.counts
    same = all(np.array_equal(c, counts["1 local worker"]) for c in counts.values())
    one = rows[0][1]

    axes = [parse_axis("volume=0.8:1.25:0.05"), parse_axis("headcount=0.8:1.25:0.05")]
    start = time.perf_counter()
    points = sweep(read_mapping(WEEK), axes, staffing, breaks, seed=1,
                   replications=args.sweep_replications, base_cost=plan["cost"])  # fmt: skip
    sweep_s = time.perf_counter() - start
    frontier = sum(p.on_frontier for p in points)

    start = time.perf_counter()
    results = simulate(model, staffing, seed=2, replications=2)
    run_s = time.perf_counter() - start
    document = results.to_json()
    record = run_record("simulate", model, WEEK, {"replications": 2}, 2, document)
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "runs.duckdb"
        save_run(store, record)  # creates the schema
        start = time.perf_counter()
        saves = 10
        for _ in range(saves):
            save_run(store, record)
        save_s = (time.perf_counter() - start) / saves

    if args.markdown:
        print(f"Telecom week, bundled plan, {args.replications} replications, seed 1; "
              f"identical numbers everywhere: {'yes' if same else 'NO'}.\n")  # fmt: skip
        print("| where | wall (s) | speed-up |\n|---|---:|---:|")
        for label, seconds in rows:
            print(f"| {label} | {seconds:.1f} | {one / seconds:.2f}x |")
        print(f"\n| sweep | points | replications | wall (s) | s per point | on the frontier |\n"
              f"|---|---:|---:|---:|---:|---:|\n"
              f"| volume x headcount | {len(points)} | {args.sweep_replications} | "
              f"{sweep_s:.0f} | {sweep_s / len(points):.2f} | {frontier} |")  # fmt: skip
        print(f"\n| run store | keep one run (s) | the run (s) | overhead |\n|---|---:|---:|---:|\n"
              f"| simulate, 2 replications, {len(record.intervals)} interval rows, "
              f"{len(record.kpis)} KPIs | {save_s:.3f} | {run_s:.1f} | "
              f"{save_s / run_s:.1%} |")  # fmt: skip
    else:
        for label, seconds in rows:
            print(f"{label:<32}{seconds:7.1f} s  {one / seconds:5.2f}x")
        print(f"identical numbers: {same}")
        print(
            f"sweep: {len(points)} points in {sweep_s:.0f} s ({sweep_s / len(points):.2f} s each)"
        )
        print(f"store: {save_s:.3f} s per run against {run_s:.1f} s for the run")


if __name__ == "__main__":
    main()
