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

# The main job: plan the cheapest verified shifts for the week of shifts.yaml, and simulate
# the two staffed scenarios.
demo: $(VENV)/.installed
	@mkdir -p out
	$(BIN)/wfm optimise $(LIBRARY)/shifts.yaml --seed 1 --json out/shifts_plan.json --csv out/shifts_plan
	$(BIN)/wfm simulate $(LIBRARY)/single_queue.yaml --replications 10 --seed 1 \
		--json out/single_queue.json --csv out/single_queue
	$(BIN)/wfm simulate $(LIBRARY)/multi_skill.yaml --replications 10 --seed 1 \
		--json out/multi_skill.json --csv out/multi_skill

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

clean:
	rm -rf out .pytest_cache .ruff_cache
