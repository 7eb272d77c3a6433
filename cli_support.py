"""What the `wfm` commands share besides their options: saying where a run was kept, and the
progress shown on a terminal."""

from __future__ import annotations

import sys
import time

import typer

from services import Kept


def show_kept(kept: Kept) -> None:
    """Say where a finished run was kept (on a terminal), or why it was not (always)."""
    if kept.problem is not None:
        typer.echo(f"wfm: run not kept: {kept.problem} (--no-store skips the store)", err=True)
    elif kept.run_id is not None and sys.stderr.isatty():
        typer.echo(f"run {kept.run_id} kept in {kept.store}", err=True)


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
