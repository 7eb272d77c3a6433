"""Incidents and drills: each lever has the effect it should, detection is measured, counts are
conserved, runs are reproducible, and the `wfm drill` command keeps its contract."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import centre, channel, contact_type, exponential, group, target
from conftest import WfmRunner, write_yaml

from report.drill_figure import timeline_figure
from report.export import figure_bytes
from scenarios.load import ScenarioError, from_dict
from scenarios.staffing import group_staffing
from sim.arrivals import draw_contacts
from sim.behaviour import FIRST, RETRIAL, plan_behaviour
from sim.drill import AS_GIVEN, drill
from sim.drill_score import timeline_bins
from sim.engine import Centre
from sim.incident import Drill
from sim.routing import routing_table
from sim.surge import IncidentClock, draw_surge, merge, multiplier

REPS = 6


def _centre(**incident: Any) -> dict[str, Any]:
    """A one-day hotline (tech and billing calls, 60 each per 30 min) staffed for its normal
    load, with a network fault at 09:00 tripling tech calls for three hours."""
    fault = {
        "name": "fault",
        "kind": "network_fault",
        "grade": 2,
        "start": {"day": 0, "time": "09:00"},
        "duration_min": 180,
        "surge": [{"contact_type": "tech", "multiplier": 3.0, "ramp_min": 15, "decay_min": 60}],
        "response": {
            "detect": {"window_min": 15, "offered_over_forecast": 1.5},
            "report_after_min": 5,
        },
        "targets": {
            "report_within_min": 30,
            "respond_within_min": 30,
            "recover": {"service_level": 0.8, "within_min": 120},
            "max_abandon_rate": 0.15,
        },
    }
    fault.update(incident)
    teams = ("tech", "billing")
    return centre(
        "drill-centre",
        days=1,
        interval_min=30,
        channels=[channel("hotline", "voice")],
        contact_types=[
            contact_type(
                name,
                channel="hotline",
                volume=60,
                handle=exponential(mean_s=300),
                patience=exponential(mean_s=180),
            )
            for name in teams
        ],
        targets=[target(name, 20, 0.8) for name in teams],
        agent_groups=[
            group("tech_team", ["tech"], agents=14),
            group("billing_team", ["billing"], agents=14),
        ],
        incidents=[fault],
    )


def _with_plans(data: dict[str, Any], **plans: dict[str, Any]) -> dict[str, Any]:
    data["response_plans"] = [
        {"name": name, "incident": "fault", "response": response}
        for name, response in plans.items()
    ]
    return data


def _run(data: dict[str, Any], compare=(), seed: int = 3, replications: int = REPS, **kw):
    return drill(from_dict(data), "fault", compare=compare, seed=seed,
                 replications=replications, workers=1, **kw)  # fmt: skip


def _mean(result, name: str, plan: str = AS_GIVEN) -> float:
    return result.scorecard(plan)[name]["mean"]


def _timeline_total(result, name: str, plan: str = AS_GIVEN) -> float:
    """A timeline column's total, mean over replications."""
    return float(np.mean([r.timeline[name].sum() for r in result.plans[plan]]))


# --- the surge ---------------------------------------------------------------------------------


def test_surge_multiplier_ramps_holds_and_decays() -> None:
    clock = IncidentClock(onset_s=1000.0, end_s=2000.0, over_s=2600.0)
    t = np.array([999.0, 1000.0, 1300.0, 1600.0, 1999.0, 2300.0, 2600.0, 3000.0])
    # ramp 10 min to 4x, decay 10 min: half-way up at 1300 s, half-way down at 2300 s
    expected = [1.0, 1.0, 2.5, 4.0, 4.0, 2.5, 1.0, 1.0]
    assert multiplier(clock, 4.0, 10, 10, t) == pytest.approx(expected)


def test_surge_adds_its_expected_volume() -> None:
    # 2 extra tech calls for every normal one (60 per 30 min) during one hour, no ramp or decay
    data = _centre(duration_min=60, surge=[{"contact_type": "tech", "multiplier": 3.0}])
    scenario = from_dict(data)
    incident = scenario.incident("fault")
    counts = [len(draw_surge(scenario, incident, 5, r)) for r in range(40)]
    assert np.mean(counts) == pytest.approx(240, abs=3 * np.sqrt(240 / 40))
    extra = draw_surge(scenario, incident, 5, 0)
    assert (extra.arrival_s >= 9 * 3600).all() and (extra.arrival_s < 10 * 3600).all()
    assert (extra.contact_type == 0).all()


