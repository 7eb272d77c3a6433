"""Outputs never clobber inputs or each other, a store path that is not a store is refused,
and a disk that refuses the outputs after the run is one line: issue 15's reproducers."""

from __future__ import annotations

import errno
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import WfmRunner

import report.export

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "scenarios" / "library"
DRILL = ["--incident", "regional-network-fault", "--replications", "1", "--no-store"]


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    copy = tmp_path / "single_queue.yaml"
    shutil.copy(LIBRARY / "single_queue.yaml", copy)
    return copy


def _one_line(run, code: int, words: str) -> None:
    assert run.code == code, run.err
    assert len(run.err_lines) == 1 and words in run.err_lines[0], run.err_lines


def test_an_output_on_the_scenario_is_refused_and_the_scenario_kept(
    wfm: WfmRunner, scenario: Path
) -> None:
    before = scenario.read_bytes()
    run = wfm("simulate", scenario, "--replications", "1", "--no-store", "--json",
              scenario.parent / "." / scenario.name)  # fmt: skip
    _one_line(run, 2, "the same file as the scenario")
    assert scenario.read_bytes() == before


def test_an_output_on_the_plan_is_refused(wfm: WfmRunner, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(LIBRARY / "drills" / "telecom_week_plan.json", plan)
    before = plan.read_bytes()
    run = wfm("drill", LIBRARY / "drills" / "network_fault.yaml", *DRILL, "--plan", plan,
              "--json", plan)  # fmt: skip
    _one_line(run, 2, "the same file as --plan")
    assert plan.read_bytes() == before


def test_two_outputs_on_one_file_are_refused(wfm: WfmRunner, tmp_path: Path) -> None:
    same = tmp_path / "out.json"
    run = wfm("drill", LIBRARY / "drills" / "network_fault.yaml", *DRILL, "--json", same,
              "--png", same)  # fmt: skip
    _one_line(run, 2, "the same file as --json")
    assert not same.exists()


def test_the_json_inside_the_csv_folder_is_refused(
    wfm: WfmRunner, scenario: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    run = wfm("simulate", scenario, "--replications", "1", "--no-store", "--csv", folder,
              "--json", folder / "intervals.csv")  # fmt: skip
    _one_line(run, 2, "--csv intervals.csv")
    assert not folder.exists()


def test_a_store_path_that_is_not_a_store_is_refused_before_the_run(
    wfm: WfmRunner, scenario: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "notes.json"
    mine.write_text('{"mine": true}\n', encoding="utf-8")
    out = tmp_path / "out.json"
    run = wfm("simulate", scenario, "--replications", "1", "--store", mine, "--json", out)
    _one_line(run, 2, "not a wfm run store")
    assert mine.read_text(encoding="utf-8") == '{"mine": true}\n' and not out.exists()


def test_a_full_disk_after_the_run_is_one_line_and_leaves_nothing(
    wfm: WfmRunner, scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FullDisk:
        def __init__(self, fd: int, *args: object, **kwargs: object) -> None:
            self.fd = fd

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            report.export.os.close(self.fd)

        def write(self, _text: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report.export.os, "fdopen", FullDisk)
    out = tmp_path / "out" / "result.json"
    run = wfm("simulate", scenario, "--replications", "1", "--no-store", "--json", out)
    _one_line(run, 1, "No space left on device")
    assert not out.exists() and list(out.parent.iterdir()) == []


def _children(pid: int) -> list[int]:
    """The process IDs of `pid`'s children (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_workers_writes_nothing_and_says_so(
    scenario: Path, tmp_path: Path, signum: int, code: int
) -> None:
    out = tmp_path / "out.json"
    command = [sys.executable, "-c", "import cli; cli.main()", "simulate", str(scenario),
               "--replications", "60", "--workers", "2", "--no-store",
               "--json", str(out)]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        workers: list[int] = []
        deadline = time.monotonic() + 60
        while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)  # nothing announces the workers: look for them
            workers = _children(process.pid)
        assert len(workers) >= 2, "the run did not start its workers"
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == code
    # The last word is wfm's; no traceback from it or its workers on the way (a loaded CI
    # machine once printed one more line here, not kept: the whole text is in the message).
    assert err.strip().splitlines()[-1] == "wfm: interrupted", err
    assert "Traceback" not in err, err
    assert not out.exists() and list(tmp_path.glob(".out.json.*")) == []
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    assert alive == [], "a worker outlived wfm"
