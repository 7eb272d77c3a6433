"""Which errors are the user's input, not wfm's: a scenario, plan or agents file that is not
valid, an output that cannot be written, a store or a scheduler that cannot be used, a sweep
axis or roster that makes no sense. Each says in one line which file and field, and what was
expected; the CLI prints it and exits with code 2, the app shows it."""

from __future__ import annotations

from report.export import OutputError
from runs.store import StoreError
from scenarios.load import ScenarioError
from sim.cluster import ClusterError


def is_input_error(err: BaseException) -> bool:
    """Whether `err` is one of the one-line errors of bad input."""
    if isinstance(err, (ScenarioError, OutputError, ClusterError, StoreError)):
        return True
    if not isinstance(err, ValueError):
        return False
    # Imported only now: the roster's solver is slow to import, and most commands never need it.
    from optimise.roster import RosterInputError
    from optimise.sweep import SweepError

    return isinstance(err, (RosterInputError, SweepError))