# --- the levers --------------------------------------------------------------------------------


def test_a_grade_1_incident_without_response_misses_its_targets() -> None:
    data = _centre(
        grade=1,
        surge=[{"contact_type": "tech", "multiplier": 5.0, "ramp_min": 5, "decay_min": 60}],
    )
    result = _run(data)
    assert [t["metric"] for t in result.targets()] == [
        "report_min", "respond_min", "recover_min", "abandon_rate",
    ]  # fmt: skip
    verdicts = {t["metric"]: t["met"] for t in result.targets()}
    assert verdicts == {
        "report_min": True, "respond_min": False, "recover_min": False, "abandon_rate": False,
    }  # fmt: skip
    assert _mean(result, "respond_min") == pytest.approx(15 * 60)  # never: to the horizon's end
    assert _mean(result, "abandon_rate") > 0.3


def test_reserve_and_overflow_shorten_recovery() -> None:
    data = _with_plans(
        _centre(),
        reserve={"reserve": {"group": "tech_team", "agents": 20, "activation_delay_min": 20}},
        overflow={"overflow": {"contact_type": "tech", "to_groups": ["billing_team"]}},
    )
    result = _run(data, compare=["reserve", "overflow"])
    none, reserve, overflow = (_mean(result, "recover_min", p) for p in result.plans)
    assert reserve < 0.6 * none and overflow < none
    # the overflow group answered tech calls: billing_team agents show among the agents
    assert _mean(result, "abandon_rate", "overflow") < _mean(result, "abandon_rate")


def test_the_reserve_joins_after_its_activation_delay() -> None:
    data = _centre()
    data["incidents"][0]["response"]["reserve"] = {
        "group": "tech_team", "agents": 10, "activation_delay_min": 30,
    }  # fmt: skip
    result = _run(data, replications=2)
    minutes = (timeline_bins(result.scenario, result.incident) - 9 * 3600) / 60
    for run in result.plans[AS_GIVEN]:
        start, end = run.levers["reserve"]
        assert start == pytest.approx(run.scores["detect_min"] + 30)
        agents = run.timeline["agents"]  # of tech_team, the group serving the surged calls
        assert set(agents[minutes + 5 < start]) == {14}
        assert set(agents[(minutes + 5 >= start) & (minutes + 5 < end)]) == {24}
        assert set(agents[minutes + 5 >= end]) == {14}


def test_an_ivr_announcement_lowers_what_is_offered() -> None:
    data = _with_plans(_centre(), ivr={"ivr_announcement": {"after_min": 0, "deflection": 0.5}})
    result = _run(data, compare=["ivr"])
    offered_plain = _timeline_total(result, "offered")
    offered_ivr = _timeline_total(result, "offered", "ivr")
    hung_up = _timeline_total(result, "ivr_deflected", "ivr")
    assert offered_ivr < offered_plain - 0.8 * hung_up
    assert hung_up > 100
    assert _timeline_total(result, "ivr_deflected") == 0


def test_callbacks_lower_abandonment() -> None:
    data = _with_plans(_centre(), callback={"callback": {"offer_after_wait_s": 30, "take_up": 0.7}})
    result = _run(data, compare=["callback"])
    assert _mean(result, "abandon_rate", "callback") < 0.7 * _mean(result, "abandon_rate")
    assert _mean(result, "lost_contacts", "callback") < _mean(result, "lost_contacts")


def test_redials_raise_attempts() -> None:
    plain = _run(_centre())
    redialling = _run(_centre(redial_probability=0.85))
    assert _timeline_total(redialling, "offered") > _timeline_total(plain, "offered") + 100


def test_detection_takes_longer_with_a_higher_threshold() -> None:
    quick, slow = _centre(), _centre()
    slow["incidents"][0]["response"]["detect"]["offered_over_forecast"] = 2.5
    early, late = _mean(_run(quick), "detect_min"), _mean(_run(slow), "detect_min")
    assert 0 < early < late
    # the report follows detection by report_after_min
    assert _mean(_run(slow), "report_min") == pytest.approx(late + 5)


