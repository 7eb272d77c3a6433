"""Running many independent tasks -- replications, drill replications, sweep points -- in this
process, on a local process pool or on a Dask cluster's executor (`sim.cluster`), the one way
every job does it.

A task draws only from its own random streams, so its result does not depend on where it runs:
`run_tasks` returns the results in the order of the tasks whatever order they finish in. It
reports progress as tasks finish, and when it is left early (an error, or a user's Stop raised
from the progress callback) it cancels the tasks still queued, on its own pool and on a shared
executor alike, so that a stopped job frees the workers at once.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, TypeVar

Result = TypeVar("Result")
Progress = Callable[[float], None]


def run_tasks(
    task: Callable[..., Result],
    arguments: Sequence[tuple[Any, ...]],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    follows_progress: bool = False,
) -> list[Result]:
    """``task(*args)`` for each of `arguments`, in their order. The tasks go to `executor` when
    given, else to a local pool of `workers` processes (default: one per core) made for this
    call, or run in this process when that is one worker or there is one task.
    `progress(fraction)` is called as tasks finish; in this process, a task that
    `follows_progress` is also given a ``progress`` keyword that reports its own part."""
    count = len(arguments)
    workers = workers or os.cpu_count() or 1
    if executor is None and (workers == 1 or count <= 1):
        results = []
        for done, args in enumerate(arguments):
            if follows_progress and progress is not None:
                results.append(task(*args, progress=_part(progress, done, count)))
            else:
                results.append(task(*args))
            if progress is not None:
                progress((done + 1) / count)
        return results
    own = executor is None
    pool = executor or local_pool(min(workers, count))
    futures: dict[Future[Result], int] = {}
    try:
        for k, args in enumerate(arguments):
            futures[pool.submit(task, *args)] = k
        found: dict[int, Result] = {}
        for done, future in enumerate(as_completed(futures), start=1):
            found[futures[future]] = future.result()
            if progress is not None:
                progress(done / count)
    except BaseException as err:
        # Drop what waits. Interrupted (a signal, not an Exception): do not wait for the
        # running tasks either; the caller stops the workers (`stop_workers`).
        if own:
            pool.shutdown(wait=isinstance(err, Exception), cancel_futures=True)
        else:  # a shared pool or cluster
            for future in futures:
                future.cancel()
        raise
    if own:
        pool.shutdown()
    return [found[k] for k in range(count)]


@contextmanager
def shared_pool(executor: Executor | None, workers: int | None) -> Iterator[Executor | None]:
    """The executor a job of many `run_tasks` calls hands to each of them: `executor` when
    given, else one local process pool of `workers` processes (default one per core) for the
    whole job, so that its calls do not each start their own; None (in-process) for one
    worker."""
    if executor is not None:
        yield executor
        return
    count = workers or os.cpu_count() or 1
    if count == 1:
        yield None
        return
    pool = local_pool(count)
    try:
        yield pool
    except BaseException as err:
        pool.shutdown(wait=isinstance(err, Exception), cancel_futures=True)
        raise
    pool.shutdown(cancel_futures=True)


def local_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` local processes that leave Ctrl-C to their parent: a terminal's
    interrupt reaches every process of the group, and the parent stops the workers itself
    (`stop_workers`) rather than each printing its own traceback."""
    return ProcessPoolExecutor(max_workers=workers, initializer=_leave_interrupts_to_parent)


def terminate_pool(pool: ProcessPoolExecutor) -> None:
    """Stop `pool` at once: its queued tasks cancelled, its running ones ended by terminating
    their processes (their futures fail with `BrokenProcessPool`), its processes gone on
    return. For one job's pool among others; `stop_workers` ends every worker of the process."""
    # `_processes` is private (Python 3.14 names this `terminate_workers()`). Its dict is read
    # after the shutdown, which waits for a `submit` starting processes and stops any other.
    processes = pool._processes if pool._processes is not None else {}
    pool.shutdown(wait=False, cancel_futures=True)
    started = list(processes.values())
    for process in started:
        process.terminate()
    for process in started:
        process.join(timeout=5)


def stop_workers() -> None:
    """Terminate this process's worker processes (after an interrupt), so none outlives it."""
    for child in multiprocessing.active_children():
        child.terminate()
    for child in multiprocessing.active_children():
        child.join(timeout=5)


def _leave_interrupts_to_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker inherits the parent's SIGTERM handler, which would print a traceback
    # of its own; SIGTERM (the parent's `stop_workers`, or a whole group's) just ends it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _part(progress: Progress, done: int, count: int) -> Progress:
    """Progress within task number `done` of `count`, as a fraction of the whole call."""
    return lambda fraction: progress((done + fraction) / count)
