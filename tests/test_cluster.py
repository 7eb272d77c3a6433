"""Runs on a Dask cluster (`sim.cluster`): a `distributed.LocalCluster` gives the same numbers as
the local process pool, through the CLI's ``--scheduler`` and ``$WFM_DASK_SCHEDULER``; a
scheduler that does not answer is a one-line error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from builders import queue_scenario
from conftest import REPO, WfmRunner, contract_path, write_yaml

from scenarios.load import load
from sim.cluster import ENV_SCHEDULER, ClusterError, executor_for
from sim.replicate import simulate

distributed = pytest.importorskip("distributed")

DRILL = REPO / "scenarios/library/drills/network_fault.yaml"
PLAN = REPO / "scenarios/library/drills/telecom_week_plan.json"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A local Dask cluster of two single-threaded worker processes; its address."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


@pytest.mark.slow
def test_simulate_on_dask_equals_the_local_run(wfm: WfmRunner, tmp_path: Path, scheduler: str):
    local, dask = tmp_path / "local.json", tmp_path / "dask.json"
    scenario = contract_path("multi_skill.yaml")
    run = wfm("simulate", scenario, "--replications", "4", "--seed", "3", "--workers", "1",
              "--json", local)  # fmt: skip
    assert run.code == 0, run.err
    run = wfm("simulate", scenario, "--replications", "4", "--seed", "3",
              "--scheduler", scheduler, "--json", dask)  # fmt: skip
    assert run.code == 0, run.err
    assert dask.read_bytes() == local.read_bytes()


@pytest.mark.slow
def test_optimise_on_dask_finds_the_local_plan(wfm: WfmRunner, tmp_path: Path, scheduler: str):
    scenario = write_yaml(tmp_path / "queue.yaml", queue_scenario(60, 100, 180, 150, 6, days=1))
    args = ["optimise", scenario, "--replications", "4", "--max-replications", "16",
            "--max-rounds", "3", "--time-limit", "5", "--seed", "3"]  # fmt: skip
    local, dask = tmp_path / "local.json", tmp_path / "dask.json"
    run = wfm(*args, "--workers", "1", "--json", local)
    assert run.code == 0, run.err
    run = wfm(*args, "--scheduler", scheduler, "--json", dask)
    assert run.code == 0, run.err
    one, two = json.loads(local.read_text()), json.loads(dask.read_text())
    assert two["shifts"] == one["shifts"] and two["cost"] == one["cost"]
    assert two["rounds"] == one["rounds"] and two["verification"] == one["verification"]


@pytest.mark.slow
def test_drill_on_dask_from_the_environment(
    wfm: WfmRunner, tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
):
    args = ["drill", DRILL, "--incident", "regional-network-fault", "--plan", PLAN,
            "--compare", "no-reserve", "--replications", "2", "--seed", "5"]  # fmt: skip
    local, dask = tmp_path / "local.json", tmp_path / "dask.json"
    assert wfm(*args, "--workers", "2", "--json", local).code == 0
    monkeypatch.setenv(ENV_SCHEDULER, scheduler)
    run = wfm(*args, "--json", dask)
    assert run.code == 0, run.err
    assert json.loads(dask.read_text()) == json.loads(local.read_text())


@pytest.mark.slow
def test_executor_feeds_every_replication_to_the_cluster(scheduler: str):
    """One task per replication ran on the cluster's workers, and they gave the local numbers."""
    model = load(contract_path("single_queue.yaml"))
    with executor_for(scheduler) as executor, distributed.get_task_stream() as tasks:
        on_dask = simulate(model, seed=9, replications=3, executor=executor)
    assert len(tasks.data) == 3
    local = simulate(model, seed=9, replications=3, workers=1)
    assert np.array_equal(on_dask.counts, local.counts)


def test_no_scheduler_there_is_one_line(
    wfm: WfmRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from sim import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)  # nothing listens: only the wait
    out = tmp_path / "x.json"
    run = wfm("simulate", contract_path("single_queue.yaml"), "--scheduler",
              "tcp://127.0.0.1:9", "--json", out)  # fmt: skip
    assert run.code == 2 and len(run.err_lines) == 1
    assert run.err_lines[0].startswith("scheduler tcp://127.0.0.1:9: no Dask scheduler answers")
    assert not out.exists()