def test_detection_by_service_level_alone() -> None:
    data = _centre()
    data["incidents"][0]["response"]["detect"] = {"window_min": 10, "service_level_below": 0.5}
    result = _run(data)
    assert all(r.detected for r in result.plans[AS_GIVEN])
    assert 0 < _mean(result, "detect_min") < 60


def test_suspended_breaks_and_absence_change_the_agents_on_duty() -> None:
    data = _centre(surge=[{"contact_type": "tech", "multiplier": 2.0}], absence=0.25)
    data["agent_groups"][0].pop("agents")
    data["agent_groups"][0]["shifts"] = [
        {"day": 0, "start": "00:00", "end": "24:00", "count": 14,
         "breaks": [{"start": "09:30", "length_min": 60}]},
    ]  # fmt: skip
    suspending = copy.deepcopy(data)
    suspending["incidents"][0]["response"]["suspend_breaks"] = True
    rows = _run(data, replications=2).timeline()
    rows_suspended = _run(suspending, replications=2).timeline()

    def agents(table, minute):
        return next(r["agents"] for r in table if r["minute"] == minute)

    # The tech team's 14 are on break at 10:00 (minute 60); with breaks suspended they are
    # back, less the incident's quarter absent: round(0.75 * 14) = 10.
    assert agents(rows, 60) == 0
    assert agents(rows_suspended, 60) == 10
    assert agents(rows, 20) == 10  # before the break: absence alone
    assert agents(rows, -30) == 14 and agents(rows, 200) == 14  # absence only while it lasts


def test_breaks_come_back_even_where_only_the_breaks_change() -> None:
    # 18 on duty all day: 4 of the all-day shift break 10:00-11:00 and a 1-hour shift covers
    # them, so the net staffing never changes; suspended breaks bring those 4 back: 22.
    data = _centre(surge=[{"contact_type": "tech", "multiplier": 2.0}])
    data["incidents"][0]["response"]["suspend_breaks"] = True
    data["agent_groups"][0].pop("agents")
    data["agent_groups"][0]["shifts"] = [
        {"day": 0, "start": "00:00", "end": "24:00", "count": 14},
        {"day": 0, "start": "00:00", "end": "24:00", "count": 4,
         "breaks": [{"start": "10:00", "length_min": 60}]},
        {"day": 0, "start": "10:00", "end": "11:00", "count": 4},
    ]  # fmt: skip
    rows = _run(data, replications=2).timeline()
    at = {r["minute"]: r["agents"] for r in rows}
    assert at[-30.0] == 18 and at[75.0] == 22 and at[150.0] == 18


def test_a_caller_is_offered_a_callback_once() -> None:
    """Callers already waiting when the callback lever starts are not offered twice when
    their type offers callbacks of its own: the share who take one stays the take-up."""
    data = _with_plans(_centre(), callback={"callback": {"offer_after_wait_s": 60, "take_up": 0.5}})
    data["contact_types"][0]["callback"] = {"offer_after_wait_s": 60, "take_up": 0.5}
    scenario = from_dict(data)
    incident = scenario.incident("fault")
    response = scenario.response_of(incident, "callback")
    staffing = group_staffing(scenario)
    on_duty = np.stack([staffing[g.name].ravel() for g in scenario.agent_groups])
    taken = offered = 0
    for replication in range(4):
        behaviour = plan_behaviour(scenario, 3, replication)
        controller = Drill(scenario, incident, response, behaviour, np.zeros_like(on_duty),
                           3, replication)  # fmt: skip
        contacts = merge(draw_contacts(scenario, 3, replication),
                         draw_surge(scenario, incident, 3, replication))  # fmt: skip
        centre = Centre(routing_table(scenario), contacts, on_duty, scenario.horizon.interval_s,
                        scenario.horizon.length_s, behaviour, controller)  # fmt: skip
        controller.attach(centre)
        record = centre.run()
        tech = record.contacts.contact_type == 0
        arrival = record.contacts.arrival_s
        left = np.where(np.isnan(record.answer_s),
                        arrival + record.contacts.patience_s, record.answer_s)  # fmt: skip
        gone = np.where(record.callback, record.callback_at_s, left)
        waited = tech & (gone - arrival >= 60) & (arrival + 60 < scenario.horizon.length_s)
        offered += waited.sum()
        taken += (record.callback & tech).sum()
    assert offered > 300
    assert taken / offered == pytest.approx(0.5, abs=0.06)


