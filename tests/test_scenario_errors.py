"""Bad input gets one clear line, never a traceback (DESIGN.md, "Clear errors" and exit codes).

Every case drives the real entry point, ``cli.main()``, and checks the contract: exit code 2,
exactly one line on stderr of the form ``FILE: FIELD.PATH: what was expected, got what``, no
traceback, and no output written.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from builders import contact_type, exponential
from conftest import (
    CONTRACT_FILES,
    CliRun,
    WfmRunner,
    contract_path,
    load_contract,
    write_yaml,
)

Key = str | int
Mutation = Callable[[dict[str, Any]], None]


def set_at(*path: Key, value: Any) -> Mutation:
    """Set the value at `path` (keys and list indices) of a scenario, creating a new key."""

    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def drop(*path: Key) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


Maker = Callable[[Path], Path]


def mutated(base: str, mutation: Mutation) -> Maker:
    """A contract file, changed by `mutation`, written into the test's folder."""

    def make(folder: Path) -> Path:
        data = copy.deepcopy(load_contract(base))
        mutation(data)
        return write_yaml(folder / f"bad_{Path(base).stem}.yaml", data)

    return make


def text_file(text: str | bytes) -> Maker:
    def make(folder: Path) -> Path:
        path = folder / "bad.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return make


def tab_indented_line() -> tuple[Maker, int]:
    """single_queue.yaml with a tab instead of spaces before ``interval_min`` (a YAML syntax
    error), and the 1-based number of that line."""
    lines = contract_path("single_queue.yaml").read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("interval_min:"))
    lines[index] = "\t" + lines[index].lstrip()
    return text_file("\n".join(lines) + "\n"), index + 1


def missing_file(folder: Path) -> Path:
    return folder / "no_such_scenario.yaml"


def a_directory(folder: Path) -> Path:
    path = folder / "scenario.yaml"
    path.mkdir()
    return path


def unchanged(name: str) -> Maker:
    return lambda folder: contract_path(name)


@dataclass(frozen=True)
class Bad:
    make: Maker
    field: str  # the field path the message must name ("" for a problem with the whole file)
    expect: tuple[str, ...] = ()  # what else the message must say (what was expected, got what)
    validate: bool = True  # `wfm validate` must reject it too (False: only simulating needs it)


SYNTAX_ERROR, SYNTAX_LINE = tab_indented_line()

