"""Refactoring leaves every output as it was, byte for byte but for the last bits of numbers:
each bundled scenario validated and simulated, the telecom week on its bundled plan, every
drill, a short search on shifts.yaml, a sweep and the executive report, run through the CLI
with a fixed seed; each output's SHA-256 (of its normalised content, below) is compared with
`tests/golden_outputs.json`.

Two things are left out of the comparison because they are not a function of the seed:
``solve_time_s`` (wall clock) and the PDF's creation date (the report is compared by its text);
and the checkout's own path, where an output names a file by it, is compared as ``REPO``.
Numbers in JSON and CSV files are compared to `DIGITS` significant digits, and as 0 under
`ZERO` (what a cancellation leaves of a zero): numpy's vectorised ``exp`` and ``log`` take
another path on a processor with AVX-512 and move the last bits of a float (the same
simulation, the same events; seen between two machines of this project).
`wfm roster` is left out altogether: its solver stops on wall-clock time, so its assignments
may differ between machines.

When an output is *meant* to change (a new field, a fixed bug, a library upgrade that moves a
float), look at the new documents (written under ``out/golden/`` by the failing run), then
refresh the file with ``make golden`` and say why in the commit.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

import pytest
from conftest import invoke

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "scenarios" / "library"
WEEK_PLAN = LIBRARY / "drills" / "telecom_week_plan.json"
GOLDEN = Path(__file__).with_name("golden_outputs.json")
SEEN = REPO / "out" / "golden"
VOLATILE = {"solve_time_s"}  # wall-clock seconds: the only field not set by the seed
DIGITS = 10  # significant digits a number is compared to (see the module's docstring)
ZERO = 1e-9  # a number smaller than this in size is compared as 0

# Each drill with the incident it runs (the one its file defines).
DRILLS = {
    "network_fault": "regional-network-fault",
    "complaint_wave": "billing-error-complaints",
    "security": "phishing-sms-campaign",
    "weather": "typhoon",
    "multi_department": "provincial-outage",
}


def _cases() -> dict[str, list[str]]:
    """Case name -> the `wfm` arguments; ``{out}`` stands for the case's output folder."""
    seed = ["--seed", "1", "--no-store"]
    cases = {}
    for path in sorted(LIBRARY.glob("*.yaml")) + sorted((LIBRARY / "drills").glob("*.yaml")):
        cases[f"validate-{path.stem}"] = ["validate", str(path)]
    for name, replications in (("single_queue", 3), ("multi_skill", 2)):
        cases[f"simulate-{name}"] = [
            "simulate", str(LIBRARY / f"{name}.yaml"), "--replications", str(replications),
            *seed, "--workers", "1", "--json", "{out}/result.json", "--csv", "{out}/csv",
        ]  # fmt: skip
    cases["simulate-telecom_week"] = [
        "simulate", str(LIBRARY / "telecom_hotline_week.yaml"), "--plan", str(WEEK_PLAN),
        "--replications", "1", *seed, "--json", "{out}/result.json",
    ]  # fmt: skip
    cases["optimise-shifts"] = [
        "optimise", str(LIBRARY / "shifts.yaml"), "--replications", "2",
        "--max-replications", "8", "--max-rounds", "2", "--time-limit", "2", "--workers", "1",
        *seed, "--json", "{out}/plan.json", "--csv", "{out}/csv",
    ]  # fmt: skip
    for name, incident in DRILLS.items():
        compare = ["--compare", "no-reserve,no-ivr"] if name == "network_fault" else []
        cases[f"drill-{name}"] = [
            "drill", str(LIBRARY / "drills" / f"{name}.yaml"), "--incident", incident,
            "--plan", str(WEEK_PLAN), *compare, "--replications", "1", *seed,
            "--json", "{out}/drill.json",
        ]  # fmt: skip
    cases["sweep-single_queue"] = [
        "sweep", str(LIBRARY / "single_queue.yaml"), "--vary", "volume=0.9,1.1",
        "--vary", "agents.pool=32,34", "--replications", "2", *seed, "--workers", "1",
        "--json", "{out}/sweep.json", "--csv", "{out}/sweep.csv",
    ]  # fmt: skip
    return cases


CASES = _cases()
REPORT_CASE = "report-telecom_week"


def _normalised(path: Path) -> bytes:
    """A file's bytes as compared: JSON without its volatile fields, JSON and CSV numbers
    rounded (`DIGITS`), a PDF's text."""
    if path.suffix == ".json":
        return json.dumps(_without_volatile(json.loads(path.read_bytes()))).encode()
    if path.suffix == ".csv":
        rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
        return "\n".join(",".join(_rounded_cell(c) for c in row) for row in rows).encode()
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(path).pages).encode()
    return path.read_bytes()


def _without_volatile(value):
    if isinstance(value, dict):
        return {k: _without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    if isinstance(value, str):  # a path in the checkout (a plan's scenario_file) depends on it
        return value.replace(str(REPO), "REPO")
    if isinstance(value, float):
        return _rounded(value)
    return value


def _rounded(value: float) -> float:
    return 0.0 if abs(value) < ZERO else float(f"{value:.{DIGITS}g}")


def _rounded_cell(cell: str) -> str:
    """A CSV cell as compared: a number with a fractional part or an exponent rounded."""
    if not any(c in cell for c in ".eE"):
        return cell
    try:
        return repr(_rounded(float(cell)))
    except ValueError:
        return cell


def _run(args: list[str], out: Path) -> dict[str, str]:
    """Run `wfm ARGS` with outputs under `out`: each output's (and, for `validate`, the
    printed text's) SHA-256 by its path relative to `out`."""
    shutil.rmtree(out, ignore_errors=True)  # only this run's files are compared
    out.mkdir(parents=True)
    run = invoke([a.replace("{out}", str(out)) for a in args])
    assert run.code == 0, run.err
    if args[0] == "validate":
        # The text names the scenario by its absolute path, which depends on the checkout.
        text = run.out.replace(str(REPO), "REPO")
        (out / "stdout.txt").write_text(text, encoding="utf-8")
    return {
        str(p.relative_to(out)): hashlib.sha256(_normalised(p)).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def _run_report(out: Path) -> dict[str, str]:
    """The executive report of the bundled plan with the network-fault drill's document."""
    drill = out / "drill"
    _run(CASES["drill-network_fault"], drill)
    return _run(
        ["report", str(WEEK_PLAN), "--drill", str(drill / "drill.json"), "--seed", "1",
         "--replications", "1", "--pdf", "{out}/executive.pdf"],
        out / "report",
    )  # fmt: skip


def _golden() -> dict[str, dict[str, str]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def _check(name: str, found: dict[str, str]) -> None:
    expected = _golden().get(name, {})
    changed = sorted({f for f in found.keys() | expected.keys() if found.get(f) != expected.get(f)})
    assert not changed, (
        f"{name}: {', '.join(changed)} changed (the new files are in {SEEN / name}; if the change "
        "is meant, see this module's docstring)"
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_are_identical_to_the_golden_copies(name: str) -> None:
    out = SEEN / name
    _check(name, _run(CASES[name], out))


@pytest.mark.slow
def test_the_report_is_unchanged() -> None:
    _check(REPORT_CASE, _run_report(SEEN / REPORT_CASE))


def main() -> None:
    """Write `tests/golden_outputs.json` afresh (``make golden``)."""
    golden = {name: _run(args, SEEN / name) for name, args in sorted(CASES.items())}
    golden[REPORT_CASE] = _run_report(SEEN / REPORT_CASE)
    GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{GOLDEN}: {len(golden)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
