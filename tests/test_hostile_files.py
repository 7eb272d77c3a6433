"""Hostile scenario YAML and plan JSON (scenarios/safe_read.py): a YAML bomb, nesting deep
enough to exhaust Python's recursion, an oversized file, numbers that are not finite. Each is
refused quickly, with little memory, in one line naming the file and the cap, exit code 2."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import CliRun, WfmRunner, contract_path

from scenarios.load import ScenarioError, parse_mapping
from scenarios.safe_read import MAX_DEPTH, YAML_MAX_BYTES, YAML_MAX_NODES

SCENARIO = contract_path("single_queue.yaml")


def _refused(run: CliRun, file: Path, *words: str) -> None:
    assert run.code == 2, run.err
    assert len(run.err_lines) == 1, run.err[:500]
    assert run.err.startswith(f"{file}: "), run.err
    for word in words:
        assert word in run.err, run.err


def _billion_laughs(levels: int = 10) -> str:
    """A dozen lines that expand to 10**levels strings: each anchor lists the previous ten times."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_bomb_is_refused_quickly_with_little_memory(wfm: WfmRunner, tmp_path: Path):
    path = tmp_path / "bomb.yaml"
    path.write_text(_billion_laughs(), encoding="utf-8")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        run = wfm("validate", path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _refused(run, path, f"more than {YAML_MAX_NODES:,} nodes", "YAML bomb")
    assert time.perf_counter() - start < 2
    assert peak < 20 * 2**20


@pytest.mark.parametrize(
    "name, text",
    [
        ("deep.yaml", "name: " + "[" * 500 + "]" * 500 + "\n"),
        ("block.yaml", "".join(f"{'  ' * i}k{i}:\n" for i in range(500)) + "  " * 500 + "x\n"),
        # Shallow as written, but each anchor holds the one before: deep once expanded.
        ("aliases.yaml", "a0: &a0 [x]\n"
         + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, MAX_DEPTH + 5))),
    ],
)  # fmt: skip
def test_deep_yaml_is_refused_in_one_line(wfm: WfmRunner, tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    _refused(wfm("validate", path), path, f"nested more than {MAX_DEPTH} levels deep")


def test_an_alias_inside_its_own_anchor_is_refused(wfm: WfmRunner, tmp_path: Path):
    path = tmp_path / "loop.yaml"
    path.write_text("name: &a [x, *a]\n", encoding="utf-8")
    _refused(wfm("validate", path), path, "line 1", "an alias inside the node it names")


def test_an_oversized_yaml_file_is_refused_unread(wfm: WfmRunner, tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * YAML_MAX_BYTES + b"\n")
    _refused(wfm("validate", path), path, "larger than 2 MB")
    # An upload is text already: the same cap, the same line.
    with pytest.raises(ScenarioError, match=r"^upload.yaml: larger than 2 MB"):
        parse_mapping("#" * (YAML_MAX_BYTES + 1), "upload.yaml")


def test_a_yaml_bomb_upload_is_refused():
    with pytest.raises(ScenarioError, match=r"^upload.yaml: more than .* nodes"):
        parse_mapping(_billion_laughs(), "upload.yaml")


def test_an_extended_yaml_bomb_is_refused(wfm: WfmRunner, tmp_path: Path):
    base = tmp_path / "base.yaml"
    base.write_text(_billion_laughs(), encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\n", encoding="utf-8")
    _refused(wfm("validate", child), base, "YAML bomb")


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", "1.0e+999"])
def test_a_number_that_is_not_finite_is_refused(wfm: WfmRunner, tmp_path: Path, number: str):
    # The schema refuses these (allow_inf_nan=False); the reader need not.
    text = SCENARIO.read_text(encoding="utf-8")
    assert "mean_s: 180" in text
    path = tmp_path / "inf.yaml"
    path.write_text(text.replace("mean_s: 180", f"mean_s: {number}"), encoding="utf-8")
    run = wfm("validate", path)
    assert run.code == 2 and len(run.err_lines) == 1, run.err
    assert run.err.startswith(f"{path}: contact_types[0]"), run.err


def test_deep_plan_json_is_refused_in_one_line(wfm: WfmRunner, tmp_path: Path):
    path = tmp_path / "deep.json"
    path.write_text('{"shifts": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    run = wfm("simulate", SCENARIO, "--plan", path, "--no-store")
    _refused(run, path, f"nested more than {MAX_DEPTH} levels deep")
    # Too shallow to reach Python's recursion limit, still over the cap.
    path.write_text('{"shifts": [], "x": ' + "[" * 200 + "]" * 200 + "}", encoding="utf-8")
    run = wfm("simulate", SCENARIO, "--plan", path, "--no-store")
    _refused(run, path, f"nested more than {MAX_DEPTH} levels deep")


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e999"])
def test_plan_json_numbers_must_be_finite(wfm: WfmRunner, tmp_path: Path, number: str):
    path = tmp_path / "plan.json"
    path.write_text(f'{{"shifts": [], "coverage": [{{"x": {number}}}]}}', encoding="utf-8")
    run = wfm("simulate", SCENARIO, "--plan", path, "--no-store")
    _refused(run, path, "expected a finite one")


def test_a_plan_shift_whose_group_is_not_a_name_is_refused(wfm: WfmRunner, tmp_path: Path):
    # Found by tests/test_fuzz.py: a list there was looked up in a set (TypeError).
    path = tmp_path / "plan.json"
    shift = {"group": [], "template": "day8", "day": 0, "start": "08:00", "length_h": 8,
             "count": 1, "breaks": []}  # fmt: skip
    path.write_text(json.dumps({"shifts": [shift]}), encoding="utf-8")
    run = wfm("simulate", SCENARIO, "--plan", path, "--no-store")
    _refused(run, path, "shifts[0].group: expected an agent group of the scenario")