def test_an_incident_not_seen_while_it_lasts_is_never_detected() -> None:
    # No surge: the offered volume never reaches 1.5 x the forecast while it lasts, and a
    # normal fluctuation later does not count.
    data = _centre(surge=[], duration_min=60)
    data["incidents"][0]["response"]["reserve"] = {"group": "tech_team", "agents": 5}
    result = _run(data, replications=4)
    assert not any(r.detected or r.levers for r in result.plans[AS_GIVEN])
    verdicts = {t["metric"]: t["met"] for t in result.targets()}
    assert verdicts["report_min"] is False and verdicts["respond_min"] is False


def test_a_late_report_is_still_made_and_a_censored_time_is_not_met() -> None:
    data = _centre()
    data["incidents"][0]["response"]["report_after_min"] = 400  # long after the stand-down
    data["incidents"][0]["response"]["callback"] = {"offer_after_wait_s": 30, "take_up": 0.5}
    data["incidents"][0]["targets"].pop("recover")  # stand down as soon as it is over
    result = _run(data, replications=2)
    for run in result.plans[AS_GIVEN]:
        assert run.levers["callback"][1] < run.scores["report_min"]  # stood down before
        assert run.scores["report_min"] == pytest.approx(run.scores["detect_min"] + 400)
    late = _centre(start={"day": 0, "time": "23:40"}, duration_min=15, surge=[])
    late["incidents"][0]["targets"]["report_within_min"] = 30  # 20 min left: "never" is 20
    verdicts = {t["metric"]: t["met"] for t in _run(late, replications=2).targets()}
    assert verdicts["report_min"] is False and verdicts["respond_min"] is False


def test_callers_still_waiting_at_the_end_do_not_look_recovered() -> None:
    # Callers who never abandon, a surge the centre cannot clear before midnight: the queue
    # grows to the end, and the rolling level must not read "recovered" for want of answers.
    data = _centre(start={"day": 0, "time": "20:00"},
                   surge=[{"contact_type": "tech", "multiplier": 4.0}])  # fmt: skip
    for ct in data["contact_types"]:
        ct.pop("patience")
    result = _run(data, replications=2)
    assert not any(r.recovered for r in result.plans[AS_GIVEN])
    assert result.timeline()[-1]["queue"] > 100


def test_the_incidents_redial_delay_replaces_the_types_own() -> None:
    data = _centre(redial_probability=1.0,
                   redial_delay={"distribution": "constant", "value_s": 1})  # fmt: skip
    data["contact_types"][0]["retrial"] = {
        "probability": 0.1, "delay": {"distribution": "constant", "value_min": 30},
    }  # fmt: skip
    scenario = from_dict(data)
    incident = scenario.incident("fault")
    staffing = group_staffing(scenario)
    on_duty = np.stack([staffing[g.name].ravel() for g in scenario.agent_groups])
    behaviour = plan_behaviour(scenario, 3, 0)
    controller = Drill(scenario, incident, incident.response, behaviour,
                       np.zeros_like(on_duty), 3, 0)  # fmt: skip
    contacts = merge(draw_contacts(scenario, 3, 0), draw_surge(scenario, incident, 3, 0))
    centre = Centre(routing_table(scenario), contacts, on_duty, scenario.horizon.interval_s,
                    scenario.horizon.length_s, behaviour, controller)  # fmt: skip
    controller.attach(centre)
    centre.env.run(until=9 * 3600 + 10)
    rules = behaviour.rules[0]
    assert rules.retrial_probability == 1.0 and rules.retrial_delay() == 1.0
    centre.env.run(until=15 * 3600)  # over (with its decay) at 13:00: the type's own again
    assert rules.retrial_probability == 0.1 and rules.retrial_delay() == 1800.0


# --- counts, reproducibility -------------------------------------------------------------------


