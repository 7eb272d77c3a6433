"""An incident's controller: how the centre detects the incident, and the levers of its
response, switched on and off during the run. The incident's extra demand is drawn before the
run (`sim.surge`); the controller meets the engine only through `sim.hooks`.

- **Detection** is measured: from the start, every minute, the controller looks at the last
  `window_min` of the incident's contact types -- their offered count against the forecast,
  and their service level over the contacts whose wait has reached the threshold (answered
  within it, or not) -- and detects the incident at the first check where either condition
  holds. Nothing is known before that; an incident not detected by the time it is over (with
  its decay) is never detected, and none of its levers starts.
- **Levers** start from detection: the report after `report_after_min`, the IVR announcement
  after `after_min` (each first call or redial of the incident's live types then hangs up
  with probability `deflection`; transfers and repeats do not pass the IVR), the reserve after
  `activation_delay_min` (extra agents on duty), and the overflow (its groups take the
  overflowed skill's contacts before their own work), callbacks and suspended breaks at once.
  They stand down together at the first check after the incident (with its decay) is over at
  which the 30-minute service level, as the centre sees it then, is back at the recovery
  target (at once, without a recovery target). The report is a record: it is made even when it
  falls after the stand-down.
- **Redials and absence** follow the incident itself, not its detection: while it lasts (with
  its decay) callers of its types who abandon, including those already waiting at its start,
  redial with `redial_probability` after the incident's `redial_delay` (else the type's own
  retrial delay, else 5 minutes on average); from its start to its end every group's on-duty
  count is cut by `absence` (rounded to whole agents).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from scenarios.demand import expected_offered
from scenarios.schema import Exponential, Incident, Response, Scenario
from sim.behaviour import FIRST, RETRIAL, Behaviour, Draws
from sim.hooks import CentreAPI
from sim.metrics import answer_thresholds
from sim.streams import Purpose, stream
from sim.surge import IncidentClock

__all__ = [
    "CHECK_S", "DEFAULT_RECOVERY_LEVEL", "DEFAULT_REDIAL_DELAY", "LEVERS", "RECOVERY_WINDOW_S",
    "Drill", "LeverLog",
]  # fmt: skip

CHECK_S = 60.0  # how often the centre looks at its figures
RECOVERY_WINDOW_S = 1800.0  # the rolling service level of recovery and stand-down
DEFAULT_RECOVERY_LEVEL = 0.8  # the recovery level without a `recover` target
DEFAULT_REDIAL_DELAY = Exponential(distribution="exponential", mean_min=5.0)
LEVERS = ("report", "ivr_announcement", "reserve", "overflow", "callback", "suspend_breaks")


@dataclass
class LeverLog:
    """When the incident was detected and each lever was in effect (seconds; None: never)."""

    detected_s: float | None = None
    starts: dict[str, float] = field(default_factory=dict)
    ends: dict[str, float] = field(default_factory=dict)
    stood_down_s: float | None = None


class Drill:
    """The controller the engine consults during an incident run (see the module docstring).

    `breaks` are the agents on break per group and step, ``(groups, steps)``, who come back when
    breaks are suspended.
    """

    def __init__(
        self,
        scenario: Scenario,
        incident: Incident,
        response: Response,
        behaviour: Behaviour,
        breaks: np.ndarray,
        seed: int,
        replication: int,
    ) -> None:
        self.scenario = scenario
        self.incident = incident
        self.response = response
        self.behaviour = behaviour
        self.breaks = breaks
        self.clock = IncidentClock.of(scenario, incident)
        self.types = set(scenario.incident_types(incident))
        self.callback_types = (
            {t for t in self.types if _kind(scenario, t) == "voice"}
            if response.callback is not None
            else set()
        )
        # Callers who hear the IVR announcement: live channels, not transfers or repeats.
        self.announced = {t for t in self.types if _kind(scenario, t) != "email"}
        self.thresholds_s = answer_thresholds(scenario)[0]
        horizon = scenario.horizon
        forecast = sum(expected_offered(scenario)[t].ravel() for t in self.types)
        # Forecast offered contacts of the incident's types up to each interval boundary.
        self.forecast_cum = np.concatenate([[0.0], np.cumsum(forecast)])
        self.interval_s = horizon.interval_s
        self.uniform = Draws(None, stream(seed, replication, Purpose.IVR, incident.name))
        delay = incident.redial_delay or DEFAULT_REDIAL_DELAY
        self.redial_delay = {
            t: Draws(delay, stream(seed, replication, Purpose.REDIAL_DELAY,
                                   f"{incident.name}/{scenario.contact_types[t].name}"))
            for t in self.types
        }  # fmt: skip
        self.arrived: dict[int, tuple[list[float], list[int]]] = {t: ([], []) for t in self.types}
        self.log = LeverLog()
        self.ivr_on = self.reserve_on = self.breaks_off = self.absent = False
        # The rules of the incident's types as they were before the incident changed them.
        self.saved_redial: dict[int, tuple[float, Draws | None]] = {}
        self.saved_callback: dict[int, tuple[float, float]] = {}
        self.centre: CentreAPI | None = None

    # --- hooks the engine calls -----------------------------------------------------------------

    def deflects(self, i: int, contact_type: int, origin: int) -> bool:
        """Called at every arrival: True when contact `i` hangs up at the IVR announcement."""
        if contact_type not in self.types:
            return False
        if (
            self.ivr_on
            and contact_type in self.announced
            and origin in (FIRST, RETRIAL)
            and self.uniform() < self.response.ivr_announcement.deflection
        ):
            return True
        times, indices = self.arrived[contact_type]
        times.append(self.centre.now)
        indices.append(i)
        return False

    def queued(self, i: int, contact_type: int) -> None:
        """Called when contact `i` has to wait: an overflow starts looking at it in time."""
        overflow = self.response.overflow
        if "overflow" not in self.log.starts or "overflow" in self.log.ends:
            return
        centre = self.centre
        if centre.skill_of(contact_type) == self._skill_of(overflow.contact_type):
            self._wake_overflow_at(centre.arrival_s(i) + overflow.after_wait_s)

    def adjust(self, group: int, step: int, planned: int) -> int:
        """Agents of `group` on duty at `step` with the levers and absence now in effect."""
        agents = planned
        if self.breaks_off:
            agents += int(self.breaks[group, step])
        if self.absent:
            agents = round(agents * (1 - self.incident.absence))
        reserve = self.response.reserve
        if self.reserve_on and self.scenario.agent_groups[group].name == reserve.group:
            agents += reserve.agents
        return agents

    # --- the controller's own events ------------------------------------------------------------

    def attach(self, centre: CentreAPI) -> None:
        """Schedule the incident's events on `centre` (before it runs)."""
        self.centre = centre
        clock = self.clock
        centre.call_at(clock.onset_s, self._on_onset)
        centre.call_at(clock.onset_s + CHECK_S, self._on_check)
        if self.incident.absence > 0:
            centre.call_at(clock.end_s, self._on_absence_end)
        if self.incident.redial_probability is not None:
            centre.call_at(clock.over_s, self._on_redial_end)

    def _on_onset(self) -> None:
        if self.incident.absence > 0:
            self.absent = True
            self.centre.restaff_now()
        p = self.incident.redial_probability
        if p is not None:
            for t in self.types:
                rules = self.behaviour.rules[t]
                if rules.patience is None and self.scenario.contact_types[t].patience is None:
                    continue
                self.saved_redial[t] = (rules.retrial_probability, rules.retrial_delay)
                rules.retrial_probability = p
                if self.incident.redial_delay is not None or rules.retrial_delay is None:
                    rules.retrial_delay = self.redial_delay[t]
                self.centre.rules_changed(t)
            for skill in {self.centre.skill_of(t) for t in self.saved_redial}:
                self.centre.watch_waiting(skill)  # callers already waiting may redial too

    def _on_absence_end(self) -> None:
        self.absent = False
        self.centre.restaff_now()

    def _on_redial_end(self) -> None:
        for t, (probability, delay) in self.saved_redial.items():
            rules = self.behaviour.rules[t]
            rules.retrial_probability, rules.retrial_delay = probability, delay
            self.centre.rules_changed(t)

    def _on_check(self) -> None:
        now = self.centre.now
        detect = self.response.detect
        window_s = detect.window_min * 60.0
        over = detect.offered_over_forecast
        level = self.service_level(window_s)
        if (over is not None and self._offered(window_s) > over * self._forecast(window_s)) or (
            detect.service_level_below is not None
            and level is not None
            and level < detect.service_level_below
        ):
            self._on_detect()
        elif now + CHECK_S <= self.clock.over_s:
            self.centre.call_at(now + CHECK_S, self._on_check)  # after the incident: never detected

    def _on_detect(self) -> None:
        now = self.centre.now
        response = self.response
        self.log.detected_s = now
        self.centre.call_at(now + response.report_after_min * 60.0, self._report)
        if response.ivr_announcement is not None:
            self._start_at(
                now + response.ivr_announcement.after_min * 60.0,
                "ivr_announcement",
                lambda: setattr(self, "ivr_on", True),
            )
        if response.reserve is not None and response.reserve.agents > 0:
            self._start_at(
                now + response.reserve.activation_delay_min * 60.0, "reserve", self._reserve_in
            )
        if response.overflow is not None:
            self._start_at(now, "overflow", self._overflow_on)
        if response.callback is not None:
            self._start_at(now, "callback", self._callbacks_on)
        if response.suspend_breaks:
            self._start_at(now, "suspend_breaks", self._breaks_suspended)
        self.centre.call_at(max(now, self.clock.over_s) + CHECK_S, self._on_stand_down_check)

    def _start_at(self, time_s: float, lever: str, action: Callable[[], None]) -> None:
        def start() -> None:
            if self.log.stood_down_s is None:
                self.log.starts[lever] = self.centre.now
                action()

        self.centre.call_at(time_s, start)

    def _report(self) -> None:
        """The report to the command centre: a record, made even after the levers stood down."""
        self.log.starts["report"] = self.centre.now

    def _reserve_in(self) -> None:
        self.reserve_on = True
        self.centre.restaff_now()

    def _overflow_on(self) -> None:
        overflow = self.response.overflow
        centre = self.centre
        skill = self._skill_of(overflow.contact_type)
        for name in overflow.to_groups:
            g = next(k for k, grp in enumerate(self.scenario.agent_groups) if grp.name == name)
            centre.add_overflow(g, skill, overflow.after_wait_s)
        for i in centre.waiting(skill):
            self._wake_overflow_at(centre.arrival_s(i) + overflow.after_wait_s)

    def _wake_overflow_at(self, time_s: float) -> None:
        def wake() -> None:
            if "overflow" not in self.log.ends:
                for name in self.response.overflow.to_groups:
                    self.centre.wake(self._group_index(name))

        self.centre.call_at(time_s, wake)

    def _callbacks_on(self) -> None:
        callback = self.response.callback
        for t in self.callback_types:
            rules = self.behaviour.rules[t]
            self.saved_callback[t] = (rules.offer_callback_after_s, rules.callback_take_up)
            rules.offer_callback_after_s = callback.offer_after_wait_s
            rules.callback_take_up = callback.take_up
            self.centre.rules_changed(t)
        for skill in {self.centre.skill_of(t) for t in self.callback_types}:
            self.centre.watch_waiting(skill)

    def _breaks_suspended(self) -> None:
        self.breaks_off = True
        self.centre.restaff_now()

    def _on_stand_down_check(self) -> None:
        target = self.incident.targets.recover
        level = self.service_level(RECOVERY_WINDOW_S)
        if target is None or level is None or level >= target.service_level:
            self._stand_down()
        else:
            self.centre.call_at(self.centre.now + CHECK_S, self._on_stand_down_check)

    def _stand_down(self) -> None:
        centre = self.centre
        now = centre.now
        self.log.stood_down_s = now
        for lever in self.log.starts:
            self.log.ends[lever] = now
        self.ivr_on = False
        if "overflow" in self.log.starts:
            for name in self.response.overflow.to_groups:
                centre.remove_overflow(self._group_index(name))
        for t, (after_s, take_up) in self.saved_callback.items():
            rules = self.behaviour.rules[t]
            rules.offer_callback_after_s, rules.callback_take_up = after_s, take_up
            centre.rules_changed(t)
        if self.reserve_on or self.breaks_off:
            self.reserve_on = self.breaks_off = False
            centre.restaff_now()

    # --- what the centre sees -------------------------------------------------------------------

    def _offered(self, window_s: float) -> int:
        since = self.centre.now - window_s
        return sum(len(t) - bisect.bisect_right(t, since) for t, _ in self.arrived.values())

    def _forecast(self, window_s: float) -> float:
        """Forecast offered contacts of the incident's types over the last `window_s`."""
        now = self.centre.now
        return self._forecast_until(now) - self._forecast_until(max(now - window_s, 0.0))

    def _forecast_until(self, time_s: float) -> float:
        k = min(int(time_s // self.interval_s), len(self.forecast_cum) - 2)
        part = (time_s - k * self.interval_s) / self.interval_s
        return self.forecast_cum[k] + part * (self.forecast_cum[k + 1] - self.forecast_cum[k])

    def service_level(self, window_s: float) -> float | None:
        """The incident's types' service level over the contacts whose threshold ran out in
        the last `window_s` (None: there were none)."""
        centre = self.centre
        now = centre.now
        good = total = 0
        for t, (times, indices) in self.arrived.items():
            threshold = self.thresholds_s[t]
            first = bisect.bisect_right(times, now - threshold - window_s)
            last = bisect.bisect_right(times, now - threshold)
            for k in range(first, last):
                i = indices[k]
                total += 1
                good += centre.answer_s(i) <= times[k] + threshold  # NaN compares False
        return good / total if total else None

    def _skill_of(self, contact_type: str) -> int:
        t = next(k for k, ct in enumerate(self.scenario.contact_types) if ct.name == contact_type)
        return self.centre.skill_of(t)

    def _group_index(self, name: str) -> int:
        return next(k for k, g in enumerate(self.scenario.agent_groups) if g.name == name)


def _kind(scenario: Scenario, t: int) -> str:
    return scenario.channel_of(scenario.contact_types[t]).kind