BAD_INPUTS = {
    "unknown-key": Bad(
        mutated("multi_skill.yaml", set_at("contact_types", 1, "volum", value=120)),
        "contact_types[1].volum",
        ("unknown key",),
    ),
    "negative-mean": Bad(
        mutated("multi_skill.yaml", set_at("contact_types", 1, "handle_time", "mean_s", value=-5)),
        "contact_types[1].handle_time.mean_s",
        ("> 0", "-5"),
    ),
    "zero-mean": Bad(
        mutated("multi_skill.yaml", set_at("contact_types", 2, "patience", "mean_s", value=0)),
        "contact_types[2].patience.mean_s",
        ("> 0", "got 0"),
    ),
    "infinite-mean": Bad(
        mutated(
            "single_queue.yaml", set_at("contact_types", 0, "handle_time", "mean_s", value=1e999)
        ),
        "contact_types[0].handle_time.mean_s",
    ),
    "missing-distribution": Bad(
        mutated("multi_skill.yaml", drop("contact_types", 1, "handle_time", "distribution")),
        "contact_types[1].handle_time.distribution",
        ("required",),
    ),
    "unknown-distribution": Bad(
        mutated(
            "multi_skill.yaml",
            set_at("contact_types", 1, "handle_time", "distribution", value="weibull"),
        ),
        "contact_types[1].handle_time.distribution",
        ("'weibull'", "lognormal", "exponential"),
    ),
    "tier-shares-not-summing-to-1": Bad(
        mutated("multi_skill.yaml", set_at("contact_types", 0, "tiers", 3, "share", value=0.5)),
        "contact_types[0].tiers",
        ("sum to 1", "0.9"),
    ),
    "skill-no-group-has": Bad(
        mutated("multi_skill.yaml", set_at("contact_types", 2, "skill", value="video")),
        "contact_types[2].skill",
        ("'video'",),
    ),
    "unknown-channel": Bad(
        mutated("multi_skill.yaml", set_at("contact_types", 2, "channel", value="email")),
        "contact_types[2].channel",
        ("'email'", "voice", "chat"),
    ),
    "target-unknown-contact-type": Bad(
        mutated("multi_skill.yaml", set_at("targets", 4, "contact_type", value="teck")),
        "targets[4].contact_type",
        ("'teck'", "billing", "tech", "web_chat"),
    ),
    "target-unknown-tier": Bad(
        mutated("multi_skill.yaml", set_at("targets", 0, "tier", value="platinum")),
        "targets[0].tier",
        ("'platinum'", "diamond"),
    ),
    "target-tier-on-type-without-tiers": Bad(
        mutated("multi_skill.yaml", set_at("targets", 4, "tier", value="gold")),
        "targets[4].tier",
        ("'gold'",),
    ),
    "service-level-as-percent": Bad(
        mutated("single_queue.yaml", set_at("targets", 0, "service_level", value=80)),
        "targets[0].service_level",
        ("<= 1", "80"),
    ),
    "volume-list-wrong-length": Bad(
        mutated(
            "single_queue.yaml",
            set_at("contact_types", 0, "volume", "per_interval", value=[300] * 47),
        ),
        "contact_types[0].volume.per_interval",
        ("48", "47"),
    ),
    "per-day-volume-wrong-number-of-days": Bad(
        mutated(
            "single_queue.yaml",
            set_at("contact_types", 0, "volume", "per_interval", value=[[300] * 48] * 6),
        ),
        "contact_types[0].volume.per_interval",
        ("7", "6"),
    ),
    "per-day-volume-short-day": Bad(
        mutated(
            "single_queue.yaml",
            set_at(
                "contact_types", 0, "volume", "per_interval", value=[[300] * 48] * 6 + [[300] * 47]
            ),
        ),
        "contact_types[0].volume.per_interval[6]",
        ("48", "47"),
    ),
    "negative-volume": Bad(
        mutated(
            "single_queue.yaml", set_at("contact_types", 0, "volume", "per_interval", value=-1)
        ),
        "contact_types[0].volume.per_interval",
        ("from 0 to", "-1"),
    ),
    "absurd-volume": Bad(
        mutated(
            "single_queue.yaml", set_at("contact_types", 0, "volume", "per_interval", value=1e300)
        ),
        "contact_types[0].volume.per_interval",
        ("1e+300",),
    ),
    "non-integer-agents": Bad(
        mutated("single_queue.yaml", set_at("agent_groups", 0, "agents", value=33.5)),
        "agent_groups[0].agents",
        ("whole number", "33.5"),
    ),
    "non-integer-agents-in-list": Bad(
        mutated("single_queue.yaml", set_at("agent_groups", 0, "agents", value=[33] * 47 + [2.5])),
        "agent_groups[0].agents[47]",
        ("whole number", "2.5"),
    ),
    "interval-not-dividing-a-day": Bad(
        mutated("single_queue.yaml", set_at("horizon", "interval_min", value=7)),
        "horizon.interval_min",
        ("1440", "7"),
    ),
    "chat-concurrency-0": Bad(
        mutated("multi_skill.yaml", set_at("channels", 1, "concurrency", value=0)),
        "channels[1].concurrency",
        (">= 1", "0"),
    ),
    "duplicate-agent-group": Bad(
        mutated("multi_skill.yaml", set_at("agent_groups", 3, "name", value="blended")),
        "agent_groups[3].name",
        ("duplicate", "'blended'"),
    ),
    "missing-name": Bad(
        mutated("single_queue.yaml", drop("name")),
        "name",
        ("required",),
    ),
    "no-agents-to-simulate": Bad(
        unchanged("shifts.yaml"),
        "agent_groups[0].agents",
        ("required",),
        validate=False,
    ),
    "boolean-days": Bad(
        mutated("single_queue.yaml", set_at("horizon", "days", value=True)),
        "horizon.days",
        ("integer", "True"),
    ),
    "text-interval": Bad(
        mutated("single_queue.yaml", set_at("horizon", "interval_min", value="30")),
        "horizon.interval_min",
        ("integer", "'30'"),
    ),
    "huge-cv": Bad(
        mutated("multi_skill.yaml", set_at("contact_types", 0, "handle_time", "cv", value=1e200)),
        "contact_types[0].handle_time.cv",
        ("<= 20",),
    ),
    "empty-tier-name-in-target": Bad(
        mutated("single_queue.yaml", set_at("targets", 0, "tier", value="")),
        "targets[0].tier",
        ("at least 1",),
    ),
    "break-past-the-shift-end": Bad(
        mutated("shifts.yaml", set_at("shift_templates", 1, "breaks", 0, "after_h_max", value=5.9)),
        "shift_templates[1].breaks[0].after_h_max",
        ("end within the 6 h shift",),
        validate=True,
    ),
    "empty-file": Bad(text_file(""), "", ("empty",)),
    "list-as-key": Bad(text_file("name: x\n? [a, b]\n: 1\n"), "", ("cannot be a key", "line 2")),
    "only-comments": Bad(text_file("# nothing here\n\n"), "", ("empty",)),
    "yaml-syntax-error": Bad(SYNTAX_ERROR, "", ("YAML", f"line {SYNTAX_LINE}")),
    "duplicate-key": Bad(text_file("name: a\nname: b\n"), "", ("duplicate key 'name'", "line 2")),
    "not-utf8": Bad(text_file(b"\xff\xfename: x\n"), "", ("cannot read",)),
    "top-level-list": Bad(text_file("- name: x\n- name: y\n"), "", ("mapping", "list")),
    "top-level-text": Bad(text_file("just some words\n"), "", ("mapping",)),
    "missing-file": Bad(missing_file, "", ("not found",)),
    "directory": Bad(a_directory, "", ("directory",)),
    # --- the newer fields: time units, daily volumes, customer behaviour, hours, shifts --------
    "mean-in-two-units": Bad(
        mutated("multi_skill.yaml", set_at("contact_types", 1, "handle_time", "mean_min", value=4)),
        "contact_types[1].handle_time.mean_min",
        ("give one of", "mean_s and mean_min"),
    ),
    "mean-in-no-unit": Bad(
        mutated("multi_skill.yaml", drop("contact_types", 1, "handle_time", "mean_s")),
        "contact_types[1].handle_time.mean_s",
        ("required", "mean_min", "mean_h"),
    ),
    "constant-value-in-two-units": Bad(
        mutated(
            "multi_skill.yaml",
            set_at(
                "contact_types",
                1,
                "handle_time",
                value={"distribution": "constant", "value_s": 180, "value_h": 1},
            ),
        ),
        "contact_types[1].handle_time.value_h",
        ("give one of", "value_s and value_h"),
    ),
    "volume-per-interval-and-daily": Bad(
        mutated("single_queue.yaml", set_at("contact_types", 0, "volume", "daily", value=1000)),
        "contact_types[0].volume.daily",
        ("either per_interval or daily", "not both"),
    ),
    "volume-neither-per-interval-nor-daily": Bad(
        mutated("single_queue.yaml", set_at("contact_types", 0, "volume", value={})),
        "contact_types[0].volume.per_interval",
        ("required", "daily"),
    ),
    "intraday-wrong-number-of-weights": Bad(
        mutated(
            "single_queue.yaml",
            set_at("contact_types", 0, "volume", value={"daily": 1000, "intraday": [1] * 47}),
        ),
        "contact_types[0].volume.intraday",
        ("expected 48 weights", "got 47"),
    ),
    "weekly-6-weights": Bad(
        mutated(
            "single_queue.yaml",
            set_at("contact_types", 0, "volume", value={"daily": 1000, "weekly": [1] * 6}),
        ),
        "contact_types[0].volume.weekly",
        ("expected at least 7 items, got 6",),
    ),
    "intraday-weights-all-zero": Bad(
        mutated(
            "single_queue.yaml",
            set_at("contact_types", 0, "volume", value={"daily": 1000, "intraday": [0] * 48}),
        ),
        "contact_types[0].volume.intraday",
        ("positive sum",),
    ),
    "overdispersion-cv-0": Bad(
        mutated(
            "single_queue.yaml",
            set_at("contact_types", 0, "volume", "overdispersion", value={"cv": 0}),
        ),
        "contact_types[0].volume.overdispersion.cv",
        ("> 0", "got 0"),
    ),
    "overdispersion-cv-negative": Bad(
        mutated(
            "single_queue.yaml",
            set_at("contact_types", 0, "volume", "overdispersion", value={"cv": -0.1}),
        ),
        "contact_types[0].volume.overdispersion.cv",
        ("> 0", "got -0.1"),
    ),
    "deflection-1": Bad(
        mutated(
            "single_queue.yaml",
            set_at("contact_types", 0, "self_service", value={"deflection": 1.0}),
        ),
        "contact_types[0].self_service.deflection",
        ("< 1", "got 1.0"),
    ),
    "fcr-without-repeat-after": Bad(
        mutated(
            "single_queue.yaml", set_at("contact_types", 0, "first_contact_resolution", value=0.9)
        ),
        "contact_types[0].repeat_after",
        ("required when first_contact_resolution is below 1",),
    ),
    "repeat-after-without-fcr": Bad(
        mutated(
            "single_queue.yaml",
            set_at(
                "contact_types",
                0,
                "repeat_after",
                value={"distribution": "exponential", "mean_h": 24},
            ),
        ),
        "contact_types[0].first_contact_resolution",
        ("required with repeat_after",),
    ),
    "retrial-without-patience": Bad(
        mutated(
            "single_queue.yaml",
            set_at(
                "contact_types",
                0,
                value=contact_type(
                    "general",
                    volume=300,
                    handle=exponential(mean_s=180),
                    retrial={"probability": 0.5, "delay": exponential(mean_min=10)},
                ),
            ),
        ),
        "contact_types[0].retrial",
        ("needs patience",),
    ),
    "escalation-to-unknown-type": Bad(
        mutated(
            "multi_skill.yaml",
            set_at(
                "contact_types", 0, "escalation", value=[{"to": "complaint", "probability": 0.1}]
            ),
        ),
        "contact_types[0].escalation[0].to",
        ("unknown contact type 'complaint'", "billing, tech, web_chat"),
    ),
    "escalation-to-itself": Bad(
        mutated(
            "multi_skill.yaml",
            set_at("contact_types", 0, "escalation", value=[{"to": "billing", "probability": 0.1}]),
        ),
        "contact_types[0].escalation[0].to",
        ("escalate to itself",),
    ),
    "escalation-probabilities-over-1": Bad(
        mutated(
            "multi_skill.yaml",
            set_at(
                "contact_types",
                0,
                "escalation",
                value=[{"to": "tech", "probability": 0.6}, {"to": "web_chat", "probability": 0.5}],
            ),
        ),
        "contact_types[0].escalation",
        ("sum to at most 1", "got 1.1"),
    ),
    "callback-on-chat": Bad(
        mutated(
            "multi_skill.yaml",
            set_at(
                "contact_types", 2, "callback", value={"offer_after_wait_s": 120, "take_up": 0.5}
            ),
        ),
        "contact_types[2].callback",
        ("only voice", "not chat"),
    ),
    "patience-on-email": Bad(
        # web_chat (with patience) on a channel turned into e-mail
        mutated("multi_skill.yaml", set_at("channels", 1, value={"name": "chat", "kind": "email"})),
        "contact_types[2].patience",
        ("does not abandon",),
    ),
    "business-hours-on-voice": Bad(
        mutated(
            "single_queue.yaml",
            set_at("channels", 0, "business_hours", value={"start": "08:00", "end": "20:00"}),
        ),
        "channels[0].business_hours",
        ("only an email channel", "not voice"),
    ),
    "opening-hours-on-email": Bad(
        mutated(
            "single_queue.yaml",
            set_at(
                "channels",
                0,
                value={
                    "name": "voice",
                    "kind": "email",
                    "opening_hours": {"start": "08:00", "end": "20:00"},
                },
            ),
        ),
        "channels[0].opening_hours",
        ("only a walk_in channel", "not email"),
    ),
    "hours-end-before-start": Bad(
        mutated(
            "single_queue.yaml",
            set_at(
                "channels",
                0,
                value={
                    "name": "voice",
                    "kind": "walk_in",
                    "opening_hours": {"start": "18:00", "end": "08:00"},
                },
            ),
        ),
        "channels[0].opening_hours.end",
        ("after start (18:00)", "got 08:00"),
    ),
    "hours-start-off-the-grid": Bad(
        mutated(
            "single_queue.yaml",
            set_at(
                "channels",
                0,
                value={
                    "name": "voice",
                    "kind": "walk_in",
                    "opening_hours": {"start": "09:15", "end": "17:00"},
                },
            ),
        ),
        "channels[0].opening_hours.start",
        ("30-min interval grid", "got 09:15"),
    ),
    "hours-bad-weekday": Bad(
        mutated(
            "single_queue.yaml",
            set_at(
                "channels",
                0,
                value={
                    "name": "voice",
                    "kind": "walk_in",
                    "opening_hours": {"start": "09:00", "end": "17:00", "days": ["mon", "tues"]},
                },
            ),
        ),
        "channels[0].opening_hours.days[1]",
        ("'mon'", "got 'tues'"),
    ),
    "agents-and-shifts": Bad(
        mutated(
            "single_queue.yaml",
            set_at(
                "agent_groups",
                0,
                "shifts",
                value=[{"day": "mon", "start": "08:00", "end": "16:00", "count": 5}],
            ),
        ),
        "agent_groups[0].shifts",
        ("either agents or shifts",),
    ),
    "shift-day-past-the-horizon": Bad(
        mutated(
            "shifts.yaml",
            set_at(
                "agent_groups",
                0,
                "shifts",
                value=[{"day": 7, "start": "08:00", "end": "16:00", "count": 5}],
            ),
        ),
        "agent_groups[0].shifts[0].day",
        ("from 0 to 6", "weekday name", "got 7"),
    ),
    "shift-break-outside-the-shift": Bad(
        mutated(
            "shifts.yaml",
            set_at(
                "agent_groups",
                0,
                "shifts",
                value=[
                    {
                        "day": "mon",
                        "start": "08:00",
                        "end": "16:00",
                        "breaks": [{"start": "15:45", "length_min": 30}],
                    }
                ],
            ),
        ),
        "agent_groups[0].shifts[0].breaks[0]",
        ("within the shift 08:00-16:00",),
    ),
    "shift-start-not-a-clock-time": Bad(
        mutated(
            "shifts.yaml",
            set_at(
                "agent_groups",
                0,
                "shifts",
                value=[{"day": "mon", "start": "8am", "end": "16:00", "count": 5}],
            ),
        ),
        "agent_groups[0].shifts[0].start",
        ("HH:MM", "got '8am'"),
    ),
    "shift-day-a-bad-weekday": Bad(
        mutated(
            "shifts.yaml",
            set_at(
                "agent_groups",
                0,
                "shifts",
                value=[{"day": "monday", "start": "08:00", "end": "16:00", "count": 5}],
            ),
        ),
        "agent_groups[0].shifts[0].day",
        ("weekday name", "got 'monday'"),
    ),
    "unquoted-clock-time": Bad(
        # YAML reads an unquoted 18:00 as the number 1080
        text_file(
            contract_path("single_queue.yaml")
            .read_text(encoding="utf-8")
            .replace(
                "  - name: voice\n    kind: voice\n",
                "  - name: voice\n    kind: walk_in\n"
                "    opening_hours: {start: '09:00', end: 18:00}\n",
            )
        ),
        "channels[0].opening_hours.end",
        ("clock time in quotes", "got the number 1080"),
    ),
    "absence-1": Bad(
        mutated("single_queue.yaml", set_at("agent_groups", 0, "absence", value=1.0)),
        "agent_groups[0].absence",
        ("< 1", "got 1.0"),
    ),
    "source-a-number": Bad(
        mutated("single_queue.yaml", set_at("targets", 0, "source", value=42)),
        "targets[0].source",
        ("string", "got 42"),
    ),
}


