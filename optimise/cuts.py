"""Cutting planes on the simulated service-level functions (Atlason, Epelman and Henderson 2004;
for several skills, Cezik and L'Ecuyer 2008).

A target period's expected service level is a function of the agents working in each group
and interval. Where it is concave in them, its tangent plane at a simulated plan is above it
everywhere, and "the tangent reaches the goal" is a necessary condition for the goal to be
reached: a cut that the cheapest plan meeting the targets cannot violate. The level is
S-shaped, though: below its inflection (a badly understaffed interval) the tangent is under
the curve, and a cut taken there asks for more agents than needed: a cut on an interval's
level asks its own interval for at most `MAX_RAISE` more agents at once (the single queue with
a cap of 2,240 replications: 1,622 agent-hours with the plain tangents, after one round put
40-50 agents more into each late-evening interval; 1,364 with the limit). The shift model
(`optimise.shifts`) takes the cuts as constraints on its coverage.

The slopes are marginal effects estimated by finite differences on common random numbers: the
plan is simulated again with one more agent of a group in every interval of one *phase* (the
intervals ``k`` with ``k mod span == phase``), on the same seed and replications, so the only
difference is the extra agents. An extra agent in interval ``k`` acts on intervals ``k`` to
``k + span - 1`` (its queue drains over the next hour or so); the change seen there is put down
to it. With ``span`` phases per group, one simulation per (group, phase) gives every interval's
marginal effect on every period of every target: ``groups x span`` simulations a round instead
of one per interval. A period's level is the mean over replications of answered-in-time over
contacts closed, so its slope is the mean of the change in answered-in-time divided by the
replication's closed contacts.

Groups that cannot influence each other's targets share a simulation: an extra agent of a
group can change only the contact types in its *reach* (`group_reach`: the types it serves,
every type served by a group that serves one of those, and the types they escalate to,
closed under both), and every random number is drawn from a stream of one contact type or
one group, so two groups with disjoint reaches bumped together give each target exactly the
counts it gets when its own group is bumped alone. On the telecom week the chat team and the
walk-in counter ride along with the phone teams: six simulations a round instead of eight.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from scenarios.demand import expected_offered, open_mask
from scenarios.schema import Scenario
from sim.metrics import ABANDONED, ANSWERED, WITHIN
from sim.replicate import Staffing, simulate_many
from sim.results import Results
from sim.routing import routing_table

LAG_WINDOW_MIN = 60  # how long an extra agent's effect on the queue is followed
MAX_RAISE = 0.15  # a cut asks a short interval for at most this share more agents (at least 1)


@dataclass(frozen=True)
class Cut:
    """``sum(coefficients[g, k] * agents[g, k]) >= rhs``: agents working (net of breaks) in
    group g and interval k (flattened over the horizon); from target `target`'s period
    `period`."""

    target: int
    period: int
    coefficients: dict[tuple[int, int], float]
    rhs: float


def phase_span(scenario: Scenario) -> int:
    """Phases per group: 1 when no target is judged per interval (a day's level only needs
    each interval's total effect), else enough that an extra agent's effect is followed for
    `LAG_WINDOW_MIN` minutes."""
    if all(t.scope != "interval" for t in scenario.targets):
        return 1
    return max(2, math.ceil(LAG_WINDOW_MIN / scenario.horizon.interval_min))


def marginal_effects(
    base: Results,
    staffing: Staffing,
    *,
    replications: int,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[np.ndarray]:
    """Per target, ``(periods, groups, intervals)``: the change in the period's expected
    service level from one more agent working in a group and interval, estimated on the first
    `replications` of `base` (the plan's own simulation, whose seed it reuses). Effects are
    never negative: more agents never slow a queue down, and a negative difference is noise
    (`_nonnegative` takes it out)."""
    scenario = base.scenario
    horizon = scenario.horizon
    n_intervals = horizon.days * horizon.intervals_per_day
    span = phase_span(scenario)
    groups = [g.name for g in scenario.agent_groups]
    reach = group_reach(scenario)
    runs, keys = [], []
    for batch in _batches(reach):
        for phase in range(span):
            bumped = {n: np.asarray(v) for n, v in staffing.items()}
            mask = (np.arange(n_intervals) % span == phase).reshape(horizon.days, -1)
            for g in batch:
                steps = bumped[groups[g]]
                per_interval = steps.shape[1] // horizon.intervals_per_day
                extra = np.repeat(mask, per_interval, axis=1).astype(steps.dtype)
                bumped[groups[g]] = steps + extra
            runs.append((scenario, bumped))
            keys.append((batch, phase))
    replications = min(replications, base.replications)
    perturbed = simulate_many(
        runs, base.seed, replications, executor=executor, workers=workers, progress=progress
    )
    base_counts = [s.target_counts for s in base.summaries[:replications]]  # (K, targets, F)
    type_index = {ct.name: t for t, ct in enumerate(scenario.contact_types)}
    effects = []
    for j, target in enumerate(scenario.targets):
        period_of = period_index(scenario, j)
        n_periods = int(period_of.max()) + 1
        within0 = np.stack([c[:, j, WITHIN] for c in base_counts])  # (R, K)
        closed0 = np.stack([c[:, j, ANSWERED] + c[:, j, ABANDONED] for c in base_counts])
        closed = np.zeros((replications, n_periods))
        np.add.at(closed, (slice(None), period_of), closed0)
        valid = closed > 0
        effect = np.zeros((n_periods, len(groups), n_intervals))
        t = type_index[target.contact_type]
        for (batch, phase), results in zip(keys, perturbed, strict=True):
            # At most one group of a batch reaches the target; the others leave it untouched.
            g = next((g for g in batch if t in reach[g]), None)
            if g is None:
                continue
            within1 = np.stack([s.target_counts[:, j, WITHIN] for s in results.summaries])
            # The change in interval i is put down to the extra agent in the interval of this
            # phase at or before i.
            source = np.arange(n_intervals) - (np.arange(n_intervals) - phase) % span
            share = np.where(
                valid[:, period_of], (within1 - within0) / np.where(valid, closed, 1)[:, period_of],
                0.0,
            )  # fmt: skip
            change = share.sum(axis=0) / np.maximum(valid.sum(axis=0)[period_of], 1)
            keep = source >= 0
            np.add.at(effect[:, g, :], (period_of[keep], source[keep]), change[keep])
        effects.append(_nonnegative(effect, target.scope))
    return effects


def _nonnegative(effect: np.ndarray, scope: str) -> np.ndarray:
    """`effect`, ``(periods, groups, intervals)``, without its noise below zero: its intervals'
    differences are clipped at 0 (more agents never slow a queue down). For a day or horizon
    target the clipped differences are then scaled to sum to the period's whole measured
    difference, when that is positive (else 0): clipping alone would bias every slope upwards,
    since with one or two replications most of an interval's difference is noise (on the
    telecom week at 8 times its volume, with one replication, the clipped day totals of
    billing's ordinary tier and of chat came out 1.0 to 3.1 times the measured ones, and the
    cuts asked for too few agents round after round). An `interval` period is left clipped
    only: its slope is its own interval's effect, measured well above the noise, plus one or
    two lag terms that are mostly noise, and scaling to their sum moves the lags' noise onto
    the own effect (the two-day single queue was planned at 1,518 agent-hours with the
    rescaling against 1,406 without)."""
    clipped = np.maximum(effect, 0.0)
    if scope == "interval":
        return clipped
    total, kept = effect.sum(axis=2), clipped.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(kept > 0, np.maximum(total, 0.0) / kept, 0.0)
    return clipped * scale[..., None]


def group_reach(scenario: Scenario) -> list[set[int]]:
    """Per agent group, the indices of the contact types whose outcomes its staffing can
    change: the types it serves, closed under "served by the same group as" and "escalated
    to from"."""
    routing = routing_table(scenario)
    types = {ct.name: t for t, ct in enumerate(scenario.contact_types)}
    serves = [{t for t, able in enumerate(routing.type_groups) if g in able}
              for g in range(len(scenario.agent_groups))]  # fmt: skip
    reach = []
    for g in range(len(scenario.agent_groups)):
        found, todo = set(), list(serves[g])
        while todo:
            t = todo.pop()
            if t in found:
                continue
            found.add(t)
            ct = scenario.contact_types[t]
            todo += [u for h in routing.type_groups[t] for u in serves[h]]
            todo += [types[e.to] for e in ct.escalation]
        reach.append(found)
    return reach


def _batches(reach: list[set[int]]) -> list[list[int]]:
    """The groups in batches whose members' reaches are pairwise disjoint, each group in the
    first batch it fits (groups in the scenario's order)."""
    batches: list[tuple[list[int], set[int]]] = []
    for g, types in enumerate(reach):
        for members, covered in batches:
            if not covered & types:
                members.append(g)
                covered |= types
                break
        else:
            batches.append(([g], set(types)))
    return [members for members, _ in batches]


def period_index(scenario: Scenario, j: int) -> np.ndarray:
    """For each interval of the horizon, the period of target `j`'s scope it belongs to."""
    horizon = scenario.horizon
    k = np.arange(horizon.days * horizon.intervals_per_day)
    scope = scenario.targets[j].scope
    if scope == "horizon":
        return np.zeros_like(k)
    if scope == "day":
        return k // horizon.intervals_per_day
    return k


def tangent_cuts(
    results: Results,
    agents: dict[str, np.ndarray],
    effects: list[np.ndarray],
    goals: list[np.ndarray],
) -> list[Cut]:
    """One cut per judged period of every target: the tangent plane of its level at the plan,
    ``level + sum(effect * (y - agents)) >= goal``. `agents` are the plan's agents working per
    group, flattened over the horizon; `goals[j]` per period the level target `j` must reach
    there (the target, or the bound a verdict needs).

    An interval period whose own interval shows no effect of any group (its finite
    differences were noise, clipped to 0) gives no cut: its tangent would rest on the lag terms
    alone and ask for an extra agent's *later* effect to make up the whole shortfall (on the
    single queue, seed 2: 74 agents at 18:00 for the level at 18:30, more than the shift model
    may start, and no plan met the cuts). The next plan's simulation measures it again.
    An interval period short of its goal has its slopes scaled up where the tangent would ask
    its own interval for more than `MAX_RAISE` more agents (of the groups acting on it) in its
    steepest group: the cut asks for that many at most."""
    scenario = results.scenario
    names = [g.name for g in scenario.agent_groups]
    cuts = []
    for j, (effect, goal) in enumerate(zip(effects, goals, strict=True)):
        spread = results.target_period_spread(j)
        own = scenario.targets[j].scope == "interval"
        for p, mean in zip(spread.judged, spread.mean, strict=True):
            if own and not (effect[p, :, p] > 1e-6).any():
                continue
            scale = 1.0
            if own and mean < goal[p]:
                # Below its inflection a level's slope is small (in deep overload one more
                # agent answers a few more contacts, late) and its tangent asks for far more
                # agents than the level needs: no cut asks an interval for more than
                # MAX_RAISE more agents at once (in its steepest group, where the raise is
                # cheapest in agents); the next plan's simulation cuts again.
                slope = float(effect[p, :, p].max())
                working = sum(
                    agents[names[g]][p] for g in range(len(names)) if effect[p, g, p] > 1e-6
                )
                raise_ = max(1.0, MAX_RAISE * working)
                scale = max(1.0, (goal[p] - mean) / slope / raise_)
            coefficients = {
                (g, int(k)): scale * float(effect[p, g, k])
                for g in range(len(names))
                for k in np.flatnonzero(effect[p, g] > 1e-6)
            }
            if not coefficients:
                continue
            here = sum(c * agents[names[g]][k] for (g, k), c in coefficients.items())
            cuts.append(Cut(j, int(p), coefficients, float(goal[p] - mean + here)))
    return cuts


def load_floors(scenario: Scenario) -> list[tuple[list[int], np.ndarray]]:
    """Per skill, the groups that serve it and the agents its offered load keeps busy in each
    interval, flattened: the agents of those groups together must be at least that, or the
    skill's queue grows without end (with patience, it sheds callers instead). A floor keeps
    the search out of staffing where no target can be met; it does not make the level concave
    above it."""
    horizon = scenario.horizon
    routing = routing_table(scenario)
    offered = expected_offered(scenario)
    per_skill = [np.zeros(horizon.days * horizon.intervals_per_day) for _ in routing.skills]
    for t, ct in enumerate(scenario.contact_types):
        channel = scenario.channel_of(ct)
        work_s = offered[t].ravel() * ct.handle_time.mean / channel.concurrency
        if channel.kind == "email":
            is_open = open_mask(channel.business_hours, horizon).ravel()
            open_s = is_open.sum() * horizon.interval_s
            busy = work_s.sum() / open_s if open_s else 0.0
            per_skill[routing.type_skill[t]] += np.where(is_open, busy, 0.0)
        else:
            per_skill[routing.type_skill[t]] += work_s / horizon.interval_s
    floors = []
    for s, load in enumerate(per_skill):
        first = routing.type_skill.index(s)
        floors.append((sorted(routing.type_groups[first]), load))
    return floors
