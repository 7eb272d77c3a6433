"""The `wfm optimise` and `wfm roster` commands: a plan's shifts, then the named agents on
them. Registered on the `wfm` app by `cli.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli_options import (
    MAX_REPLICATIONS,
    MAX_TIME_LIMIT_S,
    Confidence,
    NoStore,
    Scheduler,
    Seed,
    Store,
    Tolerance,
    Workers,
)
from cli_support import StageLine, show_kept
from report.export import check_outputs, csv_text, json_text, write_all
from report.summary import optimisation_summary
from services import (
    MAX_BUDGET,
    load,
    read_plan,
    run_optimisation,
    run_roster,
)


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
            max=MAX_TIME_LIMIT_S,
            help="Seconds (CP-SAT's deterministic time) the solver may take per schedule; "
            "a search round's solves stop at 1.",
        ),
    ] = 30.0,
    replications: Annotated[
        int, typer.Option(min=1, max=MAX_REPLICATIONS, help="Replications each check starts with.")
    ] = 10,
    max_replications: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_REPLICATIONS,
            help="Replications a check may grow to while a verdict is open [default: about "
            "8 million simulated contacts' worth, between 16 and 64 x --replications].",
        ),
    ] = None,
    confidence: Confidence = 0.95,
    tolerance: Tolerance = 0.02,
    max_rounds: Annotated[
        int, typer.Option(min=1, max=1000, help="Rounds of the search at most.")
    ] = 30,
    seed: Seed = 0,
    workers: Workers = None,
    soft: Annotated[
        bool, typer.Option(help="Leave intervals short at a price instead of failing.")
    ] = False,
    budget: Annotated[
        float | None,
        typer.Option(
            min=0,
            max=MAX_BUDGET,
            help=f"Cap on the plan's cost (at most {MAX_BUDGET:.0e}).",
        ),
    ] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write shifts and coverage as CSV here.")
    ] = None,
    scheduler: Scheduler = None,
    store: Store = None,
    no_store: NoStore = False,
) -> None:
    """Find the cheapest shifts whose simulated service meets the scenario's targets."""
    model = load(scenario)
    csv_paths = [csv_dir / f"{n}.csv" for n in ("shifts", "coverage")] if csv_dir else []
    check_outputs(
        {"--json": json_path} | {f"--csv {path.name}": path for path in csv_paths},
        {"the scenario": scenario, "--requirements": requirements},
    )
    with StageLine() as stage:
        run = run_optimisation(
            model, str(scenario), requirements=requirements, replications=replications,
            max_replications=max_replications, confidence=confidence, tolerance=tolerance,
            max_rounds=max_rounds, time_limit_s=time_limit, soft=soft, budget=budget, seed=seed,
            workers=workers, scheduler=scheduler, progress=stage.update, store=store,
            keep=not no_store, scenario_file=scenario,
        )  # fmt: skip
    outputs = {json_path: json_text(run.document)}
    if csv_paths:
        tables = run.tables()
        outputs[csv_paths[0]] = csv_text(tables["shifts"])
        outputs[csv_paths[1]] = csv_text(tables["coverage"])
    write_all(outputs)
    typer.echo(optimisation_summary(run.document))
    show_kept(run.kept)


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
    time_limit: Annotated[
        float, typer.Option(min=0.1, max=MAX_TIME_LIMIT_S, help="Seconds for the solver.")
    ] = 30.0,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write the assignments as CSV here.")
    ] = None,
) -> None:
    """Assign named agents to a plan's shifts over 1 to 4 weeks, under the working-time rules."""
    plan = read_plan(plan_json)
    csv_paths = [csv_dir / "assignments.csv"] if csv_dir is not None else []
    check_outputs(
        {"--json": json_path} | {f"--csv {path.name}": path for path in csv_paths},
        {"the plan": plan_json, "--agents": agents},
    )
    run = run_roster(
        plan, str(plan_json), agents_csv=agents, weeks=weeks, pseudonymise=pseudonymise,
        time_limit_s=time_limit,
    )  # fmt: skip
    outputs = {json_path: run.roster.to_json() + "\n"}
    if csv_paths:
        outputs[csv_paths[0]] = csv_text(run.tables()["assignments"])
    write_all(outputs)
    typer.echo(run.summary())
