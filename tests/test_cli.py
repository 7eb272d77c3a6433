"""`wfm simulate`: the JSON document of DESIGN.md's contract, the CSV tables, the printed
summary, and how outputs are written.

One short run (multi_skill.yaml cut to one day, 3 replications, one worker) is shared by most
tests; it writes its JSON into a folder that does not exist yet, and its CSVs beside it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    CliRun,
    WfmRunner,
    invoke,
    load_contract,
    write_yaml,
)

import cli_support

SEED = 7
REPLICATIONS = 3

TOP_LEVEL = {
    "scenario",
    "seed",
    "replications",
    "contact_types",
    "agent_groups",
    "targets",
    "intervals",
}
STAT = {"mean", "ci95_low", "ci95_high"}
COUNT_KPIS = ("offered", "answered", "abandoned", "unfinished")
RATE_KPIS = ("service_level", "abandon_rate", "asa_s")
KPI_STATS = COUNT_KPIS + RATE_KPIS
TARGET_KEYS = {"contact_type", "tier", "answer_within_s", "service_level", "achieved", "met"}
INTERVAL_KEYS = (
    "day",
    "interval",
    "start",
    "contact_type",
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_s",
)


def strict_json(text: str) -> Any:
    """Parse JSON, refusing NaN and Infinity (not JSON, though Python writes them by default)."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def one_day(name: str) -> dict[str, Any]:
    data = load_contract(name)
    data["horizon"]["days"] = 1
    return data


@dataclass(frozen=True)
class SimRun:
    scenario: dict[str, Any]  # the scenario as written
    run: CliRun
    json_path: Path
    csv_dir: Path
    document: dict[str, Any]

    @property
    def intervals_per_day(self) -> int:
        return 1440 // self.scenario["horizon"]["interval_min"]

    @property
    def n_intervals(self) -> int:
        return self.scenario["horizon"]["days"] * self.intervals_per_day


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> SimRun:
    folder = tmp_path_factory.mktemp("simulate")
    scenario = one_day("multi_skill.yaml")
    path = write_yaml(folder / "multi_skill_1day.yaml", scenario)
    json_path = folder / "new" / "deeper" / "result.json"
    csv_dir = folder / "tables"
    assert not json_path.parent.parent.exists() and not csv_dir.exists()
    run = invoke(
        [
            "simulate",
            path,
            "--replications",
            REPLICATIONS,
            "--seed",
            SEED,
            "--workers",
            1,
            "--json",
            json_path,
            "--csv",
            csv_dir,
        ]
    )
    assert run.code == 0, run.err
    assert json_path.is_file(), "no JSON written"
    document = strict_json(json_path.read_text(encoding="utf-8"))
    return SimRun(scenario, run, json_path, csv_dir, document)


