"""The executive report and what feeds it: the headcount frontier (`optimise.frontier`), the
workload and centre views of `Results`, the report's figures, and `wfm report --pdf`.

The sweeps are short (3 replications, one or two workers); the plan for shifts.yaml is written
by hand (five shifts a day), so its agent-hours and cost are known exactly.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pypdf
import pytest
from builders import channel, contact_type, exponential, group
from conftest import REPO, CliRun, WfmRunner, contract_path, invoke, load_contract

from optimise import frontier
from optimise.frontier import FrontierPoint, base_point, headcount_frontier
from report.executive import (
    capacity_figure,
    drill_rows,
    executive_page,
    frontier_figure,
    target_rows,
)
from report.plan_figures import coverage_figure, shift_gantt_figure
from report.service_figures import (
    occupancy_figure,
    queue_figure,
    service_heatmap,
    service_level_figure,
)
from scenarios.load import from_dict, load
from scenarios.plan_file import plan_staffing
from scenarios.schema import Scenario
from scenarios.staffing import group_staffing
from sim.metrics import ABANDONED, ANSWERED, OFFERED, WITHIN_TYPE
from sim.replicate import simulate
from sim.results import Results

SEED = 3
FACTORS = (0.9, 1.0, 1.1)
DRILLS = REPO / "scenarios" / "library" / "drills"
INCIDENT = "regional-network-fault"

# (start, length_h, count, break start, break minutes), every day of the week.
DAY_SHIFTS = (
    ("06:00", 8, 20, "09:00", 30),
    ("10:00", 8, 25, "13:00", 30),
    ("14:00", 8, 20, "17:30", 30),
    ("16:00", 6, 10, "18:00", 15),
    ("22:00", 9, 4, "02:00", 60),  # crosses midnight (and, on day 6, wraps to day 0)
)
PLAN_HOURS = 7 * sum(length * count for _, length, count, _, _ in DAY_SHIFTS)  # 4,312
PAY = 28.0  # shifts.yaml's cost_per_hour


def hand_shifts() -> list[dict[str, Any]]:
    """The hand-written plan's shift rows (the format of `wfm optimise --json`)."""
    return [
        {"group": "pool", "day": day, "start": start, "length_h": length, "count": count,
         "breaks": [{"start": rest, "length_min": minutes}]}
        for day in range(7)
        for start, length, count, rest, minutes in DAY_SHIFTS
    ]  # fmt: skip


def write_plan(path: Path, scenario_file: str | None = None, **extra: Any) -> Path:
    plan: dict[str, Any] = {"shifts": hand_shifts(), **extra}
    if scenario_file is not None:
        plan["scenario_file"] = scenario_file
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


# --- shared runs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sweep:
    scenario: Scenario
    points: list[FrontierPoint]
    progress: list[float]


@pytest.fixture(scope="module")
def sweep() -> Sweep:
    """single_queue.yaml (33 agents, no pay) swept over FACTORS, 3 replications, one worker."""
    scenario = load(contract_path("single_queue.yaml"))
    seen: list[float] = []
    points = headcount_frontier(
        scenario, factors=FACTORS, seed=SEED, replications=3, workers=1, progress=seen.append
    )
    return Sweep(scenario, points, seen)


@pytest.fixture(scope="module")
def short() -> Results:
    """single_queue.yaml at 30 agents (the sweep's 0.9 point, below its 80 % target),
    simulated on its own: the sweep keeps only the base point's simulation."""
    scenario = load(contract_path("single_queue.yaml"))
    staffing = {"pool": np.full_like(group_staffing(scenario)["pool"], 30)}
    return simulate(scenario, staffing, seed=SEED, replications=3, workers=1)


@pytest.fixture(scope="module")
def plan_sweeps() -> dict[int, list[FrontierPoint]]:
    """shifts.yaml on the hand-written plan, swept over 0.9 and 1, with one and two workers."""
    scenario = load(contract_path("shifts.yaml"))
    staffing, breaks = plan_staffing(scenario, hand_shifts())
    sweeps = {}
    for workers in (1, 2):
        sweeps[workers] = headcount_frontier(
            scenario, staffing, breaks, factors=(0.9, 1.0), seed=SEED, replications=2,
            workers=workers,
        )  # fmt: skip
    return sweeps


@pytest.fixture(scope="module")
def mixed() -> Results:
    """multi_skill.yaml (2 days; voice with tiers, and chat of concurrency 3) with an e-mail
    type and its own group added, 2 replications."""
    data = load_contract("multi_skill.yaml")
    business_hours = {"start": "08:00", "end": "20:00"}
    data["channels"].append(channel("tickets", "email", business_hours=business_hours))
    data["contact_types"].append(
        contact_type("mail", channel="tickets", volume=20, handle=exponential(mean_s=900))
    )
    data["agent_groups"].append(group("back_office", ["mail"], agents=4))
    return simulate(from_dict(data, "multi_skill_mail.yaml"), seed=SEED, replications=2, workers=1)


