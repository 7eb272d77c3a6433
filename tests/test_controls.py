"""The control variates (`sim.controls`): their expectations and variances are exact, which is
what lets a verdict correct its mean by them without bias."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.stats import norm

from scenarios.load import from_dict
from sim.arrivals import arrival_work, draw_contacts
from sim.controls import pool_weights, target_control

WEEK = Path(__file__).resolve().parents[1] / "scenarios" / "library" / "telecom_hotline_week.yaml"
DRAWS = 3000


def _week(scope: str | None = None):
    data = yaml.safe_load(WEEK.read_text())
    if scope is not None:
        for target in data["targets"]:
            target["scope"] = scope
    return from_dict(data, str(WEEK))


def test_a_target_s_pool_is_the_types_sharing_an_agent_group_with_it():
    scenario = _week()
    names = [ct.name for ct in scenario.contact_types]
    tech = next(j for j, t in enumerate(scenario.targets) if t.contact_type == "tech_fault")
    weights = dict(zip(names, pool_weights(scenario, tech), strict=True))
    # The tech and broadband teams take fault, broadband and emergency calls; billing, chat,
    # e-mail and the counter are other agents' work.
    assert all(weights[t] > 0 for t in ("tech_fault", "broadband", "emergency"))
    assert all(weights[t] == 0 for t in ("billing", "chat", "email", "counter"))


@pytest.fixture(scope="module")
def week_work():
    """The week's arrived work over `DRAWS` replications (the same whatever the targets'
    scope)."""
    scenario = _week()
    return np.stack([arrival_work(scenario, 5, r) for r in range(DRAWS)])


@pytest.mark.slow
@pytest.mark.parametrize("scope", ["interval", "day", "horizon"])
def test_the_controls_expectations_and_variance_are_exact(scope, week_work):
    # Over 3,000 replications of the week's arrivals (8 % day-to-day volume error on the
    # phone and chat types, plain Poisson elsewhere; lognormal handle times) each control's
    # mean sits within its stated expectation's two-sided 99.9 % interval in every period,
    # Bonferroni over the periods and targets (about 5,000 interval z-scores: 5.2 standard
    # errors; the curvature's expectation is 0 only if the variance it subtracts is exact),
    # and the work's spread matches that variance. The interval scope has the work alone.
    scenario = _week(scope)
    tests = sum(int((target_control(scenario, j, week_work[:1])[1][:, 0] > 0).sum())
                for j in range(len(scenario.targets)))  # fmt: skip
    limit = norm.isf(0.0005 / tests)
    for j in range(len(scenario.targets)):
        values, expectation = target_control(scenario, j, week_work)
        # The curvature control is there for a day or the horizon with a volume error only.
        pooled = pool_weights(scenario, j) > 0
        erratic = any(ct.volume.overdispersion for ct, p in
                      zip(scenario.contact_types, pooled, strict=True) if p)  # fmt: skip
        curved = scope != "interval" and erratic
        assert values.shape[1:] == expectation.shape and values.shape[2] == 1 + curved
        open_ = expectation[:, 0] > 0
        mean = values.mean(axis=0)[open_]
        error = values.std(axis=0, ddof=1)[open_] / np.sqrt(DRAWS)
        z = np.abs(mean - expectation[open_]) / error
        assert z.max() < limit, (scope, j, z.max(), limit)
        if not curved:
            continue
        # The variance the curvature control subtracts is the work's spread.
        stated = (values[0, open_, 0] - expectation[open_, 0]) ** 2 - values[0, open_, 1]
        sample = values[:, open_, 0].var(axis=0, ddof=1)
        assert np.allclose(sample / stated, 1.0, atol=0.15), (scope, j)


def test_the_arrived_work_is_the_handle_time_the_replication_draws():
    # Contact by contact, the work re-drawn for the control is that of the contacts the
    # replication simulates (types with self-service lose some of theirs before they queue).
    scenario = _week()
    horizon = scenario.horizon
    intervals = horizon.days * horizon.intervals_per_day
    work = arrival_work(scenario, 3, 2)
    contacts = draw_contacts(scenario, 3, 2)
    interval = (contacts.arrival_s // horizon.interval_s).astype(int)
    for t, ct in enumerate(scenario.contact_types):
        mine = contacts.contact_type == t
        drawn = np.bincount(interval[mine], weights=contacts.handle_s[mine], minlength=intervals)
        if ct.self_service is None:
            assert np.allclose(drawn, work[t], rtol=1e-12, atol=1e-9), ct.name
        else:
            assert np.all(drawn <= work[t] + 1e-9) and drawn.sum() < work[t].sum(), ct.name
