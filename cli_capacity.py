"""`wfm capacity`: the long-range capacity and hiring plan of a capacity file (services'
`run_capacity`), written as JSON, a weekly CSV and a fan chart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli_options import (
    MAX_REPLICATIONS,
    MAX_TIME_LIMIT_S,
    NoStore,
    Scheduler,
    Seed,
    Store,
    Workers,
)
from cli_support import StageLine, show_kept
from report.capacity_views import capacity_figure, capacity_summary
from report.export import check_outputs, csv_text, figure_bytes, json_text, write_all
from services import run_capacity


def capacity(
    capacity_file: Annotated[Path, typer.Argument(help="Capacity file (YAML).")],
    json_path: Annotated[Path, typer.Option("--json", help="Write the plan as JSON here.")],
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write the weekly table as CSV here.")
    ] = None,
    png: Annotated[Path | None, typer.Option(help="Draw the fan chart here.")] = None,
    replications: Annotated[
        int,
        typer.Option(
            min=2,
            max=MAX_REPLICATIONS,
            help="Monte Carlo scenarios to plan on (and as many fresh ones to check).",
        ),
    ] = 200,
    seed: Seed = 0,
    time_limit: Annotated[
        float,
        typer.Option(
            min=0.1,
            max=MAX_TIME_LIMIT_S,
            help="Solver seconds per schedule when measuring the requirement curve.",
        ),
    ] = 10.0,
    max_rounds: Annotated[
        int, typer.Option(min=1, max=1000, help="Search rounds at most per curve point.")
    ] = 30,
    curve: Annotated[
        Path | None,
        typer.Option(help="Take the requirement curve of this earlier `wfm capacity --json`."),
    ] = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    store: Store = None,
    no_store: NoStore = False,
) -> None:
    """Plan hiring classes for a year (or any weeks): the requirement curve measured with the
    optimiser, supply by Monte Carlo over attrition and demand, the cheapest classes keeping
    each week covered with the file's service probability."""
    check_outputs({"--json": json_path, "--csv": csv_path, "--png": png},
                  {"the capacity file": capacity_file, "--curve": curve})  # fmt: skip
    with StageLine() as stage:
        run = run_capacity(
            capacity_file, replications=replications, seed=seed, time_limit_s=time_limit,
            max_rounds=max_rounds, workers=workers, scheduler=scheduler, curve_file=curve,
            progress=stage.update, store=store, keep=not no_store,
        )  # fmt: skip
    outputs: dict[Path, str | bytes] = {json_path: json_text(run.document)}
    if csv_path is not None:
        outputs[csv_path] = csv_text(run.table)
    if png is not None:
        outputs[png] = figure_bytes(capacity_figure(run.document), png.suffix)
    write_all(outputs)
    typer.echo(capacity_summary(run.document))
    show_kept(run.kept)