@pytest.fixture(scope="module")
def drill_doc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A `wfm drill --json` document (the network fault on the telecom week's plan)."""
    path = tmp_path_factory.mktemp("drill") / "drill.json"
    run = invoke(
        ["drill", DRILLS / "network_fault.yaml", "--incident", INCIDENT,
         "--plan", DRILLS / "telecom_week_plan.json", "--replications", 2, "--seed", 1,
         "--workers", 1, "--json", path]
    )  # fmt: skip
    assert run.code == 0, run.err
    return path, json.loads(path.read_text(encoding="utf-8"))


# --- the headcount frontier --------------------------------------------------------------------


def test_points_come_in_the_order_of_the_factors(sweep: Sweep) -> None:
    """One point per factor, in order; the base point keeps its simulation of 3 replications,
    the others none (a simulation is megabytes)."""
    assert [p.factor for p in sweep.points] == list(FACTORS)
    base = base_point(sweep.points)
    assert base.results.replications == 3 and base.results.seed == SEED
    for point in sweep.points:
        assert (point.results is None) == (point is not base)
        assert point.targets == 1 and 0 <= point.targets_met <= 1
        assert set(point.to_json()) == {
            "factor", "agent_hours", "cost", "service_level", "abandon_rate", "targets_met",
            "targets",
        }  # fmt: skip
        json.dumps(point.to_json(), allow_nan=False)  # plain JSON, no Results inside


def test_agent_hours_scale_in_whole_agents(sweep: Sweep) -> None:
    """33 agents all week: 0.9 -> 30 (29.7 rounded), 1 -> 33, 1.1 -> 36 (36.3), x 168 h; the
    simulation had those agents on duty."""
    for point, agents in zip(sweep.points, (30, 33, 36), strict=True):
        assert point.agent_hours == pytest.approx(agents * 24 * 7)
    duty = base_point(sweep.points).results.agent_group_kpis()["pool"]["agent_hours"]["mean"]
    assert duty == pytest.approx(33 * 24 * 7)


def test_service_improves_with_headcount(sweep: Sweep) -> None:
    """On common random numbers more agents always answer more, faster, and lose fewer."""
    levels = [p.service_level["mean"] for p in sweep.points]
    abandons = [p.abandon_rate["mean"] for p in sweep.points]
    assert levels[0] < levels[1] < levels[2]
    assert abandons[0] > abandons[1] > abandons[2]
    for point in sweep.points:
        for kpi in (point.service_level, point.abandon_rate):
            assert kpi["ci95_low"] <= kpi["mean"] <= kpi["ci95_high"] <= 1.0
    assert [p.targets_met for p in sweep.points] == [
        int(p.service_level["mean"] >= 0.8) for p in sweep.points
    ]


def test_base_point_is_the_plain_simulation(sweep: Sweep) -> None:
    """The factor-1 point is what `simulate` gives the scenario's own staffing on that seed."""
    base = base_point(sweep.points)
    assert base is sweep.points[1]
    plain = simulate(sweep.scenario, seed=SEED, replications=3, workers=1)
    assert base.results.centre_kpis() == plain.centre_kpis()
    assert np.array_equal(base.results.counts, plain.counts)
    assert base.service_level == plain.centre_kpis()["service_level"]


def test_base_point_needs_factor_one(sweep: Sweep) -> None:
    """Without a point at factor 1 there is no base to report: ValueError."""
    with pytest.raises(ValueError, match="factor 1"):
        base_point([sweep.points[0], sweep.points[2]])
    with pytest.raises(ValueError):
        base_point([])


def test_no_cost_without_pay(sweep: Sweep) -> None:
    """single_queue.yaml's group has no cost_per_hour: no point has a cost."""
    assert all(p.cost is None for p in sweep.points)


def test_progress_runs_to_one(sweep: Sweep) -> None:
    """The progress callback follows the whole sweep, never goes back, and ends at 1."""
    seen = sweep.progress
    assert len(seen) >= len(FACTORS)
    assert all(0.0 <= f <= 1.0 for f in seen)
    assert all(b >= a for a, b in itertools.pairwise(seen))
    assert seen[-1] == pytest.approx(1.0)
    assert min(f for f in seen if f > 1 / 3) < 2 / 3  # the middle point reports too


def test_plan_cost_is_paid_hours_breaks_included(plan_sweeps: dict[int, list[FrontierPoint]]):
    """On a plan, the base point's agent-hours are the shifts' hours (breaks paid) and its
    cost is those hours x cost_per_hour; every point costs its own hours."""
    points = plan_sweeps[1]
    base = base_point(points)
    assert base.agent_hours == pytest.approx(PLAN_HOURS)
    assert base.cost == pytest.approx(PLAN_HOURS * PAY)
    for point in points:
        assert point.cost == pytest.approx(point.agent_hours * PAY)
    assert points[0].agent_hours / base.agent_hours == pytest.approx(0.9, abs=0.02)


def test_plan_cost_given_is_spread_per_agent_hour() -> None:
    """Given the plan's own cost (night premiums and all), the base point costs exactly that
    and every other point that cost per agent-hour times its own hours."""
    scenario = load(contract_path("shifts.yaml"))
    staffing, breaks = plan_staffing(scenario, hand_shifts())
    points = headcount_frontier(
        scenario, staffing, breaks, factors=(0.9, 1.0), replications=1, workers=1,
        base_cost=150_000.0,
    )  # fmt: skip
    assert points[1].agent_hours == pytest.approx(PLAN_HOURS)
    assert points[1].cost == pytest.approx(150_000.0)
    assert points[0].cost == pytest.approx(150_000.0 * points[0].agent_hours / PLAN_HOURS)


def test_frontier_is_the_same_whatever_the_workers(plan_sweeps: dict[int, list[FrontierPoint]]):
    """One worker or two: the same numbers, point for point."""
    for one, two in zip(plan_sweeps[1], plan_sweeps[2], strict=True):
        assert one.to_json() == two.to_json()
    one, two = base_point(plan_sweeps[1]), base_point(plan_sweeps[2])
    assert np.array_equal(one.results.counts, two.results.counts)


# --- Results: workload, centre KPIs, peak-queue bands ------------------------------------------


def test_workload_by_hand_single_queue(sweep: Sweep) -> None:
    """Offered x 180 s over 1800 s per interval, mean over replications; 33 agents on duty."""
    results = base_point(sweep.points).results
    table = results.workload_table()
    assert list(table.columns) == [
        "day", "interval", "start", "load_erlangs", "load_ci95_low", "load_ci95_high", "agents",
        "busy_agents",
    ]  # fmt: skip
    assert len(table) == 7 * 48
    assert table["day"].tolist() == [k // 48 for k in range(7 * 48)]
    assert table["start"].iloc[:3].tolist() == ["00:00", "00:30", "01:00"]
    offered = results.counts[:, :, 0, :, OFFERED].sum(axis=2)  # (replications, intervals)
    np.testing.assert_allclose(table["load_erlangs"], offered.mean(axis=0) * 180 / 1800)
    # 300 contacts of 180 s every 30 minutes: 30 Erlangs
    assert table["load_erlangs"].mean() == pytest.approx(30, abs=0.5)
    np.testing.assert_allclose(table["agents"], 33)
    assert (table["busy_agents"] > 0).all()
    assert (table["busy_agents"] <= table["agents"] + 1e-9).all()
    assert (table["load_ci95_low"] <= table["load_erlangs"] + 1e-9).all()
    assert (table["load_erlangs"] <= table["load_ci95_high"] + 1e-9).all()
    assert (table["load_ci95_low"] < table["load_ci95_high"]).any()


def test_workload_shares_chats_and_spreads_email(mixed: Results) -> None:
    """Voice at its handle time, chat at a third of it (concurrency 3); e-mail's work over the
    horizon spread evenly over its business hours (08:00-20:00: intervals 16 to 39 of each
    day), none outside them. Agents on duty are all groups' (76, the e-mail group's 4 too)."""
    table = mixed.workload_table()
    offered = mixed.counts[..., OFFERED].sum(axis=3)  # (R, intervals, types)
    seconds = {0: 240.0, 1: 420.0, 2: 600.0 / 3}  # billing, tech, web_chat; 3 = mail
    live = sum(offered[:, :, t] * s for t, s in seconds.items()) / 1800
    mail_s = offered[:, :, 3].sum(axis=1) * 900.0  # (R,): e-mail work over the horizon
    assert (mail_s > 0).all()
    open_ = np.tile((np.arange(48) >= 16) & (np.arange(48) < 40), 2)
    mail = np.outer(mail_s / open_.sum(), open_) / 1800
    np.testing.assert_allclose(table["load_erlangs"], (live + mail).mean(axis=0))
    extra_s = (table["load_erlangs"] - live.mean(axis=0)) * 1800
    assert extra_s.sum() == pytest.approx(mail_s.mean())  # all of e-mail's work, once
    np.testing.assert_allclose(extra_s[~open_], 0, atol=1e-6)
    np.testing.assert_allclose(table["agents"], 24 + 24 + 12 + 12 + 4)
    assert (table["busy_agents"] <= table["agents"] + 1e-9).all()


def test_centre_kpis_of_one_type_are_its_kpis(sweep: Sweep) -> None:
    """With one contact type the centre's service level and abandon rate are that type's."""
    results = base_point(sweep.points).results
    centre = results.centre_kpis()
    general = results.contact_type_kpis()["general"]
    assert set(centre) == {"service_level", "abandon_rate"}
    for name in centre:
        assert centre[name] == pytest.approx(general[name])


def test_centre_kpis_pool_the_live_types(mixed: Results) -> None:
    """Several types: answered within each type's threshold over answered and abandoned, all
    voice and chat contacts pooled per replication; e-mail left out."""
    totals = mixed.counts[:, :, :3].sum(axis=(1, 2, 3))  # (R, fields): the live types
    closed = totals[:, ANSWERED] + totals[:, ABANDONED]
    centre = mixed.centre_kpis()
    assert centre["service_level"]["mean"] == pytest.approx(
        (totals[:, WITHIN_TYPE] / closed).mean()
    )
    assert centre["abandon_rate"]["mean"] == pytest.approx((totals[:, ABANDONED] / closed).mean())


def test_interval_peak_queue_has_a_band(mixed: Results) -> None:
    """Every row's peak queue lies within its 95 % interval, which is a real interval."""
    table = mixed.interval_table()
    low, mean, high = (
        table[c] for c in ("peak_queue_ci95_low", "peak_queue", "peak_queue_ci95_high")
    )
    assert not (low.isna() | high.isna()).any()
    assert (low <= mean + 1e-9).all() and (mean <= high + 1e-9).all() and (low >= 0).all()
    assert (low < high).any()
    by_tier = mixed.interval_table(by_tier=True)
    assert {"peak_queue_ci95_low", "peak_queue_ci95_high"} <= set(by_tier.columns)


# --- service figures ---------------------------------------------------------------------------


def lines_by_label(ax: Any) -> dict[str, Any]:
    return {
        line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")
    }


def dashed(ax: Any) -> list[Any]:
    return [line for line in ax.get_lines() if line.get_linestyle() == "--"]


def test_service_level_figure(mixed: Results) -> None:
    """A line per contact type (its mean, in %), a dashed line per target of it, a line at the
    midnight between the 2 days."""
    intervals = mixed.interval_table()
    targets = mixed.target_results()
    fig = service_level_figure(intervals, targets)
    (ax,) = fig.axes
    assert ax.get_title().startswith("Service level per interval")
    assert ax.get_ylabel() == "service level (%)" and ax.get_xlabel() == "hours from the start"
    lines = lines_by_label(ax)
    assert list(lines) == ["billing", "tech", "web_chat", "mail"]
    tech = intervals[intervals["contact_type"] == "tech"]
    np.testing.assert_allclose(lines["tech"].get_ydata(), 100 * tech["service_level"])
    np.testing.assert_allclose(lines["tech"].get_xdata(), np.arange(96) / 2)
    assert len(ax.collections) == 4  # the bands
    levels = sorted(line.get_ydata()[0] for line in dashed(ax))
    assert levels == pytest.approx([80, 80, 80, 85, 90, 90])  # 4 billing tiers, tech, chat
    midnights = [line for line in ax.get_lines() if list(line.get_xdata()) == [24, 24]]
    assert len(midnights) == 1
    assert ax.get_xlim() == (0, 48)


def test_service_level_figure_of_chosen_types(mixed: Results) -> None:
    """`contact_types` keeps only those types' lines and targets."""
    fig = service_level_figure(mixed.interval_table(), mixed.target_results(), ["tech"])
    (ax,) = fig.axes
    assert list(lines_by_label(ax)) == ["tech"]
    assert [line.get_ydata()[0] for line in dashed(ax)] == pytest.approx([80])


def test_queue_figure(mixed: Results) -> None:
    """A line per contact type at its mean peak queue, with a band each."""
    intervals = mixed.interval_table()
    (ax,) = queue_figure(intervals).axes
    assert ax.get_title().startswith("Peak queue per interval")
    assert ax.get_ylabel() == "peak queue (contacts)"
    lines = lines_by_label(ax)
    assert list(lines) == ["billing", "tech", "web_chat", "mail"]
    billing = intervals[intervals["contact_type"] == "billing"]
    np.testing.assert_allclose(lines["billing"].get_ydata(), billing["peak_queue"])
    assert len(ax.collections) == 4
    assert ax.get_ylim()[0] == 0


def test_service_heatmap(mixed: Results) -> None:
    """Days x intervals cells, each the pooled service level of its interval; NaN where no
    contact closed; rows named after the days."""
    intervals = mixed.interval_table().copy()
    empty = (intervals["day"] == 1) & (intervals["start"] == "03:00")
    intervals.loc[empty, ["answered", "abandoned", "answered_within"]] = 0
    fig = service_heatmap(intervals, ["Mon", "Tue"])
    ax = fig.axes[0]
    assert ax.get_title() == "Service level by day and interval (all contact types)"
    assert ax.get_xlabel() == "interval start"
    (image,) = ax.images
    cells = np.ma.filled(np.ma.asarray(image.get_array(), dtype=float), np.nan)
    assert cells.shape == (2, 48)
    assert np.isnan(cells[1, 6]) and np.isnan(cells).sum() == 1
    cell = intervals[(intervals["day"] == 0) & (intervals["start"] == "10:00")]
    expected = cell["answered_within"].sum() / (cell["answered"] + cell["abandoned"]).sum()
    assert cells[0, 20] == pytest.approx(100 * expected)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Mon", "Tue"]
    assert len(fig.axes) == 2  # and the colour bar
    default = service_heatmap(intervals).axes[0]
    assert [t.get_text() for t in default.get_yticklabels()] == ["day 1", "day 2"]


def test_occupancy_figure(mixed: Results) -> None:
    """A line per agent group at its occupancy in %."""
    groups = mixed.group_interval_table()
    (ax,) = occupancy_figure(groups).axes
    assert ax.get_ylabel() == "occupancy (%)"
    lines = lines_by_label(ax)
    assert list(lines) == ["billing_team", "tech_team", "blended", "chat_team", "back_office"]
    chat = groups[groups["group"] == "chat_team"]
    np.testing.assert_allclose(lines["chat_team"].get_ydata(), 100 * chat["occupancy"])
    assert ax.get_ylim() == (0, 102)


# --- plan figures ------------------------------------------------------------------------------


def coverage_rows() -> list[dict[str, Any]]:
    """One day, two groups: a needs 5 and has 6; b needs 1 + the hour and has 2."""
    return [
        {"day": 0, "start": f"{k // 2:02d}:{30 * (k % 2):02d}", "group": group,
         "required": need, "scheduled": have}
        for k in range(48)
        for group, need, have in (("a", 5, 6), ("b", 1 + k // 2, 2))
    ]  # fmt: skip


def test_coverage_figure_all_groups_and_one() -> None:
    """The required step line is the groups' sum (or the group's own), scheduled is a fill."""
    rows = coverage_rows()
    (ax,) = coverage_figure(rows).axes
    assert ax.get_title() == "Required and scheduled agents per interval (all groups)"
    assert ax.get_ylabel() == "agents" and ax.get_xlabel() == "hours from the start"
    required = lines_by_label(ax)["required"]
    np.testing.assert_allclose(required.get_ydata(), [6 + k // 2 for k in range(48)])
    assert required.get_drawstyle() == "steps-post"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["required", "scheduled"]
    assert ax.get_xlim() == (0, 24)
    (ax,) = coverage_figure(rows, "a").axes
    assert ax.get_title().endswith("(a)")
    np.testing.assert_allclose(lines_by_label(ax)["required"].get_ydata(), 5)


def test_shift_gantt_figure() -> None:
    """A bar per shift row, one lane per group and start time, each labelled with its head
    count; the week on the x axis."""
    shifts = hand_shifts()
    (ax,) = shift_gantt_figure(shifts, days=7).axes
    assert ax.get_title() == "Shift plan"
    assert len(ax.patches) == len(shifts) == 35
    lanes = [t.get_text() for t in ax.get_yticklabels()]
    assert lanes == ["pool 06:00", "pool 10:00", "pool 14:00", "pool 16:00", "pool 22:00"]
    assert sorted(t.get_text() for t in ax.texts) == sorted(str(s["count"]) for s in shifts)
    widths = sorted({p.get_width() for p in ax.patches})
    assert widths == [6, 8, 9]
    monday_late = [p for p in ax.patches if p.get_x() == 16 and p.get_width() == 6]
    assert len(monday_late) == 1
    assert ax.get_xlim() == (0, 168)


# --- executive figures and page ----------------------------------------------------------------


def test_capacity_figure(sweep: Sweep) -> None:
    """Demand, agents on duty and agents busy as step lines, demand's band as a fill."""
    workload = base_point(sweep.points).results.workload_table()
    (ax,) = capacity_figure(workload).axes
    assert ax.get_title().startswith("Capacity against demand")
    assert ax.get_ylabel() == "agents / Erlangs" and ax.get_xlabel() == "hours from the start"
    lines = lines_by_label(ax)
    assert len(lines) == 3 and "agents busy" in lines
    (demand,) = (line for label, line in lines.items() if label.startswith("demand:"))
    (capacity,) = (line for label, line in lines.items() if label.startswith("capacity:"))
    # Every step line repeats its last interval once more, to reach the horizon's end.
    np.testing.assert_allclose(demand.get_ydata()[:-1], workload["load_erlangs"])
    assert demand.get_ydata()[-1] == demand.get_ydata()[-2]
    assert demand.get_xdata()[-1] == 168
    np.testing.assert_allclose(capacity.get_ydata(), 33)
    np.testing.assert_allclose(lines["agents busy"].get_ydata()[:-1], workload["busy_agents"])
    assert len(ax.collections) == 1
    midnights = [line for line in ax.get_lines() if line.get_color() == "gray"]
    assert len(midnights) == 6
    assert ax.get_xlim() == (0, 168)


def test_frontier_figure_without_pay(sweep: Sweep) -> None:
    """Agent-hours against service level, a point per factor, the plan's marked, the target
    dashed."""
    points = [p.to_json() for p in sweep.points]
    (ax,) = frontier_figure(points, target_level=0.8).axes
    assert ax.get_title() == "Cost against service level (headcount sweep)"
    assert ax.get_xlabel() == "agent-hours over the horizon"
    assert ax.get_ylabel() == "service level, all live contacts (%)"
    (bars,) = ax.containers
    curve = bars.lines[0]
    np.testing.assert_allclose(np.asarray(curve.get_xdata(), float), [5040, 5544, 6048])
    levels = [100 * p["service_level"]["mean"] for p in points]
    np.testing.assert_allclose(np.asarray(curve.get_ydata(), float), levels)
    (target,) = dashed(ax)
    assert target.get_ydata()[0] == pytest.approx(80)
    assert sorted(t.get_text() for t in ax.texts) == ["100% (plan)", "110%", "90%"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["target 80%"]
    assert not dashed(frontier_figure(points).axes[0])  # no target, no line


def test_frontier_figure_with_pay(plan_sweeps: dict[int, list[FrontierPoint]]) -> None:
    """With pay the x axis is the cost."""
    points = [p.to_json() for p in plan_sweeps[1]]
    (ax,) = frontier_figure(points).axes
    assert ax.get_xlabel() == "cost over the horizon"
    curve = ax.containers[0].lines[0]
    np.testing.assert_allclose(np.asarray(curve.get_xdata(), float), [p["cost"] for p in points])


@pytest.mark.slow
def test_target_rows(sweep: Sweep, short: Results) -> None:
    """Who, the goal, what was achieved with its interval, and the verdict."""
    missed = short.target_results()
    (row,) = target_rows(missed)
    achieved = missed[0]["achieved"]
    assert row == [
        "general",
        "80% in 20 s (horizon)",
        f"{achieved['mean']:.1%} [{achieved['ci95_low']:.1%}-{achieved['ci95_high']:.1%}]",
        "MISSED",
    ]
    assert target_rows(base_point(sweep.points).results.target_results())[0][3] == "met"
    tier = {
        "contact_type": "billing", "tier": "gold", "service_level": 0.9, "answer_within_s": 60,
        "scope": "day", "met": False, "verdict": "missed",
        "achieved": {"mean": None, "ci95_low": None, "ci95_high": None},
    }  # fmt: skip
    assert target_rows([tier]) == [["billing / gold", "90% in 1 min (day)", "-", "MISSED"]]


def test_drill_rows(drill_doc: tuple[Path, dict[str, Any]]) -> None:
    """Incident and kind, grade, abandon rate, recovery, lost contacts, targets met."""
    _, doc = drill_doc
    (row,) = drill_rows([doc])
    card = doc["scorecard"]
    assert row[0] == f"{INCIDENT} (network fault)"
    assert row[1] == str(doc["grade"])
    assert row[2] == f"{card['abandon_rate']['mean']:.1%}"
    recover = card["recover_min"]["mean"]
    assert row[3] == (
        f"{recover:,.0f} min" if doc["recovered"] else f"not within {recover:,.0f} min"
    )
    met = sum(t["met"] for t in doc["targets"])
    assert row[5] == f"{met} of {len(doc['targets'])}"
    late = drill_rows([doc | {"recovered": False}])[0]
    assert late[3] == f"not within {recover:,.0f} min"


def cell_texts(ax: Any) -> list[str]:
    (table,) = ax.tables
    return [cell.get_text().get_text() for cell in table.get_celld().values()]


def test_executive_page(
    sweep: Sweep, short: Results, drill_doc: tuple[Path, dict[str, Any]]
) -> None:
    """A4 landscape: capacity, frontier, targets table (MISSED in red), the drills' table when
    there are drills, the title on top."""
    args = ("A title", short.workload_table(), [p.to_json() for p in sweep.points],
            short.target_results())  # fmt: skip
    fig = executive_page(*args, target_level=0.8)
    assert tuple(fig.get_size_inches()) == pytest.approx((11.69, 8.27))
    assert fig.get_suptitle() == "A title"
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("Capacity against demand")
    assert titles[1:] == ["Cost against service level (headcount sweep)", "Targets: 0 of 1 met"]
    targets = fig.axes[2]
    assert {"contact type", "target", "achieved", "general", "MISSED"} <= set(cell_texts(targets))
    (table,) = targets.tables
    assert table.get_celld()[(1, 3)].get_text().get_color() == "tab:red"
    assert len(dashed(fig.axes[1])) == 1

    _, doc = drill_doc
    fig = executive_page(*args, drills=[doc, doc])
    assert len(fig.axes) == 4
    assert fig.axes[3].get_title() == "Surge readiness (drills as run)"
    texts = cell_texts(fig.axes[3])
    assert texts.count(f"{INCIDENT} (network fault)") == 2
    assert {"incident", "grade", "abandon rate", "recovered", "lost", "targets met"} <= set(texts)


# --- wfm report --------------------------------------------------------------------------------


def pdf_text(path: Path) -> tuple[int, str]:
    reader = pypdf.PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@dataclass(frozen=True)
class ReportRun:
    run: CliRun
    pdf: Path


@pytest.fixture(scope="module")
def report_run(
    tmp_path_factory: pytest.TempPathFactory, drill_doc: tuple[Path, dict[str, Any]]
) -> ReportRun:
    """`wfm report` of the hand plan with a drill; the plan names its scenario relative to the
    plan's own folder (not the working one)."""
    folder = tmp_path_factory.mktemp("report")
    shutil.copy(contract_path("shifts.yaml"), folder / "week_shifts.yaml")
    plan = write_plan(folder / "plan.json", "week_shifts.yaml")
    pdf = folder / "out" / "one_pager.pdf"
    run = invoke(
        ["report", plan, "--pdf", pdf, "--drill", drill_doc[0], "--replications", 2,
         "--seed", 1, "--workers", 2]
    )  # fmt: skip
    return ReportRun(run, pdf)


@pytest.mark.slow
def test_report_writes_one_page(report_run: ReportRun) -> None:
    """Exit 0, one PDF page with the capacity chart, the frontier, the targets and the drill;
    stdout names the file and the plan's hours and cost (4,312 h x 28)."""
    run = report_run.run
    assert run.code == 0, run.err
    assert run.err == ""
    assert re.fullmatch(
        rf"{re.escape(str(report_run.pdf))}: shifts: 4,312 agent-hours, cost 120,736; "
        r"[01] of 1 targets met( \(1 undecided\))?\n",
        run.out,
    ), run.out
    pages, text = pdf_text(report_run.pdf)
    assert pages == 1
    for words in ("Capacity against demand", "Cost against service level", "Targets",
                  "Surge readiness", INCIDENT, "shifts: 4,312 agent-hours"):  # fmt: skip
        assert words in text, words


@pytest.mark.slow
def test_report_scenario_option_and_no_drills(wfm: WfmRunner, tmp_path: Path) -> None:
    """`--scenario` serves a plan that names none; the plan's own cost is the one reported;
    without `--drill` there is no surge table."""
    plan = write_plan(tmp_path / "plan.json", cost=150_000.0)
    pdf = tmp_path / "report.pdf"
    run = wfm(
        "report", plan, "--pdf", pdf, "--scenario", contract_path("shifts.yaml"),
        "--replications", 1, "--workers", 1,
    )  # fmt: skip
    assert run.code == 0, run.err
    assert "4,312 agent-hours, cost 150,000;" in run.out
    pages, text = pdf_text(pdf)
    assert pages == 1
    assert "Cost against service level" in text and "Surge readiness" not in text


@pytest.fixture
def no_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if `wfm report` starts simulating: its input errors come first."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        pytest.fail("the headcount sweep ran before the input was checked")

    monkeypatch.setattr(frontier, "headcount_frontier", refuse)


@pytest.mark.usefixtures("no_sweep")
def test_report_needs_a_scenario(wfm: WfmRunner, tmp_path: Path) -> None:
    """A plan naming no scenario, and no --scenario: exit 2, one line, nothing written."""
    plan = write_plan(tmp_path / "plan.json")
    pdf = tmp_path / "report.pdf"
    run = wfm("report", plan, "--pdf", pdf)
    assert run.code == 2
    assert len(run.err_lines) == 1 and "scenario_file" in run.err_lines[0]
    assert str(plan) in run.err_lines[0]
    assert not pdf.exists()


@pytest.mark.usefixtures("no_sweep")
def test_report_plan_scenario_missing(wfm: WfmRunner, tmp_path: Path) -> None:
    """A plan naming a scenario that is not there: exit 2, one line naming it."""
    plan = write_plan(tmp_path / "plan.json", "no_such_scenario.yaml")
    run = wfm("report", plan, "--pdf", tmp_path / "report.pdf")
    assert run.code == 2
    assert len(run.err_lines) == 1 and "no_such_scenario.yaml" in run.err_lines[0]


@pytest.mark.usefixtures("no_sweep")
def test_report_plan_of_another_centre(wfm: WfmRunner, tmp_path: Path) -> None:
    """Shifts of a group the scenario does not have: exit 2, one line naming the field."""
    plan = write_plan(tmp_path / "plan.json")
    run = wfm(
        "report", plan, "--pdf", tmp_path / "r.pdf", "--scenario",
        contract_path("multi_skill.yaml"),
    )  # fmt: skip
    assert run.code == 2
    assert len(run.err_lines) == 1 and "shifts[0].group" in run.err_lines[0]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (json.dumps({"incident": "x", "kind": "y"}), "grade"),  # not all a drill's fields
        ("{not json", "not a drill JSON"),
        ("[1, 2]", "not a drill JSON"),
        (None, "file not found"),
    ],
    ids=["fields", "text", "list", "missing"],
)
@pytest.mark.usefixtures("no_sweep")
def test_report_refuses_a_bad_drill(
    wfm: WfmRunner, tmp_path: Path, content: str | None, says: str
) -> None:
    """A --drill that is not a drill document: exit 2, one line naming the file; no PDF."""
    drill = tmp_path / "drill.json"
    if content is not None:
        drill.write_text(content, encoding="utf-8")
    plan = write_plan(tmp_path / "plan.json", str(contract_path("shifts.yaml")))
    pdf = tmp_path / "report.pdf"
    run = wfm("report", plan, "--pdf", pdf, "--drill", drill)
    assert run.code == 2
    assert len(run.err_lines) == 1
    assert str(drill) in run.err_lines[0] and says in run.err_lines[0]
    assert not pdf.exists()


@pytest.mark.usefixtures("no_sweep")
def test_report_refuses_a_plan_as_drill(wfm: WfmRunner, tmp_path: Path) -> None:
    """Passing the plan itself as --drill is caught before any simulation."""
    plan = write_plan(tmp_path / "plan.json", str(contract_path("shifts.yaml")))
    run = wfm("report", plan, "--pdf", tmp_path / "r.pdf", "--drill", plan)
    assert run.code == 2 and len(run.err_lines) == 1 and str(plan) in run.err_lines[0]


@pytest.mark.usefixtures("no_sweep")
def test_report_refuses_a_folder_as_pdf(wfm: WfmRunner, tmp_path: Path) -> None:
    """--pdf naming a folder: exit 2, one line, nothing written into it, and no time spent
    simulating first."""
    plan = write_plan(tmp_path / "plan.json", str(contract_path("shifts.yaml")))
    folder = tmp_path / "out"
    folder.mkdir()
    run = wfm("report", plan, "--pdf", folder)
    assert run.code == 2
    assert len(run.err_lines) == 1 and str(folder) in run.err_lines[0]
    assert list(folder.iterdir()) == []


@pytest.mark.slow
def test_report_numbers_in_the_page_title(report_run: ReportRun) -> None:
    """The page's title is the line printed: the same hours, cost and targets."""
    _, text = pdf_text(report_run.pdf)
    printed = report_run.run.out.strip().split(": ", 1)[1]
    assert printed in text.replace("\n", " ")


def test_frontier_and_drill_rows_without_intervals() -> None:
    """One replication gives no interval: no error bar rather than one down to 0; a point or a
    drill with nothing closed is left out or shown as a dash, not a crash."""
    stat = {"mean": 0.9, "ci95_low": None, "ci95_high": None}
    empty = {"mean": None, "ci95_low": None, "ci95_high": None}
    points = [
        {"factor": 1.0, "agent_hours": 10.0, "cost": 100.0, "service_level": stat},
        {"factor": 1.1, "agent_hours": 11.0, "cost": 110.0, "service_level": empty},
    ]
    (ax,) = frontier_figure(points).axes
    (bars,) = ax.containers
    assert list(bars.lines[0].get_xdata()) == [100.0]
    segments = bars.lines[2][0].get_segments()
    assert all(seg[0][1] == seg[1][1] == 90.0 for seg in segments)
    card = {
        "abandon_rate": empty, "recover_min": {"mean": 30.0}, "lost_contacts": {"mean": 0.0},
    }  # fmt: skip
    drill = {"incident": "x", "kind": "weather", "grade": 3, "scorecard": card,
             "recovered": True, "targets": []}  # fmt: skip
    assert drill_rows([drill])[0][2] == "-"
