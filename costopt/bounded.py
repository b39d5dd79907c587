"""Run tasks on a few threads, each within a deadline: a task that hangs is given up, not waited for.

Why: a cloud region (or project, or subscription) that accepts connections and never answers
held a whole audit for tens of minutes — every call waits for its read timeout on every retry.
Client timeouts bound each call; this bounds each scope: :func:`run_bounded` starts the tasks
on ``workers`` daemon threads and returns, in task order, each task's result or
:class:`TimedOut` for one that ran longer than ``deadline_s``. A timed-out task's thread is
abandoned (a daemon: it cannot keep the process alive) and a fresh thread takes its place, so
the other tasks still run. The whole run therefore ends within about
``ceil(tasks / workers) x deadline_s`` even if every task hangs, and within ``deadline_s`` of
its start for any one task.

An exception in a task is re-raised in the caller (tasks record their own recoverable
errors as coverage).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
POLL_S = 0.05  # how often the caller looks at the clock while tasks run


@dataclass(frozen=True)
class TimedOut:
    """A task that had not finished when its deadline passed."""

    index: int
    seconds: float


@dataclass
class _Slot(Generic[T]):
    started: float | None = None
    done: bool = False
    result: T | None = None
    error: BaseException | None = None


def run_bounded(tasks: Sequence[Callable[[], T]], workers: int, deadline_s: float, *, name: str = "costopt",
                clock: Callable[[], float] = time.monotonic) -> list[T | TimedOut]:
    """Each task's result in order, or TimedOut for a task that ran past ``deadline_s``."""
    slots: list[_Slot[T]] = [_Slot() for _ in tasks]
    given_up: set[int] = set()
    lock = threading.Condition()
    queue = list(range(len(tasks)))
    queue.reverse()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                i = queue.pop()
                slots[i].started = clock()
            try:
                value, error = tasks[i](), None
            except BaseException as exc:  # handed to the caller below
                value, error = None, exc
            with lock:
                if i in given_up:
                    return  # the caller moved on; this thread was replaced
                slots[i].result, slots[i].error, slots[i].done = value, error, True
                lock.notify_all()

    def start() -> None:
        threading.Thread(target=work, name=f"{name}-worker", daemon=True).start()

    for _ in range(max(1, min(workers, len(tasks)))):
        start()
    with lock:
        while True:
            now = clock()
            for i, slot in enumerate(slots):
                if not slot.done and i not in given_up and slot.started is not None and now - slot.started > deadline_s:
                    given_up.add(i)
                    start()  # the hung thread keeps its task; a new one takes the queue
            if all(s.done or i in given_up for i, s in enumerate(slots)):
                break
            lock.wait(POLL_S)
    out: list[T | TimedOut] = []
    for i, slot in enumerate(slots):
        if i in given_up:
            out.append(TimedOut(i, deadline_s))
        elif slot.error is not None:
            raise slot.error
        else:
            out.append(slot.result)  # type: ignore[arg-type]
    return out
