"""The engine's agent pools: each agent's state, who is free for what, who is on duty.

An agent on duty with room for another contact is in exactly one *availability list* of its
group: ``idle`` (nothing in hand) or the ``partial`` list of its channel and load (chats short
of the channel's concurrency). Each list is an `OrderedDict` used as an ordered set, longest
waiting first, so taking, parking and removing an agent are O(1). The engine (`sim.engine`)
decides what agents do; this module only keeps the books: which agent takes a new contact,
when an agent goes off duty, and the log of duty changes.
"""

from __future__ import annotations

from collections import OrderedDict, deque

import simpy


class Agent:
    """One agent: its contacts in hand and the availability list it is in."""

    __slots__ = ("bucket", "channel", "group", "index", "leaving", "load")

    def __init__(self, group: Group, index: int) -> None:
        self.group = group
        self.index = index
        self.load = 0  # contacts in hand
        self.channel = -1  # channel of the contacts in hand
        self.leaving = False  # going off duty once the contacts in hand are done
        self.bucket: OrderedDict | None = None  # the availability list the agent is in

    def park(self, conc: int) -> None:
        """Put the agent, if it has room below `conc` contacts, at the back of its availability
        list."""
        if self.load >= conc:
            return
        group = self.group
        if self.load == 0:
            bucket = group.idle
        else:
            bucket = group.partial.setdefault((self.channel, self.load), OrderedDict())
        bucket[self] = None
        self.bucket = bucket

    def unpark(self) -> None:
        """Take the agent out of its availability list, if it is in one."""
        if self.bucket is not None:
            del self.bucket[self]
            self.bucket = None


class Group:
    """One agent group: the queues it serves and its agents, by state."""

    __slots__ = (
        "active", "idle", "index", "leaving", "overflow", "partial", "skills", "spare", "to_remove"
    )  # fmt: skip

    def __init__(self, index: int, skills: list[tuple[int, int, list[deque]]]) -> None:
        self.index = index
        self.skills = skills  # (channel, concurrency, queues by tier rank) in preference order
        self.idle: OrderedDict[Agent, None] = OrderedDict()  # longest idle first
        self.partial: dict[tuple[int, int], OrderedDict[Agent, None]] = {}  # (channel, load)
        self.active = 0  # on duty and not leaving
        self.leaving: list[Agent] = []
        self.to_remove = 0  # agents to send off duty as soon as they finish a contact
        self.spare: list[Agent] = []  # off-duty agents, reused when staffing rises
        # Queues the group takes from, before its own skills, once their head has waited long
        # enough: (channel, concurrency, queues by tier rank, wait_s).
        self.overflow: list[tuple[int, int, list[deque], float]] = []

    def take(self, channel: int, conc: int) -> Agent | None:
        """Remove from its availability list and return the agent that should take a new
        contact of `channel` (of concurrency `conc`): the longest idle, else the longest
        waiting of the least loaded on that channel; None when no agent has room."""
        if self.idle:
            agent = self.idle.popitem(last=False)[0]
            agent.bucket = None
            return agent
        for load in range(1, conc):
            bucket = self.partial.get((channel, load))
            if bucket:
                agent = bucket.popitem(last=False)[0]
                agent.bucket = None
                return agent
        return None

    def with_room(self) -> list[Agent]:
        """The agents with room for a contact: idle ones, then partly loaded ones."""
        return list(self.idle) + [a for bucket in self.partial.values() for a in bucket]


class Pools:
    """The agents of every group of one run, and the log of their duty changes.

    `env` is only read for the time of a duty change.
    """

    def __init__(self, env: simpy.Environment, groups: list[Group]) -> None:
        self.env = env
        self.groups = groups
        self.n_agents = 0
        self.duty: list[tuple[float, int, int]] = []  # (time_s, group, +1 on / -1 off)

    def release(self, agent: Agent) -> bool:
        """One contact in `agent`'s hand is done. True when the agent stays on duty and should
        look for work (it is then out of its availability list); False when it goes off duty,
        now or once the contacts still in hand are done."""
        agent.load -= 1
        group = agent.group
        if agent.leaving:
            if agent.load == 0:
                self.off_duty(agent)
            return False
        if group.to_remove:
            group.to_remove -= 1
            group.active -= 1
            agent.unpark()
            if agent.load == 0:
                self.off_duty(agent)
            else:
                agent.leaving = True
                group.leaving.append(agent)
            return False
        # agent.unpark(), inlined: this runs at the end of every service.
        if agent.bucket is not None:
            del agent.bucket[agent]
            agent.bucket = None
        return True

    def set_on_duty(self, group: Group, wanted: int) -> list[Agent]:
        """Bring `group`'s on-duty count (not counting agents about to leave) to `wanted`, and
        return the agents it brought back or called in, in that order: they look for work
        next. Going down, idle agents leave now, partly loaded chat agents stop taking work,
        and the rest are the next agents to finish a contact."""
        on_duty = group.active - group.to_remove
        back: list[Agent] = []
        if wanted < on_duty:
            excess = on_duty - wanted
            while excess and group.idle:
                agent = next(iter(group.idle))
                agent.unpark()
                group.active -= 1
                self.off_duty(agent)
                excess -= 1
            for bucket in group.partial.values():
                while excess and bucket:
                    agent = next(iter(bucket))
                    agent.unpark()
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
                back.append(agent)
                short -= 1
            while short:
                if group.spare:
                    agent = group.spare.pop()
                else:
                    agent = Agent(group, self.n_agents)
                    self.n_agents += 1
                group.active += 1
                self.duty.append((self.env.now, group.index, 1))
                back.append(agent)
                short -= 1
        return back

    def off_duty(self, agent: Agent) -> None:
        """Send `agent`, with nothing in hand and in no availability list, off duty now."""
        group = agent.group
        if agent.leaving:
            agent.leaving = False
            group.leaving.remove(agent)
        agent.channel = -1
        group.spare.append(agent)
        self.duty.append((self.env.now, group.index, -1))
