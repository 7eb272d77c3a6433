"""The `wfm` command: a thin front-end over the public functions of scenarios/, sim/, report/.

Exit codes: 0 ok, 2 bad input (one line on stderr, no traceback), 1 internal error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli_options import Confidence, MaxReplications, NoStore, Scheduler, Store, Tolerance
from cli_plans import optimise, roster
from cli_support import (
    ProgressBar,
    file_id,
    keep_run,
    require_incident,
    require_staffing,
    store_for,
)
from report.export import OutputError, check_writable, csv_text, json_text, write_all
from report.summary import (
    drill_summary,
    met_count_text,
    simulation_summary,
    validation_summary,
)
from runs.store import StoreError
from scenarios.load import ScenarioError, load
from scenarios.plan_file import check_plan_fits, plan_staffing, read_drill, read_plan
from sim.cluster import ClusterError, executor_for, scheduler_address

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="wfm: contact-centre workforce simulation and staffing.",
)


CSV_TABLES = ("intervals", "intervals_by_tier", "occupancy")


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")]) -> None:
    """Check a scenario file and print its figures: weekly volume and peak load per channel,
    targets with their sources, and warnings about figures no staffing can rescue."""
    from scenarios.review import review

    model = load(scenario)
    staffed = "staffed" if model.staffed else "staffing left to the optimiser"
    typer.echo(
        f"{scenario}: ok: {len(model.contact_types)} contact types, "
        f"{len(model.agent_groups)} agent groups, {len(model.targets)} targets, "
        f"{model.horizon.days} days of {model.horizon.interval_min}-min intervals ({staffed})"
    )
    typer.echo(validation_summary(review(model)))


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    replications: Annotated[int, typer.Option(min=1, help="Independent replications.")] = 10,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
    plan: Annotated[
        Path | None, typer.Option(help="Staff it with this plan's shifts (`wfm optimise`).")
    ] = None,
    max_replications: MaxReplications = None,
    confidence: Confidence = 0.95,
    tolerance: Tolerance = 0.02,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes [default: one per core].")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the results as JSON here.")
    ] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write interval tables as CSV into this folder.")
    ] = None,
    scheduler: Scheduler = None,
    store: Store = None,
    no_store: NoStore = False,
) -> None:
    """Simulate the scenario's staffing (or a plan's) and report service levels against the
    targets, each with its verdict."""
    from sim.sequential import simulate_until_decided
    from sim.verdict import DecisionRule

    model = load(scenario)
    staffing = None
    if plan is None:
        require_staffing(model, scenario)
    else:
        shifts_plan = read_plan(plan)
        check_plan_fits(model, shifts_plan, str(plan))
        staffing, _ = plan_staffing(model, shifts_plan["shifts"], str(plan))
    json_paths = [json_path] if json_path is not None else []
    csv_paths = [csv_dir / f"{name}.csv" for name in CSV_TABLES] if csv_dir is not None else []
    check_writable(json_paths + csv_paths)
    keep = store_for(store, no_store)
    with executor_for(scheduler_address(scheduler)) as executor, ProgressBar("simulating") as bar:
        results = simulate_until_decided(
            model,
            staffing,
            seed,
            replications,
            max_replications or replications,
            DecisionRule(confidence, tolerance),
            executor=executor,
            workers=workers,
            progress=bar.update,
        )
    document = results.to_json()
    outputs = {path: json_text(document) for path in json_paths}
    if csv_paths:
        tables = [
            results.interval_table(),
            results.interval_table(by_tier=True),
            results.group_interval_table(),
        ]
        outputs |= {path: csv_text(t) for path, t in zip(csv_paths, tables, strict=True)}
    write_all(outputs)
    typer.echo(simulation_summary(document))
    params = {
        "replications": replications, "max_replications": max_replications,
        "confidence": confidence, "tolerance": tolerance, "plan": file_id(plan),
    }  # fmt: skip
    keep_run(keep, "simulate", model, scenario, params, seed, document)


app.command()(optimise)


@app.command()
def drill(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file with incidents.")],
    incident: Annotated[str, typer.Option(help="The incident to run (its name).")],
    json_path: Annotated[Path, typer.Option("--json", help="Write the drill as JSON here.")],
    plan: Annotated[
        Path | None, typer.Option(help="Run on this plan's shifts (`wfm optimise --json`).")
    ] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(help="Also score these response plans (repeat, or comma-separated)."),
    ] = None,
    replications: Annotated[int, typer.Option(min=1, help="Independent replications.")] = 10,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes [default: one per core].")
    ] = None,
    png: Annotated[
        Path | None, typer.Option(help="Draw the timeline here (PNG, or PDF for a .pdf name).")
    ] = None,
    scheduler: Scheduler = None,
    store: Store = None,
    no_store: NoStore = False,
) -> None:
    """Layer an incident on the normal staffing, run its response (and alternatives), and
    print the scorecard."""
    from sim.drill import drill as run_drill

    model = load(scenario)
    names = [name for value in compare or [] for name in value.split(",") if name]
    require_incident(model, scenario, incident, names)
    if plan is None:
        require_staffing(model, scenario)
        staffing = breaks = None
    else:
        staffing, breaks = plan_staffing(model, read_plan(plan)["shifts"], str(plan))
    check_writable([json_path] + ([png] if png else []))
    keep = store_for(store, no_store)
    with executor_for(scheduler_address(scheduler)) as executor:
        document = run_drill(
            model,
            incident,
            staffing,
            breaks,
            compare=names,
            seed=seed,
            replications=replications,
            executor=executor,
            workers=workers,
        ).to_json()
    outputs: dict[Path, str | bytes] = {json_path: json_text(document)}
    if png is not None:
        from report.drill_figure import timeline_figure
        from report.export import figure_bytes

        outputs[png] = figure_bytes(timeline_figure(document), png.suffix)
    write_all(outputs)
    params = {"incident": incident, "plan": file_id(plan), "compare": names,
              "replications": replications}  # fmt: skip
    typer.echo(drill_summary(document))
    keep_run(keep, "drill", model, scenario, params, seed, document)


@app.command()
def report(
    plan_json: Annotated[Path, typer.Argument(help="A plan written by `wfm optimise --json`.")],
    pdf: Annotated[Path, typer.Option(help="Write the executive one-pager (PDF) here.")],
    scenario: Annotated[
        Path | None,
        typer.Option(help="The plan's scenario [default: the one the plan names]."),
    ] = None,
    drill: Annotated[
        list[Path] | None,
        typer.Option(help="A `wfm drill --json` document for the surge summary (repeatable)."),
    ] = None,
    replications: Annotated[int, typer.Option(min=1, help="Replications per point.")] = 5,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes [default: one per core].")
    ] = None,
    scheduler: Scheduler = None,
) -> None:
    """The executive one-pager of a plan: capacity against demand, the cost against
    service-level frontier of a headcount sweep, the targets, and the drills' summary."""
    from optimise.frontier import base_point, headcount_frontier
    from report.executive import executive_page
    from report.export import figure_bytes
    from scenarios.plan_file import plan_scenario_file

    plan = read_plan(plan_json)
    scenario = scenario or plan_scenario_file(plan, plan_json)
    if scenario is None:
        raise ScenarioError(
            str(plan_json), "scenario_file", "the plan names no scenario: give --scenario"
        )
    model = load(scenario)
    staffing, breaks = plan_staffing(model, plan["shifts"], str(plan_json))
    drills = [read_drill(path) for path in drill or []]
    check_writable([pdf])
    with (
        executor_for(scheduler_address(scheduler)) as executor,
        ProgressBar("simulating the headcount sweep") as bar,
    ):
        points = headcount_frontier(
            model,
            staffing,
            breaks,
            seed=seed,
            replications=replications,
            workers=workers,
            executor=executor,
            progress=bar.update,
            base_cost=plan.get("cost"),
        )
    base = base_point(points)
    targets = base.results.target_results()
    title = (
        f"{model.name}: {base.agent_hours:,.0f} agent-hours"
        + (f", cost {base.cost:,.0f}" if base.cost is not None else "")
        + f"; {met_count_text(targets)}"
    )
    page = executive_page(
        title,
        base.results.workload_table(),
        [p.to_json() for p in points],
        targets,
        drills,
        target_level=min((t.service_level for t in model.targets), default=None),
    )
    write_all({pdf: figure_bytes(page, ".pdf")})
    typer.echo(f"{pdf}: {title}")


