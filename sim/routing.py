"""The routing table (`RoutingTable`, made by `routing_table`): which agent groups an arriving
contact may go to, and in what order agents look through the queues when they become free.

The rules (the routing contract of ``shared/contract/multi_skill.yaml``):

- An arriving contact goes to an available agent of the group that lists its skill earliest.
  Groups that list it at the same position are tried specialists first (fewer skills), then in
  the order the scenario lists them. Within a group it goes to the longest-idle agent; for chat
  (``concurrency`` > 1) to the agent holding the fewest chats, longest-available first.
- A queue is kept per skill and tier rank. An agent that becomes free serves the first skill in
  its group's list that has a contact waiting; within that skill the highest tier (rank 0, the
  first tier listed), then the contact waiting longest. Contact types sharing a skill share its
  queues rank by rank.
- An agent holds contacts of one channel at a time: a chat agent with chats in hand takes only
  more chats of that channel, up to the channel's ``concurrency``.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.schema import Scenario


@dataclass(frozen=True)
class RoutingTable:
    """Skills, channels and groups as indices, in the orders the engine routes by."""

    skills: list[str]
    skill_channel: list[int]  # channel index of each skill
    channel_concurrency: list[int]
    type_skill: list[int]  # skill index of each contact type
    type_channel: list[int]
    type_groups: list[list[int]]  # candidate groups of each contact type, in routing order
    group_skills: list[list[int]]  # skills each group serves, in its preference order
    skill_ranks: list[int]  # number of tier ranks (queues) of each skill


def routing_table(scenario: Scenario) -> RoutingTable:
    """The routing table of `scenario` (which must already be validated)."""
    channel_index = {c.name: i for i, c in enumerate(scenario.channels)}
    skills: list[str] = []
    for ct in scenario.contact_types:
        if ct.skill not in skills:
            skills.append(ct.skill)
    skill_index = {s: i for i, s in enumerate(skills)}
    skill_channel = [0] * len(skills)
    skill_ranks = [1] * len(skills)
    for ct in scenario.contact_types:
        s = skill_index[ct.skill]
        skill_channel[s] = channel_index[ct.channel]
        skill_ranks[s] = max(skill_ranks[s], len(ct.tier_names))

    type_groups = []
    for ct in scenario.contact_types:
        able = [
            (group.skills.index(ct.skill), len(group.skills), g)
            for g, group in enumerate(scenario.agent_groups)
            if ct.skill in group.skills
        ]
        type_groups.append([g for _, _, g in sorted(able)])

    return RoutingTable(
        skills=skills,
        skill_channel=skill_channel,
        channel_concurrency=[c.concurrency for c in scenario.channels],
        type_skill=[skill_index[ct.skill] for ct in scenario.contact_types],
        type_channel=[channel_index[ct.channel] for ct in scenario.contact_types],
        type_groups=type_groups,
        group_skills=[
            [skill_index[s] for s in group.skills if s in skill_index]
            for group in scenario.agent_groups
        ],
        skill_ranks=skill_ranks,
    )
