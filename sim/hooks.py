"""The interface between the engine and an incident's controller, both ways.

`Controller` holds the hooks the engine (`sim.engine.Centre`) calls on the controller it is
given; `CentreAPI` is all of the centre that a controller (`sim.incident.Drill`) may use. The
two modules know each other only through this one, so neither imports the other.

Times are in seconds from the start of the horizon; contacts are indices into the run's
contacts (the first ones, then those created during the run), contact types, skills and agent
groups are indices into the routing table (`sim.routing`). The hooks run inside the engine's
own events: they return at once and never advance the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np


class Controller(Protocol):
    """What the engine calls on an incident's controller, and when."""

    callback_types: set[int]
    """Contact types whose waiting callers may be offered a callback during the run. Read once,
    when the centre is built: their skills get a callback queue."""

    breaks: np.ndarray
    """Agents on break, ``(groups, steps)``. Read once, when the centre is built: the staffing
    is also applied again at each step where these change."""

    def attach(self, centre: CentreAPI) -> None:
        """Called once, when the centre is built (`sim.replicate.build_centre`), before the run:
        the controller keeps `centre` and schedules its first events on it."""

    def deflects(self, i: int, contact_type: int, origin: int) -> bool:
        """Called at every arrival, first contacts and those created during the run alike
        (`origin`: `sim.behaviour.FIRST`, ...), before the contact is routed. True: it hangs up
        (the record marks it IVR-deflected) and is never queued, served or abandoned. It may
        draw from the controller's own streams and note the arrival; it changes nothing in the
        centre."""

    def queued(self, i: int, contact_type: int) -> None:
        """Called when contact `i` has to wait, once it is in its queue and the engine has
        scheduled its own events for it (callback offer, redial). It may schedule the
        controller's events (`CentreAPI.call_at`); it changes nothing else in the centre."""

    def adjust(self, group: int, step: int, planned: int) -> int:
        """Called for every group each time the engine staffs a step: at the start, at each
        step where the staffing or the `breaks` change, and at every `CentreAPI.restaff_now`.
        Returns the agents to have on duty instead of `planned`; it changes nothing (and
        must not call `restaff_now`)."""


class CentreAPI(Protocol):
    """What a controller may read and do in the centre, from its `attach` (before the run) on.

    It calls these from its own events and hooks only. It may also change the rules of contact
    types in the `sim.behaviour.Behaviour` it shares with the centre, as long as it calls
    `rules_changed` for each type changed.
    """

    @property
    def now(self) -> float:
        """The simulated time."""

    def call_at(self, time_s: float, action: Callable[[], None]) -> None:
        """Call `action()` at `time_s` (now if that is past), unless it is at or after the end
        of the horizon; `action` runs after the events already due at that time."""

    def skill_of(self, contact_type: int) -> int:
        """The skill whose queues `contact_type`'s contacts join."""

    def arrival_s(self, i: int) -> float:
        """When contact `i` arrived (or will arrive)."""

    def answer_s(self, i: int) -> float:
        """When contact `i` was answered; NaN while it is not."""

    def waiting(self, skill: int) -> list[int]:
        """Live contacts of `skill` waiting now, in queue order (callbacks are not live)."""

    def rules_changed(self, contact_type: int) -> None:
        """The controller changed `contact_type`'s rules: contacts of the type queued from now
        on get the waiting events (callback offer, redial) the new rules call for."""

    def watch_waiting(self, skill: int) -> None:
        """Give contacts of `skill` already waiting the events their types' current rules call
        for, when they have none yet: a callback offer due in the past is made now, and a caller
        whose patience runs out may redial."""

    def restaff_now(self) -> None:
        """Staff the current step again, through `Controller.adjust`: agents come on duty at
        once, or leave as they finish their contacts."""

    def add_overflow(self, group: int, skill: int, wait_s: float) -> None:
        """Let agents of `group` also answer contacts of `skill` that have waited `wait_s`,
        before their own work, and set its idle agents to work on them now."""

    def remove_overflow(self, group: int) -> None:
        """End every overflow of `group`: contacts it was taking wait for their own agents."""

    def wake(self, group: int) -> None:
        """Let the agents of `group` with room for a contact look for work now (an overflowed
        contact may have reached its wait)."""
