"""Shared helpers: the contract scenario files, and running the `wfm` command in-process.

Scenarios a test writes itself are built with ``tests/builders.py``.

Running the tests: ``.venv/bin/python -m pytest -n 2`` runs them all, as CI does. Tests that
take over about 3 s on their own (long simulations, the app's pages, the browser, the Dask
cluster, or a module fixture that only they use) are marked ``slow``; for a quick local run
leave them out with ``.venv/bin/python -m pytest -n 2 -m "not slow"``.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import cli

REPO = Path(__file__).resolve().parents[1]
# The team's shared contract folder sits beside the checkout (``../shared/contract``); a clean
# clone elsewhere has only the bundled copies.
SHARED_CONTRACT = REPO.parent / "shared" / "contract"


def _contract_dir() -> Path:
    """The contract scenarios: ``$WFM_CONTRACT_DIR``, else the shared folder, else the copies
    bundled in ``scenarios/library`` (identical to the shared ones; a clean clone has only
    those)."""
    if os.environ.get("WFM_CONTRACT_DIR"):
        return Path(os.environ["WFM_CONTRACT_DIR"])
    return SHARED_CONTRACT if SHARED_CONTRACT.is_dir() else REPO / "scenarios" / "library"


CONTRACT_DIR = _contract_dir()
CONTRACT_FILES = ("single_queue.yaml", "multi_skill.yaml", "shifts.yaml")


def contract_path(name: str) -> Path:
    return CONTRACT_DIR / name


def load_contract(name: str) -> dict[str, Any]:
    """A contract scenario file as plain YAML data, ready to be mutated."""
    data = yaml.safe_load(contract_path(name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{name} is not a mapping"
    return data


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class CliRun:
    """What one `wfm` invocation did: its exit code and what it printed."""

    args: tuple[str, ...]
    code: int | str | None
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def _exit_code(args: tuple[str, ...]) -> int | str | None:
    """Call ``cli.main()`` (which must end with ``sys.exit``) and return its exit code.

    Any other exception escaping it is what a user would see as a traceback: fail the test,
    saying so.
    """
    try:
        cli.main()
    except SystemExit as stop:
        return stop.code
    except Exception as err:
        pytest.fail(
            f"`wfm {' '.join(args)}` raised {type(err).__name__}: {err} "
            "(a traceback, exit code 1) instead of exiting with a message"
        )
    pytest.fail(f"`wfm {' '.join(args)}`: cli.main() returned without calling sys.exit()")


WfmRunner = Callable[..., CliRun]


@pytest.fixture
def wfm(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> WfmRunner:
    """``wfm(*args)`` runs ``wfm ARGS`` through ``cli.main()`` in this process."""

    def run(*args: str | Path | int) -> CliRun:
        argv = tuple(str(a) for a in args)
        monkeypatch.setattr(sys, "argv", ["wfm", *argv])
        capsys.readouterr()  # drop whatever was printed before
        code = _exit_code(argv)
        captured = capsys.readouterr()
        return CliRun(argv, code, captured.out, captured.err)

    return run


def invoke(args: Sequence[str | Path | int]) -> CliRun:
    """Like the `wfm` fixture, for module-scoped fixtures (which cannot use capsys)."""
    argv = tuple(str(a) for a in args)
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        patch.setattr(sys, "argv", ["wfm", *argv])
        code = _exit_code(argv)
    return CliRun(argv, code, out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True, scope="session")
def _run_store(tmp_path_factory: pytest.TempPathFactory):
    """Runs the tests make are kept in a store of their own, never in ~/.wfm."""
    previous = os.environ.get("WFM_STORE")
    os.environ["WFM_STORE"] = str(tmp_path_factory.mktemp("store") / "runs.duckdb")
    yield
    if previous is None:
        del os.environ["WFM_STORE"]
    else:
        os.environ["WFM_STORE"] = previous
