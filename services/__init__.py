"""The jobs wfm does, one function each: validate, simulate, optimise, roster, drill, sweep and
the executive view. A job checks its inputs (a one-line error naming the file and field), runs,
builds its JSON document and keeps the run in the run store; writing files (atomically) and
drawing are the front-ends'. The CLI (`cli.py`) and the app (`ui/`) import this package and
`report/`, nothing else of wfm: what they read, edit or catch is re-exported here.
"""

from optimise.frontier import DEFAULT_FACTORS
from optimise.shift_model import MAX_BUDGET
from runs.store import StoreError
from scenarios.edit import apply_edits, edit_tables
from scenarios.load import (
    ScenarioError,
    from_dict,
    load,
    parse_mapping,
    read_mapping,
    read_yaml,
)
from scenarios.plan_file import read_capacity_result, read_drill, read_plan
from scenarios.review import review
from scenarios.schema import WEEKDAYS, Callback, IvrAnnouncement, Reserve, Response, Scenario
from services.capacity import CapacityRun, run_capacity
from services.common import Kept, open_store
from services.drill import DrillRun, run_drill
from services.errors import is_input_error
from services.executive import ExecutiveView, build_executive_view, plan_scenario
from services.forecast import MAX_FORECAST_DAYS, ForecastRun, run_forecast
from services.history import compared_runs, kept_run, kept_runs, store_location
from services.plans import PlanRun, RosterRun, run_optimisation, run_roster
from services.simulate import SimulationRun, run_simulation
from services.sweep import SweepRun, run_sweep
from services.validate import Validation, validate_scenario
from sim.cluster import executor_for, scheduler_address
from sim.drill_result import AS_GIVEN
from sim.tasks import stop_workers, terminate_pool

__all__ = [  # noqa: RUF022 (grouped by use, not sorted)
    # the jobs and what they return
    "CapacityRun", "DrillRun", "ExecutiveView", "ForecastRun", "Kept", "PlanRun", "RosterRun",
    "SimulationRun", "SweepRun", "Validation", "build_executive_view", "run_drill",
    "run_capacity", "run_forecast", "run_optimisation", "run_roster", "run_simulation", "run_sweep",
    "validate_scenario", "MAX_FORECAST_DAYS",
    # inputs: scenario, plan and drill files, the scenario's model, the app's edits
    "AS_GIVEN", "DEFAULT_FACTORS", "MAX_BUDGET", "WEEKDAYS", "Callback", "IvrAnnouncement",
    "Reserve", "Response", "Scenario", "ScenarioError", "apply_edits", "edit_tables",
    "from_dict", "load", "parse_mapping", "plan_scenario", "read_drill", "read_mapping",
    "read_yaml",
    "read_capacity_result", "read_plan", "review",
    # where runs go and what is kept of them
    "StoreError", "compared_runs", "executor_for", "is_input_error", "kept_run", "kept_runs",
    "open_store", "scheduler_address", "stop_workers", "store_location", "terminate_pool",
]  # fmt: skip
