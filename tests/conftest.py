"""Shared helpers: the contract scenario files, and running the `wfm` command in-process."""

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
SHARED_CONTRACT = Path("/work/shared/contract")


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


def queue_scenario(
    interval_min: int,
    volume: float,
    aht_s: float,
    patience_s: float | None,
    agents: int,
    *,
    days: int = 7,
    scope: str = "horizon",
) -> dict:
    """A stationary single queue as a scenario: Poisson arrivals (`volume` per interval),
    exponential handle times and, with `patience_s`, exponential patience -- the M/M/n (Erlang
    C) or M/M/n+M (Erlang A) queue of `exact_queues` -- with `agents` on duty throughout, an
    80 % in 20 s target judged per `scope`, and a day shift template with a cost so that the
    optimiser can plan it."""
    contact_type = {
        "name": "general",
        "channel": "voice",
        "skill": "general",
        "volume": {"per_interval": volume},
        "handle_time": {"distribution": "exponential", "mean_s": aht_s},
    }
    if patience_s is not None:
        contact_type["patience"] = {"distribution": "exponential", "mean_s": patience_s}
    target = {"contact_type": "general", "answer_within_s": 20, "service_level": 0.8}
    return {
        "name": "queue",
        "horizon": {"days": days, "interval_min": interval_min},
        "channels": [{"name": "voice", "kind": "voice"}],
        "contact_types": [contact_type],
        "targets": [target | {"scope": scope}],
        "agent_groups": [
            {"name": "pool", "skills": ["general"], "agents": agents, "cost_per_hour": 20}
        ],
        "shift_templates": [
            {"name": "day", "length_h": 8, "start_between": ["00:00", "16:00"],
             "start_step_min": 60}
        ],
    }  # fmt: skip


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
