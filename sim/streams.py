"""Random streams: `stream` gives the generator of one purpose for one name (a contact type, an
agent group, an incident) in one replication; `Purpose` lists every purpose a run draws for.

A stream is keyed by ``(seed, replication, purpose, name)``, so what one purpose draws never
depends on what another drew, nor on which worker runs the replication. The numbers of the
purposes are part of the key: changing one changes every draw made for it.
"""

from __future__ import annotations

import enum
import hashlib

import numpy as np


class Purpose(enum.IntEnum):
    """What a stream is drawn for, in blocks by who draws it."""

    # The contacts drawn before the run (sim.arrivals).
    ARRIVALS = 0
    TIERS = 1
    HANDLE = 2
    PATIENCE = 3
    BUSYNESS = 4
    DEFLECTION = 5
    # Contacts created during the run (sim.behaviour).
    DECIDE = 100
    LATE_HANDLE = 101
    LATE_PATIENCE = 102
    LATE_TIER = 103
    RETRIAL_DELAY = 104
    REPEAT_DELAY = 105
    # An agent group's absences (sim.behaviour).
    ABSENCE = 200
    # An incident's surge (sim.surge).
    SURGE_ARRIVALS = 300
    SURGE_TIERS = 301
    SURGE_HANDLE = 302
    SURGE_PATIENCE = 303
    # An incident's IVR announcement and redials (sim.incident).
    IVR = 304
    REDIAL_DELAY = 305


def stream(seed: int, replication: int, purpose: Purpose, name: str) -> np.random.Generator:
    """The random stream of one purpose for one name in one replication."""
    digest = hashlib.sha256(name.encode()).digest()
    words = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 32, 4))
    key = (replication, purpose, *words)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
