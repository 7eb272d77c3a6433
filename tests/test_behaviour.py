"""Customer behaviour in the engine, each rule against the effect it must have: self-service,
repeats, escalation, redials, callbacks, e-mail business hours, the walk-in hall's opening hours,
unplanned absence and overdispersed volume."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from builders import centre, contact_type, email_centre, exponential, group

from scenarios.load import from_dict
from scenarios.staffing import group_staffing
from sim.arrivals import draw_contacts
from sim.behaviour import plan_behaviour
from sim.engine import Centre
from sim.replicate import simulate
from sim.routing import routing_table

DAY_S = 86400.0


def _voice(**extra: Any) -> dict[str, Any]:
    """One voice queue, 60 calls per 30 min, AHT 180 s, 8 agents (offered load 6 Erlangs)."""
    general = contact_type("general", volume=60, handle=exponential(mean_s=180), **extra)
    return centre(
        "behaviour",
        days=2,
        interval_min=30,
        contact_types=[general],
        agent_groups=[group("pool", ["general"], agents=8)],
    )


def _run(data: dict[str, Any], replications: int = 4, seed: int = 7) -> dict[str, Any]:
    return simulate(from_dict(data), seed=seed, replications=replications, workers=1).to_json()


def _mean(document: dict[str, Any], kpi: str, contact_type: str = "general") -> float:
    return document["contact_types"][contact_type][kpi]["mean"]


def test_without_behaviour_the_new_counts_are_zero():
    out = _run(_voice())["contact_types"]["general"]
    for kpi in ("retrials", "repeats", "transfers_in", "callbacks", "deflected"):
        assert out[kpi]["mean"] == 0
    assert out["callers"]["mean"] == out["offered"]["mean"]
    assert "backlog" not in out


def test_self_service_leaves_one_minus_deflection_of_the_volume():
    plain = _run(_voice())
    deflected = _run(_voice(self_service={"deflection": 0.6}))
    expected = 60 * 96  # two days of 48 intervals
    assert _mean(plain, "offered") == pytest.approx(expected, rel=0.03)
    assert _mean(deflected, "offered") == pytest.approx(0.4 * expected, rel=0.04)
    total = _mean(deflected, "offered") + _mean(deflected, "deflected")
    assert total == pytest.approx(expected, rel=0.03)


def test_first_contact_resolution_f_gives_about_one_over_f_as_many_answered():
    fcr = 0.8
    data = _voice(
        first_contact_resolution=fcr,
        repeat_after=exponential(mean_min=5),
    )
    data["agent_groups"][0]["agents"] = 12  # the extra load still gets served
    plain, repeating = _run(_voice()), _run(data)
    # Contacts arriving late in the horizon come back after it ends: a few percent fewer.
    ratio = _mean(repeating, "answered") / _mean(plain, "answered")
    assert ratio == pytest.approx(1 / fcr, rel=0.04)
    assert _mean(repeating, "repeats") == pytest.approx(
        _mean(repeating, "offered") * (1 - fcr), rel=0.06
    )


def test_escalation_sends_its_share_of_answered_contacts_to_the_receiving_type():
    data = _voice(escalation=[{"to": "expert", "probability": 0.1}])
    expert = copy.deepcopy(data["contact_types"][0])
    expert.update(name="expert", skill="expert", volume={"per_interval": 0})
    del expert["escalation"]
    data["contact_types"].append(expert)
    data["agent_groups"].append({"name": "l2", "skills": ["expert"], "agents": 3})
    out = _run(data)
    answered_l1 = _mean(out, "answered")
    transfers = _mean(out, "transfers_in", "expert")
    assert transfers == pytest.approx(0.1 * answered_l1, rel=0.1)
    assert _mean(out, "offered", "expert") == transfers
    assert _mean(out, "transfers_in") == 0


def test_redials_raise_attempts_while_callers_stay_the_same():
    patience = exponential(mean_s=60)
    data = _voice(patience=patience)
    data["agent_groups"][0]["agents"] = 6  # overloaded: many abandon
    redial = copy.deepcopy(data)
    redial["contact_types"][0]["retrial"] = {
        "probability": 0.7,
        "delay": exponential(mean_min=3),
    }
    plain, redialling = _run(data), _run(redial)
    assert _mean(redialling, "retrials") > 0.2 * _mean(plain, "offered")
    assert _mean(redialling, "offered") > _mean(plain, "offered") * 1.2
    # Callers are the first attempts: the same arrivals (common random numbers) either way.
    assert _mean(redialling, "callers") == _mean(plain, "offered")
    assert _mean(redialling, "offered") == pytest.approx(
        _mean(redialling, "callers") + _mean(redialling, "retrials")
    )


def test_callbacks_lower_abandonment_and_count_as_answered():
    # A two-hour peak (120 calls per 30 min against 8 agents' 80) in a quiet day (30): callers
    # who take a callback in the peak are served in the lull instead of abandoning.
    patience = exponential(mean_s=300)
    data = _voice(patience=patience)
    data["contact_types"][0]["volume"]["per_interval"] = [120 if 18 <= k < 22 else 30
                                                          for k in range(48)]  # fmt: skip
    offered = copy.deepcopy(data)
    offered["contact_types"][0]["callback"] = {"offer_after_wait_s": 60, "take_up": 0.6}
    plain, calling_back = _run(data), _run(offered)
    assert _mean(calling_back, "callbacks") > 0
    assert _mean(calling_back, "abandon_rate") < 0.7 * _mean(plain, "abandon_rate")
    assert _mean(calling_back, "answered") > _mean(plain, "answered")


def _email(business_hours: dict[str, Any]) -> dict[str, Any]:
    return email_centre(
        days=3,
        business_hours=business_hours,
        contact_type_name="ticket",
        handle_min=4,
        service_level=0.9,
        agents=6,
    )


def test_email_backlog_drains_only_in_business_hours():
    hours = {"start": "08:00", "end": "18:00"}
    scenario = from_dict(_email(hours))
    results = simulate(scenario, seed=3, replications=2, workers=1)
    out = results.to_json()["contact_types"]["ticket"]
    # Mail arriving 18:00..08:00 (14 h x 10) waits for the morning: the backlog at midnight
    # is the mail since 18:00 (6 h x 10, all of it), never less.
    for day in out["backlog"]:
        assert day["mean"] == pytest.approx(60, abs=12)
    # Nothing is answered outside business hours.
    table = results.interval_table()
    assert out["answered"]["mean"] > 0
    answered_at = _answer_hours(scenario)
    assert all(8 <= h < 18 for h in answered_at)
    # 24 h target: every mail is answered within a day.
    assert results.to_json()["targets"][0]["met"]
    assert len(table) == 72


def _answer_hours(scenario) -> list[float]:
    """Hours of the day at which services started, in one replication."""
    from sim.arrivals import draw_contacts
    from sim.behaviour import plan_behaviour
    from sim.engine import Centre
    from sim.routing import routing_table

    contacts = draw_contacts(scenario, 3, 0)
    staffing = np.full((1, scenario.horizon.days * 24), 6)
    centre = Centre(
        routing_table(scenario), contacts, staffing, 3600.0, scenario.horizon.length_s,
        plan_behaviour(scenario, 3, 0),
    )  # fmt: skip
    record = centre.run()
    started = record.answer_s[~np.isnan(record.answer_s)]
    return list((started % DAY_S) / 3600.0)


def test_walk_in_hall_serves_nobody_when_closed():
    data = _email({"start": "09:00", "end": "17:00"})
    data["channels"] = [
        {"name": "hall", "kind": "walk_in", "opening_hours": {"start": "09:00", "end": "17:00"}}
    ]
    data["contact_types"][0].update(channel="hall", skill="counter")
    data["contact_types"][0]["handle_time"] = exponential(mean_min=5)
    data["agent_groups"] = [{"name": "hall", "skills": ["counter"], "agents": 2}]
    data["targets"] = []
    results = simulate(from_dict(data), seed=1, replications=2, workers=1)
    table = results.interval_table()
    hour = table["interval"]
    closed = table[(hour < 9) | (hour >= 17)]
    assert closed["offered"].sum() == 0 and closed["answered"].sum() == 0
    assert table[(hour >= 9) & (hour < 17)]["offered"].sum() > 0


def test_absence_removes_about_its_share_of_agent_hours():
    data = _voice()
    data["agent_groups"][0]["agents"] = 20
    absent = copy.deepcopy(data)
    absent["agent_groups"][0]["absence"] = 0.1
    hours = [
        _run(d, replications=8)["agent_groups"]["pool"]["agent_hours"]["mean"]
        for d in (data, absent)
    ]
    assert hours[1] / hours[0] == pytest.approx(0.9, abs=0.04)


def test_overdispersion_keeps_the_mean_and_widens_the_interval():
    plain = _voice()
    plain["horizon"]["days"] = 7
    busy = copy.deepcopy(plain)
    busy["contact_types"][0]["volume"]["overdispersion"] = {"cv": 0.15}
    a, b = _run(plain, replications=12), _run(busy, replications=12)
    mean_a, mean_b = _mean(a, "offered"), _mean(b, "offered")
    assert mean_b == pytest.approx(mean_a, rel=0.05)

    def width(doc: dict[str, Any]) -> float:
        offered = doc["contact_types"]["general"]["offered"]
        return offered["ci95_high"] - offered["ci95_low"]

    assert width(b) > 3 * width(a)


def test_behaviour_runs_are_identical_whatever_the_worker_count():
    data = _voice(
        patience=exponential(mean_s=200),
        retrial={"probability": 0.5, "delay": exponential(mean_min=5)},
        first_contact_resolution=0.85,
        repeat_after=exponential(mean_h=2),
        callback={"offer_after_wait_s": 60, "take_up": 0.5},
        self_service={"deflection": 0.2},
    )
    data["contact_types"][0]["volume"] = {"daily": 2800, "overdispersion": {"cv": 0.1}}
    data["agent_groups"][0]["absence"] = 0.1
    scenario = from_dict(data)
    one = simulate(scenario, seed=11, replications=3, workers=1).to_json()
    two = simulate(scenario, seed=11, replications=3, workers=2).to_json()
    assert one == two
    assert one["contact_types"]["general"]["retrials"]["mean"] > 0


def test_callbacks_are_called_back_after_they_arrived():
    """Every callback taken in a peak is called back later, and no contact is answered before
    it arrives (a callback's queue entry must not be read as another contact's)."""
    data = _voice(patience=exponential(mean_s=300))
    data["contact_types"][0]["volume"]["per_interval"] = [120 if 18 <= k < 22 else 30
                                                          for k in range(48)]  # fmt: skip
    data["contact_types"][0]["callback"] = {"offer_after_wait_s": 60, "take_up": 0.6}
    scenario = from_dict(data)
    staffing = group_staffing(scenario)
    on_duty = np.stack([staffing[g.name].ravel() for g in scenario.agent_groups])
    centre = Centre(
        routing_table(scenario),
        draw_contacts(scenario, 1, 0),
        on_duty,
        scenario.horizon.interval_s,
        scenario.horizon.length_s,
        plan_behaviour(scenario, 1, 0),
    )
    record = centre.run()
    answered = ~np.isnan(record.answer_s)
    assert record.callback.sum() > 50
    assert answered[record.callback].all()
    assert (record.answer_s[answered] >= record.contacts.arrival_s[answered]).all()
    assert (record.answer_s[record.callback] >= record.callback_at_s[record.callback]).all()
