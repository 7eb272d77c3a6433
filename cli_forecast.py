"""`wfm forecast`: a centre's interval history forecast with calibrated bands (services'
`run_forecast`), written as CSV, JSON and a figure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli_options import NoStore, Store, Workers
from cli_support import ProgressBar, show_kept
from report.export import check_outputs, csv_text, figure_bytes, json_text, write_all
from report.forecast_views import forecast_figure, forecast_summary
from services import MAX_FORECAST_DAYS, read_mapping, run_forecast


def forecast(
    history: Annotated[
        Path,
        typer.Argument(
            help="Interval history CSV: interval_start (YYYY-MM-DD HH:MM), offered, and "
            "optionally contact_type, answered, abandoned, handle_time_s, asa_s, abandon_time_s."
        ),
    ],
    horizon_days: Annotated[
        int, typer.Option(min=1, max=MAX_FORECAST_DAYS, help="Days to forecast.")
    ],
    csv_path: Annotated[Path, typer.Option("--csv", help="Write the forecast table here.")],
    interval_min: Annotated[
        int | None,
        typer.Option(min=1, max=1440, help="Aggregate to this interval [default: the history's]."),
    ] = None,
    contact_type: Annotated[
        list[str] | None,
        typer.Option(help="Forecast only this contact type (repeatable) [default: every one]."),
    ] = None,
    holidays: Annotated[
        Path | None,
        typer.Option(
            help="CSV of date (YYYY-MM-DD) and optional name: days not averaged "
            "into ordinary days, forecast by their learned factor."
        ),
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the forecast and its backtest as JSON.")
    ] = None,
    png: Annotated[
        Path | None, typer.Option(help="Draw the last weeks of history and the forecast here.")
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option(
            help="Base scenario (channels, targets, groups, shifts) for --write-scenario."
        ),
    ] = None,
    write_scenario: Annotated[
        Path | None,
        typer.Option(help="Write the forecast days as a scenario here (needs --scenario)."),
    ] = None,
    workers: Workers = None,
    store: Store = None,
    no_store: NoStore = False,
) -> None:
    """Forecast the history's next days per contact type: each one's model chosen by a
    rolling-origin backtest, its 80 % and 95 % bands calibrated on that backtest."""
    if (scenario is None) != (write_scenario is None):
        raise typer.BadParameter("give --scenario and --write-scenario together")
    check_outputs(
        {"--csv": csv_path, "--json": json_path, "--png": png, "--write-scenario": write_scenario},
        {"the history": history, "--holidays": holidays, "--scenario": scenario},
    )
    base = {} if scenario is None else {"base": read_mapping(scenario), "base_label": str(scenario)}
    with ProgressBar("forecasting") as bar:
        run = run_forecast(
            history, horizon_days, interval_min=interval_min, contact_types=contact_type,
            holidays_file=holidays, workers=workers, progress=bar.update, store=store,
            keep=not no_store, **base,
        )  # fmt: skip
    outputs: dict[Path, str | bytes] = {csv_path: csv_text(run.table)}
    if json_path is not None:
        outputs[json_path] = json_text(run.document)
    if write_scenario is not None:
        outputs[write_scenario] = run.scenario_text
    if png is not None:
        outputs[png] = figure_bytes(forecast_figure(run.document, run.recent), png.suffix)
    write_all(outputs)
    typer.echo(forecast_summary(run.document))
    show_kept(run.kept)
