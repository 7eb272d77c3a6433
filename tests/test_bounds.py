"""Extreme numbers are refused in one line, exit 2, naming the field or option and its cap:
in a scenario (the schema's bounds), in a plan's shifts, on the replications options and in a
sweep's axis. Each used to crash (overflow, `inf` in JSON, an int64 error from OR-Tools) or
allocate until the machine ran out of memory; every check here runs before any simulation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, WfmRunner, load_contract, write_yaml

LIBRARY = REPO / "scenarios" / "library"
WEEK = LIBRARY / "telecom_hotline_week.yaml"
PLAN = LIBRARY / "drills" / "telecom_week_plan.json"
HUGE = "999999999999999999"


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _one_line(run: Any, start: str, *names: str) -> None:
    assert run.code == 2, run
    assert len(run.err_lines) == 1, run.err_lines
    assert run.err_lines[0].startswith(start), run.err_lines
    for name in names:
        assert name in run.err_lines[0], run.err_lines


# (contract file, field path, value, the field as the message names it, the cap as it reads)
SCENARIO_CASES = [
    ("single_queue.yaml", ("contact_types", 0, "handle_time", "mean_s"), 1e308,
     "contact_types[0].handle_time.mean_s", "604800"),
    ("single_queue.yaml", ("contact_types", 0, "patience", "mean_s"), 1e308,
     "contact_types[0].patience.mean_s", "604800"),
    ("single_queue.yaml", ("targets", 0, "answer_within_s"), 1e308,
     "targets[0].answer_within_s", "604800"),
    ("shifts.yaml", ("contact_types", 0, "handle_time", "mean_s"), 1e308,
     "contact_types[0].handle_time.mean_s", "604800"),
    ("shifts.yaml", ("agent_groups", 0, "cost_per_hour"), 1e308,
     "agent_groups[0].cost_per_hour", "1e+06"),
    ("shifts.yaml", ("agent_groups", 0, "max_agents"), 2**63,
     "agent_groups[0].max_agents", "100000"),
    ("shifts.yaml", ("agent_groups", 0, "min_agents"), 2**63,
     "agent_groups[0].min_agents", "100000"),
    ("shifts.yaml", ("shift_templates", 2, "cost_factor"), 1e308,
     "shift_templates[2].cost_factor", "10"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "path", "value", "field", "cap"), SCENARIO_CASES)
def test_wfm_validate_refuses_a_figure_beyond_its_cap(
    wfm: WfmRunner, tmp_path: Path, name: str, path: tuple, value: Any, field: str, cap: str
):
    data = load_contract(name)
    _set(data, path, value)
    scenario = write_yaml(tmp_path / name, data)
    _one_line(wfm("validate", scenario), f"{scenario}: {field}: must be <=", cap)


@pytest.mark.parametrize(
    ("name", "command"),
    [("single_queue.yaml", "simulate"), ("shifts.yaml", "optimise")],
)
def test_the_commands_that_crashed_on_a_huge_mean_refuse_it(
    wfm: WfmRunner, tmp_path: Path, name: str, command: str
):
    data = load_contract(name)
    data["contact_types"][0]["handle_time"]["mean_s"] = 1e308
    scenario = write_yaml(tmp_path / name, data)
    out = tmp_path / "out.json"
    run = wfm(command, scenario, "--json", out, "--no-store")
    _one_line(run, f"{scenario}: contact_types[0].handle_time.mean_s: must be <=", "604800")
    assert not out.exists()


@pytest.mark.parametrize(("field", "value"), [("cost_per_hour", 1e308), ("max_agents", 2**63)])
def test_wfm_optimise_refuses_a_cost_or_headcount_the_solver_cannot_hold(
    wfm: WfmRunner, tmp_path: Path, field: str, value: Any
):
    data = load_contract("shifts.yaml")
    data["agent_groups"][0][field] = value
    scenario = write_yaml(tmp_path / "shifts.yaml", data)
    run = wfm("optimise", scenario, "--json", tmp_path / "plan.json", "--no-store")
    _one_line(run, f"{scenario}: agent_groups[0].{field}: must be <=")


def _huge_plan(tmp_path: Path) -> Path:
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    plan["shifts"][3]["count"] = 10**12
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["simulate", "drill", "sweep", "report"])
def test_a_plan_shift_of_a_trillion_agents_is_refused(wfm: WfmRunner, tmp_path: Path, command: str):
    plan = _huge_plan(tmp_path)
    out = tmp_path / "out"
    args = {
        "simulate": ("simulate", WEEK, "--plan", plan, "--json", out, "--no-store"),
        "drill": (
            "drill", LIBRARY / "drills" / "network_fault.yaml",
            "--incident", "regional-network-fault", "--plan", plan, "--json", out, "--no-store",
        ),
        "sweep": ("sweep", WEEK, "--plan", plan, "--vary", "volume=1", "--json", out,
                  "--no-store"),
        "report": ("report", plan, "--scenario", WEEK, "--pdf", out),
    }[command]  # fmt: skip
    run = wfm(*args)
    _one_line(run, f"{plan}: shifts[3].count: expected agents from 0 to 100,000, got 1000000000000")
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("simulate", "s.yaml", "--replications", HUGE),
        ("simulate", "s.yaml", "--max-replications", HUGE),
        ("drill", "s.yaml", "--incident", "x", "--json", "o.json", "--replications", HUGE),
        ("sweep", "s.yaml", "--vary", "volume=1", "--json", "o.json", "--replications", HUGE),
        ("report", "p.json", "--pdf", "o.pdf", "--replications", HUGE),
        ("optimise", "s.yaml", "--json", "o.json", "--replications", HUGE),
        ("optimise", "s.yaml", "--json", "o.json", "--max-replications", HUGE),
    ],
    ids=lambda args: f"{args[0]}{args[-2]}",
)
def test_replications_are_capped_before_anything_runs(wfm: WfmRunner, args: tuple[str, ...]):
    option = args[-2]
    _one_line(wfm(*args), f"wfm: Invalid value for '{option}':", "100000")


@pytest.mark.parametrize(
    ("args", "cap"),
    [
        (("simulate", "s.yaml", "--workers", "100000"), "256"),
        (("sweep", "s.yaml", "--vary", "volume=1", "--json", "o.json", "--workers", "999"), "256"),
        (("optimise", "s.yaml", "--json", "o.json", "--time-limit", "inf"), "86400"),
        (("roster", "p.json", "--time-limit", "1e9"), "86400"),
    ],
    ids=lambda value: value[0] + value[-2] if isinstance(value, tuple) else value,
)
def test_workers_and_solver_time_are_capped(wfm: WfmRunner, args: tuple[str, ...], cap: str):
    # A hundred thousand worker processes of 100-200 MB each, or a solve without end.
    _one_line(wfm(*args), f"wfm: Invalid value for '{args[-2]}':", cap)


def test_a_sweep_axis_too_fine_to_count_is_refused(wfm: WfmRunner, tmp_path: Path):
    axis = "volume=0.5:1e308:1e-308"
    out = tmp_path / "sweep.json"
    run = wfm("sweep", LIBRARY / "single_queue.yaml", "--vary", axis, "--json", out, "--no-store")
    _one_line(run, f"--vary {axis}: more than 10000 values")
    assert not out.exists()


def test_a_seed_the_run_store_cannot_keep_is_refused_before_the_run(
    wfm: WfmRunner, tmp_path: Path
) -> None:
    # A seed past 64 bits ran, then its run was not kept (the store's seed column is int64).
    out = tmp_path / "out.json"
    run = wfm("simulate", LIBRARY / "single_queue.yaml", "--replications", "1",
              "--seed", str(2**63), "--json", out)  # fmt: skip
    assert run.code == 2 and len(run.err_lines) == 1 and "--seed" in run.err_lines[0]
    assert not out.exists()
