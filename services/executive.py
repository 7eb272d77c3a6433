"""The executive job: a plan's headcount sweep (the cost against service-level frontier), its
targets at the plan's own headcount, the drills' surge readiness, the one-page view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from report.summary import met_count_text
from scenarios.load import ScenarioError
from scenarios.schema import Scenario
from services.common import run_on, staffing_of

if TYPE_CHECKING:  # slow to import: only this job needs them
    from matplotlib.figure import Figure

    from optimise.frontier import FrontierPoint


@dataclass(frozen=True)
class ExecutiveView:
    """A plan's frontier points (factor 1 keeps its simulation), the drills' documents and
    what the page needs to draw them."""

    scenario_name: str
    points: list[FrontierPoint]
    drills: list[dict[str, Any]]
    target_level: float | None  # the strictest service-level target, drawn on the frontier

    @property
    def base(self) -> FrontierPoint:
        """The point at the plan's own headcount."""
        from optimise.frontier import base_point

        return base_point(self.points)

    def targets(self) -> list[dict[str, Any]]:
        """Each target's verdict at the plan's own headcount."""
        return self.base.results.target_results()

    def title(self, staffing: str | None = None) -> str:
        """The page's title: the scenario (on `staffing`, when named), agent-hours, cost and
        targets met."""
        base = self.base
        on = f" on {staffing}" if staffing else ""
        return (
            f"{self.scenario_name}{on}: {base.agent_hours:,.0f} agent-hours"
            + (f", cost {base.cost:,.0f}" if base.cost is not None else "")
            + f"; {met_count_text(self.targets())}"
        )

    def page(self, staffing: str | None = None) -> Figure:
        """The one A4 page (`report.executive.executive_page`)."""
        from report.executive import executive_page

        return executive_page(
            self.title(staffing),
            self.base.results.workload_table(),
            [p.to_json() for p in self.points],
            self.targets(),
            self.drills,
            target_level=self.target_level,
        )


def plan_scenario(plan: dict[str, Any], plan_file: Path, given: Path | None) -> Path:
    """The scenario file of a plan: `given`, else the one the plan names; `ScenarioError`
    naming `plan_file` when there is neither."""
    from scenarios.plan_file import plan_scenario_file

    found = given or plan_scenario_file(plan, plan_file)
    if found is None:
        raise ScenarioError(
            str(plan_file), "scenario_file", "the plan names no scenario: give --scenario"
        )
    return found


def build_executive_view(
    model: Scenario,
    file: str,
    *,
    plan: dict[str, Any] | None = None,
    plan_file: str = "plan",
    drills: Sequence[dict[str, Any]] = (),
    factors: Sequence[float] | None = None,
    replications: int = 5,
    seed: int = 0,
    workers: int | None = None,
    executor: Executor | None = None,
    scheduler: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> ExecutiveView:
    """Sweep `model`'s headcount (read from `file`) by `factors` on its own staffing or on
    `plan`'s shifts, costed at the plan's cost, with `drills` (``wfm drill`` documents) for
    the surge summary, on `executor` or the Dask `scheduler` (`run_on`). `factors` default:
    `optimise.frontier.DEFAULT_FACTORS`."""
    from optimise.frontier import DEFAULT_FACTORS, headcount_frontier

    shifts = None if plan is None else plan["shifts"]
    staffing, breaks = staffing_of(model, file, shifts, plan_file)
    with run_on(executor, scheduler) as where:
        points = headcount_frontier(
            model, staffing, breaks, factors=DEFAULT_FACTORS if factors is None else factors,
            seed=seed, replications=replications, workers=workers, executor=where,
            progress=progress, base_cost=None if plan is None else plan.get("cost"),
        )  # fmt: skip
    level = min((t.service_level for t in model.targets), default=None)
    return ExecutiveView(model.name, points, list(drills), level)
