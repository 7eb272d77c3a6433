"""The bundled scenario library: every file loads, names the sources of its figures, simulates
and optimises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from optimise.loop import optimise
from scenarios.load import from_dict, load
from scenarios.staffing import on_duty
from sim.replicate import simulate

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios/library"
TELECOM = LIBRARY / "telecom_hotline_week.yaml"
DRILLS = sorted((LIBRARY / "drills").glob("*.yaml"))
WEEK_PLAN = LIBRARY / "drills/telecom_week_plan.json"


def _mappings(node: Any, path: str = "") -> list[tuple[str, dict]]:
    """Every mapping of a YAML document with its path."""
    found = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.items():
            found += _mappings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _mappings(value, f"{path}[{i}]")
    return found


@pytest.mark.parametrize("path", sorted(LIBRARY.glob("*.yaml")), ids=lambda p: p.name)
def test_every_library_scenario_loads(path: Path) -> None:
    scenario = load(path)
    assert scenario.contact_types and scenario.agent_groups


def _unsourced(data: Any) -> list[str]:
    """Paths of the mappings that hold a figure (a number or a list of numbers) but do not say
    where it comes from."""
    unsourced = []
    for path, mapping in _mappings(data):
        has_figure = any(
            (isinstance(v, (int, float)) and not isinstance(v, bool))
            or (isinstance(v, list) and v and all(isinstance(x, (int, float)) for x in v))
            for k, v in mapping.items()
            if k not in ("days",)
        )
        if has_figure and "source" not in mapping:
            unsourced.append(path)
    return unsourced


def test_every_figure_of_the_telecom_week_names_its_source() -> None:
    data = yaml.safe_load(TELECOM.read_text(encoding="utf-8"))
    assert _unsourced(data) == []
    sources = [m["source"] for _, m in _mappings(data) if "source" in m]
    assert all(s.startswith(("seed ", "assumption")) for s in sources), sources
    for seeded in ("004 part 1", "000 §2.1.2", "000 §2.1.3", "000 §8.1", "002 §1.4"):
        assert any(seeded in s for s in sources), seeded


def test_the_telecom_week_uses_every_behaviour() -> None:
    scenario = load(TELECOM)
    kinds = {c.kind for c in scenario.channels}
    assert kinds == {"voice", "chat", "email", "walk_in"}
    types = scenario.contact_types
    assert any(ct.self_service for ct in types)
    assert any(ct.first_contact_resolution for ct in types)
    assert any(ct.retrial for ct in types)
    assert any(ct.escalation for ct in types)
    assert any(ct.callback for ct in types)
    assert any(ct.volume.overdispersion for ct in types)
    assert all(g.absence > 0 for g in scenario.agent_groups)
    billing = next(ct for ct in types if ct.name == "billing")
    assert [t.name for t in billing.tiers] == ["diamond", "gold", "silver", "ordinary"]
    targets = {(t.contact_type, t.tier): t.service_level for t in scenario.targets}
    assert targets["billing", "diamond"] == targets["billing", "gold"] == 0.90
    assert targets["billing", "silver"] == 0.85 and targets["billing", "ordinary"] == 0.80
    emergency = scenario.target_for("emergency")
    assert emergency is not None and emergency.answer_within_s == 900


@pytest.mark.slow
def test_the_telecom_week_simulates_with_every_behaviour_showing() -> None:
    scenario = load(TELECOM)
    shifts = json.loads(WEEK_PLAN.read_text(encoding="utf-8"))["shifts"]
    results = simulate(scenario, on_duty(scenario, shifts), seed=3, replications=2)
    out = results.to_json()["contact_types"]
    assert out["billing"]["deflected"]["mean"] > 0
    assert out["billing"]["repeats"]["mean"] > 0
    assert out["billing"]["retrials"]["mean"] > 0
    assert out["complaint"]["transfers_in"]["mean"] > 0
    assert out["billing"]["callbacks"]["mean"] > 0
    assert len(out["email"]["backlog"]) == 7
    for ct in out.values():
        assert ct["offered"]["mean"] > 0


@pytest.mark.slow
def test_the_telecom_centre_optimises_to_a_plan_meeting_every_target() -> None:
    # A day of the week's centre (every channel, tier and group): the whole week takes
    # minutes, too long for the suite; BENCHMARKS.md has the week.
    data = yaml.safe_load(TELECOM.read_text(encoding="utf-8"))
    data["horizon"]["days"] = 1
    scenario = from_dict(data, str(TELECOM))
    result = optimise(
        scenario, seed=2, replications=5, max_replications=80, time_limit_s=10, workers=2
    )
    document = result.to_json()
    assert result.plan.status in ("optimal", "feasible")
    assert document["targets_met"], [(r["kind"], r["verdicts"]) for r in document["rounds"]]
    assert document["verification"]["seed"] != 2
    assert all(t["verdict"] == "met" for t in document["verification"]["targets"])


@pytest.mark.parametrize("path", DRILLS, ids=lambda p: p.name)
def test_every_drill_builds_on_the_telecom_week_with_sources(path: Path) -> None:
    scenario = load(path)
    week = load(TELECOM)
    assert scenario.contact_types == week.contact_types  # the week, unchanged
    assert scenario.agent_groups == week.agent_groups
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["extends"] == "../telecom_hotline_week.yaml"
    assert _unsourced(data) == []
    (incident,) = scenario.incidents
    assert [p.incident for p in scenario.response_plans] and all(
        p.incident == incident.name for p in scenario.response_plans
    ), "each drill compares its response with an alternative"
    assert incident.targets.report_within_min == 10 and incident.targets.respond_within_min == 30


def test_the_drills_cover_the_seed_drill_kinds() -> None:
    kinds = {load(path).incidents[0].kind for path in DRILLS}
    assert kinds == {"network_fault", "complaint_wave", "security", "weather", "multi_department"}


def test_the_bundled_week_plan_staffs_the_telecom_week() -> None:
    plan = json.loads(WEEK_PLAN.read_text(encoding="utf-8"))
    groups = {g.name for g in load(TELECOM).agent_groups}
    assert plan["targets_met"] and {row["group"] for row in plan["shifts"]} <= groups
    total = sum(row["count"] * row["length_h"] for row in plan["shifts"])
    assert total == pytest.approx(plan["agent_hours"])


@pytest.mark.slow
def test_a_drill_runs_on_the_bundled_plan(wfm, tmp_path: Path) -> None:
    out = tmp_path / "drill.json"
    run = wfm("drill", LIBRARY / "drills/network_fault.yaml", "--incident",
              "regional-network-fault", "--plan", WEEK_PLAN, "--compare", "no-reserve",
              "--replications", "2", "--seed", "1", "--json", out)  # fmt: skip
    assert run.code == 0, run.err
    document = json.loads(out.read_text())
    assert document["grade"] == 2 and list(document["plans"]) == ["no-reserve"]
    with_reserve = document["scorecard"]["abandon_rate"]["mean"]
    without = document["plans"]["no-reserve"]["scorecard"]["abandon_rate"]["mean"]
    assert with_reserve < without
