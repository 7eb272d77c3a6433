"""The discrete-event model of the centre, on SimPy, kept lean for speed.

There is no process per contact or per agent. Arrivals form one chain of SimPy timeouts (each
arrival's callback schedules the next), every service is one timeout whose callback frees the
agent, and staffing changes are another chain at interval boundaries. Abandonment is resolved
lazily: a waiting contact whose patience has run out is skipped when an agent reaches it, and
whether it abandoned is read off its deadline after the run (queues are first-come first-served
within a tier, so skipping it then is the same as removing it when it left). The first contacts
are drawn before the run (`sim.arrivals`); the hot path only indexes Python lists.

This module holds the event handling: arrivals, routing, service, staffing steps, and the
public methods an incident's controller may use (`sim.hooks.CentreAPI`). The agents' books
(who is on duty, who is free for what) are in `sim.agents`; the events of customer behaviour
(callback offers, redials, repeats, transfers, business hours) in `sim.customers`; the record
of the run in `sim.record`.

An incident drill (`sim.incident`) attaches a controller whose hooks (`sim.hooks.Controller`)
the engine calls: every arrival is shown to it first (it may deflect it with an IVR
announcement), every queued contact after (it may schedule an overflow), and the staffing of
each step passes through its `adjust` (reserve, absence, suspended breaks).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import simpy

from sim.agents import Agent, Group, Pools
from sim.arrivals import Contacts
from sim.behaviour import FIRST, Behaviour
from sim.customers import CustomerEvents
from sim.hooks import Controller
from sim.record import Record, flags, times_at
from sim.routing import RoutingTable

__all__ = ["Centre"]


class Centre(CustomerEvents):
    """One replication of the centre over `length_s` seconds.

    `staffing` is ``(groups, intervals)``: agents on duty in each interval of length
    `interval_s`. An agent going off duty at a boundary finishes the contacts in hand first.
    `behaviour` adds redials, repeats, escalations, callbacks and business hours; `drill`, an
    incident's controller (see the module docstring).
    """

    def __init__(
        self,
        routing: RoutingTable,
        contacts: Contacts,
        staffing: np.ndarray,
        interval_s: float,
        length_s: float,
        behaviour: Behaviour | None = None,
        drill: Controller | None = None,
    ) -> None:
        self.env = simpy.Environment()
        self.routing = routing
        self.length_s = length_s
        self.interval_s = interval_s
        self.staffing = staffing
        n = len(contacts)
        self.arrival = contacts.arrival_s.tolist()
        self.handle = contacts.handle_s.tolist()
        self.deadline = (contacts.arrival_s + contacts.patience_s).tolist()
        self.ctype = contacts.contact_type.tolist()
        self.tier = contacts.tier.tolist()
        self.answer = [np.nan] * n
        self.served_by = [-1] * n
        self.agent_of = [-1] * n
        self.origin = [FIRST] * n
        self.callback = [False] * n
        self.contacts = contacts
        self.next_arrival = 0
        self.n_first = n  # contacts drawn before the run; later ones are appended
        self.callback_at: dict[int, float] = {}
        # In a drill: contacts with a callback offer, or a patience-end event, scheduled.
        self.offer_due: set[int] = set()
        self.patience_due: set[int] = set()
        self.ivr_deflected: list[int] = []
        self.redialled: list[int] = []
        self.drill = drill

        queues = [[deque() for _ in range(r)] for r in routing.skill_ranks]
        # A skill whose contacts may take a callback gets one more queue, served last: the
        # callbacks, as ``~i`` so that an agent reaching one knows it is not a live contact.
        self.callback_queue: list[deque | None] = [None] * len(queues)
        if behaviour is not None:
            lever = drill.callback_types if drill is not None else set()
            for t, rules in enumerate(behaviour.rules):
                s = routing.type_skill[t]
                offers = math.isfinite(rules.offer_callback_after_s) or t in lever
                if offers and self.callback_queue[s] is None:
                    self.callback_queue[s] = deque()
                    queues[s].append(self.callback_queue[s])
        conc = self.concurrency = routing.channel_concurrency
        self.groups = [
            Group(
                g,
                [
                    (routing.skill_channel[s], conc[routing.skill_channel[s]], queues[s])
                    for s in skills
                ],
            )
            for g, skills in enumerate(routing.group_skills)
        ]
        self.pools = Pools(self.env, self.groups)
        # Per contact type: its channel, that channel's concurrency, candidate groups, queues.
        self.type_route = [
            (
                routing.type_channel[t],
                conc[routing.type_channel[t]],
                [self.groups[g] for g in routing.type_groups[t]],
                queues[routing.type_skill[t]],
            )
            for t in range(len(routing.type_skill))
        ]
        self.type_skill = routing.type_skill
        # Steps at which some group's staffing changes (or, in a drill, its agents on break,
        # who come back when breaks are suspended).
        changes = (np.diff(staffing, axis=1) != 0).any(axis=0)
        if drill is not None:
            changes |= (np.diff(drill.breaks, axis=1) != 0).any(axis=0)
        self.change_steps = np.flatnonzero(changes) + 1
        self.skill_channel = routing.skill_channel
        self.skill_ranks = routing.skill_ranks
        self.closed = [False] * len(conc)
        self.queues = queues
        active = behaviour is not None and (behaviour.active or drill is not None)
        self.behaviour = behaviour if active else None
        if self.behaviour is not None:
            rules = self.behaviour.rules
            self.rules = rules
            self.watch = [r.watches_queue for r in rules]
            self.after = [r.acts_after_service for r in rules]
            # Agent groups that serve each channel, to wake when it opens.
            self.channel_groups = [
                [g for g in self.groups if any(c == channel for c, _, _ in g.skills)]
                for channel in range(len(conc))
            ]

    def run(self, progress: Callable[[float], None] | None = None) -> Record:
        """Simulate the whole horizon and return what happened; `progress(fraction)` is
        called at every simulated midnight."""
        if self.behaviour is not None:
            self._schedule_hours()
        self._restaff(0)
        if self.arrival:
            self.env.timeout(self.arrival[0]).callbacks.append(self._on_arrival)
        if progress is not None:
            self._report_daily(progress)
        self.env.run(until=self.length_s)
        arrival = np.asarray(self.arrival, dtype=float)
        callback = np.asarray(self.callback, dtype=bool)
        deadline = np.where(callback, np.inf, np.asarray(self.deadline, dtype=float))
        return Record(
            contacts=replace(
                self.contacts,
                arrival_s=arrival,
                contact_type=np.asarray(self.ctype, dtype=np.int64),
                tier=np.asarray(self.tier, dtype=np.int64),
                handle_s=np.asarray(self.handle, dtype=float),
                patience_s=deadline - arrival,
            ),
            answer_s=np.asarray(self.answer, dtype=float),
            served_by=np.asarray(self.served_by, dtype=np.int64),
            agent=np.asarray(self.agent_of, dtype=np.int64),
            origin=np.asarray(self.origin, dtype=np.int8),
            callback=callback,
            duty_changes=np.asarray(self.pools.duty, dtype=float).reshape(-1, 3),
            callback_at_s=times_at(self.callback_at, len(arrival)),
            ivr_deflected=flags(self.ivr_deflected, len(arrival)),
            redialled=flags(self.redialled, len(arrival)),
        )

    def _report_daily(self, progress: Callable[[float], None]) -> None:
        def tick(_event: simpy.Event | None) -> None:
            progress(self.env.now / self.length_s)
            if self.env.now + 86400.0 < self.length_s:
                self.env.timeout(86400.0).callbacks.append(tick)

        self.env.timeout(86400.0).callbacks.append(tick)

    # --- arrivals and service ------------------------------------------------------------------

    def _on_arrival(self, _event: simpy.Event) -> None:
        i = self.next_arrival
        self.next_arrival = i + 1
        if i + 1 < self.n_first:
            delay = self.arrival[i + 1] - self.env.now
            self.env.timeout(delay if delay > 0 else 0).callbacks.append(self._on_arrival)
        self._route(i)

    def _route(self, i: int) -> None:
        """Hand arriving contact `i` to an available agent, or queue it."""
        t = self.ctype[i]
        if self.drill is not None and self.drill.deflects(i, t, self.origin[i]):
            self.deadline[i] = -math.inf
            self.ivr_deflected.append(i)
            return
        channel, conc, groups, queues = self.type_route[t]
        if not self.closed[channel]:
            for group in groups:
                agent = group.take(channel, conc)
                if agent is not None:
                    agent.channel = channel
                    self._serve(agent, i, self.arrival[i])
                    if agent.load < conc:
                        agent.park(conc)
                    return
        queues[self.tier[i]].append(i)
        if self.behaviour is not None and self.watch[t]:
            self._watch(i)
        if self.drill is not None:
            self.drill.queued(i, t)

    def _serve(self, agent: Agent, i: int, answered_at: float) -> None:
        self.answer[i] = answered_at
        self.served_by[i] = agent.group.index
        self.agent_of[i] = agent.index
        agent.load += 1
        self.env.timeout(self.handle[i], (agent, i)).callbacks.append(self._on_done)

    def _on_done(self, event: simpy.Event) -> None:
        agent: Agent
        agent, i = event._value
        if self.behaviour is not None and self.after[self.ctype[i]]:
            self._after_service(i)
        if self.pools.release(agent):
            self._fetch_work(agent)

    def _fetch_work(self, agent: Agent) -> None:
        """Fill a free (or partly free) agent from the queues, then make it available."""
        now = self.env.now
        deadline = self.deadline
        if agent.load == 0:
            agent.channel = -1
        if agent.group.overflow:  # an incident's overflow comes before the group's own work
            self._fetch_overflow(agent, now)
        for channel, conc, queues in agent.group.skills:
            if (agent.load and channel != agent.channel) or self.closed[channel]:
                continue
            for queue in queues:
                while queue and agent.load < conc:
                    i = queue.popleft()
                    if i < 0:  # a callback: call the customer now
                        agent.channel = channel
                        self._serve(agent, ~i, now)
                    elif deadline[i] > now:  # else it abandoned or took a callback: skip it
                        agent.channel = channel
                        self._serve(agent, i, now)
                if agent.load >= conc:
                    return
        agent.park(self.concurrency[agent.channel] if agent.load else 1)

    def _fetch_overflow(self, agent: Agent, now: float) -> None:
        """Take overflowed contacts whose wait has reached the overflow's threshold."""
        deadline, arrival = self.deadline, self.arrival
        for channel, conc, queues, wait_s in agent.group.overflow:
            if (agent.load and channel != agent.channel) or self.closed[channel]:
                continue
            for queue in queues:
                while queue and agent.load < conc:
                    i = queue[0]
                    if deadline[i] <= now:  # abandoned or took a callback: drop it
                        queue.popleft()
                    elif now - arrival[i] >= wait_s:
                        queue.popleft()
                        agent.channel = channel
                        self._serve(agent, i, now)
                    else:
                        break  # first come first served: the rest waited less

    # --- staffing ------------------------------------------------------------------------------

    def _on_boundary(self, event: simpy.Event) -> None:
        self._restaff(event._value)

    def _restaff(self, interval: int) -> None:
        """Bring the on-duty count of every group to the staffing of `interval`, then schedule
        the next boundary at which any group's staffing changes."""
        self._staff(interval)
        k = int(np.searchsorted(self.change_steps, interval, side="right"))
        if k < self.change_steps.size:
            nxt = int(self.change_steps[k])
            delay = nxt * self.interval_s - self.env.now
            self.env.timeout(delay, nxt).callbacks.append(self._on_boundary)

    def _staff(self, interval: int) -> None:
        for group in self.groups:
            wanted = int(self.staffing[group.index, interval])
            if self.drill is not None:
                wanted = self.drill.adjust(group.index, interval, wanted)
            for agent in self.pools.set_on_duty(group, wanted):
                self._fetch_work(agent)

    # --- what an incident's controller may use (sim.hooks.CentreAPI) ---------------------------

    @property
    def now(self) -> float:
        """The simulated time (s)."""
        return self.env.now

    def call_at(self, time_s: float, action: Callable[[], None]) -> None:
        """Call `action()` at `time_s` (now if that is past), unless it is at or after the end
        of the horizon."""
        if time_s < self.length_s:
            self.env.timeout(max(time_s - self.env.now, 0.0)).callbacks.append(
                lambda _event: action()
            )

    def skill_of(self, contact_type: int) -> int:
        """The skill whose queues `contact_type`'s contacts join."""
        return self.type_skill[contact_type]

    def arrival_s(self, i: int) -> float:
        """When contact `i` arrived (or will arrive)."""
        return self.arrival[i]

    def answer_s(self, i: int) -> float:
        """When contact `i` was answered; NaN while it is not."""
        return self.answer[i]

    def waiting(self, skill: int) -> list[int]:
        """Live contacts of `skill` waiting now, in queue order."""
        now, deadline = self.env.now, self.deadline
        live = self.queues[skill][: self.skill_ranks[skill]]
        return [i for queue in live for i in queue if deadline[i] > now]

    def restaff_now(self) -> None:
        """Apply the staffing of the current step again (a drill's lever changed it)."""
        step = min(int(self.env.now // self.interval_s), self.staffing.shape[1] - 1)
        self._staff(step)

    def add_overflow(self, group: int, skill: int, wait_s: float) -> None:
        """Let agents of `group` also answer contacts of `skill` that have waited `wait_s`, and
        set its idle agents to work on them."""
        channel = self.skill_channel[skill]
        live = self.queues[skill][: self.skill_ranks[skill]]  # not the callback queue
        entry = (channel, self.concurrency[channel], live, wait_s)
        self.groups[group].overflow.append(entry)
        self.wake(group)

    def remove_overflow(self, group: int) -> None:
        """End every overflow of `group`."""
        self.groups[group].overflow.clear()

    def wake(self, group: int) -> None:
        """Let the agents of `group` with spare capacity (idle, or chats short of the full
        load) look for work now."""
        for agent in self.groups[group].with_room():
            agent.unpark()
            self._fetch_work(agent)
