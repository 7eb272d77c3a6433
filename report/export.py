"""Writing outputs atomically: a reader never sees a half-written file, and a run that fails
to write one of its outputs leaves none of them behind."""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # matplotlib is slow to import, and only figures need it
    from matplotlib.figure import Figure


class OutputError(OSError):
    """An output that cannot be written, found before the run (bad input: exit code 2);
    ``str()`` names the path and the reason."""


class WriteFailed(OSError):
    """Writing the outputs failed after the run (a full disk, an I/O error): nothing was left
    half-written; ``str()`` names the path and the reason (exit code 1)."""


def json_text(document: Any) -> str:
    """`document` as indented JSON (NaN is not allowed: write None instead)."""
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def csv_text(table: pd.DataFrame) -> str:
    return table.to_csv(index=False)


def figure_bytes(fig: Figure, path_suffix: str) -> bytes:
    """The figure as PNG, or PDF when `path_suffix` is ``.pdf``."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf" if path_suffix.lower() == ".pdf" else "png", dpi=120)
    return buffer.getvalue()


def pdf_bytes(figures: list[Figure]) -> bytes:
    """The figures as the pages of one PDF."""
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with PdfPages(buffer) as pages:
        for fig in figures:
            pages.savefig(fig)
    return buffer.getvalue()


def check_writable(paths: list[Path]) -> None:
    """Raise `OutputError` when an output could not be written, so a run can refuse before
    doing any work: the nearest existing folder of each path must be a writable directory."""
    for path in paths:
        if Path(path).is_dir():
            raise OutputError(f"cannot write {path}: it is a folder, expected a file name")
        folder = Path(path).absolute().parent
        while not folder.exists():
            folder = folder.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(f"cannot write {path}: {folder} is not a writable folder")


def check_outputs(outputs: Mapping[str, Path | None], inputs: Mapping[str, Path | None]) -> None:
    """Raise `OutputError` when an output would overwrite an input or another output, or could
    not be written (`check_writable`): each is named by its option (``--json``) or role (``the
    scenario``), and paths are compared as resolved (symbolic links followed), so ``x.yaml``
    and ``./x.yaml`` are the same file. None stands for an output or input not given."""
    seen: dict[Path, str] = {}
    for name, path in inputs.items():
        if path is not None:
            seen.setdefault(Path(path).resolve(), name)
    for name, path in outputs.items():
        if path is None:
            continue
        where = Path(path).resolve()
        if where in seen:
            raise OutputError(f"{name} {path}: the same file as {seen[where]}, which it would "
                              "overwrite; choose another path")  # fmt: skip
        seen[where] = name
    check_writable([Path(path) for path in outputs.values() if path is not None])


def write_all(outputs: dict[Path, str | bytes]) -> None:
    """Write every ``path: text`` of `outputs` (text as UTF-8, bytes as they are), or none of
    them: `WriteFailed` (nothing left behind) when the disk refuses one.

    Each text goes to a temporary file beside its destination (missing folders are created);
    only when all are written are they renamed into place, each rename atomic. Files get the
    usual permissions (0666 less the umask).
    """
    umask = os.umask(0)
    os.umask(umask)
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in outputs.items():
            path = Path(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            except OSError as err:
                raise OutputError(f"cannot write {path}: {err.strerror or err}") from None
            staged.append((tmp, path))
            try:
                if isinstance(text, bytes):
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(text)
                else:
                    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                        handle.write(text)
                os.chmod(tmp, 0o666 & ~umask)
            except OSError as err:  # a full disk, a quota, an I/O error
                raise WriteFailed(f"cannot write {path}: {err.strerror or err}") from None
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for done, (tmp, path) in enumerate(staged):
        try:
            os.replace(tmp, path)
        except OSError as err:
            for later, _ in staged[done:]:
                Path(later).unlink(missing_ok=True)
            raise WriteFailed(f"cannot write {path}: {err.strerror or err}") from None
