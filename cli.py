"""The `wfm` command: a thin front-end over the jobs of services/ and the text of report/.

Exit codes: 0 ok, 2 bad input (one line on stderr, no traceback), 1 internal error.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli_capacity import capacity
from cli_forecast import forecast
from cli_options import (
    MAX_REPLICATIONS,
    Confidence,
    MaxReplications,
    NoStore,
    Scheduler,
    Seed,
    Store,
    Tolerance,
    Workers,
)
from cli_plans import optimise, roster
from cli_support import ProgressBar, show_kept
from report.export import WriteFailed, check_outputs, csv_text, json_text, write_all
from report.summary import drill_summary, simulation_summary, validation_summary
from services import (
    is_input_error,
    load,
    read_drill,
    read_mapping,
    read_plan,
    stop_workers,
)

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
    from services import validate_scenario

    checked = validate_scenario(scenario)
    typer.echo(checked.headline(scenario))
    typer.echo(validation_summary(checked.review))


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    replications: Annotated[
        int, typer.Option(min=1, max=MAX_REPLICATIONS, help="Independent replications.")
    ] = 10,
    seed: Seed = 0,
    plan: Annotated[
        Path | None, typer.Option(help="Staff it with this plan's shifts (`wfm optimise`).")
    ] = None,
    max_replications: MaxReplications = None,
    confidence: Confidence = 0.95,
    tolerance: Tolerance = 0.02,
    workers: Workers = None,
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
    from services import run_simulation

    model = load(scenario)
    shifts_plan = None if plan is None else read_plan(plan)
    json_paths = [json_path] if json_path is not None else []
    csv_paths = [csv_dir / f"{name}.csv" for name in CSV_TABLES] if csv_dir is not None else []
    check_outputs(
        {"--json": json_path} | {f"--csv {path.name}": path for path in csv_paths},
        {"the scenario": scenario, "--plan": plan},
    )
    with ProgressBar("simulating") as bar:
        run = run_simulation(
            model, str(scenario), plan=shifts_plan, plan_source=plan,
            replications=replications, max_replications=max_replications, seed=seed,
            confidence=confidence, tolerance=tolerance, workers=workers, scheduler=scheduler,
            progress=bar.update, store=store, keep=not no_store, scenario_file=scenario,
        )  # fmt: skip
    outputs = {path: json_text(run.document) for path in json_paths}
    if csv_paths:
        tables = run.tables()
        outputs |= {
            path: csv_text(tables[name]) for path, name in zip(csv_paths, CSV_TABLES, strict=True)
        }
    write_all(outputs)
    typer.echo(simulation_summary(run.document))
    show_kept(run.kept)


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
    replications: Annotated[
        int, typer.Option(min=1, max=MAX_REPLICATIONS, help="Independent replications.")
    ] = 10,
    seed: Seed = 0,
    workers: Workers = None,
    png: Annotated[
        Path | None, typer.Option(help="Draw the timeline here (PNG, or PDF for a .pdf name).")
    ] = None,
    scheduler: Scheduler = None,
    store: Store = None,
    no_store: NoStore = False,
) -> None:
    """Layer an incident on the normal staffing, run its response (and alternatives), and
    print the scorecard."""
    from services import run_drill

    model = load(scenario)
    names = [name for value in compare or [] for name in value.split(",") if name]
    shifts_plan = None if plan is None else read_plan(plan)
    check_outputs({"--json": json_path, "--png": png}, {"the scenario": scenario, "--plan": plan})
    with ProgressBar("drilling") as bar:
        run = run_drill(
            model, str(scenario), incident, plan=shifts_plan, plan_source=plan, compare=names,
            replications=replications, seed=seed, workers=workers, scheduler=scheduler,
            progress=bar.update, store=store, keep=not no_store, scenario_file=scenario,
        )  # fmt: skip
    outputs: dict[Path, str | bytes] = {json_path: json_text(run.document)}
    if png is not None:
        from report.drill_figure import timeline_figure
        from report.export import figure_bytes

        outputs[png] = figure_bytes(timeline_figure(run.document), png.suffix)
    write_all(outputs)
    typer.echo(drill_summary(run.document))
    show_kept(run.kept)


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
    capacity: Annotated[
        Path | None,
        typer.Option(help="A `wfm capacity --json` document: a second page with the year."),
    ] = None,
    replications: Annotated[
        int, typer.Option(min=1, max=MAX_REPLICATIONS, help="Replications per point.")
    ] = 5,
    seed: Seed = 0,
    workers: Workers = None,
    scheduler: Scheduler = None,
) -> None:
    """The executive one-pager of a plan: capacity against demand, the cost against
    service-level frontier of a headcount sweep, the targets, and the drills' summary; with
    `--capacity`, a second page with the year's hiring plan and its risk."""
    from report.capacity_views import capacity_page
    from report.export import pdf_bytes
    from services import build_executive_view, plan_scenario, read_capacity_result

    plan = read_plan(plan_json)
    scenario = plan_scenario(plan, plan_json, scenario)
    model = load(scenario)
    drills = [read_drill(path) for path in drill or []]
    year = None if capacity is None else read_capacity_result(capacity)
    check_outputs(
        {"--pdf": pdf},
        {"the plan": plan_json, "--scenario": scenario, "--capacity": capacity}
        | {f"--drill {path.name}": path for path in drill or []},
    )
    with ProgressBar("simulating the headcount sweep") as bar:
        view = build_executive_view(
            model, str(scenario), plan=plan, plan_file=str(plan_json), drills=drills,
            replications=replications, seed=seed, workers=workers, scheduler=scheduler,
            progress=bar.update,
        )  # fmt: skip
    pages = [view.page()] + ([] if year is None else [capacity_page(year)])
    write_all({pdf: pdf_bytes(pages)})
    typer.echo(f"{pdf}: {view.title()}")


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
    replications: Annotated[
        int, typer.Option(min=1, max=MAX_REPLICATIONS, help="Replications per point.")
    ] = 3,
    seed: Seed = 0,
    workers: Workers = None,
    scheduler: Scheduler = None,
    store: Store = None,
    no_store: NoStore = False,
) -> None:
    """Simulate a grid of what-ifs (volume x handle time x headcount x agents of a group),
    with the cost against service-level frontier of the staffing choices."""
    from report.summary import sweep_summary
    from services import run_sweep

    mapping = read_mapping(scenario)
    shifts_plan = None if plan is None else read_plan(plan)
    check_outputs(
        {"--json": json_path, "--csv": csv_path}, {"the scenario": scenario, "--plan": plan}
    )
    with ProgressBar("sweeping") as bar:
        run = run_sweep(
            mapping, str(scenario), vary, plan=shifts_plan, plan_source=plan, incident=incident,
            replications=replications, seed=seed, workers=workers, scheduler=scheduler,
            progress=bar.update, store=store, keep=not no_store, scenario_file=scenario,
        )  # fmt: skip
    outputs = {json_path: json_text(run.document)}
    if csv_path is not None:
        outputs[csv_path] = csv_text(run.table)
    write_all(outputs)
    typer.echo(sweep_summary(run.document))
    show_kept(run.kept)