def stats(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every Stat the contract names, with where it is."""
    for name, kpi in document["contact_types"].items():
        for key in KPI_STATS:
            yield f"contact_types.{name}.{key}", kpi.get(key)
        for tier, tier_kpi in kpi.get("tiers", {}).items():
            for key in KPI_STATS:
                yield f"contact_types.{name}.tiers.{tier}.{key}", tier_kpi.get(key)
    for name, group in document["agent_groups"].items():
        yield f"agent_groups.{name}.occupancy", group.get("occupancy")
    for j, target in enumerate(document["targets"]):
        yield f"targets[{j}].achieved", target.get("achieved")


def kpi_entries(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every contact type and every tier, with its KPIs."""
    for name, kpi in document["contact_types"].items():
        yield name, kpi
        for tier, tier_kpi in kpi["tiers"].items():
            yield f"{name}/{tier}", tier_kpi


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


# --- the run itself ------------------------------------------------------------------------


def test_run_succeeds_quietly(sim: SimRun) -> None:
    assert sim.run.code == 0
    assert sim.run.err == ""


# --- the JSON document ---------------------------------------------------------------------


def test_top_level(sim: SimRun) -> None:
    doc = sim.document
    assert doc.keys() >= TOP_LEVEL, f"missing: {TOP_LEVEL - doc.keys()}"
    assert doc["scenario"] == sim.scenario["name"] == "multi-skill"
    assert doc["seed"] == SEED
    assert doc["replications"] == REPLICATIONS


def test_every_stat_has_mean_and_interval(sim: SimRun) -> None:
    found = list(stats(sim.document))
    # 3 types + 4 tiers, 7 KPIs each; 4 groups; 6 targets
    assert len(found) == 7 * 7 + 4 + 6
    for where, value in found:
        assert isinstance(value, dict), f"{where} is not a Stat: {value!r}"
        assert value.keys() >= STAT, f"{where} lacks {STAT - value.keys()}"
        for key in STAT:  # every KPI is defined here, and 3 replications give an interval
            number = value[key]
            assert isinstance(number, float) and math.isfinite(number), f"{where}.{key}={number!r}"


def test_contact_types_and_tiers(sim: SimRun) -> None:
    types = sim.document["contact_types"]
    assert list(types) == [ct["name"] for ct in sim.scenario["contact_types"]]
    for ct in sim.scenario["contact_types"]:
        entry = types[ct["name"]]
        assert entry.keys() >= {*KPI_STATS, "answer_within_s", "tiers"}, ct["name"]
        tiers = [t["name"] for t in ct.get("tiers", [])]
        assert list(entry["tiers"]) == tiers, ct["name"]
        for tier in tiers:
            assert entry["tiers"][tier].keys() >= {*KPI_STATS, "answer_within_s"}, tier
    assert list(types["billing"]["tiers"]) == ["diamond", "gold", "silver", "ordinary"]


def test_answer_thresholds_come_from_the_targets(sim: SimRun) -> None:
    types = sim.document["contact_types"]
    assert types["tech"]["answer_within_s"] == 60.0
    assert types["web_chat"]["answer_within_s"] == 60.0
    for tier in ("diamond", "gold", "silver", "ordinary"):
        assert types["billing"]["tiers"][tier]["answer_within_s"] == 20.0


def test_agent_groups(sim: SimRun) -> None:
    groups = sim.document["agent_groups"]
    assert list(groups) == [g["name"] for g in sim.scenario["agent_groups"]]
    for name, group in groups.items():
        occupancy = group["occupancy"]["mean"]
        assert 0.0 < occupancy <= 1.0, f"{name} occupancy {occupancy}"


def test_targets(sim: SimRun) -> None:
    targets = sim.document["targets"]
    written = sim.scenario["targets"]
    assert len(targets) == len(written)
    for target, spec in zip(targets, written, strict=True):
        assert target.keys() >= TARGET_KEYS, f"missing {TARGET_KEYS - target.keys()}"
        assert target["contact_type"] == spec["contact_type"]
        assert target["tier"] == spec.get("tier")
        assert target["answer_within_s"] == spec["answer_within_s"]
        assert target["service_level"] == spec["service_level"]
        assert isinstance(target["met"], bool)
        # met means the point estimate reaches the target (DESIGN: "Honest statistics")
        assert target["met"] == (target["achieved"]["mean"] >= spec["service_level"])


def test_tier_target_achieved_is_the_tier_service_level(sim: SimRun) -> None:
    """A tier target's achieved level is that tier's service level (same threshold here)."""
    billing = sim.document["contact_types"]["billing"]["tiers"]
    for target in sim.document["targets"]:
        if target["contact_type"] == "billing":
            tier_sl = billing[target["tier"]]["service_level"]["mean"]
            assert target["achieved"]["mean"] == pytest.approx(tier_sl, rel=1e-12)


def test_interval_rows(sim: SimRun) -> None:
    rows = sim.document["intervals"]
    names = [ct["name"] for ct in sim.scenario["contact_types"]]
    assert len(rows) == sim.n_intervals * len(names) == 1 * 48 * 3
    minutes = sim.scenario["horizon"]["interval_min"]
    for row in rows:
        missing = set(INTERVAL_KEYS) - row.keys()
        assert not missing, f"interval row lacks {missing}: {row}"
        assert 0 <= row["day"] < sim.scenario["horizon"]["days"]
        assert 0 <= row["interval"] < sim.intervals_per_day
        assert row["start"] == clock(row["interval"] * minutes), row
    cells = {(r["day"], r["interval"], r["contact_type"]) for r in rows}
    assert len(cells) == len(rows), "duplicate interval rows"
    assert {c[2] for c in cells} == set(names)
    starts = {r["start"] for r in rows}
    assert {"00:00", "00:30", "12:00", "23:30"} <= starts


def test_interval_rows_add_up_to_the_horizon(sim: SimRun) -> None:
    """The mean of a sum is the sum of the means: interval rows total the horizon KPIs."""
    types = sim.document["contact_types"]
    for name, kpi in types.items():
        rows = [r for r in sim.document["intervals"] if r["contact_type"] == name]
        for key in ("offered", "answered", "abandoned"):
            total = sum(r[key] for r in rows)
            assert total == pytest.approx(kpi[key]["mean"], rel=1e-9), f"{name}.{key}"


def test_json_is_a_fresh_standard_document(sim: SimRun) -> None:
    text = sim.json_path.read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    assert strict_json(text) == sim.document


# --- statistical sanity (the contract's definitions) ---------------------------------------


def test_offered_is_answered_plus_abandoned_plus_unfinished(sim: SimRun) -> None:
    for where, kpi in kpi_entries(sim.document):
        parts = kpi["answered"]["mean"] + kpi["abandoned"]["mean"] + kpi["unfinished"]["mean"]
        assert kpi["offered"]["mean"] == pytest.approx(parts, rel=0, abs=1e-9), where
        assert kpi["offered"]["mean"] > 0, where


def test_rates_are_proportions(sim: SimRun) -> None:
    for where, kpi in kpi_entries(sim.document):
        for key in ("service_level", "abandon_rate"):
            assert 0.0 <= kpi[key]["mean"] <= 1.0, f"{where}.{key}"
        assert kpi["asa_s"]["mean"] >= 0.0, where
        closed = kpi["answered"]["mean"] + kpi["abandoned"]["mean"]
        # abandon rate = abandoned / (answered + abandoned), per replication; with equal-ish
        # denominators the mean of ratios is close to the ratio of means
        assert kpi["abandon_rate"]["mean"] == pytest.approx(
            kpi["abandoned"]["mean"] / closed, abs=0.02
        ), where


def test_confidence_intervals_bracket_the_mean(sim: SimRun) -> None:
    for where, value in stats(sim.document):
        assert value["ci95_low"] <= value["mean"] <= value["ci95_high"], where


def test_tiers_partition_their_contact_type(sim: SimRun) -> None:
    billing = sim.document["contact_types"]["billing"]
    shares = {t["name"]: t["share"] for t in sim.scenario["contact_types"][0]["tiers"]}
    for key in COUNT_KPIS:
        total = sum(tier[key]["mean"] for tier in billing["tiers"].values())
        assert total == pytest.approx(billing[key]["mean"], rel=0, abs=1e-9), key
    offered = billing["offered"]["mean"]
    for tier, share in shares.items():
        observed = billing["tiers"][tier]["offered"]["mean"] / offered
        assert observed == pytest.approx(share, abs=0.02), tier  # ~8 standard errors


def test_offered_volume_matches_the_scenario(sim: SimRun) -> None:
    for ct in sim.scenario["contact_types"]:
        expected = ct["volume"]["per_interval"] * sim.n_intervals
        offered = sim.document["contact_types"][ct["name"]]["offered"]["mean"]
        assert offered == pytest.approx(expected, rel=0.05), ct["name"]  # > 5 standard errors


# --- CSV tables ----------------------------------------------------------------------------


def test_csv_intervals(sim: SimRun) -> None:
    header, rows = read_csv(sim.csv_dir / "intervals.csv")
    assert set(INTERVAL_KEYS) <= set(header), f"missing {set(INTERVAL_KEYS) - set(header)}"
    assert len(rows) == len(sim.document["intervals"])
    for row, record in zip(rows, sim.document["intervals"], strict=True):
        assert (int(row["day"]), int(row["interval"]), row["start"], row["contact_type"]) == (
            record["day"],
            record["interval"],
            record["start"],
            record["contact_type"],
        )
        assert float(row["offered"]) == pytest.approx(record["offered"], rel=1e-12)


def test_csv_occupancy(sim: SimRun) -> None:
    header, rows = read_csv(sim.csv_dir / "occupancy.csv")
    assert {"day", "interval", "start", "group", "occupancy"} <= set(header)
    groups = [g["name"] for g in sim.scenario["agent_groups"]]
    assert len(rows) == sim.n_intervals * len(groups)
    assert {r["group"] for r in rows} == set(groups)
    for row in rows:
        assert row["start"] == clock(int(row["interval"]) * 30)
        assert 0.0 <= float(row["occupancy"]) <= 1.0, row


# --- the printed summary -------------------------------------------------------------------


def test_summary_names_every_type_tier_and_group(sim: SimRun) -> None:
    labels = {line.split()[0] for line in sim.run.out.splitlines() if line.strip()}
    expected = {ct["name"] for ct in sim.scenario["contact_types"]}
    expected |= {t["name"] for ct in sim.scenario["contact_types"] for t in ct.get("tiers", [])}
    expected |= {g["name"] for g in sim.scenario["agent_groups"]}
    assert expected <= labels, f"not in the summary: {expected - labels}"


# --- how outputs are written ---------------------------------------------------------------


def test_output_folders_are_created(sim: SimRun) -> None:
    assert sim.json_path.is_file()
    assert (sim.csv_dir / "intervals.csv").is_file()
    assert (sim.csv_dir / "occupancy.csv").is_file()


def test_no_temporary_files_left_behind(sim: SimRun) -> None:
    """Outputs go through a temporary file and an atomic rename: nothing else remains."""
    assert sorted(p.name for p in sim.json_path.parent.iterdir()) == ["result.json"]
    tables = sorted(p.name for p in sim.csv_dir.iterdir())
    assert {"intervals.csv", "occupancy.csv"} <= set(tables)
    leftovers = [name for name in tables if name.startswith(".") or not name.endswith(".csv")]
    assert not leftovers, f"left behind in {sim.csv_dir}: {leftovers}"


@pytest.mark.parametrize("option", ["--json", "--csv"])
def test_unwritable_output_is_one_line(option: str, wfm: WfmRunner, tmp_path: Path) -> None:
    scenario = one_day("single_queue.yaml")
    path = write_yaml(tmp_path / "single_queue_1day.yaml", scenario)
    blocker = tmp_path / "a_file"
    blocker.write_text("keep me\n", encoding="utf-8")
    target = blocker / ("result.json" if option == "--json" else "tables")
    run = wfm("simulate", path, "--replications", "1", "--workers", "1", option, target)
    assert "Traceback" not in run.err
    assert run.code == 2, run.err
    assert len(run.err_lines) == 1, run.err_lines
    assert str(blocker) in run.err_lines[0], "the message does not name the path"
    assert blocker.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "single_queue_1day.yaml"]


