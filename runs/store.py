"""The run history: every simulate, optimise, drill and sweep run, kept in an embedded DuckDB
database so plans can be compared later.

Where: ``--store PATH``, else ``$WFM_STORE``, else ``~/.wfm/runs.duckdb``; ``--no-store`` keeps
nothing. A run is written in one transaction once it has finished: a crash or Ctrl-C leaves no
partial run. What is kept: the scenario's name, file and content hash (SHA-256 of the validated
scenario), the run's parameters (a plan file with its SHA-256) and seed, the code version, its KPIs
(flattened to ``name -> mean, ci95_low, ci95_high``), its interval table and, for optimise, the
plan (shifts by group; no person is named anywhere in a run).

Schema versions: the database records its version; opening one written by an older wfm applies
the migrations in order (`MIGRATIONS`), one written by a newer wfm is refused with a clear
error.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # duckdb is imported when a store is opened, not by every command
    import duckdb

ENV_STORE = "WFM_STORE"
DEFAULT_STORE = Path("~/.wfm/runs.duckdb")
LOCK_WAIT_S = 30  # how long to wait for another wfm writing to the same store
INTERVAL_FIELDS = ("offered", "answered", "abandoned", "service_level", "asa_s", "peak_queue")


class StoreError(RuntimeError):
    """The run store cannot be used; ``str()`` is the one line to show."""


@dataclass(frozen=True)
class RunRecord:
    """One finished run, as it is kept."""

    command: str  # simulate | optimise | drill | sweep | forecast | capacity
    scenario_name: str
    scenario_file: str | None
    scenario_sha256: str
    params: dict[str, Any]
    seed: int
    code_version: str
    kpis: dict[str, dict[str, float | None]]  # name -> {"mean", "ci95_low", "ci95_high"}
    intervals: list[dict[str, Any]] = field(default_factory=list)  # simulation interval rows
    plan: dict[str, Any] | None = None


def store_path(given: Path | None, keep: bool = True) -> Path | None:
    """The database to write to: `given`, else ``$WFM_STORE``, else the default; None when
    runs are not to be kept."""
    if not keep:
        return None
    chosen = given or (Path(os.environ[ENV_STORE]) if os.environ.get(ENV_STORE) else None)
    return (chosen or DEFAULT_STORE).expanduser()


# --- schema ------------------------------------------------------------------------------------


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    """The first schema: runs with their KPIs as JSON, and their interval tables."""
    con.execute(
        """CREATE TABLE runs (
            id VARCHAR PRIMARY KEY, created_at TIMESTAMP, command VARCHAR,
            scenario_name VARCHAR, scenario_file VARCHAR, scenario_sha256 VARCHAR,
            params VARCHAR, seed BIGINT, code_version VARCHAR, kpis VARCHAR, plan VARCHAR)"""
    )
    con.execute(
        """CREATE TABLE run_intervals (
            run_id VARCHAR, day INTEGER, interval INTEGER, start VARCHAR, contact_type VARCHAR,
            offered DOUBLE, answered DOUBLE, abandoned DOUBLE, service_level DOUBLE,
            asa_s DOUBLE, peak_queue DOUBLE)"""
    )


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    """Version 2: the KPIs also as rows, one per run and name, for listing and comparing
    runs in SQL; filled from the JSON of the runs already kept."""
    con.execute(
        """CREATE TABLE run_kpis (
            run_id VARCHAR, name VARCHAR, mean DOUBLE, ci95_low DOUBLE, ci95_high DOUBLE)"""
    )
    for run_id, kpis in con.execute("SELECT id, kpis FROM runs").fetchall():
        _insert_kpis(con, run_id, json.loads(kpis))


MIGRATIONS: list[Callable[[duckdb.DuckDBPyConnection], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


@contextmanager
def connect(path: Path, up_to: int = SCHEMA_VERSION) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store at `path` (created if missing) at schema version `up_to` (older ones are
    migrated); `StoreError` when it cannot be opened or is newer than this wfm."""
    import duckdb

    _check_is_store(path)
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as err:
            # Another wfm holds the file: wait for it to finish writing its run.
            if "lock" not in str(err).lower() or time.monotonic() > deadline:
                raise StoreError(f"run store {path}: cannot open it ({_first_line(err)})") from None
            time.sleep(0.2)
        except (OSError, duckdb.Error) as err:
            raise StoreError(f"run store {path}: cannot open it ({_first_line(err)})") from None
    try:
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
        found = con.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"run store {path}: written by a newer wfm (schema {found}); this wfm reads up "
                f"to schema {SCHEMA_VERSION}"
            )
        for version in range(found + 1, up_to + 1):
            con.begin()
            MIGRATIONS[version - 1](con)
            con.execute("INSERT INTO schema_version VALUES (?)", [version])
            con.commit()
        yield con
    except duckdb.Error as err:
        raise StoreError(f"run store {path}: {_first_line(err)}") from None
    finally:
        con.close()


