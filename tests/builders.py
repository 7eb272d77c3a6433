"""Scenario mappings built from keywords, for the tests that write their own small centres.

Each builder returns the plain data a scenario YAML file would hold (ready to mutate, to write
with ``conftest.write_yaml`` or to pass to ``scenarios.load.from_dict``), with keys in the
order a hand-written file puts them and only the keys asked for: a builder adds no defaults of
its own beyond what its signature shows, so a test reading ``centre(...)`` sees every number of
its case.

- distributions: ``exponential(mean_s=180)``, ``constant(100)``, ``lognormal(600, 0.7)``;
- parts: ``channel``, ``contact_type``, ``target``, ``group``, ``shift_template``,
  ``break_rule``;
- whole scenarios: ``centre`` (any mix of the parts), ``queue_scenario`` (the stationary
  M/M/n(+M) queue of ``exact_queues``), ``email_centre`` (one e-mail queue and a back office),
  ``chat_centre`` (one chat queue and one team).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Data = dict[str, Any]


# --- distributions -----------------------------------------------------------------------------


def exponential(**mean: float) -> Data:
    """An exponential distribution by its mean in one unit: ``exponential(mean_s=180)``,
    ``exponential(mean_min=4)``, ``exponential(mean_h=2)``."""
    if len(mean) != 1:
        raise TypeError(f"exponential() takes one mean (mean_s, mean_min or mean_h), got {mean}")
    return {"distribution": "exponential", **mean}


def constant(value_s: float) -> Data:
    return {"distribution": "constant", "value_s": value_s}


def lognormal(mean_s: float, cv: float) -> Data:
    return {"distribution": "lognormal", "mean_s": mean_s, "cv": cv}


# --- parts of a scenario -----------------------------------------------------------------------


def channel(name: str = "voice", kind: str | None = None, **extra: Any) -> Data:
    """A channel; its kind is its name unless given (``channel("hotline", "voice")``)."""
    return {"name": name, "kind": kind or name, **extra}


def contact_type(
    name: str = "general",
    *,
    channel: str = "voice",
    skill: str | None = None,
    volume: float | Sequence[float] | Data = 10,
    handle: Data | None = None,
    patience: Data | None = None,
    **extra: Any,
) -> Data:
    """A contact type: its skill is its name unless given; a number or list as `volume` is
    ``per_interval``, a mapping is the volume as written; `handle` is the handle-time
    distribution (exponential, mean 180 s, unless given); `patience` only when given; then
    `extra` (tiers, self_service, callback...) in the order given."""
    data: Data = {
        "name": name,
        "channel": channel,
        "skill": skill or name,
        "volume": volume if isinstance(volume, dict) else {"per_interval": volume},
        "handle_time": handle if handle is not None else exponential(mean_s=180),
    }
    if patience is not None:
        data["patience"] = patience
    return data | extra


def target(
    contact_type: str = "general",
    answer_within_s: float = 20,
    service_level: float = 0.8,
    **extra: Any,
) -> Data:
    """A service-level target: 80 % answered within 20 s unless given; `extra` as ``scope``."""
    return {
        "contact_type": contact_type,
        "answer_within_s": answer_within_s,
        "service_level": service_level,
        **extra,
    }


def group(
    name: str = "pool",
    skills: Sequence[str] = ("general",),
    agents: int | Sequence[int] | None = None,
    **extra: Any,
) -> Data:
    """An agent group: `agents` (a number or a per-interval profile) only when given, then
    `extra` (``cost_per_hour``, ``min_agents``...) in the order given."""
    data: Data = {"name": name, "skills": list(skills)}
    if agents is not None:
        data["agents"] = agents
    return data | extra


def break_rule(length_min: int, after_h_min: float, after_h_max: float) -> Data:
    return {"length_min": length_min, "after_h_min": after_h_min, "after_h_max": after_h_max}


def shift_template(
    name: str,
    length_h: float,
    start_between: tuple[str, str],
    *,
    start_step_min: int = 60,
    breaks: Sequence[Data] | None = None,
    **extra: Any,
) -> Data:
    """A shift template starting every `start_step_min` (60) between the two clock times;
    `breaks` only when given, then `extra` (``cost_factor``...)."""
    data: Data = {
        "name": name,
        "length_h": length_h,
        "start_between": list(start_between),
        "start_step_min": start_step_min,
    }
    if breaks is not None:
        data["breaks"] = list(breaks)
    return data | extra


# --- whole scenarios ---------------------------------------------------------------------------


def centre(
    name: str,
    *,
    days: int,
    interval_min: int,
    contact_types: Sequence[Data],
    agent_groups: Sequence[Data],
    channels: Sequence[Data] | None = None,
    targets: Sequence[Data] | None = None,
    shift_templates: Sequence[Data] | None = None,
    cyclic: bool | None = None,
    start: str | None = None,
    **extra: Any,
) -> Data:
    """A scenario from its parts: one voice channel unless `channels` are given; the horizon's
    ``cyclic`` and ``start``, the targets and the shift templates only when given; then
    `extra` (``incidents``...)."""
    horizon: Data = {"days": days, "interval_min": interval_min}
    if cyclic is not None:
        horizon["cyclic"] = cyclic
    if start is not None:
        horizon["start"] = start
    data: Data = {
        "name": name,
        "horizon": horizon,
        "channels": list(channels) if channels is not None else [channel("voice")],
        "contact_types": list(contact_types),
    }
    if targets is not None:
        data["targets"] = list(targets)
    data["agent_groups"] = list(agent_groups)
    if shift_templates is not None:
        data["shift_templates"] = list(shift_templates)
    return data | extra


def queue_scenario(
    interval_min: int,
    volume: float,
    aht_s: float,
    patience_s: float | None,
    agents: int,
    *,
    days: int = 7,
    scope: str = "horizon",
) -> Data:
    """A stationary single queue as a scenario: Poisson arrivals (`volume` per interval),
    exponential handle times and, with `patience_s`, exponential patience -- the M/M/n (Erlang
    C) or M/M/n+M (Erlang A) queue of `exact_queues` -- with `agents` on duty throughout, an
    80 % in 20 s target judged per `scope`, and a day shift template with a cost so that the
    optimiser can plan it."""
    patience = exponential(mean_s=patience_s) if patience_s is not None else None
    return centre(
        "queue",
        days=days,
        interval_min=interval_min,
        contact_types=[
            contact_type(volume=volume, handle=exponential(mean_s=aht_s), patience=patience)
        ],
        targets=[target(scope=scope)],
        agent_groups=[group(agents=agents, cost_per_hour=20)],
        shift_templates=[shift_template("day", 8, ("00:00", "16:00"))],
    )


def email_centre(
    *,
    days: int,
    business_hours: Data,
    contact_type_name: str,
    handle_min: float,
    service_level: float,
    agents: int | None = None,
    cyclic: bool | None = None,
) -> Data:
    """``mail``: one e-mail queue open `business_hours` (10 mails an hour, all day, in 60-min
    intervals), a 24 h target and a ``back_office`` group with the ``mail`` skill."""
    return centre(
        "mail",
        days=days,
        interval_min=60,
        cyclic=cyclic,
        channels=[channel("mail", "email", business_hours=business_hours)],
        contact_types=[
            contact_type(
                contact_type_name,
                channel="mail",
                skill="mail",
                volume=10,
                handle=exponential(mean_min=handle_min),
            )
        ],
        targets=[target(contact_type_name, 86400, service_level)],
        agent_groups=[group("back_office", ["mail"], agents=agents)],
    )


def chat_centre(
    *,
    days: int,
    concurrency: int,
    volume: float,
    handle: Data,
    agents: int,
    team: str = "team",
    patience: Data | None = None,
) -> Data:
    """``chat``: one chat queue (``web``, skill ``chat``) of the given `concurrency`, in
    30-min intervals, answered by one `team` of `agents`."""
    return centre(
        "chat",
        days=days,
        interval_min=30,
        channels=[channel("chat", concurrency=concurrency)],
        contact_types=[
            contact_type(
                "web", channel="chat", skill="chat", volume=volume, handle=handle, patience=patience
            )
        ],
        agent_groups=[group(team, ["chat"], agents=agents)],
    )