def test_same_seed_same_numbers_whatever_the_workers(tmp_path: Path) -> None:
    """DESIGN: same scenario + seed gives identical numbers, whatever the number of workers."""
    path = write_yaml(tmp_path / "single_queue_1day.yaml", one_day("single_queue.yaml"))
    documents = []
    for workers in (1, 2):
        out = tmp_path / f"workers{workers}.json"
        run = invoke(
            [
                "simulate",
                path,
                "--replications",
                "2",
                "--seed",
                "3",
                "--workers",
                workers,
                "--json",
                out,
            ]
        )
        assert run.code == 0, run.err
        documents.append(strict_json(out.read_text(encoding="utf-8")))
    assert documents[0] == documents[1]
    other = tmp_path / "seed4.json"
    run = invoke(
        ["simulate", path, "--replications", "2", "--seed", "4", "--workers", "1", "--json", other]
    )
    assert run.code == 0, run.err
    assert strict_json(other.read_text(encoding="utf-8")) != documents[0]


def test_output_path_that_is_a_folder_is_refused_before_the_run(
    wfm: WfmRunner, tmp_path: Path
) -> None:
    path = write_yaml(tmp_path / "single_queue_1day.yaml", one_day("single_queue.yaml"))
    folder = tmp_path / "taken"
    folder.mkdir()
    run = wfm("simulate", path, "--replications", "1", "--json", folder)
    assert run.code == 2 and len(run.err_lines) == 1, run.err
    assert "folder" in run.err_lines[0] and str(folder) in run.err_lines[0]
    assert run.out == "", "the simulation ran before the output was checked"
    assert list(folder.iterdir()) == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_on_a_terminal_once_a_run_is_slow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with cli_support.ProgressBar("simulating") as bar:
        bar.update(0.5)  # a fresh run: too early to show anything
        assert terminal.getvalue() == ""
        monkeypatch.setattr(cli_support.ProgressBar, "DELAY_S", 0.0)
        bar.update(0.5)
        assert "simulating [" in terminal.getvalue() and "50%" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r"), "the bar is not cleared at the end"


def test_progress_bar_stays_silent_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    captured = io.StringIO()
    monkeypatch.setattr(sys, "stderr", captured)
    monkeypatch.setattr(cli_support.ProgressBar, "DELAY_S", 0.0)
    with cli_support.ProgressBar("simulating") as bar:
        bar.update(1.0)
    assert captured.getvalue() == ""


def test_bad_input_is_refused_before_the_store_or_a_cluster_is_touched(
    wfm: WfmRunner, tmp_path: Path
):
    """The job checks its inputs first: a wrong incident neither creates the run store nor
    waits for a scheduler that is not there."""
    store = tmp_path / "runs.duckdb"
    drill = Path(__file__).resolve().parents[1] / "scenarios/library/drills/network_fault.yaml"
    run = wfm("drill", drill, "--incident", "nope", "--json", tmp_path / "d.json",
              "--store", store, "--scheduler", "tcp://127.0.0.1:9")  # fmt: skip
    assert run.code == 2 and len(run.err_lines) == 1
    assert "no incident named 'nope'" in run.err_lines[0]
    assert not store.exists() and not (tmp_path / "d.json").exists()
