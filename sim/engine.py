"""The discrete-event model of the centre, on SimPy, kept lean for speed.

There is no process per contact or per agent. Arrivals form one chain of SimPy timeouts (each
arrival's callback schedules the next), every service is one timeout whose callback frees the
agent, and staffing changes are another chain at interval boundaries. Abandonment is resolved
lazily: a waiting contact whose patience has run out is skipped when an agent reaches it, and
whether it abandoned is read off its deadline after the run (queues are first-come first-served
within a tier, so skipping it then is the same as removing it when it left). The first contacts
are drawn before the run (`sim.arrivals`); the hot path only indexes Python lists.

Customer behaviour (`sim.behaviour`) adds events only where it needs them: a contact that has to
wait gets one at its callback offer and one at the end of its patience (to redial) when its type
has those rules; a service of a type that escalates or comes back decides so when it ends; a
redial, repeat or transfer is a new contact, appended to the lists, arriving by its own timeout.
A caller who takes a callback leaves the live queue for its skill's callback queue, which agents
serve only when no live contact of the skill is waiting (so callbacks fill the quiet times).
An e-mail channel outside its business hours is *closed*: its contacts queue and no agent takes
them until it opens.

An incident drill (`sim.incident`) attaches a controller with three hooks: every arrival is
shown to it first (it may deflect it with an IVR announcement), every queued contact after (it
may schedule an overflow or a callback offer), and the staffing of each step passes through
its `adjust` (reserve, absence, suspended breaks). It drives the levers through the public
methods `restaff_now` and `add_overflow`.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.arrivals import Contacts
from sim.behaviour import FIRST, REPEAT, RETRIAL, TRANSFER, Behaviour
from sim.routing import RoutingPlan

if TYPE_CHECKING:
    from sim.incident import Drill


@dataclass(frozen=True)
class Record:
    """What happened to each contact of one replication, and when agents were on duty.

    `contacts` are all the contacts offered: the run's first ones in arrival order, then those
    created during the run (redials, repeats, transfers) in the order they were created; a
    contact that took a callback has infinite patience. The other arrays follow that order.
    """

    contacts: Contacts
    answer_s: np.ndarray  # time service started, NaN if never answered
    served_by: np.ndarray  # agent group index, -1 if never answered
    agent: np.ndarray  # index of the agent who answered (in order of first duty), -1 if none
    origin: np.ndarray  # sim.behaviour.FIRST, RETRIAL, REPEAT or TRANSFER
    callback: np.ndarray  # bool: took a callback offer
    duty_changes: np.ndarray  # rows (time_s, group, +1 on / -1 off), in time order
    callback_at_s: np.ndarray | None = None  # when a callback was taken (NaN: not taken)
    ivr_deflected: np.ndarray | None = None  # bool: hung up at an incident's IVR announcement
    redialled: np.ndarray | None = None  # bool: abandoned and redialled


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
    __slots__ = (
        "active", "idle", "index", "leaving", "overflow", "partial", "skills", "spare", "to_remove"
    )  # fmt: skip

    def __init__(self, index: int, skills: list[tuple[int, int, list[deque]]]) -> None:
        self.index = index
        self.skills = skills  # (channel, concurrency, queues by tier rank) in preference order
        self.idle: OrderedDict[_Agent, None] = OrderedDict()  # longest idle first
        self.partial: dict[tuple[int, int], OrderedDict[_Agent, None]] = {}  # (channel, load)
        self.active = 0  # on duty and not leaving
        self.leaving: list[_Agent] = []
        self.to_remove = 0  # agents to send off duty as soon as they finish a contact
        self.spare: list[_Agent] = []  # off-duty agents, reused when staffing rises
        # Queues the group takes from, before its own skills, once their head has waited long
        # enough: (channel, concurrency, queues by tier rank, wait_s).
        self.overflow: list[tuple[int, int, list[deque], float]] = []


class Centre:
    """One replication of the centre over `length_s` seconds.

    `staffing` is ``(groups, intervals)``: agents on duty in each interval of length
    `interval_s`. An agent going off duty at a boundary finishes the contacts in hand first.
    `behaviour` adds redials, repeats, escalations, callbacks and business hours; `drill`, an
    incident's controller (see the module docstring).
    """

    def __init__(
        self,
        plan: RoutingPlan,
        contacts: Contacts,
        staffing: np.ndarray,
        interval_s: float,
        length_s: float,
        behaviour: Behaviour | None = None,
        drill: Drill | None = None,
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
        self.origin = [FIRST] * n
        self.callback = [False] * n
        self.contacts = contacts
        self.n_agents = 0
        self.duty: list[tuple[float, int, int]] = []
        self.next_arrival = 0
        self.n_first = n  # contacts drawn before the run; later ones are appended
        self.callback_at: dict[int, float] = {}
        # In a drill: contacts with a callback offer, or a patience-end event, scheduled.
        self.offer_due: set[int] = set()
        self.patience_due: set[int] = set()
        self.ivr_deflected: list[int] = []
        self.redialled: list[int] = []
        self.drill = drill

        queues = [[deque() for _ in range(r)] for r in plan.skill_ranks]
        # A skill whose contacts may take a callback gets one more queue, served last: the
        # callbacks, as ``~i`` so that an agent reaching one knows it is not a live contact.
        self.callback_queue: list[deque | None] = [None] * len(queues)
        if behaviour is not None:
            lever = drill.callback_types if drill is not None else set()
            for t, rules in enumerate(behaviour.rules):
                s = plan.type_skill[t]
                offers = math.isfinite(rules.offer_callback_after_s) or t in lever
                if offers and self.callback_queue[s] is None:
                    self.callback_queue[s] = deque()
                    queues[s].append(self.callback_queue[s])
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
        self.type_skill = plan.type_skill
        # Steps at which some group's staffing changes (or, in a drill, its agents on break,
        # who come back when breaks are suspended).
        changes = (np.diff(staffing, axis=1) != 0).any(axis=0)
        if drill is not None:
            changes |= (np.diff(drill.breaks, axis=1) != 0).any(axis=0)
        self.change_steps = np.flatnonzero(changes) + 1
        self.skill_channel = plan.skill_channel
        self.skill_ranks = plan.skill_ranks
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
            self._plan_hours()
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
            duty_changes=np.asarray(self.duty, dtype=float).reshape(-1, 3),
            callback_at_s=_at(self.callback_at, len(arrival)),
            ivr_deflected=_flags(self.ivr_deflected, len(arrival)),
            redialled=_flags(self.redialled, len(arrival)),
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
        if self.drill is not None and self.drill.deflects(i):
            self.deadline[i] = -math.inf
            self.ivr_deflected.append(i)
            return
        channel, conc, groups, queues = self.type_route[self.ctype[i]]
        if not self.closed[channel]:
            for group in groups:
                agent = self._take_available(group, channel, conc)
                if agent is not None:
                    agent.channel = channel
                    self._serve(agent, i, self.arrival[i])
                    if agent.load < conc:
                        self._park(agent, conc)
                    return
        queues[self.tier[i]].append(i)
        if self.behaviour is not None and self.watch[self.ctype[i]]:
            self._watch(i)
        if self.drill is not None:
            self.drill.queued(i)

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
        self.env.timeout(self.handle[i], (agent, i)).callbacks.append(self._on_done)

    def _on_done(self, event: simpy.Event) -> None:
        agent: _Agent
        agent, i = event._value
        if self.behaviour is not None and self.after[self.ctype[i]]:
            self._after_service(i)
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
        self._park(agent, self.concurrency[agent.channel] if agent.load else 1)

    def _fetch_overflow(self, agent: _Agent, now: float) -> None:
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

    # --- customer behaviour --------------------------------------------------------------------

    def _watch(self, i: int) -> None:
        """Schedule what may happen to waiting contact `i`: a callback offer, a redial."""
        rules = self.rules[self.ctype[i]]
        now, deadline = self.env.now, self.deadline[i]
        offer_at = now + rules.offer_callback_after_s
        tracked = self.drill is not None  # only a drill changes the rules of waiting contacts
        if offer_at < deadline and offer_at < self.length_s:
            if tracked:
                self.offer_due.add(i)
            self.env.timeout(offer_at - now, i).callbacks.append(self._on_offer)
        if rules.retrial_probability > 0 and deadline < self.length_s:
            if tracked:
                self.patience_due.add(i)
            self.env.timeout(deadline - now, i).callbacks.append(self._on_patience_end)

    def _on_offer(self, event: simpy.Event) -> None:
        """Offer a callback to contact `i` if it is still waiting; one who takes it leaves the
        live queue (its entry there is skipped: deadline -inf) for the callback queue."""
        i = event._value
        if math.isnan(self.answer[i]) and self.deadline[i] > self.env.now:
            rules = self.rules[self.ctype[i]]
            if rules.uniform() < rules.callback_take_up:
                self.deadline[i] = -math.inf
                self.callback[i] = True
                self.callback_at[i] = self.env.now
                self.callback_queue[self.type_skill[self.ctype[i]]].append(~i)

    def _on_patience_end(self, event: simpy.Event) -> None:
        """Contact `i`'s patience ran out: if it was never answered it abandoned, and may
        redial."""
        i = event._value
        if math.isnan(self.answer[i]) and not self.callback[i]:
            rules = self.rules[self.ctype[i]]
            if rules.uniform() < rules.retrial_probability:
                self.redialled.append(i)
                delay = rules.retrial_delay()
                self._new_contact(self.ctype[i], self.tier[i], self.env.now + delay, RETRIAL)

    def _after_service(self, i: int) -> None:
        """The contact served is escalated to another type, or comes back later unresolved,
        or neither. An escalated contact is handed on, so it does not also come back."""
        t = self.ctype[i]
        rules = self.rules[t]
        now = self.env.now
        if rules.escalation:
            u = rules.uniform()
            for cumulative, to in rules.escalation:
                if u < cumulative:
                    tier = self.behaviour.tier_map[t][to][self.tier[i]]
                    if tier < 0:
                        tier = self._draw_tier(to)
                    self._new_contact(to, tier, now, TRANSFER)
                    return
        if rules.repeat_probability > 0 and rules.uniform() < rules.repeat_probability:
            self._new_contact(t, self.tier[i], now + rules.repeat_delay(), REPEAT)

    def _draw_tier(self, t: int) -> int:
        rules = self.rules[t]
        u = rules.tier()
        return next(
            (k for k, c in enumerate(rules.tier_cumulative) if u < c),
            len(rules.tier_cumulative) - 1,
        )

    def _new_contact(self, t: int, tier: int, at_s: float, origin: int) -> None:
        """Append a contact of type `t` arriving at `at_s` (dropped past the horizon)."""
        if at_s >= self.length_s:
            return
        rules = self.rules[t]
        j = len(self.arrival)
        self.arrival.append(at_s)
        self.handle.append(rules.handle())
        self.deadline.append(at_s + rules.patience() if rules.patience else math.inf)
        self.ctype.append(t)
        self.tier.append(tier)
        self.answer.append(math.nan)
        self.served_by.append(-1)
        self.agent_of.append(-1)
        self.origin.append(origin)
        self.callback.append(False)
        self.env.timeout(at_s - self.env.now, j).callbacks.append(self._on_late_arrival)

    def _on_late_arrival(self, event: simpy.Event) -> None:
        self._route(event._value)

    def _plan_hours(self) -> None:
        """Close the deferred channels now closed, and schedule their openings and closings."""
        for channel, changes in enumerate(self.behaviour.hours):
            for time_s, is_open in changes:
                if time_s == 0:
                    self.closed[channel] = not is_open
                elif time_s < self.length_s:
                    self.env.timeout(time_s, (channel, is_open)).callbacks.append(self._on_hours)

    def _on_hours(self, event: simpy.Event) -> None:
        channel, is_open = event._value
        self.closed[channel] = not is_open
        if is_open:
            # Idle agents who serve the channel take its backlog now.
            for group in self.channel_groups[channel]:
                self.wake(group.index)

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
            self._set_on_duty(group, wanted)

    def restaff_now(self) -> None:
        """Apply the staffing of the current step again (a drill's lever changed it)."""
        step = min(int(self.env.now // self.interval_s), self.staffing.shape[1] - 1)
        self._staff(step)

    def add_overflow(self, group: int, skill: int, wait_s: float) -> None:
        """Let agents of `group` also answer contacts of `skill` that have waited `wait_s`, and
        set its idle agents to work on them."""
        plan_channel = self.skill_channel[skill]
        live = self.queues[skill][: self.skill_ranks[skill]]  # not the callback queue
        entry = (plan_channel, self.concurrency[plan_channel], live, wait_s)
        self.groups[group].overflow.append(entry)
        self.wake(group)

    def waiting(self, skill: int) -> list[int]:
        """Live contacts of `skill` waiting now, in queue order."""
        now, deadline = self.env.now, self.deadline
        live = self.queues[skill][: self.skill_ranks[skill]]
        return [i for queue in live for i in queue if deadline[i] > now]

    def watch_waiting(self, skill: int) -> None:
        """Apply the (changed) waiting rules of their types to contacts of `skill` already
        waiting that have no such event yet: a callback offer due in the past is made now, and
        a caller whose patience runs out may redial."""
        now = self.env.now
        for i in self.waiting(skill):
            rules = self.rules[self.ctype[i]]
            offer_at = max(now, self.arrival[i] + rules.offer_callback_after_s)
            deadline = self.deadline[i]
            if i not in self.offer_due and offer_at < deadline and offer_at < self.length_s:
                self.offer_due.add(i)
                self.env.timeout(offer_at - now, i).callbacks.append(self._on_offer)
            if (
                i not in self.patience_due
                and rules.retrial_probability > 0
                and deadline < self.length_s
            ):
                self.patience_due.add(i)
                self.env.timeout(deadline - now, i).callbacks.append(self._on_patience_end)

    def remove_overflow(self, group: int) -> None:
        self.groups[group].overflow.clear()

    def wake(self, group: int) -> None:
        """Let the agents of `group` with spare capacity (idle, or chats short of the full
        load) look for work now."""
        target = self.groups[group]
        spare = list(target.idle) + [a for bucket in target.partial.values() for a in bucket]
        for agent in spare:
            self._unpark(agent)
            self._fetch_work(agent)

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


def _flags(indices: list[int], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[indices] = True
    return out


def _at(times: dict[int, float], n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    if times:
        out[list(times)] = list(times.values())
    return out
