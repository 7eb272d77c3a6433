"""How the centre behaves: the discrete-event model of a scenario and its replications.

The public entry point is `simulate` (see `sim.replicate`), which returns `Results`.
"""

from sim.replicate import simulate
from sim.results import Results

__all__ = ["Results", "simulate"]
