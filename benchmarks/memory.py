"""Peak resident memory and wall time of one long ``wfm simulate`` run.

What is measured
----------------
The single-queue contract scenario (``../shared/contract/single_queue.yaml`` relative to the
repository, or ``--scenario``) is copied into a temporary file with ``horizon.days`` set to 28
(four weeks; ``--days`` changes it) and run as a child process::

    wfm simulate SCENARIO --replications 1 --seed S --workers 1 --json OUT

The child is started with ``subprocess.Popen`` and reaped with ``os.wait4``, whose resource
usage gives the child's peak resident set size (``ru_maxrss``: KiB on Linux, bytes on macOS),
reported in MB (MiB, 2**20 bytes). Wall time is ``time.perf_counter`` around the whole command,
interpreter start-up and imports included. The number of contacts offered is read back from
the JSON when it is there. If no ``wfm`` executable is found the script says so and exits 0.

Usage::

    python benchmarks/memory.py [--days D] [--markdown] [--scenario PATH] [--seed S] [--wfm PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = REPO / "scenarios" / "library" / "single_queue.yaml"  # the contract's copy


@dataclass
class Measurement:
    """One child run."""

    peak_rss_mb: float
    wall_s: float
    offered: int | None
    exit_code: int
    stderr_tail: str


def find_wfm(explicit: str | None) -> str | None:
    """The wfm executable: --wfm, else next to this interpreter, else .venv/bin, else PATH."""
    if explicit:
        return explicit if Path(explicit).exists() else None
    for candidate in (Path(sys.executable).parent / "wfm", REPO / ".venv" / "bin" / "wfm"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("wfm")


def maxrss_mb(ru_maxrss: int) -> float:
    """``ru_maxrss`` in MiB (the unit is KiB on Linux and bytes on macOS)."""
    return ru_maxrss / (1024.0 * 1024.0) if sys.platform == "darwin" else ru_maxrss / 1024.0


def measure(wfm: str, scenario: Path, days: int, seed: int) -> Measurement:
    """Run wfm once on ``scenario`` stretched to ``days`` days; peak RSS from ``os.wait4``."""
    data = yaml.safe_load(scenario.read_text())
    data.setdefault("horizon", {})["days"] = days
    with tempfile.TemporaryDirectory(prefix="wfm-mem-") as tmp:
        stretched = Path(tmp) / f"{scenario.stem}_{days}d.yaml"
        out = Path(tmp) / "out.json"
        stretched.write_text(yaml.safe_dump(data, sort_keys=False))
        cmd = [
            wfm, "simulate", str(stretched), "--replications", "1", "--seed", str(seed),
            "--workers", "1", "--json", str(out),
        ]  # fmt: skip
        # Output goes to files, not pipes: nobody reads a pipe while we block in wait4.
        with open(Path(tmp) / "stdout", "wb") as so, open(Path(tmp) / "stderr", "wb") as se:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=so, stderr=se)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err = (Path(tmp) / "stderr").read_text(errors="replace").strip().splitlines()[-5:]
        offered: int | None = None
        try:
            general = json.loads(out.read_text())["contact_types"]["general"]
            offered = round(float(general["offered"]["mean"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return Measurement(maxrss_mb(usage.ru_maxrss), wall, offered, proc.returncode, " | ".join(err))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--days", type=int, default=28, help="horizon.days for the run (default 28)")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario to stretch")
    p.add_argument("--seed", type=int, default=1, help="seed passed to wfm (default 1)")
    p.add_argument("--wfm", default=None, help="path of the wfm executable (default: found)")
    args = p.parse_args(argv)
    if args.days < 1:
        p.error("--days must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wfm = find_wfm(args.wfm)
    if wfm is None:
        print(
            "wfm memory benchmark skipped: no wfm executable found (tried --wfm, beside this "
            "Python, .venv/bin, PATH); install the project (pip install -e .) or pass --wfm PATH"
        )
        return 0
    if not args.scenario.exists():
        print(f"wfm memory benchmark skipped: scenario {args.scenario} not found")
        return 0
    print(f"running wfm on {args.scenario.name} for {args.days} days ...", file=sys.stderr)
    m = measure(wfm, args.scenario, args.days, args.seed)
    if m.exit_code != 0:
        print(f"wfm exited {m.exit_code}: {m.stderr_tail}")
        return 1
    env = f"Python {platform.python_version()}, {platform.system()} {platform.machine()}"
    offered = f"{m.offered:,}" if m.offered is not None else "n/a"
    what = f"{args.scenario.name}, {args.days} days, 1 replication, 1 worker, seed {args.seed}"
    if args.markdown:
        print(f"`wfm simulate` peak memory ({env}).\n")
        print("| Scenario | Contacts offered | Peak RSS (MB) | Wall (s) |")
        print("|---|---:|---:|---:|")
        print(f"| {what} | {offered} | {m.peak_rss_mb:.1f} | {m.wall_s:.2f} |")
    else:
        print(f"wfm simulate: {what} ({env})")
        print(f"contacts offered: {offered}")
        print(f"peak RSS:         {m.peak_rss_mb:.1f} MB")
        print(f"wall time:        {m.wall_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