@app.command()
def sweep(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    vary: Annotated[
        list[str],
        typer.Option(help="An axis NAME=START:STOP:STEP or NAME=A,B,C (repeat for a grid)."),
    ],
    json_path: Annotated[Path, typer.Option("--json", help="Write the grid as JSON here.")],
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write the grid as a CSV table here.")
    ] = None,
    plan: Annotated[
        Path | None, typer.Option(help="Staff it with this plan's shifts (`wfm optimise`).")
    ] = None,
    incident: Annotated[
        str | None, typer.Option(help="Run this incident's drill at every point.")
    ] = None,
    replications: Annotated[int, typer.Option(min=1, help="Replications per point.")] = 3,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes [default: one per core].")
    ] = None,
    scheduler: Scheduler = None,
    store: Store = None,
    no_store: NoStore = False,
) -> None:
    """Simulate a grid of what-ifs (volume x handle time x headcount x agents of a group),
    with the cost against service-level frontier of the staffing choices."""
    from optimise.sweep import parse_axis, sweep_table
    from optimise.sweep import sweep as run_sweep
    from report.summary import sweep_summary
    from scenarios.load import from_dict, read_mapping

    axes = [parse_axis(text) for text in vary]
    mapping = read_mapping(scenario)
    model = from_dict(mapping, str(scenario))
    if incident is not None:
        require_incident(model, scenario, incident, [])
    staffing = breaks = base_cost = None
    if plan is None:
        require_staffing(model, scenario)
    else:
        shifts_plan = read_plan(plan)
        staffing, breaks = plan_staffing(model, shifts_plan["shifts"], str(plan))
        base_cost = shifts_plan.get("cost")
    check_writable([json_path] + ([csv_path] if csv_path else []))
    keep = store_for(store, no_store)
    with (
        executor_for(scheduler_address(scheduler)) as executor,
        ProgressBar("sweeping") as bar,
    ):
        points = run_sweep(
            mapping, axes, staffing, breaks, incident=incident, seed=seed,
            replications=replications, executor=executor, workers=workers,
            progress=bar.update, base_cost=base_cost,
        )  # fmt: skip
    document = {
        "scenario": model.name, "seed": seed, "replications": replications,
        "incident": incident, "plan": file_id(plan),
        "axes": {a.name: list(a.values) for a in axes},
        "points": [p.to_json() for p in points],
    }  # fmt: skip
    outputs = {json_path: json_text(document)}
    if csv_path is not None:
        outputs[csv_path] = csv_text(sweep_table(points))
    write_all(outputs)
    params = {k: document[k] for k in ("replications", "incident", "plan", "axes")}
    typer.echo(sweep_summary(document))
    keep_run(keep, "sweep", model, scenario, params, seed, document)


