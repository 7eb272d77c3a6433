# Set-up is two commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LIBRARY := scenarios/library

.PHONY: demo test bench lint app browser screenshots golden clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install whenever the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

# The main job: plan the cheapest verified shifts for the week of shifts.yaml, simulate the
# two staffed scenarios, run the network-fault drill on the telecom week's plan, write the
# executive one-pager of that plan, and forecast the bundled bank history and plan the
# forecast week.
demo: $(VENV)/.installed
	@mkdir -p out
	$(BIN)/wfm optimise $(LIBRARY)/shifts.yaml --seed 1 --time-limit 10 --json out/shifts_plan.json \
		--csv out/shifts_plan
	$(BIN)/wfm simulate $(LIBRARY)/single_queue.yaml --replications 10 --seed 1 \
		--json out/single_queue.json --csv out/single_queue
	$(BIN)/wfm simulate $(LIBRARY)/multi_skill.yaml --replications 10 --seed 1 \
		--json out/multi_skill.json --csv out/multi_skill
	$(BIN)/wfm drill $(LIBRARY)/drills/network_fault.yaml --incident regional-network-fault \
		--plan $(LIBRARY)/drills/telecom_week_plan.json --compare no-reserve,no-ivr \
		--replications 10 --seed 1 --json out/network_fault.json --png out/network_fault.png
	$(BIN)/wfm report $(LIBRARY)/drills/telecom_week_plan.json --drill out/network_fault.json \
		--seed 1 --pdf out/executive.pdf
	$(BIN)/wfm forecast tests/data/anonymous_bank_1999_aug_oct.csv --horizon-days 7 \
		--interval-min 30 --holidays tests/data/bank_1999_holidays.csv \
		--csv out/bank_forecast.csv --json out/bank_forecast.json --png out/bank_forecast.png \
		--scenario $(LIBRARY)/bank_base.yaml --write-scenario out/bank_forecast_week.yaml
	$(BIN)/wfm optimise out/bank_forecast_week.yaml --seed 1 --time-limit 10 \
		--json out/bank_forecast_plan.json

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The browser test drives Debian's Chromium; install it when missing and we can (root with
# apt-get), else say loudly that the app will not be checked in a browser.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "*** could not install chromium: the browser test will be SKIPPED ***"; \
	else echo "*** no chromium and no way to install it: the browser test will be SKIPPED ***"; fi

# Two pytest workers: the suite's tests are independent, and on 2 cores this takes about a
# quarter off its time (CI's machine took 638 s serially, over the 10 minutes aimed at).
test: lint browser
	$(BIN)/python -m pytest -q -n 2

# Refresh tests/golden_outputs.json, the check that every output is unchanged, after a change
# that is meant to move an output (tests/test_outputs_unchanged.py says how to look first).
golden: $(VENV)/.installed
	$(BIN)/python tests/test_outputs_unchanged.py

# The README's screenshots, from the browser test with the Optimise page's defaults (minutes).
screenshots: $(VENV)/.installed browser
	WFM_APP_DEFAULTS=1 WFM_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_browser.py

# The app on http://localhost:8501 (Ctrl-C stops it).
app: $(VENV)/.installed
	$(BIN)/streamlit run app.py --server.headless true --browser.gatherUsageStats false

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/sim_throughput.py --repeat 3 --markdown
	$(BIN)/python benchmarks/memory.py --markdown
	$(BIN)/python benchmarks/optimise_bench.py --markdown
	$(BIN)/python benchmarks/lean_plans.py --markdown
	$(BIN)/python benchmarks/roster_bench.py --markdown
	$(BIN)/python benchmarks/behaviour_staffing.py --markdown
	$(BIN)/python benchmarks/drill_scorecards.py --markdown
	$(BIN)/python benchmarks/reserve_vs_base.py --markdown
	$(BIN)/python benchmarks/app_pages.py --markdown
	$(BIN)/python benchmarks/scale_out.py --markdown
	$(BIN)/python benchmarks/forecast_accuracy.py --markdown
	$(BIN)/python benchmarks/forecast_staffing.py
	$(BIN)/python benchmarks/capacity_year.py

clean:
	rm -rf out .pytest_cache .ruff_cache
