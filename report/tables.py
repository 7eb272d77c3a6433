"""Plans and rosters as flat tables (CSV downloads and files): one row per shift, its breaks
written in one format everywhere."""

from __future__ import annotations

from typing import Any

import pandas as pd


def breaks_text(breaks: list[dict[str, Any]]) -> str:
    """A shift's breaks on one line: ``HH:MM+Nmin`` each, separated by ``;``."""
    return ";".join(f"{b['start']}+{b['length_min']}min" for b in breaks)


def shift_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Shift rows (a plan's ``shifts`` or a roster's ``assignments``) with their breaks as
    text."""
    return pd.DataFrame([{**row, "breaks": breaks_text(row["breaks"])} for row in rows])
