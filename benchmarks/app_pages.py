"""How long each page of the app takes to produce its first result on the telecom hotline week,
cold (no run kept), driven through Streamlit's AppTest as a user would: load the page, press
its button, wait for the result. Page defaults throughout; the staffing is the bundled week plan
(`scenarios/library/drills/telecom_week_plan.json`), the drill is the network fault.

Usage::

    python benchmarks/app_pages.py [--markdown] [--skip-optimise]

The Optimise page runs the whole simulation-optimisation loop (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import jobs

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PLAN = "drills/telecom_week_plan.json"


def _fresh(scenario: str | None = None) -> tuple[AppTest, float]:
    """A new session of the app (no run kept from before), on `scenario`; the seconds its first
    page took."""
    jobs.forget()
    at = AppTest.from_file(APP, default_timeout=3600)
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if scenario is not None:
        at.selectbox[0].set_value(scenario).run()
        at.button(key="load_library").click().run()
    return at, seconds


def _press(at: AppTest, page: str, button: str, **choices: object) -> float:
    at.sidebar.radio(key="page").set_value(page).run()
    for key, value in choices.items():
        widget = at.selectbox(key=key) if key.endswith("staffing") else at.number_input(key=key)
        widget.set_value(value)
    start = time.perf_counter()
    at.button(key=button).click().run()
    while jobs.running():  # the page started its run in the background
        time.sleep(0.05)
    at.run()
    seconds = time.perf_counter() - start
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--skip-optimise", action="store_true")
    args = parser.parse_args()
    rows = []
    at, seconds = _fresh()
    rows.append(("Scenario", "open the app on the telecom week (tables, review)", seconds))
    at, _ = _fresh()
    rows.append(("Simulate", "5 replications of the week on the bundled plan",
                 _press(at, "Simulate", "simulate_run", simulate_staffing=PLAN)))  # fmt: skip
    if not args.skip_optimise:
        at, _ = _fresh()
        rows.append(("Optimise", "the verified plan: 5 replications per check, 20 s per solve",
                     _press(at, "Optimise", "opt_run")))  # fmt: skip
    at, _ = _fresh("drills/network_fault.yaml")
    rows.append(("Drill", "network fault, 5 replications, two response plans",
                 _press(at, "Drill", "drill_run", drill_staffing=PLAN)))  # fmt: skip
    at, _ = _fresh()
    rows.append(("Executive", "headcount sweep: 8 points x 3 replications, PDF",
                 _press(at, "Executive", "exec_run", exec_staffing=PLAN)))  # fmt: skip
    if args.markdown:
        print("| page | first result | seconds |\n|---|---|---:|")
        for page, what, seconds in rows:
            print(f"| {page} | {what} | {seconds:.1f} |")
    else:
        for page, what, seconds in rows:
            print(f"{page:<10} {seconds:7.1f} s  {what}")


if __name__ == "__main__":
    main()
