"""Per-interval arrays of what a scenario asks for: volumes offered and agents on duty."""

from __future__ import annotations

from typing import Any

import numpy as np

from scenarios.schema import AgentGroup, ContactType, Horizon


def expand_profile(value: Any, horizon: Horizon) -> np.ndarray:
    """A per-interval profile (number, one day's list, or one list per day) as a
    ``(days, intervals_per_day)`` float array."""
    shape = (horizon.days, horizon.intervals_per_day)
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return np.full(shape, float(array))
    if array.ndim == 1:
        return np.tile(array, (horizon.days, 1))
    return array.reshape(shape).copy()


def volume_per_interval(contact_type: ContactType, horizon: Horizon) -> np.ndarray:
    """Expected contacts offered, ``(days, intervals_per_day)``."""
    return expand_profile(contact_type.volume.per_interval, horizon)


def agents_per_interval(group: AgentGroup, horizon: Horizon) -> np.ndarray:
    """Agents on duty, ``(days, intervals_per_day)`` integers; the group must be staffed."""
    if group.agents is None:
        raise ValueError(f"agent group {group.name!r} has no `agents` to simulate with")
    return expand_profile(group.agents, horizon).astype(np.int64)
