"""The record of one replication: what happened to each contact, and when agents were on duty.

The engine (`sim.engine`) writes it; the metrics (`sim.metrics`) and a drill's scorecard
(`sim.drill_score`) read it. It depends on nothing but the contacts' layout (`sim.arrivals`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrivals import Contacts


@dataclass(frozen=True)
class Record:
    """What happened to each contact of one replication, and when agents were on duty.

    `contacts` are all the contacts offered: the run's first ones in arrival order, then those
    created during the run (redials, repeats, transfers) in the order they were created; a
    contact that took a callback has infinite patience. The other arrays follow that order.
    """

    contacts: Contacts
    answer_s: np.ndarray  # time service started, NaN if never answered
    served_by: np.ndarray  # agent group index, -1 if never answered
    agent: np.ndarray  # index of the agent who answered (in order of first duty), -1 if none
    origin: np.ndarray  # sim.behaviour.FIRST, RETRIAL, REPEAT or TRANSFER
    callback: np.ndarray  # bool: took a callback offer
    duty_changes: np.ndarray  # rows (time_s, group, +1 on / -1 off), in time order
    callback_at_s: np.ndarray | None = None  # when a callback was taken (NaN: not taken)
    ivr_deflected: np.ndarray | None = None  # bool: hung up at an incident's IVR announcement
    redialled: np.ndarray | None = None  # bool: abandoned and redialled


def flags(indices: list[int], n: int) -> np.ndarray:
    """`n` booleans, True at `indices`."""
    out = np.zeros(n, dtype=bool)
    out[indices] = True
    return out


def times_at(times: dict[int, float], n: int) -> np.ndarray:
    """`n` times in seconds, ``times[i]`` at each index `i` given and NaN elsewhere."""
    out = np.full(n, np.nan)
    if times:
        out[list(times)] = list(times.values())
    return out