def test_every_contact_is_counted_once() -> None:
    """Each contact of the run is exactly one of: hung up at the IVR, answered, abandoned,
    still waiting; the first contacts are the normal ones and the surge's; every redial comes
    from an abandoned caller."""
    data = _centre(redial_probability=0.8)
    data["incidents"][0]["response"]["ivr_announcement"] = {"deflection": 0.3}
    scenario = from_dict(data)
    incident = scenario.incident("fault")
    staffing = group_staffing(scenario)
    on_duty = np.stack([staffing[g.name].ravel() for g in scenario.agent_groups])
    behaviour = plan_behaviour(scenario, 3, 0)
    controller = Drill(scenario, incident, incident.response, behaviour,
                       np.zeros_like(on_duty), 3, 0)  # fmt: skip
    normal, surge = draw_contacts(scenario, 3, 0), draw_surge(scenario, incident, 3, 0)
    centre = Centre(routing_table(scenario), merge(normal, surge), on_duty,
                    scenario.horizon.interval_s, scenario.horizon.length_s, behaviour,
                    controller)  # fmt: skip
    controller.attach(centre)
    record = centre.run()
    answered = ~np.isnan(record.answer_s)
    hung_up = record.ivr_deflected
    gone_at = record.contacts.arrival_s + record.contacts.patience_s
    abandoned = ~answered & ~hung_up & (gone_at < scenario.horizon.length_s)
    waiting = ~answered & ~abandoned & ~hung_up
    assert hung_up.sum() > 50 and abandoned.sum() > 0
    assert (answered.astype(int) + abandoned + waiting + hung_up == 1).all()
    assert (record.answer_s[answered] >= record.contacts.arrival_s[answered]).all()
    assert set(record.origin[hung_up]) <= {FIRST, RETRIAL}  # transfers, repeats skip the IVR
    assert (record.origin == FIRST).sum() == len(normal) + len(surge)
    assert not (record.redialled & ~abandoned).any()
    retrials = (record.origin == RETRIAL).sum()
    assert retrials > 0
    assert retrials <= record.redialled.sum() <= retrials + 5  # redials past midnight: dropped


def test_the_same_seed_gives_the_same_scorecard_whatever_the_workers() -> None:
    data = _with_plans(
        _centre(redial_probability=0.5),
        callback={"callback": {"offer_after_wait_s": 30, "take_up": 0.7}},
    )
    one = drill(from_dict(data), "fault", compare=["callback"], seed=9, replications=3,
                workers=1).to_json()  # fmt: skip
    two = drill(from_dict(data), "fault", compare=["callback"], seed=9, replications=3,
                workers=2).to_json()  # fmt: skip
    assert json.dumps(one) == json.dumps(two)
    other = drill(from_dict(data), "fault", seed=10, replications=3, workers=1).to_json()
    assert other["scorecard"] != one["scorecard"]


# --- the scenario fields -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"kind": "flood"}, "incidents[0].kind", "network_fault"),
        ({"grade": 5}, "incidents[0].grade", "<= 4"),
        ({"start": {"day": 1, "time": "09:00"}}, "incidents[0].start.day", "0 to 0"),
        ({"surge": [{"contact_type": "fax", "multiplier": 2}]},
         "incidents[0].surge[0].contact_type", "unknown contact type 'fax'"),
        ({"surge": [{"contact_type": "tech", "multiplier": 0.5}]},
         "incidents[0].surge[0].multiplier", ">= 1"),
        ({"surge": [{"contact_type": "tech", "multiplier": 2},
                    {"contact_type": "tech", "multiplier": 3}]},
         "incidents[0].surge[1].contact_type", "surged twice"),
        ({"response": {"detect": {"window_min": 15}}},
         "incidents[0].response.detect.offered_over_forecast", "nothing would detect"),
        ({"response": {"reserve": {"group": "night_team", "agents": 3}}},
         "incidents[0].response.reserve.group", "unknown agent group 'night_team'"),
        ({"response": {"overflow": {"contact_type": "tech", "to_groups": ["x"]}}},
         "incidents[0].response.overflow.to_groups[0]", "unknown agent group 'x'"),
        ({"response": {"ivr_announcement": {"deflection": 1.0}}},
         "incidents[0].response.ivr_announcement.deflection", "< 1"),
        ({"response": {"lever": True}}, "incidents[0].response.lever", "unknown key"),
    ],
)  # fmt: skip
def test_bad_incident_fields_are_named(change: dict, path: str, words: str) -> None:
    data = _centre(**change)
    with pytest.raises(ScenarioError) as caught:
        from_dict(data, "x.yaml")
    assert caught.value.path == path
    assert words in caught.value.message


