"""What the search aims each target period at, and how many replications a check and a finite
difference take.

A verdict of "met" (`sim.verdict`) needs every period's expected level to be, with one-sided
confidence, at least the target less the tolerance. How far above that line a plan must sit
to be *proven* met shrinks with the replications: the search aims each period at the level a
"met" verdict needs with a given number of replications, at the spread its sample shows
(`aims`), so samples of any size aim at the same levels.
"""

from __future__ import annotations

import math

import numpy as np

from optimise.cuts import period_index
from scenarios.demand import expected_offered
from scenarios.schema import Scenario
from sim.results import Results
from sim.verdict import met_level

# A check may grow to between MIN_GROWTH and MAX_GROWTH times its starting replications.
# Proving a level within the 2-point tolerance of an interval target, whose level spreads by
# about 0.15 from one replication to the next, takes a few hundred replications; sequential
# sampling spends them only where a verdict is close. On a big centre each of them costs
# seconds, so by default the cap stops near CONTACT_BUDGET simulated contacts per check.
MIN_GROWTH = 16
MAX_GROWTH = 64
CONTACT_BUDGET = 8_000_000


# A finite difference's noise falls with the contacts it simulates, not with its replications:
# the marginal effects take as many replications as simulate about GRADIENT_CONTACTS contacts
# in all and GRADIENT_PERIOD_CONTACTS on average in each period of the finest scope judged (a
# slope per interval is read from that interval's contacts alone), up to
# MAX_GRADIENT_REPLICATIONS. On the telecom week (82,000 contacts a replication, day targets)
# one replication instead of two costs 1.6 s a round instead of 4, and the searches on seeds
# 1-3 ended at 10,614, 10,174 and 10,382 agent-hours against 10,497, 10,197 and 10,280 (0.6 %
# more on average: each search's path, more than its slopes, sets where it ends) in 64-142 s
# instead of 165-171 s. Per period: shifts.yaml (a target per interval, 150 contacts an
# interval on average in a replication) with two replications instead of four ran 30 rounds
# without proving a plan met.
GRADIENT_CONTACTS = 80_000
GRADIENT_PERIOD_CONTACTS = 500
MAX_GRADIENT_REPLICATIONS = 5


def contacts_per_replication(scenario: Scenario) -> float:
    """Contacts one replication of `scenario` is expected to simulate (at least 1)."""
    return max(1.0, float(sum(o.sum() for o in expected_offered(scenario))))


def default_cap(scenario: Scenario, replications: int) -> int:
    """The replications a check may grow to when the user sets no cap: as many as simulate
    about `CONTACT_BUDGET` contacts, between `MIN_GROWTH` and `MAX_GROWTH` times
    `replications`."""
    affordable = int(CONTACT_BUDGET // contacts_per_replication(scenario))
    return min(MAX_GROWTH * replications, max(MIN_GROWTH * replications, affordable))


def gradient_replications(scenario: Scenario, replications: int) -> int:
    """Replications per finite difference of the marginal effects: enough to simulate about
    `GRADIENT_CONTACTS` contacts in all and `GRADIENT_PERIOD_CONTACTS` on average in each
    period of the finest scope a target is judged on (all contact types together; a quiet
    period sees fewer), between 1 and `MAX_GRADIENT_REPLICATIONS`, never
    more than a check starts with (`replications`)."""
    periods = max((int(period_index(scenario, j).max()) + 1
                   for j in range(len(scenario.targets))), default=1)  # fmt: skip
    contacts = contacts_per_replication(scenario)
    wanted = math.ceil(max(GRADIENT_CONTACTS, GRADIENT_PERIOD_CONTACTS * periods) / contacts)
    return max(1, min(wanted, MAX_GRADIENT_REPLICATIONS, replications))


def aims(results: Results, replications: int) -> list[np.ndarray]:
    """Per target and period, the mean level a "met" verdict needs with `replications` at the
    spread `results` shows (NaN where a period was never judged)."""
    scenario = results.scenario
    return [
        met_level(
            results.target_period_levels(j),
            target.service_level,
            results.rule,
            results.target_period_closed(j),
            replications=max(2, replications),
            control=results.target_period_control(j),
        )
        for j, target in enumerate(scenario.targets)
    ]


def is_candidate(results: Results, goals: list[np.ndarray]) -> bool:
    """Whether no period's mean level is significantly under its aim in `goals` (one-sided,
    at the rule's error rate split over the target's periods): a plan worth the replications
    that decide it. Requiring every mean to reach its aim would fail a plan on chance alone
    when many periods sit near their aims."""
    from scipy.stats import t as student_t

    alpha = results.rule.alpha
    for j, aim in enumerate(goals):
        mean, sd, n, judged, df = results.target_period_spread(j)
        if judged.size == 0:
            continue
        quantile = student_t.ppf(1 - alpha / judged.size, df)
        high = mean + quantile * np.nan_to_num(sd, nan=np.inf) / np.sqrt(n)
        if np.any(high < aim[judged]):
            return False
    return True


def short_targets(results: Results, goals: list[np.ndarray]) -> list[int]:
    """The targets with some period whose mean level is under its aim in `goals`."""
    short = []
    for j, aim in enumerate(goals):
        spread = results.target_period_spread(j)
        if np.any(spread.mean < aim[spread.judged]):
            short.append(j)
    return short


def serving_groups(scenario: Scenario, targets: list[int]) -> set[str]:
    """The agent groups with the skill of any of `targets`' contact types."""
    skills = {
        ct.skill
        for ct in scenario.contact_types
        if any(scenario.targets[j].contact_type == ct.name for j in targets)
    }
    return {g.name for g in scenario.agent_groups if skills & set(g.skills)}
