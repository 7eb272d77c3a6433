"""Editing a scenario as tables: the figures a planner changes most, and back.

`edit_tables(mapping)` gives one table per kind of figure from a scenario mapping (the parsed
YAML, `extends` resolved); `apply_edits(mapping, tables)` returns a new mapping with the edited
figures written back, which `scenarios.load.from_dict` then validates (so an edit that breaks a
rule gets the same one-line error, with its field path, as a file would).

What the tables hold:
- ``contact_types``: a `volume_factor` scaling the whole volume (1 = as given), the mean
  handle time in seconds;
- ``targets``: every target field, its `source` among them;
- ``agent_groups``: a flat headcount (`agents`, blank where the group gives a profile or
  shifts, which stay as in the file), `absence`, `cost_per_hour`, `max_agents`;
- ``shift_templates``: length, start window and step, cost factor, days.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pandas as pd

TABLES = ("contact_types", "targets", "agent_groups", "shift_templates")
UNITS_S = {"mean_s": 1, "mean_min": 60, "mean_h": 3600}
TARGET_FIELDS = ("contact_type", "tier", "service_level", "answer_within_s", "scope", "source")
NUMBER_COLUMNS = {
    "volume_factor", "handle_time_mean_s", "service_level", "answer_within_s", "agents",
    "absence", "cost_per_hour", "max_agents", "length_h", "start_step_min", "cost_factor",
}  # fmt: skip


def edit_tables(mapping: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The editable tables of a scenario mapping (see the module docstring)."""
    types = pd.DataFrame(
        [
            {
                "contact_type": ct.get("name"),
                "channel": ct.get("channel"),
                "volume_factor": 1.0,
                "handle_time_mean_s": mean_s(ct.get("handle_time")),
            }
            for ct in mapping.get("contact_types", [])
        ],
        columns=["contact_type", "channel", "volume_factor", "handle_time_mean_s"],
    )
    targets = pd.DataFrame(
        [{f: t.get(f) for f in TARGET_FIELDS} for t in mapping.get("targets", [])],
        columns=list(TARGET_FIELDS),
    )
    groups = pd.DataFrame(
        [
            {
                "agent_group": g.get("name"),
                "skills": ", ".join(g.get("skills", [])),
                "agents": g["agents"] if isinstance(g.get("agents"), int) else None,
                "absence": g.get("absence"),
                "cost_per_hour": g.get("cost_per_hour"),
                "max_agents": g.get("max_agents"),
            }
            for g in mapping.get("agent_groups", [])
        ],
        columns=["agent_group", "skills", "agents", "absence", "cost_per_hour", "max_agents"],
    )
    templates = pd.DataFrame(
        [
            {
                "shift_template": s.get("name"),
                "length_h": s.get("length_h"),
                "start_from": (s.get("start_between") or [None, None])[0],
                "start_to": (s.get("start_between") or [None, None])[1],
                "start_step_min": s.get("start_step_min"),
                "cost_factor": s.get("cost_factor"),
                "days": ", ".join(s.get("days", [])),
            }
            for s in mapping.get("shift_templates", [])
        ],
        columns=[
            "shift_template", "length_h", "start_from", "start_to", "start_step_min",
            "cost_factor", "days",
        ],
    )  # fmt: skip
    tables = {
        "contact_types": types,
        "targets": targets,
        "agent_groups": groups,
        "shift_templates": templates,
    }
    # Number columns stay numbers even when blank throughout (an editor then takes numbers).
    for table in tables.values():
        for column in NUMBER_COLUMNS.intersection(table.columns):
            table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
    return tables