def test_response_plans_must_name_an_incident_and_real_levers() -> None:
    data = _with_plans(_centre(), other={"reserve": None})
    data["response_plans"][0]["incident"] = "storm"
    with pytest.raises(ScenarioError, match=r"response_plans\[0\].incident: unknown incident"):
        from_dict(data, "x.yaml")
    data = _with_plans(_centre(), other={"reserve": {"group": "nobody", "agents": 1}})
    with pytest.raises(ScenarioError, match=r"response_plans\[0\].response.reserve.group"):
        from_dict(data, "x.yaml")


def test_a_plan_removes_and_replaces_levers() -> None:
    data = _centre()
    data["incidents"][0]["response"]["reserve"] = {"group": "tech_team", "agents": 5}
    data["incidents"][0]["response"]["suspend_breaks"] = True
    data = _with_plans(data, lean={"reserve": None, "report_after_min": 1})
    scenario = from_dict(data)
    lean = scenario.response_of(scenario.incident("fault"), "lean")
    assert lean.reserve is None and lean.report_after_min == 1 and lean.suspend_breaks
    assert lean.detect.offered_over_forecast == 1.5


# --- the command -------------------------------------------------------------------------------


def test_wfm_drill_writes_the_contract_json_and_a_figure(wfm: WfmRunner, tmp_path: Path) -> None:
    data = _with_plans(_centre(), slow={"report_after_min": 40})
    scenario = write_yaml(tmp_path / "fault.yaml", data)
    out, png = tmp_path / "drill.json", tmp_path / "drill.png"
    run = wfm("drill", scenario, "--incident", "fault", "--compare", "slow",
              "--replications", "3", "--seed", "2", "--workers", "1",
              "--json", out, "--png", png)  # fmt: skip
    assert run.code == 0, run.err
    document = json.loads(out.read_text())
    assert {"incident", "grade", "scorecard", "recovered", "targets", "timeline", "plans"} <= set(
        document
    )
    assert set(document["scorecard"]) == {
        "detect_min", "report_min", "respond_min", "recover_min",
        "lost_contacts", "abandon_rate", "peak_queue", "peak_wait_s",
    }  # fmt: skip
    assert set(document["scorecard"]["recover_min"]) == {"mean", "ci95_low", "ci95_high"}
    assert {"metric", "value", "achieved", "met"} == set(document["targets"][0])
    assert list(document["plans"]) == ["slow"]
    assert document["plans"]["slow"]["targets"][0]["met"] is False  # reported 40 min late
    row = document["timeline"][0]
    assert {"offered", "answered", "abandoned", "queue", "service_level", "agents"} <= set(row)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figure_bytes(timeline_figure(document), ".pdf")[:5] == b"%PDF-"
    assert "scorecard" in run.out and "slow" in run.out


def test_wfm_drill_refuses_an_unknown_incident_or_plan(wfm: WfmRunner, tmp_path: Path) -> None:
    scenario = write_yaml(tmp_path / "fault.yaml", _centre())
    out = tmp_path / "drill.json"
    run = wfm("drill", scenario, "--incident", "storm", "--json", out)
    assert run.code == 2
    assert run.err.strip() == (
        f"{scenario}: incidents: no incident named 'storm' (incidents: fault)"
    )
    run = wfm("drill", scenario, "--incident", "fault", "--compare", "x", "--json", out)
    assert run.code == 2 and "no response plan 'x'" in run.err
    assert not out.exists()


def test_an_unknown_group_s_error_lists_the_groups_in_the_file_s_order() -> None:
    # The message must not depend on the interpreter's hash seed (it listed a set's order).
    data = _centre(response={"reserve": {"group": "night_team", "agents": 3}})
    # Eight groups: a set's order matches the file's by chance far too rarely to hide the fault.
    data["agent_groups"] += [group(f"team_{k}", ["tech"], agents=1) for k in "zyxwvu"]
    with pytest.raises(ScenarioError) as caught:
        from_dict(data, "x.yaml")
    listed = caught.value.message.split("expected one of: ")[1].rstrip(")")
    assert listed == ", ".join(g["name"] for g in data["agent_groups"])
