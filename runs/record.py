"""What a run leaves in the history: its KPIs flattened from the document the command wrote
(``wfm simulate/optimise/drill/sweep/forecast --json``), and the scenario's identity (for a
forecast, the interval history's).

A KPI name says where the figure comes from, e.g. ``billing.service_level``,
``target[0] billing/gold``, ``cost``, ``scorecard.recover_min``, ``plan no-reserve.lost_contacts``.
Counts and money have no interval (``ci95_low``/``ci95_high`` None).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from runs.store import RunRecord
from scenarios.schema import Scenario
from sim.cluster import wfm_version

CONTACT_KPIS = ("offered", "service_level", "abandon_rate", "asa_s")


def scenario_sha256(scenario: Scenario) -> str:
    """A hash of the scenario's content: the same figures give the same hash, whatever the
    file's layout, comments or `extends`."""
    return hashlib.sha256(scenario.model_dump_json().encode("utf-8")).hexdigest()


def run_record(
    command: str,
    scenario: Scenario,
    scenario_file: Path | None,
    params: dict[str, Any],
    seed: int,
    document: dict[str, Any],
) -> RunRecord:
    """The record of a finished run of `command` from the document it wrote."""
    kpis = _KPIS[command](document)
    intervals = document.get("intervals") or (document.get("verification") or {}).get("intervals")
    plan = None
    if command == "optimise":
        plan = {k: document.get(k) for k in ("status", "cost", "agent_hours", "shifts")}
    return RunRecord(
        command=command,
        scenario_name=scenario.name,
        scenario_file=None if scenario_file is None else str(scenario_file),
        scenario_sha256=scenario_sha256(scenario),
        params=params,
        seed=seed,
        code_version=wfm_version(),
        kpis=kpis,
        intervals=intervals or [],
        plan=plan,
    )


def simulation_kpis(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per contact type its main KPIs, per target what was achieved, and targets met."""
    kpis: dict[str, dict[str, Any]] = {}
    for name, entry in document["contact_types"].items():
        for kpi in CONTACT_KPIS:
            kpis[f"{name}.{kpi}"] = entry[kpi]
    for i, target in enumerate(document["targets"]):
        who = target["contact_type"] + (f"/{target['tier']}" if target.get("tier") else "")
        kpis[f"target[{i}] {who}"] = target["achieved"]
    kpis["targets_met"] = _number(sum(t["met"] for t in document["targets"]))
    return kpis


def plan_kpis(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Cost, agent-hours, gap and targets met, with the verification's KPIs."""
    kpis = {k: _number(document.get(k)) for k in ("cost", "agent_hours", "gap")}
    kpis["targets_met"] = _number(float(bool(document.get("targets_met"))))
    if document.get("verification"):
        kpis |= {f"verified {k}": v for k, v in simulation_kpis(document["verification"]).items()}
    return kpis


def drill_kpis(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The scorecard of the response as given and of each compared plan, targets met."""
    kpis = {f"scorecard.{k}": v for k, v in document["scorecard"].items()}
    kpis["targets_met"] = _number(sum(t["met"] for t in document["targets"]))
    for plan, entry in (document.get("plans") or {}).items():
        kpis |= {f"plan {plan}.{k}": v for k, v in entry["scorecard"].items()}
    return kpis


def sweep_kpis(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per grid point its service level, abandon rate and cost."""
    kpis: dict[str, dict[str, Any]] = {}
    for point in document["points"]:
        where = " ".join(f"{k}={v:.10g}" for k, v in point["values"].items())
        kpis[f"[{where}].service_level"] = point["service_level"]
        kpis[f"[{where}].abandon_rate"] = point["abandon_rate"]
        kpis[f"[{where}].cost"] = _number(point["cost"])
    return kpis


def forecast_record(
    history_file: str, history_sha256: str, params: dict[str, Any], document: dict[str, Any]
) -> RunRecord:
    """The record of a finished forecast: the history stands where a scenario would."""
    return RunRecord(
        command="forecast",
        scenario_name=Path(history_file).name,
        scenario_file=history_file,
        scenario_sha256=history_sha256,
        params=params,
        seed=0,
        code_version=wfm_version(),
        kpis=forecast_kpis(document),
    )


def forecast_kpis(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per contact type the chosen model's backtest (WAPE, bias, band coverage) and the
    forecast's total."""
    kpis: dict[str, dict[str, Any]] = {}
    totals: dict[str, float] = {}
    for row in document["forecast"]:
        totals[row["contact_type"]] = totals.get(row["contact_type"], 0.0) + row["forecast"]
    for name, about in document["contact_types"].items():
        (chosen,) = [r for r in about["backtest"] if r["model"] == about["model"]]
        for key in ("wape_interval", "wape_day", "bias", "cover80", "cover95"):
            kpis[f"{name}.{key}"] = _number(chosen[key])
        kpis[f"{name}.forecast"] = _number(totals.get(name))
    return kpis


def capacity_kpis(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The plan's cost, and per group its hires and the weeks whose chance of being short is
    significantly above what the file allows."""
    kpis = {f"cost.{k}": _number(v) for k, v in document["cost"].items()}
    for group in document["requirement_curve"]:
        hires = sum(h["count"] for h in document["hires"] if h["group"] == group)
        at_risk = sum(w["groups"][group]["at_risk"] for w in document["weeks"])
        kpis[f"{group}.hires"] = _number(hires)
        kpis[f"{group}.weeks_at_risk"] = _number(at_risk)
    return kpis


def _number(value: float | None) -> dict[str, Any]:
    return {"mean": None if value is None else float(value), "ci95_low": None, "ci95_high": None}


_KPIS = {
    "simulate": simulation_kpis,
    "optimise": plan_kpis,
    "drill": drill_kpis,
    "sweep": sweep_kpis,
    "forecast": forecast_kpis,
    "capacity": capacity_kpis,
}
