"""What a scenario holds, in figures a planner can check before simulating: the review that
`wfm validate` prints.

Volumes are expectations (`scenarios.demand`); loads are offered traffic in Erlangs (contacts
per second times mean handle time). The warnings flag figures that no simulation can rescue:

- an occupancy over 100 % at the given staffing: in some interval the load of a skill exceeds
  the agents on duty who have it (net of expected absence, chat counted at its concurrency),
  or the centre's whole live load exceeds all its agents;
- a target no staffing can reach: an e-mail target shorter than the wait the channel's closed
  hours impose (even with unlimited agents), or a load beyond the groups' `max_agents`;
- contacts arriving while no agent with their skill is on duty;
- a target on a contact type (or tier) that is offered no contacts.

A warning does not make the file invalid: `wfm validate` still exits 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel

from scenarios.demand import expected_offered, open_mask, scenario_volume
from scenarios.schema import WEEKDAYS, Channel, ContactType, Incident, Scenario, clock_text
from scenarios.staffing import group_staffing


@dataclass(frozen=True)
class ChannelFigures:
    """One channel's demand. Weekly figures are the horizon's totals scaled to 7 days."""

    name: str
    kind: str
    weekly_given: float  # contacts per week as the volumes give them, before self-service
    weekly_offered: float  # after self-service, with repeats and escalations
    peak_erlangs: float  # highest offered load of one interval (live channels)
    peak_at: str  # when that interval starts, e.g. "day 0 (mon) 10:00"
    weekly_workload_h: float  # agent-hours of handling per week (concurrency counted)


@dataclass(frozen=True)
class TargetLine:
    who: str  # contact type, or "contact type / tier"
    service_level: float
    answer_within_s: float
    scope: str
    source: str | None


@dataclass(frozen=True)
class Review:
    """The figures and warnings of one scenario."""

    channels: list[ChannelFigures]
    peak_erlangs: float  # the centre's live load at its busiest interval
    peak_at: str
    targets: list[TargetLine]
    sources: Counter[str]  # mappings naming a source, by the source's first word or seed file
    unsourced: list[str] = field(default_factory=list)  # figure-holding mappings without one
    warnings: list[str] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)  # one line per incident


def review(scenario: Scenario) -> Review:
    """Figures and warnings of a validated scenario (see the module docstring)."""
    horizon = scenario.horizon
    given = [scenario_volume(scenario, ct) for ct in scenario.contact_types]
    offered = expected_offered(scenario)
    # Erlangs per contact type and interval, in agents' capacity (a chat agent holds several).
    load = [
        o * ct.handle_time.mean / horizon.interval_s / scenario.channel_of(ct).concurrency
        for o, ct in zip(offered, scenario.contact_types, strict=True)
    ]
    per_week = 7 / horizon.days
    channels = []
    for channel in scenario.channels:
        members = [t for t, ct in enumerate(scenario.contact_types) if ct.channel == channel.name]
        traffic = sum(
            (offered[t] * scenario.contact_types[t].handle_time.mean / horizon.interval_s
             for t in members), np.zeros((horizon.days, horizon.intervals_per_day)),
        )  # fmt: skip
        peak = np.unravel_index(int(np.argmax(traffic)), traffic.shape)
        channels.append(
            ChannelFigures(
                name=channel.name,
                kind=channel.kind,
                weekly_given=per_week * sum(float(given[t].sum()) for t in members),
                weekly_offered=per_week * sum(float(offered[t].sum()) for t in members),
                peak_erlangs=float(traffic[peak]),
                peak_at=_when(scenario, *peak),
                weekly_workload_h=per_week
                * sum(float(load[t].sum()) for t in members)
                * horizon.interval_min
                / 60,
            )
        )
    live = [t for t, ct in enumerate(scenario.contact_types) if not _deferred(scenario, ct)]
    centre = sum((load[t] for t in live), np.zeros((horizon.days, horizon.intervals_per_day)))
    centre_peak = np.unravel_index(int(np.argmax(centre)), centre.shape)
    targets = [
        TargetLine(
            who=t.contact_type + (f" / {t.tier}" if t.tier else ""),
            service_level=t.service_level,
            answer_within_s=t.answer_within_s,
            scope=t.scope,
            source=t.source,
        )
        for t in scenario.targets
    ]
    sources, unsourced = _sources(scenario)
    warnings = (
        _empty_targets(scenario, offered)
        + _email_reach(scenario, offered)
        + _capped_load(scenario, load)
        + (_staffing_warnings(scenario, offered, load) if scenario.staffed else [])
    )
    return Review(
        incidents=[_incident_line(scenario, incident) for incident in scenario.incidents],
        channels=channels,
        peak_erlangs=float(centre[centre_peak]),
        peak_at=_when(scenario, *centre_peak),
        targets=targets,
        sources=sources,
        unsourced=unsourced,
        warnings=warnings,
    )


def reachable_share(
    channel: Channel, scenario: Scenario, volume: np.ndarray, within_s: float
) -> float:
    """The largest share of an e-mail channel's `volume` (contacts per interval) that can be
    answered within `within_s` seconds with unlimited agents: a contact is answered as soon as
    the business hours open. Arrivals are taken as spread evenly over their interval; on a
    horizon that is not cyclic, contacts after the last open interval are never answered."""
    horizon = scenario.horizon
    is_open = open_mask(channel.business_hours, horizon).ravel()
    flat = volume.ravel()
    if flat.sum() <= 0:
        return 1.0
    if not is_open.any():
        return 0.0
    n, step_s = is_open.size, horizon.interval_s
    # Start of the next open interval after each interval, in intervals from the horizon start.
    next_open = np.full(n, np.inf)
    upcoming = np.inf
    for k in range(2 * n - 1, -1, -1):  # two passes so a cyclic horizon wraps
        if k < n:
            next_open[k] = upcoming
        if is_open[k % n] and (horizon.cyclic or k < n):
            upcoming = k
    answered = 0.0
    for k in range(n):
        if is_open[k] or flat[k] == 0:
            answered += flat[k]
            continue
        # Arrivals at k*step + u (u uniform in [0, step)) wait next_open*step - k*step - u.
        latest_wait_s = (next_open[k] - k) * step_s
        share = np.clip((within_s - (latest_wait_s - step_s)) / step_s, 0.0, 1.0)
        answered += flat[k] * float(share)
    return answered / float(flat.sum())


def _incident_line(scenario: Scenario, incident: Incident) -> str:
    """What an incident is, when, what it surges, its levers and the plans compared with it."""
    surge = ", ".join(f"{s.contact_type} x{s.multiplier:g}" for s in incident.surge) or "none"
    levers = [
        name
        for name in ("ivr_announcement", "reserve", "overflow", "callback")
        if getattr(incident.response, name) is not None
    ] + (["suspend_breaks"] if incident.response.suspend_breaks else [])
    plans = [p.name for p in scenario.response_plans if p.incident == incident.name]
    sized = " (reserve sized by wfm optimise)" if incident.name in scenario.surge_targets else ""
    return (
        f"{incident.name}: {incident.kind.replace('_', ' ')}, grade {incident.grade}, "
        f"{_day(scenario, incident.start.day)} {incident.start.time} "
        f"for {duration_text(incident.duration_min * 60)}; surge {surge}; levers "
        f"{', '.join(levers) or 'none'}; plans compared: {', '.join(plans) or 'none'}{sized}"
    )


def _deferred(scenario: Scenario, contact_type: ContactType) -> bool:
    return scenario.channel_of(contact_type).kind == "email"


def _when(scenario: Scenario, day: int, interval: int) -> str:
    return f"{_day(scenario, day)} {clock_text(interval * scenario.horizon.interval_min)}"


def _day(scenario: Scenario, day: int) -> str:
    return f"day {day} ({WEEKDAYS[(scenario.horizon.first_weekday + day) % 7]})"


def _sources(scenario: Scenario) -> tuple[Counter[str], list[str]]:
    """Mappings naming a source, counted by what they cite ("seed 000", "assumption", ...), and
    the paths of mappings that give figures (defaults do not count) but name no source."""
    counts: Counter[str] = Counter()
    unsourced: list[str] = []

    def visit(node: object, path: str) -> None:
        if isinstance(node, BaseModel):
            source = getattr(node, "source", None)
            values = {k: getattr(node, k) for k in type(node).model_fields}
            if source:
                counts[_citation(source)] += 1
            elif any(_is_figure(values[k]) for k in node.model_fields_set if k != "source"):
                unsourced.append(path or "(top level)")
            for key, value in values.items():
                visit(value, f"{path}.{key}" if path else key)
        elif isinstance(node, (list, tuple)):
            for i, value in enumerate(node):
                visit(value, f"{path}[{i}]")

    visit(scenario, "")
    return counts, unsourced


def _citation(source: str) -> str:
    words = source.replace(":", " ").split()
    if len(words) >= 2 and words[0].lower() == "seed":
        return f"seed {words[1].rstrip(',')}"
    return words[0].lower() if words else "(blank)"


def _is_figure(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, list) and bool(value) and all(_is_figure(v) for v in value)


def _empty_targets(scenario: Scenario, offered: list[np.ndarray]) -> list[str]:
    total = {ct.name: float(o.sum()) for ct, o in zip(scenario.contact_types, offered, strict=True)}
    return [
        f"targets[{i}]: {t.contact_type}{' / ' + t.tier if t.tier else ''} is offered no "
        "contacts, so its target judges nothing"
        for i, t in enumerate(scenario.targets)
        if total[t.contact_type] <= 0
    ]


def _email_reach(scenario: Scenario, offered: list[np.ndarray]) -> list[str]:
    warnings = []
    types = {ct.name: t for t, ct in enumerate(scenario.contact_types)}
    for i, target in enumerate(scenario.targets):
        t = types[target.contact_type]
        ct = scenario.contact_types[t]
        channel = scenario.channel_of(ct)
        if channel.kind != "email" or channel.business_hours is None:
            continue
        reach = reachable_share(channel, scenario, offered[t], target.answer_within_s)
        if reach < target.service_level:
            warnings.append(
                f"targets[{i}]: {target.contact_type} cannot reach {target.service_level:.0%} "
                f"within {duration_text(target.answer_within_s)}: the {channel.name} channel's "
                f"closed hours leave at most {reach:.1%} answerable in time, whatever the "
                "staffing"
            )
    return warnings


def _capped_load(scenario: Scenario, load: list[np.ndarray]) -> list[str]:
    """Live skills whose load exceeds the `max_agents` of every group that has the skill."""
    warnings = []
    for skill, types in _live_skills(scenario).items():
        groups = [g for g in scenario.agent_groups if skill in g.skills]
        if any(g.max_agents is None for g in groups):
            continue
        cap = sum(g.max_agents * (1 - g.absence) for g in groups)  # type: ignore[operator]
        skill_load = sum(load[t] for t in types)
        over = skill_load >= cap
        if over.any():
            worst = np.unravel_index(int(np.argmax(skill_load)), skill_load.shape)
            warnings.append(
                f"skill {skill}: a load of {skill_load[worst]:.1f} Erlangs at "
                f"{_when(scenario, *worst)} needs more than the {cap:g} agents the groups' "
                f"max_agents allow ({int(over.sum())} intervals): its targets cannot be met"
            )
    return warnings


def _staffing_warnings(
    scenario: Scenario, offered: list[np.ndarray], load: list[np.ndarray]
) -> list[str]:
    """Occupancy over 100 % and contacts without agents, at the scenario's staffing."""
    horizon = scenario.horizon
    steps = group_staffing(scenario)
    # Mean agents on duty per interval, net of expected absence.
    present = {
        g.name: (1 - g.absence)
        * steps[g.name].reshape(horizon.days, horizon.intervals_per_day, -1).mean(axis=2)
        for g in scenario.agent_groups
    }
    zero = np.zeros((horizon.days, horizon.intervals_per_day))
    warnings = []
    for skill, types in _live_skills(scenario).items():
        agents = sum((present[g.name] for g in scenario.agent_groups if skill in g.skills), zero)
        arriving = sum((offered[t] for t in types), zero)
        unserved = (arriving > 0) & (agents <= 0)
        if unserved.any():
            first = np.unravel_index(int(np.argmax(unserved)), unserved.shape)
            warnings.append(
                f"skill {skill}: {arriving[unserved].sum():,.0f} contacts arrive in "
                f"{int(unserved.sum())} intervals with no agent of the skill on duty "
                f"(first at {_when(scenario, *first)})"
            )
        warnings += _occupancy(
            scenario, f"skill {skill}", sum((load[t] for t in types), zero), agents
        )
    live = [t for t, ct in enumerate(scenario.contact_types) if not _deferred(scenario, ct)]
    if len(_live_skills(scenario)) > 1:
        everyone = sum(present.values(), zero)
        warnings += _occupancy(scenario, "the centre", sum((load[t] for t in live), zero), everyone)
    for t, ct in enumerate(scenario.contact_types):
        if not _deferred(scenario, ct):
            continue
        channel = scenario.channel_of(ct)
        is_open = open_mask(channel.business_hours, horizon)
        agents = sum((present[g.name] for g in scenario.agent_groups if ct.skill in g.skills), zero)
        capacity_h = float((agents * is_open).sum()) * horizon.interval_min / 60
        work_h = float(load[t].sum()) * horizon.interval_min / 60
        if work_h > capacity_h:
            warnings.append(
                f"contact type {ct.name}: {work_h:,.0f} agent-hours of {channel.name} work but "
                f"only {capacity_h:,.0f} agent-hours of the skill on duty in business hours: the "
                "backlog can only grow"
            )
    return warnings


def _occupancy(scenario: Scenario, what: str, load: np.ndarray, agents: np.ndarray) -> list[str]:
    over = (load > 0) & (load > agents)
    if not over.any():
        return []
    ratio = np.where(over, load / np.maximum(agents, 1e-9), 0.0)
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    occupancy = "no agents" if agents[worst] <= 0 else f"occupancy {ratio[worst]:.0%}"
    return [
        f"{what}: occupancy over 100 % in {int(over.sum())} intervals; worst at "
        f"{_when(scenario, *worst)}: {load[worst]:.1f} Erlangs for {agents[worst]:.1f} agents "
        f"({occupancy})"
    ]


def _live_skills(scenario: Scenario) -> dict[str, list[int]]:
    """Contact type indices per skill of the live (non-e-mail) channels."""
    skills: dict[str, list[int]] = {}
    for t, ct in enumerate(scenario.contact_types):
        if not _deferred(scenario, ct):
            skills.setdefault(ct.skill, []).append(t)
    return skills


def duration_text(seconds: float) -> str:
    """`seconds` in the largest whole unit: ``24 h``, ``15 min`` or ``20 s``."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"
