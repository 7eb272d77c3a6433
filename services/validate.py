"""The validate job: a scenario file checked and its figures reviewed (weekly volume and peak
load per channel, targets with their sources, warnings about figures no staffing can rescue)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scenarios.load import load
from scenarios.review import Review, review
from scenarios.schema import Scenario


@dataclass(frozen=True)
class Validation:
    """A valid scenario and its review."""

    model: Scenario
    review: Review

    def headline(self, file: Path) -> str:
        """One line: the file is valid, and what it holds."""
        model = self.model
        staffed = "staffed" if model.staffed else "staffing left to the optimiser"
        return (
            f"{file}: ok: {len(model.contact_types)} contact types, "
            f"{len(model.agent_groups)} agent groups, {len(model.targets)} targets, "
            f"{model.horizon.days} days of {model.horizon.interval_min}-min intervals ({staffed})"
        )


def validate_scenario(file: Path) -> Validation:
    """The scenario at `file`, checked (`ScenarioError`, one line, when it is not valid), and
    its review."""
    model = load(file)
    return Validation(model, review(model))
