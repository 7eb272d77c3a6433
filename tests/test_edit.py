"""Editing a scenario as tables (`scenarios.edit`): an untouched table changes nothing, each
edit lands where it should, and a bad edit gets the loader's one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.demand import scenario_volume
from scenarios.edit import apply_edits, edit_tables
from scenarios.load import ScenarioError, from_dict, read_mapping

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios" / "library"
FILES = sorted(LIBRARY.glob("*.yaml")) + sorted((LIBRARY / "drills").glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_untouched_tables_change_nothing(path: Path):
    mapping = read_mapping(path)
    assert apply_edits(mapping, edit_tables(mapping)) == mapping


def test_volume_factor_scales_daily_and_per_interval_volumes():
    mapping = read_mapping(LIBRARY / "telecom_hotline_week.yaml")
    tables = edit_tables(mapping)
    tables["contact_types"]["volume_factor"] = 1.5
    before, after = from_dict(mapping), from_dict(apply_edits(mapping, tables))
    for old, new in zip(before.contact_types, after.contact_types, strict=True):
        assert scenario_volume(after, new).sum() == pytest.approx(
            1.5 * scenario_volume(before, old).sum()
        )
    single = read_mapping(LIBRARY / "single_queue.yaml")
    tables = edit_tables(single)
    tables["contact_types"].loc[0, "volume_factor"] = 0.5
    old, new = from_dict(single), from_dict(apply_edits(single, tables))
    assert scenario_volume(new, new.contact_types[0]).sum() == pytest.approx(
        0.5 * scenario_volume(old, old.contact_types[0]).sum()
    )


def test_handle_time_headcount_and_target_edits_land():
    mapping = read_mapping(LIBRARY / "multi_skill.yaml")
    tables = edit_tables(mapping)
    tables["contact_types"].loc[0, "handle_time_mean_s"] = 400.0
    tables["agent_groups"].loc[0, "agents"] = 31
    tables["targets"].loc[0, "service_level"] = 0.9
    edited = from_dict(apply_edits(mapping, tables))
    assert edited.contact_types[0].handle_time.mean == 400.0
    assert edited.agent_groups[0].agents == 31
    assert edited.targets[0].service_level == 0.9
    assert mapping["agent_groups"][0]["agents"] != 31, "the original is left as it was"


def test_a_deleted_target_row_removes_the_target():
    mapping = read_mapping(LIBRARY / "multi_skill.yaml")
    tables = edit_tables(mapping)
    tables["targets"] = tables["targets"].iloc[1:]
    assert len(apply_edits(mapping, tables)["targets"]) == len(mapping["targets"]) - 1


def test_a_bad_edit_gets_the_field_path():
    mapping = read_mapping(LIBRARY / "shifts.yaml")
    tables = edit_tables(mapping)
    tables["shift_templates"].loc[0, "length_h"] = 30
    with pytest.raises(ScenarioError, match=r"shift_templates\[0\]\.length_h"):
        from_dict(apply_edits(mapping, tables), "edited")