def test_without_a_scheduler_the_runs_stay_local(monkeypatch: pytest.MonkeyPatch):
    from sim import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    with executor_for(None) as executor:
        assert executor is None
    with pytest.raises(ClusterError), executor_for("tcp://127.0.0.1:9"):
        pass


@pytest.mark.slow
def test_sweep_on_dask_equals_the_local_run(wfm: WfmRunner, tmp_path: Path, scheduler: str):
    """A grid's points all go to the cluster together and give the local numbers."""
    args = ["sweep", contract_path("single_queue.yaml"), "--vary", "volume=0.9,1.1",
            "--vary", "agents.pool=32,34", "--replications", "2", "--seed", "6"]  # fmt: skip
    local, dask = tmp_path / "local.json", tmp_path / "dask.json"
    assert wfm(*args, "--workers", "1", "--json", local).code == 0
    run = wfm(*args, "--scheduler", scheduler, "--json", dask)
    assert run.code == 0, run.err
    assert dask.read_bytes() == local.read_bytes()


@pytest.mark.parametrize("address", ["foo", "http://h:1", "tcp://h:port", "tcp://h"])
def test_a_malformed_scheduler_address_is_one_line(
    wfm: WfmRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, address: str
):
    out = tmp_path / "x.json"
    run = wfm("simulate", contract_path("single_queue.yaml"), "--scheduler", address,
              "--json", out)  # fmt: skip
    assert run.code == 2 and run.err_lines == [
        f"--scheduler {address}: expected tcp://HOST:PORT (or tls://HOST:PORT)"
    ]
    monkeypatch.setenv(ENV_SCHEDULER, address)
    run = wfm("simulate", contract_path("single_queue.yaml"), "--json", out)
    assert run.code == 2 and run.err_lines[0].startswith(f"${ENV_SCHEDULER} {address}: expected")
    assert not out.exists()


def test_a_scheduler_without_workers_is_one_line(monkeypatch: pytest.MonkeyPatch):
    """No worker ever joins: a clear error after the timeout, not a run waiting for ever."""
    from sim import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    with (
        distributed.LocalCluster(n_workers=0, dashboard_address=":0") as empty,
        pytest.raises(ClusterError, match="no worker joined it"),
        executor_for(empty.scheduler_address),
    ):
        pass


def test_workers_of_another_wfm_version_are_refused(
    scheduler: str, monkeypatch: pytest.MonkeyPatch
):
    from sim import cluster

    # Here only: the workers import sim.cluster afresh and read their own installed version.
    monkeypatch.setattr(cluster, "version", lambda package: "0.0.0-here")
    with (
        pytest.raises(ClusterError, match=r"workers run wfm .*, this is wfm 0.0.0-here"),
        executor_for(scheduler),
    ):
        pass


@pytest.mark.slow
def test_capacity_on_dask_equals_the_local_run(wfm: WfmRunner, tmp_path: Path, scheduler: str):
    scenario = queue_scenario(60, 40, 240, 300, 12, days=1)
    del scenario["agent_groups"][0]["agents"]
    write_yaml(tmp_path / "week.yaml", scenario)
    capacity = write_yaml(tmp_path / "capacity.yaml", {
        "name": "small-year", "scenario": "week.yaml", "start": "2027-01-04", "weeks": 8,
        "demand": {"growth_per_year": 1.0, "cv": 0.05},
        "groups": [{"name": "pool", "headcount": 32, "attrition_per_month": 0.03,
                    "training_weeks": 2, "max_class_size": 3}],
    })  # fmt: skip
    args = ["capacity", capacity, "--replications", "30", "--seed", "4", "--max-rounds", "1",
            "--time-limit", "1", "--no-store"]  # fmt: skip
    local, dask = tmp_path / "local.json", tmp_path / "dask.json"
    run = wfm(*args, "--workers", "1", "--json", local)
    assert run.code == 0, run.err
    run = wfm(*args, "--scheduler", scheduler, "--json", dask)
    assert run.code == 0, run.err
    assert dask.read_bytes() == local.read_bytes()