def apply_edits(mapping: dict[str, Any], tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """A copy of `mapping` with the tables' figures written back (rows matched by position;
    the targets table may add and delete rows). Blank cells and unchanged figures leave a field
    as it was; the targets table's rows replace the scenario's targets."""
    out = copy.deepcopy(mapping)
    for ct, row in zip(out.get("contact_types", []), _rows(tables, "contact_types"), strict=False):
        factor = _number(row.get("volume_factor"))
        if factor is not None and factor != 1.0:
            ct["volume"] = scaled_volume(ct["volume"], factor)
        mean = _number(row.get("handle_time_mean_s"))
        if mean is not None and mean != mean_s(ct.get("handle_time")):
            ct["handle_time"] = with_mean_s(ct["handle_time"], mean)
    if "targets" in tables:
        out["targets"] = [
            {f: v for f in TARGET_FIELDS if (v := _cell(row.get(f), f)) is not None}
            for row in _rows(tables, "targets")
        ]
    for g, row in zip(out.get("agent_groups", []), _rows(tables, "agent_groups"), strict=False):
        if g.get("shifts") is None:
            _set(g, "agents", _number(row.get("agents")))
        for field in ("absence", "cost_per_hour", "max_agents"):
            _set(g, field, _number(row.get(field)))
    templates = zip(out.get("shift_templates", []), _rows(tables, "shift_templates"), strict=False)
    for s, row in templates:
        for field in ("length_h", "start_step_min", "cost_factor"):
            _set(s, field, _number(row.get(field)))
        start_from, start_to = _plain(row.get("start_from")), _plain(row.get("start_to"))
        if start_from is not None and start_to is not None:
            _set(s, "start_between", [str(start_from), str(start_to)])
        days = _plain(row.get("days"))
        if days is not None:
            _set(s, "days", [d.strip() for d in str(days).split(",") if d.strip()])
    return out


def _set(mapping: dict[str, Any], field: str, value: Any) -> None:
    """Write `value` unless it is blank or already there (so an untouched table changes
    nothing, not even by spelling out a default)."""
    if value is not None and value != mapping.get(field):
        mapping[field] = value


def _rows(tables: dict[str, pd.DataFrame], name: str) -> list[dict[str, Any]]:
    table = tables.get(name)
    return [] if table is None else table.to_dict(orient="records")


def _plain(value: Any) -> Any:
    """A cell as a plain Python value; None for a blank (NaN, None, empty text)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value.strip() or None
    return value.item() if hasattr(value, "item") else value


def _cell(value: Any, column: str) -> Any:
    return _number(value) if column in NUMBER_COLUMNS else _plain(value)


def _number(value: Any) -> float | int | None:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and not isinstance(value, bool) else value
    return value  # left for validation to reject with its field path


def mean_s(distribution: Any) -> float | None:
    """The mean (or constant value) in seconds of a distribution mapping; None for one given
    by its values."""
    if not isinstance(distribution, dict):
        return None
    for field, unit in UNITS_S.items():
        if isinstance(distribution.get(field), (int, float)):
            return float(distribution[field]) * unit
    for field, unit in (("value_s", 1), ("value_min", 60), ("value_h", 3600)):
        if isinstance(distribution.get(field), (int, float)):
            return float(distribution[field]) * unit
    return None


def with_mean_s(distribution: dict[str, Any], mean_s: float) -> dict[str, Any]:
    """The distribution with its mean (or constant value) set to `mean_s` seconds."""
    out = {k: v for k, v in distribution.items() if k not in UNITS_S}
    if out.get("distribution") == "constant":
        out = {k: v for k, v in out.items() if k not in ("value_s", "value_min", "value_h")}
        out["value_s"] = mean_s
    elif out.get("distribution") == "empirical":
        values = distribution.get("values_s") or []
        old = sum(values) / len(values) if values else 0
        out["values_s"] = [v * mean_s / old for v in values] if old else values
    else:
        out["mean_s"] = mean_s
    return out


def scaled_volume(volume: dict[str, Any], factor: float) -> dict[str, Any]:
    """The volume with every count scaled by `factor` (weights left as they are)."""
    out = dict(volume)
    if isinstance(out.get("daily"), (int, float)):
        out["daily"] = out["daily"] * factor
    if out.get("per_interval") is not None:
        out["per_interval"] = _scale(out["per_interval"], factor)
    return out


def _scale(value: Any, factor: float) -> Any:
    if isinstance(value, dict):
        return {k: v if k == "source" else _scale(v, factor) for k, v in value.items()}
    if isinstance(value, list):
        return [_scale(v, factor) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value * factor
    return value
