"""Where the replications run: the local process pool, or a Dask ``distributed`` cluster.

Every command that simulates takes ``--scheduler tcp://HOST:PORT`` (or the environment variable
``WFM_DASK_SCHEDULER``); `executor_for` then connects a ``distributed.Client`` and hands its
``get_executor()`` to the runs, which submit one replication per task. Without a scheduler the
runs use their local process pool. A replication draws only from its own random streams, so the
numbers do not depend on where, or on how many workers, it ran.

The cluster's workers must be able to import wfm (``pip install .[dask]`` on each).
Dask is an optional extra: without it, asking for a scheduler is a one-line error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

ENV_SCHEDULER = "WFM_DASK_SCHEDULER"
CONNECT_TIMEOUT_S = 10
_ADDRESS = re.compile(r"^(tcp|tls)://[^\s:/]+:\d{1,5}$")


class ClusterError(RuntimeError):
    """The scheduler cannot be used; ``str()`` is the one line to show."""


def scheduler_address(given: str | None) -> str | None:
    """The scheduler to use: `given`, else ``$WFM_DASK_SCHEDULER``, else None (run locally);
    `ClusterError` naming where it came from when it is not ``tcp://HOST:PORT`` (or tls://)."""
    address = given or os.environ.get(ENV_SCHEDULER) or None
    if address is not None and not _ADDRESS.match(address):
        source = "--scheduler" if given else f"${ENV_SCHEDULER}"
        raise ClusterError(f"{source} {address}: expected tcp://HOST:PORT (or tls://HOST:PORT)")
    return address


@contextmanager
def executor_for(address: str | None) -> Iterator[Executor | None]:
    """An executor on the Dask scheduler at `address` for the block's runs, closed after it;
    None (the runs' local pool) when `address` is None. `ClusterError` when Dask is not
    installed, the scheduler does not answer or has no worker within `CONNECT_TIMEOUT_S`
    seconds, or a worker runs another wfm version (its numbers could differ)."""
    if address is None:
        yield None
        return
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            f"--scheduler {address}: Dask is not installed (pip install '.[dask]')"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as err:
        raise ClusterError(
            f"scheduler {address}: no Dask scheduler answers there ({err})"
        ) from None
    try:
        _check_workers(client, address)
        yield client.get_executor()
    finally:
        client.close()


def _check_workers(client: Any, address: str) -> None:
    """At least one worker, each running this wfm."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as err:
        raise ClusterError(f"scheduler {address}: no worker joined it ({err})") from None
    here = wfm_version()
    there = client.run(wfm_version)
    other = sorted({v for v in there.values() if v != here})
    if other:
        raise ClusterError(
            f"scheduler {address}: workers run wfm {', '.join(other)}, this is wfm {here}"
        )


def wfm_version() -> str:
    """The wfm version installed here (on a worker: there)."""
    try:
        return version("wfm")
    except PackageNotFoundError:
        return "unknown"