def assert_one_line(run: CliRun, starts: str, expect: tuple[str, ...] = ()) -> str:
    """The contract of bad input: exit 2 and one non-empty line on stderr, no traceback."""
    assert "Traceback" not in run.err + run.out, run.err
    assert run.code == 2, f"exit code {run.code!r}, stderr: {run.err!r}"
    assert len(run.err_lines) == 1, f"expected one line on stderr, got {run.err_lines!r}"
    line = run.err_lines[0]
    assert line.strip(), "the error line is blank"
    assert line.startswith(starts), f"{line!r} does not start with {starts!r}"
    for fragment in expect:
        assert fragment in line, f"{line!r} does not say {fragment!r}"
    return line


def expected_start(path: Path, field: str) -> str:
    """``FILE: FIELD: `` (``FILE: `` for a problem with the file as a whole)."""
    return f"{path}: {field}: " if field else f"{path}: "


@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=list(BAD_INPUTS))
def test_simulate_rejects_bad_scenario(case: Bad, wfm: WfmRunner, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    out = tmp_path / "out" / "result.json"
    run = wfm("simulate", path, "--replications", "1", "--workers", "1", "--json", out)
    assert_one_line(run, expected_start(path, case.field), case.expect)
    assert not out.exists(), "an output file was written for bad input"
    assert not out.parent.exists(), "an output folder was created for bad input"


VALIDATED = {name: case for name, case in BAD_INPUTS.items() if case.validate}


@pytest.mark.parametrize("case", VALIDATED.values(), ids=list(VALIDATED))
def test_validate_rejects_bad_scenario(case: Bad, wfm: WfmRunner, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    run = wfm("validate", path)
    assert_one_line(run, expected_start(path, case.field), case.expect)
    assert run.out == "", "validate printed a verdict for a bad file"


@pytest.mark.parametrize("name", CONTRACT_FILES)
def test_validate_accepts_contract_files(name: str, wfm: WfmRunner) -> None:
    path = contract_path(name)
    run = wfm("validate", path)
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out.startswith(f"{path}: ok"), run.out


def test_first_problem_counts_the_others(wfm: WfmRunner, tmp_path: Path) -> None:
    """Several mistakes: still one line, naming the first and counting the rest."""
    data = load_contract("multi_skill.yaml")
    data["contact_types"][1]["handle_time"]["mean_s"] = -5
    data["contact_types"][2]["patience"]["mean_s"] = 0
    path = write_yaml(tmp_path / "two_mistakes.yaml", data)
    run = wfm("validate", path)
    assert_one_line(run, f"{path}: contact_types[1].handle_time.mean_s: ", ("1 more problem",))


BAD_OPTIONS = {
    "replications-0": (["--replications", "0"], "--replications"),
    "replications-not-a-number": (["--replications", "many"], "--replications"),
    "workers-0": (["--workers", "0"], "--workers"),
    "negative-seed": (["--seed", "-1"], "--seed"),
    "unknown-option": (["--replicatons", "3"], "--replicatons"),
}


@pytest.mark.parametrize(("options", "named"), BAD_OPTIONS.values(), ids=list(BAD_OPTIONS))
def test_bad_option(options: list[str], named: str, wfm: WfmRunner, tmp_path: Path) -> None:
    out = tmp_path / "out" / "result.json"
    run = wfm("simulate", contract_path("single_queue.yaml"), *options, "--json", out)
    assert_one_line(run, "wfm: ", (named,))
    assert not out.parent.exists()


def test_missing_scenario_argument(wfm: WfmRunner) -> None:
    run = wfm("simulate", "--replications", "1")
    line = assert_one_line(run, "wfm: ").lower()
    assert "missing" in line and "scenario" in line, line


def test_unknown_command(wfm: WfmRunner) -> None:
    run = wfm("simulat", str(contract_path("single_queue.yaml")))
    assert_one_line(run, "wfm: ", ("simulat",))
