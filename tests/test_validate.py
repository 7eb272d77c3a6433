"""`wfm validate`: the review of a scenario's figures and its warnings, checked against figures
worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import email_centre
from conftest import WfmRunner, load_contract, write_yaml

from scenarios.demand import scenario_volume
from scenarios.load import from_dict, load
from scenarios.review import reachable_share, review

TELECOM = Path(__file__).resolve().parents[1] / "scenarios/library/telecom_hotline_week.yaml"


def _one_queue(**changes: Any) -> dict[str, Any]:
    """single_queue.yaml (300 calls per 30 min, 180 s handle time: 30 Erlangs; 33 agents)."""
    data = load_contract("single_queue.yaml")
    data["contact_types"][0].update(changes)
    return data


def _email_centre(hours: dict[str, Any], cyclic: bool = True) -> dict[str, Any]:
    """One e-mail queue with a flat arrival rate all week and a 24 h target."""
    return email_centre(
        days=7,
        business_hours=hours,
        contact_type_name="email",
        handle_min=6,
        service_level=0.95,
        cyclic=cyclic,
    )


def test_weekly_volume_and_peak_load_are_the_given_figures() -> None:
    data = _one_queue()
    profile = [100.0] * 48
    profile[21] = 120.0  # 10:30, the peak: 120 calls x 180 s / 1800 s = 12 Erlangs
    data["contact_types"][0]["volume"] = {"per_interval": profile}
    data["agent_groups"][0]["agents"] = 20
    figures = review(from_dict(data)).channels[0]
    assert figures.weekly_given == pytest.approx(7 * (47 * 100 + 120))
    assert figures.peak_erlangs == pytest.approx(12.0)
    assert figures.peak_at == "day 0 (mon) 10:30"
    assert figures.weekly_workload_h == pytest.approx(7 * (47 * 100 + 120) * 180 / 3600)


def test_volume_after_behaviour_counts_self_service_and_repeats() -> None:
    # 1000 a day, half deflected, 80 % resolved first time: 500 / 0.8 = 625 a day offered.
    data = _one_queue(
        volume={"daily": 1000},
        self_service={"deflection": 0.5},
        first_contact_resolution=0.8,
        repeat_after={"distribution": "exponential", "mean_h": 2},
    )
    figures = review(from_dict(data)).channels[0]
    assert figures.weekly_given == pytest.approx(7000)
    assert figures.weekly_offered == pytest.approx(7 * 625)


def test_the_telecom_week_reviews_without_warnings(wfm: WfmRunner) -> None:
    run = wfm("validate", TELECOM)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].startswith(f"{TELECOM}: ok: 9 contact types")
    for channel in ("hotline ", "online ", "tickets ", "hall "):
        assert any(line.startswith(channel) for line in lines), channel
    assert "emergency                  >= 95% within 15 min" in run.out
    assert "source: seed 000 §2.1.3" in run.out
    assert "mappings with figures name none" not in run.out
    assert lines[-1] == "no warnings"


def test_an_email_target_beyond_the_closed_weekend_is_flagged(
    wfm: WfmRunner, tmp_path: Path
) -> None:
    # Open Monday to Friday 08:00-20:00: an e-mail sent between Friday 20:00 and Sunday 08:00
    # waits more than 24 h whatever the staffing -- 36 of the week's 168 hours of arrivals.
    weekdays = {"start": "08:00", "end": "20:00", "days": ["mon", "tue", "wed", "thu", "fri"]}
    scenario = from_dict(_email_centre(weekdays))
    volume = scenario_volume(scenario, scenario.contact_types[0])
    assert reachable_share(scenario.channels[0], scenario, volume, 86400) == pytest.approx(
        132 / 168
    )
    path = write_yaml(tmp_path / "mail.yaml", _email_centre(weekdays))
    run = wfm("validate", path)
    assert run.code == 0, run.err
    assert "targets[0]: email cannot reach 95% within 24 h" in run.out
    assert "at most 78.6% answerable in time" in run.out


def test_reachable_share_within_an_hour_of_a_daily_opening() -> None:
    # Open 08:00-20:00 every day: half the arrivals come while open; of the others only those
    # in the last hour before 08:00 are answered within an hour.
    scenario = from_dict(_email_centre({"start": "08:00", "end": "20:00"}))
    volume = np.full((7, 24), 10.0)
    assert reachable_share(scenario.channels[0], scenario, volume, 3600) == pytest.approx(
        0.5 + 1 / 24
    )
    assert reachable_share(scenario.channels[0], scenario, volume, 86400) == pytest.approx(1.0)


def test_a_horizon_that_does_not_wrap_leaves_the_last_night_unanswered() -> None:
    scenario = from_dict(_email_centre({"start": "08:00", "end": "20:00"}, cyclic=False))
    volume = np.full((7, 24), 10.0)
    # The last night's 4 hours after 20:00 on day 6 have no opening after them.
    assert reachable_share(scenario.channels[0], scenario, volume, 86400) == pytest.approx(
        1 - 4 / 168
    )


def test_too_few_agents_is_an_occupancy_warning(wfm: WfmRunner, tmp_path: Path) -> None:
    data = _one_queue()
    data["agent_groups"][0]["agents"] = 28  # 30 Erlangs offered
    run = wfm("validate", write_yaml(tmp_path / "short.yaml", data))
    assert run.code == 0, run.err
    assert (
        "skill general: occupancy over 100 % in 336 intervals; worst at day 0 (mon) 00:00: "
        "30.0 Erlangs for 28.0 agents (occupancy 107%)" in run.out
    )


def test_absence_counts_against_the_agents_on_duty() -> None:
    data = _one_queue()
    data["agent_groups"][0]["agents"] = 32
    assert review(from_dict(data)).warnings == []
    data["agent_groups"][0]["absence"] = 0.1  # 28.8 agents expected at work
    (warning,) = review(from_dict(data)).warnings
    assert "30.0 Erlangs for 28.8 agents" in warning


def test_contacts_without_agents_are_flagged() -> None:
    data = _one_queue()
    agents = [33] * 48
    agents[46:] = [0, 0]  # nobody from 23:00
    data["agent_groups"][0]["agents"] = agents
    warnings = review(from_dict(data)).warnings
    assert warnings[0] == (
        "skill general: 4,200 contacts arrive in 14 intervals with no agent of the skill on duty "
        "(first at day 0 (mon) 23:00)"
    )
    assert "(no agents)" in warnings[1]


def test_a_load_beyond_max_agents_makes_targets_unreachable() -> None:
    data = load_contract("shifts.yaml")
    data["agent_groups"][0]["max_agents"] = 40  # its peak needs 53 Erlangs
    warnings = review(from_dict(data)).warnings
    assert len(warnings) == 1
    assert "needs more than the 40 agents the groups' max_agents allow" in warnings[0]
    assert "at day 0 (mon) 09:00" in warnings[0]


def test_a_target_on_a_contact_type_without_contacts() -> None:
    data = _one_queue(volume={"per_interval": 0})
    assert review(from_dict(data)).warnings == [
        "targets[0]: general is offered no contacts, so its target judges nothing"
    ]


def test_sources_are_counted_by_what_they_cite() -> None:
    telecom = review(load(TELECOM))
    assert telecom.unsourced == []
    assert set(telecom.sources) == {"assumption", "seed 000", "seed 002", "seed 004"}
    plain = review(from_dict(load_contract("single_queue.yaml")))
    assert plain.sources == {"assumption": 1}
    assert plain.unsourced[:3] == [
        "horizon",
        "contact_types[0].volume",
        "contact_types[0].handle_time",
    ]
