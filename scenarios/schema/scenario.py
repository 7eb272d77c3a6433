"""The whole `Scenario`, and the checks that relate its parts: names unique, references
known (channels, skills, tiers, contact types, agent groups, incidents), profiles as long as
the horizon, opening hours on its interval grid."""

# ruff sees that a class is a pydantic model only when BaseModel is its base in the same file;
# pydantic copies these models' list defaults per instance, so none is shared.
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from scenarios.schema.agents import AgentGroup, ShiftTemplate
from scenarios.schema.base import FieldProblem, _Model
from scenarios.schema.centre import Channel, Horizon
from scenarios.schema.contacts import ContactType, Target, Volume
from scenarios.schema.incidents import Incident, Response, ResponsePlan


class Scenario(_Model):
    name: str = Field(min_length=1)
    horizon: Horizon
    channels: list[Channel] = Field(min_length=1)
    contact_types: list[ContactType] = Field(min_length=1)
    targets: list[Target] = []
    agent_groups: list[AgentGroup] = Field(min_length=1)
    shift_templates: list[ShiftTemplate] = []
    incidents: list[Incident] = []
    response_plans: list[ResponsePlan] = []
    surge_targets: list[str] = []

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        _unique_names(self.channels, "channels")
        _unique_names(self.contact_types, "contact_types")
        _unique_names(self.agent_groups, "agent_groups")
        _unique_names(self.shift_templates, "shift_templates")
        channels = {c.name: c for c in self.channels}
        skill_channel: dict[str, str] = {}
        group_skills = {s for g in self.agent_groups for s in g.skills}
        for i, ct in enumerate(self.contact_types):
            where = f"contact_types[{i}]"
            if ct.channel not in channels:
                raise FieldProblem(
                    f"{where}.channel", f"unknown channel {ct.channel!r}{_one_of(channels)}"
                )
            if ct.skill not in group_skills:
                raise FieldProblem(f"{where}.skill", f"no agent group has skill {ct.skill!r}")
            first = skill_channel.setdefault(ct.skill, ct.channel)
            if first != ct.channel:
                raise FieldProblem(
                    f"{where}.skill",
                    f"skill {ct.skill!r} is already used on channel {first!r}; "
                    "a skill serves one channel",
                )
            _check_volume(ct.volume, self.horizon, f"{where}.volume")
            kind = channels[ct.channel].kind
            if ct.callback is not None and kind != "voice":
                raise FieldProblem(f"{where}.callback", f"only voice calls get one, not {kind}")
            if ct.patience is not None and kind == "email":
                raise FieldProblem(f"{where}.patience", "an e-mail does not abandon: leave it out")
        types = {ct.name: ct for ct in self.contact_types}
        for i, ct in enumerate(self.contact_types):
            for j, e in enumerate(ct.escalation):
                where = f"contact_types[{i}].escalation[{j}].to"
                if e.to not in types:
                    raise FieldProblem(where, f"unknown contact type {e.to!r}{_one_of(types)}")
                if e.to == ct.name:
                    raise FieldProblem(where, "a contact type cannot escalate to itself")
        for i, channel in enumerate(self.channels):
            if channel.hours is not None:
                field = "business_hours" if channel.kind == "email" else "opening_hours"
                for part in ("start", "end"):
                    minutes = getattr(channel.hours, f"{part}_min")
                    if minutes % self.horizon.interval_min:
                        raise FieldProblem(
                            f"channels[{i}].{field}.{part}",
                            f"must fall on the {self.horizon.interval_min}-min interval grid, "
                            f"got {getattr(channel.hours, part)}",
                        )
        for i, target in enumerate(self.targets):
            where = f"targets[{i}]"
            ct = types.get(target.contact_type)
            if ct is None:
                raise FieldProblem(
                    f"{where}.contact_type",
                    f"unknown contact type {target.contact_type!r}{_one_of(types)}",
                )
            if target.tier is not None and target.tier not in ct.tier_names:
                tiers = (
                    f" (tiers: {', '.join(ct.tier_names)})" if ct.tiers else " (it has no tiers)"
                )
                raise FieldProblem(f"{where}.tier", f"unknown tier {target.tier!r}{tiers}")
        for i, group in enumerate(self.agent_groups):
            if group.agents is not None:
                _check_profile_shape(group.agents, self.horizon, f"agent_groups[{i}].agents")
            for j, shift in enumerate(group.shifts or []):
                if isinstance(shift.day, int) and shift.day >= self.horizon.days:
                    raise FieldProblem(
                        f"agent_groups[{i}].shifts[{j}].day",
                        f"expected a day from 0 to {self.horizon.days - 1} or a weekday name, "
                        f"got {shift.day}",
                    )
        _check_incidents(self)
        return self

    def incident(self, name: str) -> Incident:
        return next(i for i in self.incidents if i.name == name)

    def response_of(self, incident: Incident, plan: str | None = None) -> Response:
        """The response of `incident` as given, or as the response plan named `plan` alters it."""
        if plan is None:
            return incident.response
        found = next(p for p in self.response_plans if p.name == plan)
        return found.response.applied_to(incident.response)

    def incident_types(self, incident: Incident) -> list[int]:
        """Indices of the incident's contact types: those it surges, else every live one."""
        surged = {s.contact_type for s in incident.surge}
        return [
            t
            for t, ct in enumerate(self.contact_types)
            if (ct.name in surged if surged else self.channel_of(ct).kind != "email")
        ]

    def channel_of(self, contact_type: ContactType) -> Channel:
        return next(c for c in self.channels if c.name == contact_type.channel)

    def target_for(self, contact_type: str, tier: str | None = None) -> Target | None:
        """The target of a contact type (``tier=None``) or of one of its tiers."""
        for target in self.targets:
            if target.contact_type == contact_type and target.tier == tier:
                return target
        return None

    @property
    def staffed(self) -> bool:
        """True when every agent group gives its agents or shifts (the scenario can be
        simulated)."""
        return all(g.staffed for g in self.agent_groups)


