"""Scenario shapes that must be accepted, and the random variates and arrivals drawn from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import CONTRACT_DIR, CONTRACT_FILES, SHARED_CONTRACT, load_contract

from scenarios.demand import agents_per_interval, volume_per_interval
from scenarios.load import ScenarioError, from_dict, load
from scenarios.schema import Constant, Empirical, Exponential, Gamma, Lognormal
from sim.arrivals import draw_contacts
from sim.variates import draw, variance

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(
    not SHARED_CONTRACT.is_dir(),
    reason=f"NO CONTRACT CHECK: {SHARED_CONTRACT} not found beside this clone; the bundled "
    "copies in scenarios/library (which the tests then use) were NOT compared with it",
)
@pytest.mark.parametrize("name", CONTRACT_FILES)
def test_library_holds_the_contract_files_unchanged(name):
    library = ROOT / "scenarios" / "library" / name
    assert library.read_text() == (SHARED_CONTRACT / name).read_text()
    assert load(library).name


def _single(per_interval, agents=10, days=2, interval_min=60) -> dict:
    data = load_contract("single_queue.yaml")
    data["horizon"] = {"days": days, "interval_min": interval_min}
    data["contact_types"][0]["volume"]["per_interval"] = per_interval
    data["agent_groups"][0]["agents"] = agents
    return data


def test_volume_as_a_number_a_day_profile_or_one_profile_per_day():
    flat = from_dict(_single(5))
    day = list(range(24))
    daily = from_dict(_single(day))
    per_day = from_dict(_single([day, [2 * x for x in day]]))
    horizon = flat.horizon
    np.testing.assert_array_equal(volume_per_interval(flat.contact_types[0], horizon), 5)
    np.testing.assert_array_equal(
        volume_per_interval(daily.contact_types[0], horizon), np.array([day, day])
    )
    np.testing.assert_array_equal(
        volume_per_interval(per_day.contact_types[0], horizon)[1], 2 * np.array(day)
    )


def test_agents_per_interval_profile():
    scenario = from_dict(_single(5, agents=[[3] * 24, [4] * 24]))
    agents = agents_per_interval(scenario.agent_groups[0], scenario.horizon)
    assert agents.dtype.kind == "i"
    assert agents.tolist() == [[3] * 24, [4] * 24]


def test_arrivals_follow_the_volume_profile():
    profile = [0] * 6 + [400] * 12 + [100] * 6
    scenario = from_dict(_single(profile, days=2))
    counts = np.zeros(48)
    for replication in range(20):
        contacts = draw_contacts(scenario, seed=1, replication=replication)
        assert np.all(np.diff(contacts.arrival_s) >= 0)
        counts += np.bincount((contacts.arrival_s // 3600).astype(int), minlength=48)
    mean = counts / 20
    expected = np.array(profile * 2, dtype=float)
    assert np.all(mean[expected == 0] == 0)
    # Poisson: the mean of 20 draws is within 4 standard errors of the volume.
    busy = expected > 0
    assert np.all(np.abs(mean[busy] - expected[busy]) < 4 * np.sqrt(expected[busy] / 20))


def test_tiers_are_drawn_in_their_shares():
    data = load_contract("multi_skill.yaml")
    scenario = from_dict(data)
    contacts = draw_contacts(scenario, seed=2, replication=0)
    billing = contacts.tier[contacts.contact_type == 0]
    shares = np.bincount(billing, minlength=4) / billing.size
    np.testing.assert_allclose(shares, [0.05, 0.10, 0.25, 0.60], atol=0.01)
    assert np.all(contacts.tier[contacts.contact_type != 0] == 0)


def test_streams_are_common_across_staffing_and_independent_of_other_contact_types():
    data = load_contract("multi_skill.yaml")
    base = draw_contacts(from_dict(data), seed=3, replication=1)
    data["contact_types"][2]["volume"]["per_interval"] = 10  # only web_chat changes
    data["agent_groups"][0]["agents"] = 5
    other = draw_contacts(from_dict(data), seed=3, replication=1)
    for t in (0, 1):
        np.testing.assert_array_equal(
            base.handle_s[base.contact_type == t], other.handle_s[other.contact_type == t]
        )
        np.testing.assert_array_equal(
            base.arrival_s[base.contact_type == t], other.arrival_s[other.contact_type == t]
        )
    assert (other.contact_type == 2).sum() < (base.contact_type == 2).sum()


@pytest.mark.parametrize(
    ("distribution", "mean", "cv"),
    [
        (Exponential(distribution="exponential", mean_s=180), 180, 1.0),
        (Lognormal(distribution="lognormal", mean_s=240, cv=0.8), 240, 0.8),
        (Gamma(distribution="gamma", mean_s=300, cv=0.5), 300, 0.5),
        (Constant(distribution="constant", value_s=42), 42, 0.0),
        (Empirical(distribution="empirical", values_s=[10, 20, 60]), 30, np.std([10, 20, 60]) / 30),
    ],
    ids=["exponential", "lognormal", "gamma", "constant", "empirical"],
)
def test_variates_have_the_requested_mean_and_cv(distribution, mean, cv):
    values = draw(distribution, np.random.default_rng(7), 400_000)
    assert values.mean() == pytest.approx(mean, rel=0.01)
    assert values.std() / values.mean() == pytest.approx(cv, abs=0.01)
    assert distribution.mean == pytest.approx(mean)
    assert variance(distribution) == pytest.approx(values.var(), rel=0.03, abs=1e-9)
    assert np.all(values >= 0)


def test_yaml_merge_keys_are_allowed_and_may_be_overridden(tmp_path):
    text = (
        (CONTRACT_DIR / "single_queue.yaml")
        .read_text()
        .replace(
            "    handle_time:\n      distribution: exponential\n      mean_s: 180\n",
            "    handle_time: &ht {distribution: exponential, mean_s: 180}\n",
        )
        .replace(
            "    patience:                      # omit the block and nobody abandons (Erlang C)\n"
            "      distribution: exponential\n      mean_s: 120\n",
            "    patience: {<<: *ht, mean_s: 120}\n",
        )
    )
    path = tmp_path / "merge.yaml"
    path.write_text(text)
    scenario = load(path)
    assert scenario.contact_types[0].patience.mean_s == 120
    assert scenario.contact_types[0].patience.distribution == "exponential"


def test_tier_shares_summing_to_one_within_tolerance_simulate():
    data = load_contract("multi_skill.yaml")
    data["horizon"]["days"] = 1
    data["contact_types"][0]["tiers"] = [
        {"name": n, "share": 0.3333333} for n in ("gold", "silver", "ordinary")
    ]
    data["targets"] = []
    contacts = draw_contacts(from_dict(data), seed=1, replication=0)
    assert set(contacts.tier[contacts.contact_type == 0].tolist()) == {0, 1, 2}


def test_a_scenario_may_extend_another(tmp_path):
    """`extends` takes the base's fields; the file's own replace or add to them; a bad base is
    named in the error, and a loop is refused."""
    base = yaml.safe_load((ROOT / "scenarios/library/single_queue.yaml").read_text())
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nname: child\n")
    child = load(tmp_path / "child.yaml")
    assert (
        child.name == "child" and child.contact_types == load(tmp_path / "base.yaml").contact_types
    )
    base["horizon"]["days"] = 0
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(base))
    (tmp_path / "child2.yaml").write_text("extends: bad.yaml\n")
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path / "child2.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'bad.yaml'}: horizon.days:")
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ScenarioError, match="a loop"):
        load(tmp_path / "a.yaml")
    (tmp_path / "c.yaml").write_text("extends: 5\n")
    with pytest.raises(ScenarioError, match="extends: expected the path"):
        load(tmp_path / "c.yaml")
