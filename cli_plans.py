"""The `wfm optimise` and `wfm roster` commands: a plan's shifts, then the named agents on
them. Registered on the `wfm` app by `cli.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli_options import Confidence, NoStore, Scheduler, Store, Tolerance
from cli_support import (
    StageLine,
    breaks_text,
    keep_run,
    require_shift_model,
    store_for,
)
from report.export import check_writable, csv_text, json_text, write_all
from report.summary import optimisation_summary
from scenarios.load import load
from scenarios.plan_file import read_plan
from sim.cluster import executor_for, scheduler_address


def optimise(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file with shift templates.")],
    json_path: Annotated[Path, typer.Option("--json", help="Write the plan as JSON here.")],
    requirements: Annotated[
        Path | None,
        typer.Option(help="Schedule this requirement CSV (day,start,group,agents) as given."),
    ] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            min=0.1,
            help="Seconds (CP-SAT's deterministic time) the solver may take per schedule; "
            "a search round's solves stop at 1.",
        ),
    ] = 30.0,
    replications: Annotated[
        int, typer.Option(min=1, help="Replications each check starts with.")
    ] = 10,
    max_replications: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Replications a check may grow to while a verdict is open [default: about "
            "8 million simulated contacts' worth, between 16 and 64 x --replications].",
        ),
    ] = None,
    confidence: Confidence = 0.95,
    tolerance: Tolerance = 0.02,
    max_rounds: Annotated[
        int, typer.Option(min=1, max=1000, help="Rounds of the search at most.")
    ] = 30,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes [default: one per core].")
    ] = None,
    soft: Annotated[
        bool, typer.Option(help="Leave intervals short at a price instead of failing.")
    ] = False,
    budget: Annotated[float | None, typer.Option(min=0, help="Cap on the plan's cost.")] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write shifts and coverage as CSV here.")
    ] = None,
    scheduler: Scheduler = None,
    store: Store = None,
    no_store: NoStore = False,
) -> None:
    """Find the cheapest shifts whose simulated service meets the scenario's targets."""
    import pandas as pd

    from optimise.loop import optimise as run_optimisation
    from optimise.requirements import read_requirement_csv
    from sim.metrics import json_safe

    model = load(scenario)
    require_shift_model(model, scenario)
    needed = None if requirements is None else read_requirement_csv(requirements, model)
    csv_paths = [csv_dir / f"{n}.csv" for n in ("shifts", "coverage")] if csv_dir else []
    check_writable([json_path, *csv_paths])
    keep = store_for(store, no_store)
    with executor_for(scheduler_address(scheduler)) as executor, StageLine() as stage:
        result = run_optimisation(
            model,
            needed,
            seed=seed,
            replications=replications,
            max_replications=max_replications,
            confidence=confidence,
            tolerance=tolerance,
            max_rounds=max_rounds,
            time_limit_s=time_limit,
            workers=workers,
            executor=executor,
            soft=soft,
            budget=budget,
            progress=stage.update,
        )
    document = json_safe(result.to_json()) | {"scenario_file": str(scenario)}
    outputs = {json_path: json_text(document)}
    if csv_paths:
        shifts = pd.DataFrame(
            [{**row, "breaks": breaks_text(row["breaks"])} for row in document["shifts"]]
        )
        outputs[csv_paths[0]] = csv_text(shifts)
        outputs[csv_paths[1]] = csv_text(pd.DataFrame(document["coverage"]))
    write_all(outputs)
    params = {
        "replications": replications, "max_replications": max_replications,
        "confidence": confidence, "tolerance": tolerance, "max_rounds": max_rounds,
        "time_limit_s": time_limit, "soft": soft,
        "budget": budget, "requirements": None if requirements is None else str(requirements),
    }  # fmt: skip
    typer.echo(optimisation_summary(document))
    keep_run(keep, "optimise", model, scenario, params, seed, document)


def roster(
    plan_json: Annotated[Path, typer.Argument(help="A plan written by `wfm optimise --json`.")],
    json_path: Annotated[Path, typer.Option("--json", help="Write the roster as JSON here.")],
    agents: Annotated[
        Path | None,
        typer.Option(help="Agents CSV (agent,group[,min_hours_week,max_hours_week,...])."),
    ] = None,
    weeks: Annotated[int, typer.Option(min=1, max=4, help="Weeks to roster.")] = 1,
    pseudonymise: Annotated[
        bool, typer.Option(help="Replace agent names by stable IDs in every output.")
    ] = False,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds for the solver.")] = 30.0,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write the assignments as CSV here.")
    ] = None,
) -> None:
    """Assign named agents to a plan's shifts over 1 to 4 weeks, under the working-time rules."""
    import pandas as pd

    from optimise.roster import RosterInputError, build_roster, generate_agents, read_agents_csv

    plan = read_plan(plan_json)
    people = read_agents_csv(agents) if agents is not None else generate_agents(plan, weeks)
    csv_paths = [csv_dir / "assignments.csv"] if csv_dir is not None else []
    check_writable([json_path, *csv_paths])
    try:
        result = build_roster(
            plan,
            people,
            weeks,
            time_limit_s=time_limit,
            pseudonymise=pseudonymise,
            first_weekday=plan.get("first_weekday", 0),
        )
    except RosterInputError as err:
        raise RosterInputError(f"{plan_json}: {err}") from None
    outputs = {json_path: result.to_json() + "\n"}
    if csv_paths:
        rows = [{**row, "breaks": breaks_text(row["breaks"])} for row in result.assignments]
        outputs[csv_paths[0]] = csv_text(pd.DataFrame(rows))
    write_all(outputs)
    filled = len(result.assignments)
    typer.echo(
        f"roster {result.status}: {filled} shifts assigned to {len(people)} agents over "
        f"{weeks} week{'s' if weeks > 1 else ''}, {result.unfilled_agent_shifts} left unfilled"
        + (f"; rules not met: {', '.join(result.violated_rules)}" if result.violated_rules else "")
        + (f"; binding: {', '.join(result.binding_rules)}" if result.binding_rules else "")
    )
