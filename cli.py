"""The `wfm` command: a thin front-end over the public functions of scenarios/, sim/, report/.

Exit codes: 0 ok, 2 bad input (one line on stderr, no traceback), 1 internal error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import click
import typer

from report.export import write_csv, write_json
from report.summary import simulation_summary
from scenarios.load import ScenarioError, load
from scenarios.schema import Scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="wfm: contact-centre workforce simulation and staffing.",
)


class BadInput(Exception):
    """A user mistake outside the scenario file (an unwritable output path, say)."""


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")]) -> None:
    """Check a scenario file and say what it holds."""
    model = load(scenario)
    staffed = "staffed" if model.staffed else "staffing left to the optimiser"
    typer.echo(
        f"{scenario}: ok: {len(model.contact_types)} contact types, "
        f"{len(model.agent_groups)} agent groups, {len(model.targets)} targets, "
        f"{model.horizon.days} days of {model.horizon.interval_min}-min intervals ({staffed})"
    )


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    replications: Annotated[int, typer.Option(min=1, help="Independent replications.")] = 10,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes [default: one per core].")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the results as JSON here.")
    ] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write interval tables as CSV into this folder.")
    ] = None,
) -> None:
    """Simulate the scenario's staffing and report service levels against the targets."""
    from sim.replicate import simulate as run_simulation

    model = load(scenario)
    _require_staffing(model, scenario)
    with _ProgressBar("simulating") as bar:
        results = run_simulation(
            model, seed=seed, replications=replications, workers=workers, progress=bar.update
        )
    document = results.to_json()
    try:
        if json_path is not None:
            write_json(json_path, document)
        if csv_dir is not None:
            write_csv(csv_dir / "intervals.csv", results.interval_table())
            write_csv(csv_dir / "intervals_by_tier.csv", results.interval_table(by_tier=True))
            write_csv(csv_dir / "occupancy.csv", results.group_interval_table())
    except OSError as err:
        raise BadInput(f"cannot write output: {err}") from None
    typer.echo(simulation_summary(document))


def _require_staffing(model: Scenario, file: Path) -> None:
    for i, group in enumerate(model.agent_groups):
        if group.agents is None:
            raise ScenarioError(
                str(file),
                f"agent_groups[{i}].agents",
                "required to simulate (give the agents on duty, or plan them with the optimiser)",
            )


class _ProgressBar:
    """A progress bar on stderr, shown only when a run lasts more than a few seconds and
    stderr is a terminal."""

    DELAY_S = 2.0

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.monotonic()
        self.shown = False

    def __enter__(self) -> _ProgressBar:
        return self

    def update(self, fraction: float) -> None:
        if not sys.stderr.isatty() or time.monotonic() - self.start < self.DELAY_S:
            return
        filled = int(30 * fraction)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%}")
        sys.stderr.flush()
        self.shown = True

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def main() -> None:
    """Entry point of the `wfm` console script."""
    try:
        code = app(standalone_mode=False)
    except (ScenarioError, BadInput) as err:
        typer.echo(str(err), err=True)
        sys.exit(2)
    except click.UsageError as err:
        typer.echo(f"wfm: {err.format_message()}", err=True)
        sys.exit(2)
    except click.Abort:
        typer.echo("wfm: interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
