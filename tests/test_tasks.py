"""The one way jobs run many tasks (`sim.tasks.run_tasks`): results in the tasks' order wherever
they ran, progress as they finish, and queued tasks cancelled when a job is left early."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from sim.tasks import run_tasks


def _square(x: int) -> int:
    return x * x


RAN: list[int] = []


def _recorded(gate: threading.Event, x: int) -> int:
    gate.wait(timeout=30)
    RAN.append(x)
    time.sleep(0.2)  # a task's work: the caller hears of it before the next one ends
    return x


class Stop(Exception):
    pass


@pytest.mark.parametrize("workers", [1, 2])
def test_results_come_in_the_tasks_order_with_progress_up_to_one(workers: int) -> None:
    seen: list[float] = []
    found = run_tasks(_square, [(x,) for x in range(7)], workers=workers, progress=seen.append)
    assert found == [x * x for x in range(7)]
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == 7


def test_in_process_a_task_that_follows_progress_reports_its_part() -> None:
    seen: list[float] = []

    def halves(x: int, progress) -> int:
        progress(0.5)
        return x

    assert run_tasks(halves, [(1,), (2,)], workers=1, progress=seen.append,
                     follows_progress=True) == [1, 2]  # fmt: skip
    assert seen == [0.25, 0.5, 0.75, 1.0]


def test_a_stop_from_progress_cancels_the_tasks_still_queued_on_a_shared_executor() -> None:
    RAN.clear()
    gate = threading.Event()

    def stop(_fraction: float) -> None:
        raise Stop

    with ThreadPoolExecutor(max_workers=1) as shared:
        shared.submit(gate.wait, 30)  # holds the only thread, so that every task queues
        opener = threading.Timer(0.2, gate.set)
        opener.start()
        with pytest.raises(Stop):
            run_tasks(_recorded, [(gate, x) for x in range(6)], executor=shared, progress=stop)
        opener.join()
    # The first task's progress raised Stop; the thread may have taken the next task before
    # the cancel, never the four after it.
    assert RAN[:1] == [0] and len(RAN) <= 2
