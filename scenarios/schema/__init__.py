"""The scenario: a typed, validated description of what a contact centre looks like.

Every model forbids unknown keys, so a misspelt field is an error rather than a silent default.
Shape checks live on the models; checks that relate two parts of a scenario (a skill that no
group has, a target naming an unknown tier, a volume list of the wrong length) live on
`Scenario`. A failed check raises `FieldProblem`, which carries the field path relative to the
model that raised it so that `scenarios.load` can name the exact field in its one-line error.

One idea a module, each importing only those above it:

- `base`: `FieldProblem`, the shared pydantic base, weekdays, the minutes of a day, limits,
  clock times, units, profile values;
- `distributions`: handle-time, patience and delay distributions;
- `centre`: the horizon, opening hours and channels;
- `contacts`: contact types (volume, tiers, behaviour) and service-level targets;
- `agents`: agent groups, their shifts, and shift templates;
- `incidents`: incidents, their responses and response plans;
- `scenario`: the whole scenario and the checks across its parts.

Everything public is exported here: import it from `scenarios.schema`.
"""

from scenarios.schema.agents import AgentGroup, Break, Shift, ShiftBreak, ShiftTemplate
from scenarios.schema.base import (
    DAY_MIN,
    MAX_AGENTS,
    MAX_VOLUME_PER_INTERVAL,
    WEEKDAYS,
    ClockTime,
    FieldProblem,
    clock_minutes,
    clock_text,
)
from scenarios.schema.centre import Channel, Horizon, Hours
from scenarios.schema.contacts import (
    SHARE_TOLERANCE,
    Callback,
    ContactType,
    Escalation,
    Overdispersion,
    Retrial,
    SelfService,
    Target,
    Tier,
    Volume,
)
from scenarios.schema.distributions import (
    DISTRIBUTION_KINDS,
    Constant,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
)
from scenarios.schema.incidents import (
    INCIDENT_KINDS,
    Detect,
    Incident,
    IncidentStart,
    IncidentTargets,
    IvrAnnouncement,
    Overflow,
    Recover,
    Reserve,
    Response,
    ResponseChanges,
    ResponsePlan,
    Surge,
)
from scenarios.schema.scenario import Scenario

__all__ = [
    "DAY_MIN", "DISTRIBUTION_KINDS", "INCIDENT_KINDS", "MAX_AGENTS", "MAX_VOLUME_PER_INTERVAL",
    "SHARE_TOLERANCE", "WEEKDAYS", "AgentGroup", "Break", "Callback", "Channel", "ClockTime",
    "Constant", "ContactType", "Detect", "Distribution", "Empirical", "Escalation",
    "Exponential", "FieldProblem", "Gamma", "Horizon", "Hours", "Incident", "IncidentStart",
    "IncidentTargets", "IvrAnnouncement", "Lognormal", "Overdispersion", "Overflow", "Recover",
    "Reserve", "Response", "ResponseChanges", "ResponsePlan", "Retrial", "Scenario",
    "SelfService", "Shift", "ShiftBreak", "ShiftTemplate", "Surge", "Target", "Tier", "Volume",
    "clock_minutes", "clock_text",
]  # fmt: skip