runs_app = typer.Typer(no_args_is_help=True, help="The kept runs: list, show, compare.")
app.add_typer(runs_app, name="runs")


@runs_app.command("list")
def runs_list(
    store: Store = None,
    limit: Annotated[int, typer.Option(min=1, help="Show this many, newest first.")] = 50,
) -> None:
    """The kept runs, newest first."""
    from report.summary import runs_summary
    from runs.store import list_runs, store_path

    typer.echo(runs_summary(list_runs(store_path(store), limit)))


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="A run's ID (or a unique start of it).")],
    store: Store = None,
) -> None:
    """One kept run: its scenario, parameters, seed, code version and KPIs."""
    from report.summary import run_summary
    from runs.store import get_run, store_path

    typer.echo(run_summary(get_run(store_path(store), run_id)))


@runs_app.command("compare")
def runs_compare(
    first: Annotated[str, typer.Argument(help="The first run's ID.")],
    second: Annotated[str, typer.Argument(help="The second run's ID.")],
    store: Store = None,
) -> None:
    """Two kept runs' KPIs side by side, with the differences (second - first)."""
    from report.summary import comparison_summary
    from runs.store import compare_runs, store_path

    typer.echo(comparison_summary(first, second, compare_runs(store_path(store), first, second)))


app.command()(roster)


def main() -> None:
    """Entry point of the `wfm` console script."""
    try:
        code = app(standalone_mode=False)
    except (ScenarioError, OutputError, ClusterError, StoreError) as err:
        typer.echo(str(err), err=True)
        sys.exit(2)
    except ValueError as err:
        # Imported here: importing them costs every command.
        from optimise.roster import RosterInputError
        from optimise.sweep import SweepError

        if not isinstance(err, (RosterInputError, SweepError)):
            raise
        typer.echo(str(err), err=True)
        sys.exit(2)
    except typer.Abort:
        typer.echo("wfm: interrupted", err=True)
        sys.exit(130)
    except Exception as err:
        # Click's usage errors (bad option, missing argument) carry exit code 2. Typer has
        # bundled its own copy of click since 0.22, so match them by that rather than by class.
        if getattr(err, "exit_code", None) == 2 and hasattr(err, "format_message"):
            if err.format_message():  # empty after the help a bare `wfm` prints
                typer.echo(f"wfm: {err.format_message()}", err=True)
            sys.exit(2)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