runs_app = typer.Typer(no_args_is_help=True, help="The kept runs: list, show, compare.")
app.add_typer(runs_app, name="runs")


@runs_app.command("list")
def runs_list(
    store: Store = None,
    limit: Annotated[int, typer.Option(min=1, help="Show this many, newest first.")] = 50,
) -> None:
    """The kept runs, newest first."""
    from report.summary import runs_summary
    from services import kept_runs

    typer.echo(runs_summary(kept_runs(store, limit)))


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="A run's ID (or a unique start of it).")],
    store: Store = None,
) -> None:
    """One kept run: its scenario, parameters, seed, code version and KPIs."""
    from report.summary import run_summary
    from services import kept_run

    typer.echo(run_summary(kept_run(run_id, store)))


@runs_app.command("compare")
def runs_compare(
    first: Annotated[str, typer.Argument(help="The first run's ID.")],
    second: Annotated[str, typer.Argument(help="The second run's ID.")],
    store: Store = None,
) -> None:
    """Two kept runs' KPIs side by side, with the differences (second - first)."""
    from report.summary import comparison_summary
    from services import compared_runs

    typer.echo(comparison_summary(first, second, compared_runs(first, second, store)))


app.command()(roster)
app.command()(forecast)
app.command()(capacity)


class Interrupted(BaseException):
    """A signal asked wfm to stop (SIGINT or SIGTERM); not an `Exception`, so that no
    handler on the way up takes it for a failure."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.code = 128 + signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM


def _interrupt(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


def main() -> None:
    """Entry point of the `wfm` console script."""
    # Both signals stop the run the same way, whatever the parent left them as (a background
    # job of a non-interactive shell starts with SIGINT ignored): the workers are terminated,
    # no output is half-written (they are written atomically at the end), and the exit code
    # says which signal it was.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = app(standalone_mode=False)
    except (Interrupted, KeyboardInterrupt, typer.Abort) as err:
        stop_workers()
        typer.echo("wfm: interrupted", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        # Not sys.exit: Python's own exit would wake the interrupted pools, whose pipes the
        # stop may have closed, and print an OSError after our last word (a race of
        # concurrent.futures in Python 3.11). Nothing is left to flush or write: outputs are
        # written whole at the end of a run, and a run is kept in one transaction.
        os._exit(err.code if isinstance(err, Interrupted) else 130)
    except WriteFailed as err:  # the run was done but the disk refused its outputs
        typer.echo(f"wfm: {err}", err=True)
        sys.exit(1)
    except Exception as err:
        if is_input_error(err):
            typer.echo(str(err), err=True)
            sys.exit(2)
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
