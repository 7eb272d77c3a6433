"""What customers do beyond waiting once: redial, come back, get escalated, take a callback; when
a deferred channel (e-mail) is worked; and which agents do not turn up.

`Behaviour` is the engine's table of these rules, one entry per contact type, built from the
scenario once per replication. Contacts created during a run (redials, repeats, transfers) draw
their handle times, patience and delays from streams of their own (`sim.streams`), keyed like
the up-front draws of `sim.arrivals` (replication, purpose, contact type); within a
replication the engine takes from them in event order, which is fixed, so a run is
reproducible. The first contacts of a run are those of `sim.arrivals` unchanged: a scenario
without these fields behaves as before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from scenarios.demand import open_mask
from scenarios.schema import Distribution, Scenario
from sim.streams import Purpose, stream
from sim.variates import draw

# Where a contact came from (`Record.origin`).
FIRST, RETRIAL, REPEAT, TRANSFER = range(4)
BLOCK = 1024  # draws fetched from numpy at a time


class Draws:
    """An endless supply of draws from one distribution (or U(0, 1) when it is None), fetched
    from numpy in blocks so that one draw costs a list index."""

    __slots__ = ("distribution", "next", "rng", "values")

    def __init__(self, distribution: Distribution | None, rng: np.random.Generator) -> None:
        self.distribution = distribution
        self.rng = rng
        self.values: list[float] = []
        self.next = 0

    def __call__(self) -> float:
        if self.next == len(self.values):
            block = (
                self.rng.random(BLOCK)
                if self.distribution is None
                else draw(self.distribution, self.rng, BLOCK)
            )
            self.values = block.tolist()
            self.next = 0
        value = self.values[self.next]
        self.next += 1
        return value


@dataclass
class TypeRules:
    """The behaviour of one contact type in one replication (times in seconds)."""

    uniform: Draws  # U(0, 1) for every yes/no decision of the type's contacts
    handle: Draws  # handle times of contacts created during the run
    patience: Draws | None  # their patience; None: they never abandon
    tier: Draws  # U(0, 1) to pick the tier of a transfer whose tier the type does not have
    tier_cumulative: list[float]
    retrial_probability: float
    retrial_delay: Draws | None
    repeat_probability: float  # 1 - first-contact resolution
    repeat_delay: Draws | None
    escalation: list[tuple[float, int]]  # (cumulative probability, receiving type)
    offer_callback_after_s: float  # inf: no callback offered
    callback_take_up: float

    @property
    def watches_queue(self) -> bool:
        """True when a contact of this type that has to wait needs events while it waits."""
        return self.retrial_probability > 0 or math.isfinite(self.offer_callback_after_s)

    @property
    def acts_after_service(self) -> bool:
        return bool(self.escalation) or self.repeat_probability > 0


@dataclass
class Behaviour:
    """Per contact type: `rules`; `tier_map[t][u][k]`: the tier of type `u` a transfer from
    tier `k` of type `t` joins (-1: drawn from `u`'s shares); per channel: `hours`, the
    ``(time_s, open)`` changes of a deferred channel's working hours in time order (empty: always
    worked)."""

    rules: list[TypeRules]
    tier_map: list[dict[int, list[int]]]
    hours: list[list[tuple[float, bool]]]

    @property
    def active(self) -> bool:
        """True when anything here changes the engine's plain first-come first-served run."""
        return any(r.watches_queue or r.acts_after_service for r in self.rules) or any(self.hours)


