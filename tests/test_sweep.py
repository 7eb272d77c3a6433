"""What-if sweeps (`optimise.sweep`, ``wfm sweep``): axes parsed or refused in one line, the grid
in order, each variation doing what it says, the frontier, the same numbers whatever the
workers, JSON and CSV written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, WfmRunner, contract_path

from optimise.sweep import Axis, SweepError, _mark_frontier, parse_axis, sweep
from scenarios.load import read_mapping

DRILL = REPO / "scenarios/library/drills/network_fault.yaml"
PLAN = REPO / "scenarios/library/drills/telecom_week_plan.json"


@pytest.mark.parametrize(
    ("text", "axis"),
    [
        ("volume=0.8:1.4:0.1", Axis("volume", (0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4))),
        ("handle_time=0.9:1.2:0.1", Axis("handle_time", (0.9, 1.0, 1.1, 1.2))),
        ("agents.billing_team=40:60:10", Axis("agents.billing_team", (40.0, 50.0, 60.0))),
        ("headcount=0.9,1,1.25", Axis("headcount", (0.9, 1.0, 1.25))),
        ("volume.chat=2", Axis("volume.chat", (2.0,))),
    ],
)
def test_axes_parse(text: str, axis: Axis):
    assert parse_axis(text) == axis


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("speed=1:2:1", "expected NAME=START:STOP:STEP"),
        ("volume=1:0.5:0.1", "STOP >= START"),
        ("volume=1:2:0", "STEP > 0"),
        ("volume=a,b", "expected finite numbers"),
        ("volume=1:inf:1", "expected finite numbers"),
        ("agents.pool=nan", "expected finite numbers"),
        ("volume=1:2:1e-12", "at most 10000"),
        ("volume=1,1", "given twice"),
        ("agents.pool=1e400", "expected finite numbers"),
        ("agents.pool=1e9", "up to 100000"),
        ("agents=40:50:5", "agents needs a group"),
        ("headcount.x=1", "every group"),
        ("volume=0,1", "factors > 0"),
        ("agents.pool=30.5", "whole agents"),
    ],
)
def test_bad_axes_are_one_line(text: str, says: str):
    with pytest.raises(SweepError) as caught:
        parse_axis(text)
    assert str(caught.value).startswith(f"--vary {text}: ") and says in str(caught.value)


@pytest.fixture(scope="module")
def grid():
    """single_queue.yaml: volume 0.9, 1, 1.1 x agents 30, 33, 36; 2 replications, one worker."""
    axes = [parse_axis("volume=0.9:1.1:0.1"), parse_axis("agents.pool=30:36:3")]
    return sweep(read_mapping(contract_path("single_queue.yaml")), axes, seed=4,
                 replications=2, workers=1)  # fmt: skip


@pytest.mark.slow
def test_the_grid_comes_in_order_with_each_staffing_costed(grid):
    assert [tuple(p.values.values()) for p in grid] == [
        (v, a) for v in (0.9, 1.0, 1.1) for a in (30.0, 33.0, 36.0)
    ]
    for point in grid:
        assert point.agent_hours == pytest.approx(point.values["agents.pool"] * 168)
        assert point.cost is None  # single_queue gives no pay
        assert point.targets == 1 and point.scorecard is None


@pytest.mark.slow
def test_more_volume_serves_worse_and_more_agents_better(grid):
    level = {tuple(p.values.values()): p.service_level["mean"] for p in grid}
    for agents in (30.0, 33.0, 36.0):
        assert level[0.9, agents] > level[1.0, agents] > level[1.1, agents]
    for volume in (0.9, 1.0, 1.1):
        assert level[volume, 30.0] < level[volume, 33.0] < level[volume, 36.0]


def test_a_handle_time_factor_acts_like_more_work():
    mapping = read_mapping(contract_path("single_queue.yaml"))
    slow, fast = sweep(mapping, [parse_axis("handle_time=1.1,0.9")], seed=2, replications=2,
                       workers=1)  # fmt: skip
    assert slow.service_level["mean"] < fast.service_level["mean"]


def test_the_frontier_keeps_the_points_nothing_beats():
    def point(cost, level, volume=1.0):
        return {"values": {"volume": volume, "headcount": cost}, "cost": cost,
                "agent_hours": cost, "service_level": {"mean": level}}  # fmt: skip

    points = [point(1, 0.7), point(2, 0.9), point(3, 0.85), point(2, 0.8), point(5, 0.1, 2.0)]
    _mark_frontier(points, by_incident=False)
    assert [p["on_frontier"] for p in points] == [True, True, False, False, True]


@pytest.mark.slow
def test_the_same_numbers_whatever_the_workers():
    mapping = read_mapping(contract_path("single_queue.yaml"))
    axes = [parse_axis("agents.pool=31,34")]
    one = sweep(mapping, axes, seed=8, replications=2, workers=1)
    two = sweep(mapping, axes, seed=8, replications=2, workers=2)
    assert [p.to_json() for p in one] == [p.to_json() for p in two]


def test_an_axis_naming_nothing_in_the_scenario_is_refused():
    mapping = read_mapping(contract_path("single_queue.yaml"))
    with pytest.raises(SweepError, match=r"--vary agents.nobody: no agent group 'nobody'"):
        sweep(mapping, [parse_axis("agents.nobody=3")])
    with pytest.raises(SweepError, match="given twice"):
        sweep(mapping, [parse_axis("volume=1"), parse_axis("volume=2")])


@pytest.mark.slow
def test_wfm_sweep_writes_json_and_csv(wfm: WfmRunner, tmp_path: Path):
    out, table = tmp_path / "grid.json", tmp_path / "grid.csv"
    run = wfm("sweep", contract_path("single_queue.yaml"), "--vary", "volume=1,1.2",
              "--vary", "agents.pool=33,36", "--replications", "2", "--seed", "1",
              "--json", out, "--csv", table)  # fmt: skip
    assert run.code == 0, run.err
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["axes"] == {"volume": [1.0, 1.2], "agents.pool": [33.0, 36.0]}
    assert len(document["points"]) == 4
    rows = pd.read_csv(table)
    assert list(rows.columns[:3]) == ["volume", "agents.pool", "agent_hours"]
    assert len(rows) == 4 and rows["on_frontier"].all()
    assert "4 points" in run.out


def test_wfm_sweep_drills_an_incident_on_a_plan(wfm: WfmRunner, tmp_path: Path):
    out = tmp_path / "grid.json"
    run = wfm("sweep", DRILL, "--plan", PLAN, "--incident", "regional-network-fault",
              "--vary", "headcount=0.9,1.1", "--replications", "1", "--json", out)  # fmt: skip
    assert run.code == 0, run.err
    low, high = json.loads(out.read_text(encoding="utf-8"))["points"]
    assert low["scorecard"]["lost_contacts"]["mean"] >= high["scorecard"]["lost_contacts"]["mean"]
    assert low["cost"] < high["cost"] and low["agent_hours"] < high["agent_hours"]


def test_wfm_sweep_bad_input_is_one_line(wfm: WfmRunner, tmp_path: Path):
    out = tmp_path / "grid.json"
    run = wfm("sweep", contract_path("single_queue.yaml"), "--vary", "speed=1", "--json", out)
    assert run.code == 2 and len(run.err_lines) == 1 and run.err_lines[0].startswith("--vary")
    run = wfm("sweep", DRILL, "--vary", "headcount=1", "--json", out)
    assert run.code == 2 and "agents" in run.err_lines[0]  # the telecom week needs a plan
    assert not out.exists()


def test_agents_of_a_group_on_a_plan_replace_its_shifts(wfm: WfmRunner, tmp_path: Path):
    """On a plan, agents.GROUP gives that group a flat headcount (and no breaks), the other
    groups keep their shifts; the cost follows the group's own pay."""
    out = tmp_path / "grid.json"
    run = wfm("sweep", DRILL, "--plan", PLAN, "--vary", "agents.billing_team=0,40",
              "--replications", "1", "--json", out)  # fmt: skip
    assert run.code == 0, run.err
    none, forty = json.loads(out.read_text(encoding="utf-8"))["points"]
    assert forty["agent_hours"] - none["agent_hours"] == pytest.approx(40 * 168)
    pay = read_mapping(DRILL)["agent_groups"][0]
    assert pay["name"] == "billing_team"
    assert forty["cost"] - none["cost"] == pytest.approx(40 * 168 * pay["cost_per_hour"], rel=0.3)


def test_a_sweep_is_kept_with_its_points(wfm: WfmRunner, tmp_path: Path):
    from runs.store import get_run, list_runs

    store = tmp_path / "runs.duckdb"
    run = wfm("sweep", contract_path("single_queue.yaml"), "--vary", "agents.pool=32,34",
              "--replications", "1", "--json", tmp_path / "g.json", "--store", store)  # fmt: skip
    assert run.code == 0, run.err
    (kept,) = list_runs(store)
    kpis = get_run(store, kept["id"])["kpis"]
    assert {"[agents.pool=32].service_level", "[agents.pool=34].cost"} <= set(kpis)
