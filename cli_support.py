"""What the `wfm` commands share besides their options: the run store (where a run is kept,
keeping it, a file's identity as a parameter), the checks that refuse a scenario unfit for a
command in one line, the shift CSV's breaks, and the progress shown on a terminal."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from runs.store import StoreError
from scenarios.load import ScenarioError
from scenarios.schema import Scenario


def store_for(given: Path | None, no_store: bool) -> Path | None:
    """The run store to keep this run in (None: --no-store), checked before any work."""
    from runs.store import connect, store_path

    path = store_path(given, keep=not no_store)
    if path is not None:
        with connect(path):
            pass
    return path


def keep_run(
    path: Path | None,
    command: str,
    model: Scenario,
    scenario: Path,
    params: dict,
    seed: int,
    document: dict,
) -> None:
    """Keep the finished run in the store at `path` (none: nothing). The run's outputs are
    already written: a store that fails now costs a warning, not the run."""
    if path is None:
        return
    from runs.record import run_record
    from runs.store import save_run

    try:
        run_id = save_run(path, run_record(command, model, scenario, params, seed, document))
    except StoreError as err:
        typer.echo(f"wfm: run not kept: {err} (--no-store skips the store)", err=True)
        return
    if sys.stderr.isatty():
        typer.echo(f"run {run_id} kept in {path}", err=True)


def file_id(path: Path | None) -> dict | None:
    """A file as a run's parameter: its name and the SHA-256 of its bytes."""
    if path is None:
        return None
    import hashlib

    return {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def require_incident(model: Scenario, file: Path, incident: str, plans: list[str]) -> None:
    names = [i.name for i in model.incidents]
    if incident not in names:
        listed = f"incidents: {', '.join(names)}" if names else "the scenario has no incidents"
        raise ScenarioError(str(file), "incidents", f"no incident named {incident!r} ({listed})")
    own = [p.name for p in model.response_plans if p.incident == incident]
    for name in plans:
        if name not in own:
            listed = ", ".join(own) if own else "none"
            raise ScenarioError(
                str(file),
                "response_plans",
                f"no response plan {name!r} for incident {incident!r} (its plans: {listed})",
            )


def breaks_text(breaks: list[dict]) -> str:
    return ";".join(f"{b['start']}+{b['length_min']}min" for b in breaks)


def require_shift_model(model: Scenario, file: Path) -> None:
    if not model.shift_templates:
        raise ScenarioError(str(file), "shift_templates", "required to optimise (none given)")
    for i, group in enumerate(model.agent_groups):
        if group.cost_per_hour is None:
            raise ScenarioError(
                str(file), f"agent_groups[{i}].cost_per_hour", "required to optimise"
            )


def require_staffing(model: Scenario, file: Path) -> None:
    for i, group in enumerate(model.agent_groups):
        if not group.staffed:
            raise ScenarioError(
                str(file),
                f"agent_groups[{i}].agents",
                "required to simulate (give the agents on duty or their shifts, or plan them "
                "with `wfm optimise` and pass the plan with --plan)",
            )


class StageLine:
    """The optimiser's current stage on one line of stderr, when stderr is a terminal."""

    def __enter__(self) -> StageLine:
        self.shown = False
        return self

    def update(self, message: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{message[:78]:<78}")
            sys.stderr.flush()
            self.shown = True

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 78 + "\r")
            sys.stderr.flush()


class ProgressBar:
    """A progress bar on stderr, shown only when a run lasts more than a few seconds and
    stderr is a terminal."""

    DELAY_S = 2.0

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.monotonic()
        self.shown = False

    def __enter__(self) -> ProgressBar:
        return self

    def update(self, fraction: float) -> None:
        if not sys.stderr.isatty() or time.monotonic() - self.start < self.DELAY_S:
            return
        filled = int(30 * fraction)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%}")
        sys.stderr.flush()
        self.shown = True

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()