def _check_is_store(path: Path) -> None:
    """`StoreError` when `path` is a file with something in it other than a DuckDB database:
    opened, it would not hold the run, and the user's file (a JSON, say) must not be touched."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        head = handle.read(12)
    if head[8:12] != DUCKDB_MAGIC:
        raise StoreError(
            f"run store {path}: not a wfm run store (a DuckDB file); give another --store "
            "path or --no-store"
        )


# --- writing and reading -----------------------------------------------------------------------


def save_run(path: Path, record: RunRecord) -> str:
    """Keep `record` in the store at `path`, all of it or nothing; its new run ID."""
    run_id = uuid.uuid4().hex[:12]
    plan = None if record.plan is None else json.dumps(record.plan)
    with connect(path) as con:
        con.begin()
        try:
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id, datetime.now(UTC).replace(tzinfo=None), record.command,
                    record.scenario_name, record.scenario_file, record.scenario_sha256,
                    json.dumps(record.params, sort_keys=True), record.seed, record.code_version,
                    json.dumps(record.kpis), plan,
                ],
            )  # fmt: skip
            _insert_kpis(con, run_id, record.kpis)
            if record.intervals:
                # One bulk insert from a frame: row-by-row inserts cost more than the run.
                columns = ["day", "interval", "start", "contact_type", *INTERVAL_FIELDS]
                table = pd.DataFrame(record.intervals).reindex(columns=columns)
                table.insert(0, "run_id", run_id)
                con.register("new_intervals", table)
                con.execute("INSERT INTO run_intervals SELECT * FROM new_intervals")
                con.unregister("new_intervals")
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return run_id


def list_runs(path: Path, limit: int = 50) -> list[dict[str, Any]]:
    """The newest runs first: ID, time, command, scenario, seed and KPI count (none, and no
    file made, when the store does not exist yet)."""
    if not path.exists():
        return []
    with connect(path) as con:
        rows = con.execute(
            """SELECT r.id, r.created_at, r.command, r.scenario_name, r.seed, r.scenario_sha256,
                      count(k.name)
               FROM runs r LEFT JOIN run_kpis k ON k.run_id = r.id
               GROUP BY ALL ORDER BY r.created_at DESC, r.id LIMIT ?""",
            [limit],
        ).fetchall()
    keys = ("id", "created_at", "command", "scenario", "seed", "scenario_sha256", "kpis")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def get_run(path: Path, run_id: str) -> dict[str, Any]:
    """One run with its parameters, KPIs, plan and interval count; `StoreError` when the store
    has no run of that ID (a unique prefix of one will do)."""
    with connect(path) as con:
        run_id = _resolve(con, path, run_id)
        row = con.execute(
            """SELECT id, created_at, command, scenario_name, scenario_file, scenario_sha256,
                      params, seed, code_version, plan FROM runs WHERE id = ?""",
            [run_id],
        ).fetchone()
        kpis = con.execute(
            "SELECT name, mean, ci95_low, ci95_high FROM run_kpis WHERE run_id = ? ORDER BY name",
            [run_id],
        ).fetchall()
        intervals = con.execute(
            "SELECT count(*) FROM run_intervals WHERE run_id = ?", [run_id]
        ).fetchone()[0]
    keys = ("id", "created_at", "command", "scenario", "scenario_file", "scenario_sha256",
            "params", "seed", "code_version", "plan")  # fmt: skip
    run = dict(zip(keys, row, strict=True))
    run["params"] = json.loads(run["params"])
    run["plan"] = None if run["plan"] is None else json.loads(run["plan"])
    run["kpis"] = {n: {"mean": m, "ci95_low": lo, "ci95_high": hi} for n, m, lo, hi in kpis}
    run["intervals"] = intervals
    return run


def compare_runs(path: Path, first: str, second: str) -> list[dict[str, Any]]:
    """The KPIs of two runs side by side: ``{"name", "first", "second", "difference"}`` for
    every KPI either run has (means; the difference is second - first where both have one)."""
    a, b = get_run(path, first), get_run(path, second)
    rows = []
    for name in sorted(set(a["kpis"]) | set(b["kpis"])):
        x = a["kpis"].get(name, {}).get("mean")
        y = b["kpis"].get(name, {}).get("mean")
        difference = None if x is None or y is None else y - x
        rows.append({"name": name, "first": x, "second": y, "difference": difference})
    return rows


def _insert_kpis(con: duckdb.DuckDBPyConnection, run_id: str, kpis: dict[str, Any]) -> None:
    rows = [
        [run_id, name, value.get("mean"), value.get("ci95_low"), value.get("ci95_high")]
        for name, value in kpis.items()
    ]
    if rows:
        table = pd.DataFrame(rows, columns=["run_id", "name", "mean", "ci95_low", "ci95_high"])
        con.register("new_kpis", table)
        con.execute("INSERT INTO run_kpis SELECT * FROM new_kpis")
        con.unregister("new_kpis")


def _resolve(con: duckdb.DuckDBPyConnection, path: Path, run_id: str) -> str:
    found = [
        row[0]
        for row in con.execute("SELECT id FROM runs WHERE starts_with(id, ?)", [run_id]).fetchall()
    ]
    if len(found) != 1:
        what = "no run" if not found else f"{len(found)} runs"
        raise StoreError(f"run store {path}: {what} with ID {run_id!r}")
    return found[0]


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
