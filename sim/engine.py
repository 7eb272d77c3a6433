"""The discrete-event model of the centre, on SimPy, kept lean for speed.

There is no process per contact or per agent. Arrivals form one chain of SimPy timeouts (each
arrival's callback schedules the next), every service is one timeout whose callback frees the
agent, and staffing changes are another chain at interval boundaries. Abandonment is resolved
lazily: a waiting contact whose patience has run out is skipped when an agent reaches it, and
whether it abandoned is read off its deadline after the run (queues are first-come first-served
within a tier, so skipping it then is the same as removing it when it left). All random numbers
are drawn before the run (`sim.arrivals`); the hot path only indexes Python lists.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from sim.arrivals import Contacts
from sim.routing import RoutingPlan


@dataclass(frozen=True)
class Record:
    """What happened to each contact of one replication, and when agents were on duty."""

    answer_s: np.ndarray  # time service started, NaN if never answered
    served_by: np.ndarray  # agent group index, -1 if never answered
    agent: np.ndarray  # index of the agent who answered (in order of first duty), -1 if none
    duty_changes: np.ndarray  # rows (time_s, group, +1 on / -1 off), in time order


class _Agent:
    __slots__ = ("bucket", "channel", "group", "index", "leaving", "load")

    def __init__(self, group: _Group, index: int) -> None:
        self.group = group
        self.index = index
        self.load = 0  # contacts in hand
        self.channel = -1  # channel of the contacts in hand
        self.leaving = False  # going off duty once the contacts in hand are done
        self.bucket: OrderedDict | None = None  # the availability list the agent is in


class _Group:
    __slots__ = ("active", "idle", "index", "leaving", "partial", "skills", "spare", "to_remove")

    def __init__(self, index: int, skills: list[tuple[int, int, list[deque]]]) -> None:
        self.index = index
        self.skills = skills  # (channel, concurrency, queues by tier rank) in preference order
        self.idle: OrderedDict[_Agent, None] = OrderedDict()  # longest idle first
        self.partial: dict[tuple[int, int], OrderedDict[_Agent, None]] = {}  # (channel, load)
        self.active = 0  # on duty and not leaving
        self.leaving: list[_Agent] = []
        self.to_remove = 0  # agents to send off duty as soon as they finish a contact
        self.spare: list[_Agent] = []  # off-duty agents, reused when staffing rises


class Centre:
    """One replication of the centre over `length_s` seconds.

    `staffing` is ``(groups, intervals)``: agents on duty in each interval of length
    `interval_s`. An agent going off duty at a boundary finishes the contacts in hand first.
    """

    def __init__(
        self,
        plan: RoutingPlan,
        contacts: Contacts,
        staffing: np.ndarray,
        interval_s: float,
        length_s: float,
    ) -> None:
        self.env = simpy.Environment()
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
        self.n_agents = 0
        self.duty: list[tuple[float, int, int]] = []
        self.next_arrival = 0

        queues = [[deque() for _ in range(r)] for r in plan.skill_ranks]
        conc = self.concurrency = plan.channel_concurrency
        self.groups = [
            _Group(
                g, [(plan.skill_channel[s], conc[plan.skill_channel[s]], queues[s]) for s in skills]
            )
            for g, skills in enumerate(plan.group_skills)
        ]
        # Per contact type: its channel, that channel's concurrency, candidate groups, queues.
        self.type_route = [
            (
                plan.type_channel[t],
                conc[plan.type_channel[t]],
                [self.groups[g] for g in plan.type_groups[t]],
                queues[plan.type_skill[t]],
            )
            for t in range(len(plan.type_skill))
        ]

    def run(self, progress: Callable[[float], None] | None = None) -> Record:
        """Simulate the whole horizon and return what happened; `progress(fraction)` is
        called at every simulated midnight."""
        self._restaff(0)
        if self.arrival:
            self.env.timeout(self.arrival[0]).callbacks.append(self._on_arrival)
        if progress is not None:
            self._report_daily(progress)
        self.env.run(until=self.length_s)
        return Record(
            answer_s=np.asarray(self.answer, dtype=float),
            served_by=np.asarray(self.served_by, dtype=np.int64),
            agent=np.asarray(self.agent_of, dtype=np.int64),
            duty_changes=np.asarray(self.duty, dtype=float).reshape(-1, 3),
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
        if i + 1 < len(self.arrival):
            delay = self.arrival[i + 1] - self.env.now
            self.env.timeout(delay if delay > 0 else 0).callbacks.append(self._on_arrival)
        channel, conc, groups, queues = self.type_route[self.ctype[i]]
        for group in groups:
            agent = self._take_available(group, channel, conc)
            if agent is not None:
                agent.channel = channel
                self._serve(agent, i, self.arrival[i])
                if agent.load < conc:
                    self._park(agent, conc)
                return
        queues[self.tier[i]].append(i)

    @staticmethod
    def _take_available(group: _Group, channel: int, conc: int) -> _Agent | None:
        """Remove from its availability list and return the agent of `group` that should
        take a new contact of `channel`, if there is one."""
        if group.idle:
            agent = group.idle.popitem(last=False)[0]
            agent.bucket = None
            return agent
        for load in range(1, conc):
            bucket = group.partial.get((channel, load))
            if bucket:
                agent = bucket.popitem(last=False)[0]
                agent.bucket = None
                return agent
        return None

    def _serve(self, agent: _Agent, i: int, answered_at: float) -> None:
        self.answer[i] = answered_at
        self.served_by[i] = agent.group.index
        self.agent_of[i] = agent.index
        agent.load += 1
        self.env.timeout(self.handle[i], agent).callbacks.append(self._on_done)

    def _on_done(self, event: simpy.Event) -> None:
        agent: _Agent = event._value
        agent.load -= 1
        group = agent.group
        if agent.leaving:
            if agent.load == 0:
                self._off_duty(agent)
            return
        if group.to_remove:
            group.to_remove -= 1
            group.active -= 1
            self._unpark(agent)
            if agent.load == 0:
                self._off_duty(agent)
            else:
                agent.leaving = True
                group.leaving.append(agent)
            return
        self._unpark(agent)
        self._fetch_work(agent)

    def _fetch_work(self, agent: _Agent) -> None:
        """Fill a free (or partly free) agent from the queues, then make it available."""
        now = self.env.now
        deadline = self.deadline
        if agent.load == 0:
            agent.channel = -1
        for channel, conc, queues in agent.group.skills:
            if agent.load and channel != agent.channel:
                continue
            for queue in queues:
                while queue and agent.load < conc:
                    i = queue.popleft()
                    if deadline[i] > now:  # else it abandoned while waiting: skip it
                        agent.channel = channel
                        self._serve(agent, i, now)
                if agent.load >= conc:
                    return
        self._park(agent, self.concurrency[agent.channel] if agent.load else 1)

    def _park(self, agent: _Agent, conc: int) -> None:
        """Put an agent with spare capacity at the back of its availability list."""
        if agent.load >= conc:
            return
        group = agent.group
        if agent.load == 0:
            bucket = group.idle
        else:
            bucket = group.partial.setdefault((agent.channel, agent.load), OrderedDict())
        bucket[agent] = None
        agent.bucket = bucket

    @staticmethod
    def _unpark(agent: _Agent) -> None:
        if agent.bucket is not None:
            del agent.bucket[agent]
            agent.bucket = None

    # --- staffing ------------------------------------------------------------------------------

    def _on_boundary(self, event: simpy.Event) -> None:
        self._restaff(event._value)

    def _restaff(self, interval: int) -> None:
        """Bring the on-duty count of every group to the staffing of `interval`, then schedule
        the next boundary at which any group's staffing changes."""
        for group in self.groups:
            self._set_on_duty(group, int(self.staffing[group.index, interval]))
        later = np.flatnonzero(
            (self.staffing[:, interval + 1 :] != self.staffing[:, interval : interval + 1]).any(0)
        )
        if later.size:
            nxt = interval + 1 + int(later[0])
            delay = nxt * self.interval_s - self.env.now
            self.env.timeout(delay, nxt).callbacks.append(self._on_boundary)

    def _set_on_duty(self, group: _Group, wanted: int) -> None:
        on_duty = group.active - group.to_remove
        if wanted < on_duty:
            # Idle agents leave now, partly loaded chat agents stop taking work, and the rest
            # are the next agents to finish a contact.
            excess = on_duty - wanted
            while excess and group.idle:
                agent = next(iter(group.idle))
                self._unpark(agent)
                group.active -= 1
                self._off_duty(agent)
                excess -= 1
            for bucket in group.partial.values():
                while excess and bucket:
                    agent = next(iter(bucket))
                    self._unpark(agent)
                    group.active -= 1
                    agent.leaving = True
                    group.leaving.append(agent)
                    excess -= 1
            group.to_remove += excess
        elif wanted > on_duty:
            # Cancel pending departures first, then call in off-duty agents.
            short = wanted - on_duty
            cancel = min(group.to_remove, short)
            group.to_remove -= cancel
            short -= cancel
            while short and group.leaving:
                agent = group.leaving.pop()
                agent.leaving = False
                group.active += 1
                self._fetch_work(agent)
                short -= 1
            while short:
                if group.spare:
                    agent = group.spare.pop()
                else:
                    agent = _Agent(group, self.n_agents)
                    self.n_agents += 1
                group.active += 1
                self.duty.append((self.env.now, group.index, 1))
                self._fetch_work(agent)
                short -= 1

    def _off_duty(self, agent: _Agent) -> None:
        group = agent.group
        if agent.leaving:
            agent.leaving = False
            group.leaving.remove(agent)
        agent.channel = -1
        group.spare.append(agent)
        self.duty.append((self.env.now, group.index, -1))
