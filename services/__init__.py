"""The jobs wfm does, one function each: validate, simulate, optimise, roster, drill, sweep and
the executive view. A job checks its inputs (a `ScenarioError` of one line naming the file and
field), runs, builds its JSON document and keeps the run in the run store; the CLI (`cli.py`)
and the app (`ui/`) call these and draw or write what they return, and never do a job's work
themselves. Writing files (atomically) is the front-end's: a job returns documents and tables.
"""

from services.common import Kept, open_store, require_incident, require_staffing
from services.drill import DrillRun, run_drill
from services.executive import ExecutiveView, build_executive_view, plan_scenario
from services.plans import PlanRun, RosterRun, run_optimisation, run_roster
from services.simulate import SimulationRun, run_simulation
from services.sweep import SweepRun, run_sweep
from services.validate import Validation, validate_scenario

__all__ = [
    "DrillRun", "ExecutiveView", "Kept", "PlanRun", "RosterRun", "SimulationRun", "SweepRun",
    "Validation", "build_executive_view", "open_store", "plan_scenario", "require_incident",
    "require_staffing", "run_drill", "run_optimisation", "run_roster", "run_simulation",
    "run_sweep", "validate_scenario",
]  # fmt: skip