def plan_behaviour(scenario: Scenario, seed: int, replication: int) -> Behaviour:
    """The behaviour tables of one replication of `scenario`."""
    types = {ct.name: t for t, ct in enumerate(scenario.contact_types)}
    rules = []
    tier_map: list[dict[int, list[int]]] = []
    for ct in scenario.contact_types:

        def supply(
            purpose: Purpose, distribution: Distribution | None, name: str = ct.name
        ) -> Draws:
            return Draws(distribution, stream(seed, replication, purpose, name))

        shares = np.cumsum(ct.tier_shares)
        fcr = ct.first_contact_resolution
        escalation, total = [], 0.0
        for rule in ct.escalation or []:
            total += rule.probability
            escalation.append((total, types[rule.to]))
        rules.append(
            TypeRules(
                uniform=supply(Purpose.DECIDE, None),
                handle=supply(Purpose.LATE_HANDLE, ct.handle_time),
                patience=(
                    None if ct.patience is None else supply(Purpose.LATE_PATIENCE, ct.patience)
                ),
                tier=supply(Purpose.LATE_TIER, None),
                tier_cumulative=(shares / shares[-1]).tolist(),
                retrial_probability=ct.retrial.probability if ct.retrial else 0.0,
                retrial_delay=(
                    supply(Purpose.RETRIAL_DELAY, ct.retrial.delay) if ct.retrial else None
                ),
                repeat_probability=0.0 if fcr is None else 1.0 - fcr,
                repeat_delay=(
                    supply(Purpose.REPEAT_DELAY, ct.repeat_after) if ct.repeat_after else None
                ),
                escalation=escalation,
                offer_callback_after_s=(
                    ct.callback.offer_after_wait_s if ct.callback else math.inf
                ),
                callback_take_up=ct.callback.take_up if ct.callback else 0.0,
            )
        )
        tier_map.append(
            {
                types[rule.to]: [
                    _tier_index(scenario.contact_types[types[rule.to]].tier_names, name)
                    for name in ct.tier_names
                ]
                for rule in ct.escalation or []
            }
        )
    hours = [
        _hour_changes(scenario, c) if channel.business_hours is not None else []
        for c, channel in enumerate(scenario.channels)
    ]
    return Behaviour(rules=rules, tier_map=tier_map, hours=hours)


def _tier_index(names: list[str], name: str) -> int:
    return names.index(name) if name and name in names else -1


def _hour_changes(scenario: Scenario, channel: int) -> list[tuple[float, bool]]:
    """When a deferred channel opens and closes: ``(time_s, open)`` at the first interval and at
    every change of its business hours over the horizon."""
    horizon = scenario.horizon
    hours = scenario.channels[channel].business_hours
    is_open = open_mask(hours, horizon).ravel()
    changes = [(0.0, bool(is_open[0]))]
    for k in np.flatnonzero(is_open[1:] != is_open[:-1]) + 1:
        changes.append((float(k) * horizon.interval_s, bool(is_open[k])))
    return changes


def absent_staffing(
    scenario: Scenario, staffing: Mapping[str, np.ndarray], seed: int, replication: int
) -> dict[str, np.ndarray]:
    """`staffing` (``(days, steps)`` per group) less the agents absent in this replication.

    A group with ``absence: a`` has, each day, as many agent positions as its most agents on
    duty that day; each position is absent for the whole day with probability `a`, and the
    agents on duty at a step are the first positions, so a step with ``n`` agents loses the
    absent ones among the first ``n``. On average every step keeps ``(1 - a)`` of its agents.
    """
    out = {name: np.asarray(grid) for name, grid in staffing.items()}
    for group in scenario.agent_groups:
        if group.absence == 0:
            continue
        grid = out[group.name]
        positions = int(grid.max(initial=0))
        if positions == 0:
            continue
        rng = stream(seed, replication, Purpose.ABSENCE, group.name)
        # Drawn position by position, so position i's days are the same whatever the number
        # of positions: two plans compared on one seed lose the same agents (common random
        # numbers), and one more agent at the peak does not reshuffle everyone's absence.
        draws = rng.random((positions, grid.shape[0])).T
        present = draws >= group.absence
        first_present = np.concatenate(
            [np.zeros((grid.shape[0], 1), dtype=np.int64), np.cumsum(present, axis=1)], axis=1
        )
        out[group.name] = np.take_along_axis(first_present, grid.astype(np.int64), axis=1)
    return out
