"""The `wfm` command: a thin front-end over the public functions of scenarios/, sim/, report/.

Exit codes: 0 ok, 2 bad input (one line on stderr, no traceback), 1 internal error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from report.export import OutputError, check_writable, csv_text, json_text, write_all
from report.summary import simulation_summary
from scenarios.load import ScenarioError, load
from scenarios.schema import Scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="wfm: contact-centre workforce simulation and staffing.",
)


CSV_TABLES = ("intervals", "intervals_by_tier", "occupancy")


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
    json_paths = [json_path] if json_path is not None else []
    csv_paths = [csv_dir / f"{name}.csv" for name in CSV_TABLES] if csv_dir is not None else []
    check_writable(json_paths + csv_paths)
    with _ProgressBar("simulating") as bar:
        results = run_simulation(
            model, seed=seed, replications=replications, workers=workers, progress=bar.update
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
    except (ScenarioError, OutputError) as err:
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
