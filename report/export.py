"""Writing outputs atomically: a reader never sees a half-written file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd


def write_text(path: str | Path, text: str) -> None:
    """Write `text` to `path` via a temporary file in the same folder and an atomic rename;
    missing parent folders are created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: str | Path, document: Any) -> None:
    """`document` as indented JSON (NaN is not allowed: write None instead)."""
    write_text(path, json.dumps(document, indent=2, allow_nan=False) + "\n")


def write_csv(path: str | Path, table: pd.DataFrame) -> None:
    write_text(path, table.to_csv(index=False))
