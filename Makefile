# Set-up is two commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LIBRARY := scenarios/library

.PHONY: demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install whenever the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

# The main job: plan the cheapest verified shifts for the week of shifts.yaml, simulate the
# two staffed scenarios, and run the network-fault drill on the telecom week's plan.
demo: $(VENV)/.installed
	@mkdir -p out
	$(BIN)/wfm optimise $(LIBRARY)/shifts.yaml --seed 1 --json out/shifts_plan.json --csv out/shifts_plan
	$(BIN)/wfm simulate $(LIBRARY)/single_queue.yaml --replications 10 --seed 1 \
		--json out/single_queue.json --csv out/single_queue
	$(BIN)/wfm simulate $(LIBRARY)/multi_skill.yaml --replications 10 --seed 1 \
		--json out/multi_skill.json --csv out/multi_skill
	$(BIN)/wfm drill $(LIBRARY)/drills/network_fault.yaml --incident regional-network-fault \
		--plan $(LIBRARY)/drills/telecom_week_plan.json --compare no-reserve,no-ivr \
		--replications 10 --seed 1 --json out/network_fault.json --png out/network_fault.png

lint: $(VENV)/.installed
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/sim_throughput.py --repeat 3 --markdown
	$(BIN)/python benchmarks/memory.py --markdown
	$(BIN)/python benchmarks/optimise_bench.py --markdown
	$(BIN)/python benchmarks/roster_bench.py --markdown
	$(BIN)/python benchmarks/behaviour_staffing.py --markdown
	$(BIN)/python benchmarks/drill_scorecards.py --markdown
	$(BIN)/python benchmarks/reserve_vs_base.py --markdown

clean:
	rm -rf out .pytest_cache .ruff_cache