def _check_incidents(scenario: Scenario) -> None:
    """References of the incidents, response plans and surge targets."""
    _unique_names(scenario.incidents, "incidents")
    _unique_names(scenario.response_plans, "response_plans")
    types = {ct.name: ct for ct in scenario.contact_types}
    incidents = {i.name: i for i in scenario.incidents}
    for i, incident in enumerate(scenario.incidents):
        where = f"incidents[{i}]"
        if incident.start.day >= scenario.horizon.days:
            raise FieldProblem(
                f"{where}.start.day",
                f"expected a day from 0 to {scenario.horizon.days - 1}, got {incident.start.day}",
            )
        for j, surge in enumerate(incident.surge):
            if surge.contact_type in [x.contact_type for x in incident.surge[:j]]:
                raise FieldProblem(
                    f"{where}.surge[{j}].contact_type",
                    f"{surge.contact_type!r} is surged twice: give one entry per contact type",
                )
            if surge.contact_type not in types:
                raise FieldProblem(
                    f"{where}.surge[{j}].contact_type",
                    f"unknown contact type {surge.contact_type!r}{_one_of(types)}",
                )
        _check_response(scenario, incident, incident.response, f"{where}.response")
    for i, plan in enumerate(scenario.response_plans):
        where = f"response_plans[{i}]"
        if plan.incident not in incidents:
            raise FieldProblem(
                f"{where}.incident", f"unknown incident {plan.incident!r}{_one_of(incidents)}"
            )
        incident = incidents[plan.incident]
        _check_response(
            scenario, incident, plan.response.applied_to(incident.response), f"{where}.response"
        )
    for i, name in enumerate(scenario.surge_targets):
        if name in incidents and incidents[name].response.reserve is None:
            raise FieldProblem(
                f"surge_targets[{i}]",
                f"incident {name!r} has no response.reserve to size (give its group and "
                "activation_delay_min)",
            )
        if name not in incidents:
            raise FieldProblem(
                f"surge_targets[{i}]", f"unknown incident {name!r}{_one_of(incidents)}"
            )


def _check_response(scenario: Scenario, incident: Incident, response: Response, where: str) -> None:
    types = {ct.name: ct for ct in scenario.contact_types}
    groups = [g.name for g in scenario.agent_groups]  # in file order: the error lists them
    if response.callback is not None and not any(
        scenario.channel_of(scenario.contact_types[t]).kind == "voice"
        for t in scenario.incident_types(incident)
    ):
        raise FieldProblem(
            f"{where}.callback", "the incident's contact types include no voice calls to call back"
        )
    if response.reserve is not None and response.reserve.group not in groups:
        raise FieldProblem(
            f"{where}.reserve.group",
            f"unknown agent group {response.reserve.group!r}{_one_of(groups)}",
        )
    if response.overflow is not None:
        overflow = response.overflow
        if overflow.contact_type not in types:
            raise FieldProblem(
                f"{where}.overflow.contact_type",
                f"unknown contact type {overflow.contact_type!r}{_one_of(types)}",
            )
        channel = scenario.channel_of(types[overflow.contact_type])
        if channel.kind == "email":
            raise FieldProblem(
                f"{where}.overflow.contact_type", "e-mail is deferred work: it does not overflow"
            )
        for k, group in enumerate(overflow.to_groups):
            if group not in groups:
                raise FieldProblem(
                    f"{where}.overflow.to_groups[{k}]",
                    f"unknown agent group {group!r}{_one_of(groups)}",
                )


def _check_volume(volume: Volume, horizon: Horizon, path: str) -> None:
    if volume.per_interval is not None:
        _check_profile_shape(volume.per_interval, horizon, f"{path}.per_interval")
    elif volume.intraday is not None and len(volume.intraday) != horizon.intervals_per_day:
        raise FieldProblem(
            f"{path}.intraday",
            f"expected {horizon.intervals_per_day} weights (one per {horizon.interval_min}-min "
            f"interval of the day), got {len(volume.intraday)}",
        )


def _check_profile_shape(value: Any, horizon: Horizon, path: str) -> None:
    per_day = horizon.intervals_per_day
    if not isinstance(value, list):
        return
    if all(isinstance(row, list) for row in value):
        if len(value) != horizon.days:
            raise FieldProblem(
                path, f"expected one list per day ({horizon.days} days), got {len(value)} lists"
            )
        for d, row in enumerate(value):
            if len(row) != per_day:
                raise FieldProblem(
                    f"{path}[{d}]", f"expected {per_day} values (one per interval), got {len(row)}"
                )
    elif len(value) != per_day:
        raise FieldProblem(
            path,
            f"expected {per_day} values (one per {horizon.interval_min}-min interval of the day), "
            f"got {len(value)}",
        )


def _unique_names(items: list[Any], where: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.name in seen:
            raise FieldProblem(f"{where}[{i}].name", f"duplicate name {item.name!r}")
        seen.add(item.name)


def _one_of(names: Any) -> str:
    return f" (expected one of: {', '.join(names)})"
