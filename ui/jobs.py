"""Runs in the background, so a page stays usable while a long run goes on.

A run is submitted under a key made of what it computes (the function and its arguments: the
scenario's YAML text, the staffing, replications, seed...). Asking for the same key again gives
the same job: a finished one answers at once (the runs' cache), a running one is not started
twice. Jobs run on a small thread pool, and each spreads its replications over its own pool
of worker processes (`Job.workers`, started by a fork server: forking the threaded Streamlit
server itself could copy a lock some other thread holds), so that Stop can end a job's running
replications by ending its processes without touching another user's job. A finished job hands
its pool on to the next, which then starts without waiting for new processes.

A page polls its job with `progress_panel`, which reruns the app when the job ends. The last
`MAX_JOBS` jobs are kept. When the server shuts down (Ctrl-C, SIGTERM), `shut_down` stops every
job the same way before Python waits for their threads.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from typing import Any

import streamlit as st

from services import terminate_pool

MAX_JOBS = 16
MAX_IDLE_POOLS = 1  # warm pools kept for the next job; more would only hold memory
POLL_S = 0.5


class Stopped(Exception):
    """A run stopped by its user (raised in the run at its next progress report)."""


class Job:
    """One run: its future, and how far it has got (`fraction`, 0..1, and a `message`)."""

    def __init__(self) -> None:
        self.fraction = 0.0
        self.message = ""
        self.started = False  # False while it waits for a free thread
        self.stopping = False
        self.future: Future[Any] | None = None
        self.pool: ProcessPoolExecutor | None = None

    def workers(self) -> ProcessPoolExecutor:
        """This run's worker processes (one per core): a finished run's warm pool, or a new
        one. Raises `Stopped` once the user has asked the run to stop."""
        with _LOCK:
            if self.stopping:
                raise Stopped
            if self.pool is None:
                self.pool = _IDLE.pop() if _IDLE else _new_pool()
            return self.pool

    def update(self, progress: float | str) -> None:
        """A progress callback: a fraction done, or a stage message. Raises `Stopped` once the
        user has asked the run to stop, which ends it there."""
        if self.stopping:
            raise Stopped
        if isinstance(progress, str):
            self.message = progress
        else:
            self.fraction = min(max(float(progress), 0.0), 1.0)

    @property
    def done(self) -> bool:
        """Whether the run has ended, with a result or an exception."""
        return self.future is not None and self.future.done()

    @property
    def failed(self) -> bool:
        """Whether it ended without a result: an exception, or stopped."""
        return self.done and (self.future.cancelled() or self.future.exception() is not None)

    @property
    def stopped(self) -> bool:
        return self.done and (
            self.future.cancelled() or isinstance(self.future.exception(), Stopped)
        )


_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wfm-run")
_JOBS: OrderedDict[str, Job] = OrderedDict()
_LOCK = threading.Lock()
_IDLE: list[ProcessPoolExecutor] = []


def _new_pool() -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(os.cpu_count() or 1, mp_context=context)


def _run(run: Callable[..., Any], args: tuple[Any, ...], job: Job) -> Any:
    job.started = True
    finished = False
    try:
        answer = run(*args, job)
        finished = True
        return answer
    except BaseException as err:
        if job.stopping:  # however it showed (a broken pool, a cancelled task): a stop
            raise Stopped from err
        raise
    finally:
        _release(job, warm=finished and not job.stopping)


def _release(job: Job, warm: bool) -> None:
    """Take the job's pool back: kept warm for the next job after a clean finish, else ended
    (a failed or stopped job's pool may be broken or still busy)."""
    with _LOCK:
        pool, job.pool = job.pool, None
        if pool is not None and warm and len(_IDLE) < MAX_IDLE_POOLS:
            _IDLE.append(pool)
            return
    if pool is not None:
        terminate_pool(pool)


def submit(run: Callable[..., Any], *args: Any) -> str:
    """Start ``run(*args, job)`` unless the same run is under way or done (a failed one is
    started again); its key. `args` must be JSON-serialisable."""
    key = hashlib.sha256(json.dumps([run.__module__, run.__qualname__, *args]).encode()).hexdigest()
    with _LOCK:
        job = _JOBS.get(key)
        if job is None or job.failed:
            job = Job()
            job.future = _POOL.submit(_run, run, args, job)
            _JOBS[key] = job
        _JOBS.move_to_end(key)
        while len(_JOBS) > MAX_JOBS:
            oldest = next((k for k, j in _JOBS.items() if j.done), None)
            if oldest is None:
                break
            del _JOBS[oldest]
    return key


def result(key: str | None) -> Any:
    """The job's result when it has finished (its exception raised if it failed); None while it
    runs, when it was stopped, or when the key is unknown (dropped, or from before a restart)."""
    job = _JOBS.get(key) if key else None
    if job is None or not job.done or job.stopped:
        return None
    return job.future.result()


def stop(key: str) -> None:
    """Stop the job: at once if it still waits for a thread or for its worker processes (which
    are ended, with the replications they were running), else at its next progress report
    (work it does in its own thread, such as a solver's run, ends there)."""
    job = _JOBS.get(key)
    if job is not None:
        _stop(job)


def _stop(job: Job) -> None:
    if job.done:
        return
    with _LOCK:
        job.stopping = True
        job.future.cancel()
        pool, job.pool = job.pool, None
    if pool is not None:
        terminate_pool(pool)


def shut_down() -> None:
    """Stop every job and end every worker process: what the server does as it exits."""
    for job in list(_JOBS.values()):
        _stop(job)
    with _LOCK:
        idle = list(_IDLE)
        _IDLE.clear()
    for pool in idle:
        terminate_pool(pool)


# Python waits for the jobs' threads as it exits (concurrent.futures joins them, and the
# worker processes' tasks, in a hook of `threading`, before `atexit` would run), so a server
# stopped mid-run would hang until its runs had finished. Hooks of `threading` run last
# registered first: this one runs before those, and stops the jobs so the waits are short.
threading._register_atexit(shut_down)


def stopped(key: str | None) -> bool:
    """Whether the job of that key was stopped by its user."""
    job = _JOBS.get(key) if key else None
    return job is not None and job.stopped


def known(key: str | None) -> bool:
    """Whether a job of that key is kept (running or finished)."""
    return key is not None and key in _JOBS


def failed(key: str | None) -> bool:
    """Whether the job of that key ended with an exception."""
    job = _JOBS.get(key) if key else None
    return job is not None and job.failed


def running() -> bool:
    """Whether any job is still under way."""
    return any(not job.done for job in list(_JOBS.values()))


def wait_all(timeout_s: float) -> bool:
    """Wait until every job submitted so far has ended, at most `timeout_s` seconds; whether
    they all have."""
    futures = [job.future for job in list(_JOBS.values()) if job.future is not None]
    _done, pending = wait(futures, timeout=timeout_s)
    return not pending


def forget() -> None:
    """Drop every finished job (the runs' cache), as after a restart."""
    with _LOCK:
        for key in [k for k, job in _JOBS.items() if job.done]:
            del _JOBS[key]


def progress_panel(key: str, label: str) -> None:
    """While the job runs: its progress bar, refreshed every `POLL_S` seconds without blocking
    the page, and a rerun of the app when it ends."""
    job = _JOBS.get(key)
    if job is None or job.done:
        return

    @st.fragment(run_every=POLL_S)
    def poll() -> None:
        if job.done:
            st.rerun()
        if job.stopping:
            text = f"{label}: stopping"
        elif not job.started:
            text = f"{label}: queued behind other runs"
        else:
            text = f"{label}: {job.message}" if job.message else f"{label}: {job.fraction:.0%}"
        st.progress(job.fraction, text=text)
        if not job.stopping and st.button("Stop", key=f"stop_{key}"):
            stop(key)

    poll()
