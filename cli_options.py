"""The options several `wfm` commands share, as typed annotations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# Replications any command runs at most: far beyond what a verdict needs, low enough that a
# typo cannot allocate until the machine runs out of memory.
MAX_REPLICATIONS = 100_000
# The run store keeps a run's seed as a 64-bit integer: a larger one would run and then not be
# kept, so it is refused before the run.
MAX_SEED = 2**63 - 1
Seed = Annotated[int, typer.Option(min=0, max=MAX_SEED, help="Random seed.")]
# A solver's time limit at most (a day, in seconds): finite, so that a run always ends.
MAX_TIME_LIMIT_S = 86_400
# Local worker processes at most: each holds a copy of the model (100-200 MB), so more than a
# large server's cores only exhausts memory.
MAX_WORKERS = 256
Workers = Annotated[
    int | None,
    typer.Option(
        min=1, max=MAX_WORKERS,
        help=f"Local worker processes (at most {MAX_WORKERS}) [default: one per core].",
    ),
]  # fmt: skip

Store = Annotated[
    Path | None,
    typer.Option(
        help="Keep the run in this DuckDB file [default: $WFM_STORE, else ~/.wfm/runs.duckdb]."
    ),
]
NoStore = Annotated[bool, typer.Option("--no-store", help="Do not keep the run.")]
Scheduler = Annotated[
    str | None,
    typer.Option(
        help="Run on this Dask scheduler (tcp://HOST:PORT) [default: $WFM_DASK_SCHEDULER, "
        "else local processes]."
    ),
]
MaxReplications = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=MAX_REPLICATIONS,
        help="Add replications while a target's verdict is undecided, up to this many "
        f"(at most {MAX_REPLICATIONS:,}) [default: none added].",
    ),
]
Confidence = Annotated[
    float,
    typer.Option(min=0.5, max=0.999, help="One-sided confidence of the targets' verdicts."),
]
Tolerance = Annotated[
    float,
    typer.Option(
        min=0.0, max=0.5, help="Service-level points a 'met' verdict tolerates (0.02 = 2 points)."
    ),
]
