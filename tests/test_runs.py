"""The run history (`runs/`): every run kept in one transaction, listed, shown and compared;
a database of an older schema opens, one of a newer schema is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, WfmRunner, contract_path

from runs import store as run_store
from runs.record import run_record, scenario_sha256
from runs.store import (
    SCHEMA_VERSION,
    StoreError,
    compare_runs,
    connect,
    get_run,
    list_runs,
    save_run,
)
from scenarios.load import load

DRILL = REPO / "scenarios/library/drills/network_fault.yaml"
PLAN = REPO / "scenarios/library/drills/telecom_week_plan.json"


def _count(path: Path, table: str) -> int:
    with connect(path) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _simulate(wfm: WfmRunner, tmp_path: Path, store: Path, seed: int) -> dict:
    out = tmp_path / f"sim{seed}.json"
    run = wfm("simulate", contract_path("single_queue.yaml"), "--replications", "2",
              "--seed", seed, "--workers", "1", "--json", out, "--store", store)  # fmt: skip
    assert run.code == 0, run.err
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_runs_are_kept_listed_shown_and_compared(wfm: WfmRunner, tmp_path: Path):
    store = tmp_path / "runs.duckdb"
    first = _simulate(wfm, tmp_path, store, 1)
    second = _simulate(wfm, tmp_path, store, 2)
    runs = list_runs(store)
    assert [r["seed"] for r in runs] == [2, 1] and {r["command"] for r in runs} == {"simulate"}
    old, new = runs[1]["id"], runs[0]["id"]
    kept = get_run(store, old[:6])  # a unique start of the ID will do
    assert kept["params"]["replications"] == 2 and kept["seed"] == 1
    assert kept["params"]["plan"] is None and kept["params"]["confidence"] == 0.95
    assert kept["scenario_sha256"] == scenario_sha256(load(contract_path("single_queue.yaml")))
    assert (
        kept["kpis"]["general.service_level"] == first["contact_types"]["general"]["service_level"]
    )
    assert kept["intervals"] == len(first["intervals"])
    rows = {r["name"]: r for r in compare_runs(store, old, new)}
    level = rows["general.service_level"]
    assert level["first"] == first["contact_types"]["general"]["service_level"]["mean"]
    assert level["second"] == second["contact_types"]["general"]["service_level"]["mean"]
    assert level["difference"] == pytest.approx(level["second"] - level["first"])

    listed = wfm("runs", "list", "--store", store)
    assert listed.code == 0 and old in listed.out and new in listed.out
    shown = wfm("runs", "show", old, "--store", store)
    assert shown.code == 0 and "general.service_level" in shown.out and "seed 1" in shown.out
    compared = wfm("runs", "compare", old, new, "--store", store)
    assert compared.code == 0 and "difference" in compared.out
    missing = wfm("runs", "show", "nosuchrun", "--store", store)
    assert missing.code == 2 and missing.err_lines == [
        f"run store {store}: no run with ID 'nosuchrun'"
    ]


def test_every_command_keeps_its_run_and_no_store_keeps_none(wfm: WfmRunner, tmp_path: Path):
    store = tmp_path / "runs.duckdb"
    need = tmp_path / "need.csv"
    need.write_text("day,start,group,agents\n0,09:00,pool,5\n", encoding="utf-8")
    assert (
        wfm(
            "optimise",
            contract_path("shifts.yaml"),
            "--requirements",
            need,
            "--time-limit",
            "5",
            "--json",
            tmp_path / "plan.json",
            "--store",
            store,
        ).code
        == 0
    )
    assert (
        wfm(
            "drill",
            DRILL,
            "--incident",
            "regional-network-fault",
            "--plan",
            PLAN,
            "--replications",
            "1",
            "--json",
            tmp_path / "d.json",
            "--store",
            store,
        ).code
        == 0
    )
    commands = {r["command"]: r["id"] for r in list_runs(store)}
    assert set(commands) == {"optimise", "drill"}
    plan = get_run(store, commands["optimise"])
    assert plan["plan"]["shifts"] and "cost" in plan["kpis"]
    assert "scorecard.recover_min" in get_run(store, commands["drill"])["kpis"]
    before = _count(store, "runs")
    run = wfm("simulate", contract_path("single_queue.yaml"), "--replications", "1",
              "--json", tmp_path / "x.json", "--store", store, "--no-store")  # fmt: skip
    assert run.code == 0 and _count(store, "runs") == before


def test_a_run_interrupted_while_kept_leaves_nothing(tmp_path: Path, monkeypatch):
    store = tmp_path / "runs.duckdb"
    model = load(contract_path("single_queue.yaml"))
    document = json.loads((REPO / "scenarios/library/drills/telecom_week_plan.json").read_text())
    record = run_record("optimise", model, None, {}, 1, {**document, "gap": 0.0})
    save_run(store, record)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_store, "_insert_kpis", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_run(store, record)
    assert _count(store, "runs") == 1 and _count(store, "run_kpis") == len(record.kpis)


# The first schema as the first wfm with a store wrote it (frozen here: `runs.store._v1` may
# not drift from it, or older stores would no longer open).
FIRST_SCHEMA = [
    "CREATE TABLE schema_version (version INTEGER)",
    """CREATE TABLE runs (
        id VARCHAR PRIMARY KEY, created_at TIMESTAMP, command VARCHAR,
        scenario_name VARCHAR, scenario_file VARCHAR, scenario_sha256 VARCHAR,
        params VARCHAR, seed BIGINT, code_version VARCHAR, kpis VARCHAR, plan VARCHAR)""",
    """CREATE TABLE run_intervals (
        run_id VARCHAR, day INTEGER, interval INTEGER, start VARCHAR, contact_type VARCHAR,
        offered DOUBLE, answered DOUBLE, abandoned DOUBLE, service_level DOUBLE,
        asa_s DOUBLE, peak_queue DOUBLE)""",
    "INSERT INTO schema_version VALUES (1)",
]


def test_a_store_of_the_first_schema_opens_and_is_migrated(tmp_path: Path):
    store = tmp_path / "old.duckdb"
    con = duckdb.connect(str(store))
    for statement in FIRST_SCHEMA:
        con.execute(statement)
    kpis = {"general.service_level": {"mean": 0.8, "ci95_low": 0.7, "ci95_high": 0.9}}
    con.execute(
        "INSERT INTO runs VALUES ('oldrun000001', TIMESTAMP '2026-01-01 10:00:00', 'simulate', "
        "'single-queue', 'single_queue.yaml', 'abc', '{}', 4, '0.0.9', ?, NULL)",
        [json.dumps(kpis)],
    )
    con.close()
    run = get_run(store, "oldrun")
    assert run["kpis"] == kpis and run["seed"] == 4
    with connect(store) as con:
        version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    assert version == SCHEMA_VERSION


def test_a_store_of_a_newer_wfm_is_refused_in_one_line(wfm: WfmRunner, tmp_path: Path):
    store = tmp_path / "new.duckdb"
    with connect(store):
        pass
    con = duckdb.connect(str(store))
    con.execute("INSERT INTO schema_version VALUES (99)")
    con.close()
    with pytest.raises(StoreError, match="written by a newer wfm"):
        list_runs(store)
    out = tmp_path / "sim.json"
    run = wfm("simulate", contract_path("single_queue.yaml"), "--json", out, "--store", store)
    assert run.code == 2 and len(run.err_lines) == 1 and "schema 99" in run.err_lines[0]
    assert not out.exists(), "refused before any work"


def test_a_store_that_cannot_be_opened_is_one_line(wfm: WfmRunner, tmp_path: Path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    out = tmp_path / "sim.json"
    run = wfm("simulate", contract_path("single_queue.yaml"), "--json", out, "--store", folder)
    assert run.code == 2 and len(run.err_lines) == 1
    assert run.err_lines[0].startswith(f"run store {folder}: cannot open it")
    assert not out.exists()


def test_a_store_failing_after_the_run_costs_a_warning_not_the_run(
    wfm: WfmRunner, tmp_path: Path, monkeypatch
):
    """The outputs and the summary are there; one warning line says the run was not kept."""
    store = tmp_path / "runs.duckdb"

    def locked(*args, **kwargs):
        raise StoreError(f"run store {store}: cannot open it (locked)")

    monkeypatch.setattr(run_store, "save_run", locked)
    out = tmp_path / "sim.json"
    run = wfm("simulate", contract_path("single_queue.yaml"), "--replications", "1",
              "--json", out, "--store", store)  # fmt: skip
    assert run.code == 0 and out.exists() and "general" in run.out
    assert run.err_lines == [
        f"wfm: run not kept: run store {store}: cannot open it (locked) "
        "(--no-store skips the store)"
    ]
