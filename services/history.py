"""The run history: the runs kept in the run store, one of them whole, and two compared KPI by
KPI (`runs.store`). `store` is the store's path as given (None: ``$WFM_STORE``, else the
default)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runs.store import compare_runs, get_run, list_runs, store_path


def store_location(store: Path | None = None) -> Path:
    """The run store's path."""
    path = store_path(store)
    assert path is not None  # keeping, a path is always found
    return path


def kept_runs(store: Path | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The kept runs, newest first, at most `limit`."""
    return list_runs(store_location(store), limit)


def kept_run(run_id: str, store: Path | None = None) -> dict[str, Any]:
    """One kept run by its ID (or a unique start of it); `StoreError` when there is none."""
    return get_run(store_location(store), run_id)


def compared_runs(first: str, second: str, store: Path | None = None) -> list[dict[str, Any]]:
    """Two kept runs' KPIs side by side, with the differences (second - first)."""
    return compare_runs(store_location(store), first, second)
