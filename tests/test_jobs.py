"""The app's background jobs (`ui.jobs`): Stop ends a job's running replications with its worker
processes, a server shutdown ends every job and process, and a finished job's pool is reused."""

from __future__ import annotations

import os
import time

import pytest

from sim.tasks import run_tasks
from ui import jobs


def _pids(job: jobs.Job) -> list[int]:
    """The job's worker processes (once they have started)."""
    return list((job.workers()._processes or {}).keys())


def _sleeps(seconds: float, tasks: int, started: list[jobs.Job], job: jobs.Job) -> list[None]:
    """A run whose replications each take `seconds`, spread over the job's workers."""
    started.append(job)
    return run_tasks(time.sleep, [(seconds,)] * tasks, executor=job.workers(), progress=job.update)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:  # a zombie is gone too
        return stat.read().split(") ")[1].startswith("Z")


def _running(seconds: float, tasks: int) -> tuple[str, jobs.Job, list[int]]:
    """Start a job of sleeping replications and wait until its workers run them."""
    started: list[jobs.Job] = []
    key = jobs.submit(_sleeps, seconds, tasks, started)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if started and (pids := _pids(started[0])):
            time.sleep(1)  # the processes have taken their first tasks
            return key, started[0], pids
        time.sleep(0.1)
    pytest.fail("the job's workers did not start in a minute")


def _ends_within(job: jobs.Job, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job.done, f"the job still ran {seconds} s after it was stopped"


@pytest.mark.slow
def test_stop_ends_the_running_replications_with_their_processes() -> None:
    key, job, pids = _running(seconds=120, tasks=4)
    jobs.stop(key)
    _ends_within(job, 15)
    assert jobs.stopped(key) and jobs.result(key) is None
    assert all(_gone(pid) for pid in pids), "a worker of the stopped job is still alive"


@pytest.mark.slow
def test_a_server_shutdown_ends_every_job_and_worker() -> None:
    key, job, pids = _running(seconds=120, tasks=4)
    queued = jobs.submit(_sleeps, 120.0, 1, [])  # behind it (two job threads): may be running
    jobs.shut_down()
    _ends_within(job, 15)
    assert jobs.stopped(key) and jobs.wait_all(timeout_s=15) and jobs.stopped(queued)
    assert all(_gone(pid) for pid in pids)


@pytest.mark.slow
def test_a_finished_job_hands_its_warm_pool_to_the_next() -> None:
    jobs.shut_down()  # no warm pool left from another test
    first: list[jobs.Job] = []
    key = jobs.submit(_sleeps, 0.1, 2, first)
    assert jobs.wait_all(timeout_s=60) and jobs.result(key) == [None, None]
    pool = jobs._IDLE[0]
    second: list[jobs.Job] = []
    key = jobs.submit(_sleeps, 0.2, 2, second)
    assert jobs.wait_all(timeout_s=60) and jobs.result(key) == [None, None]
    assert len(jobs._IDLE) == 1 and jobs._IDLE[0] is pool, "the second job started its own pool"
