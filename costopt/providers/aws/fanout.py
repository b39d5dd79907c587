"""Run the adapter's read tasks on threads, spread over worker processes when that pays.

Why: reading an account-region is mostly waiting on the network, which threads overlap, but
what remains is pure-Python botocore work (building a client per service and region, signing,
parsing XML) that holds the GIL. Past a few dozen account-regions one core is the limit, so
on Linux the tasks are split over forked worker processes, each with its own thread pool.
Forking shares the parent's loaded service models and credentials without pickling them;
only the results (:class:`~costopt.providers.aws.regional.Partial`) travel back.

Fork is used only on Linux (macOS's system frameworks are not fork-safe), only while this
process runs no other Python thread (a lock one of them holds would stay locked in the child;
an earlier GCP collection's gRPC threads, say), and only when asked for or when the plan is big
enough (``TASKS_PER_PROCESS``); otherwise, and always with one worker thread, everything runs
in this process. ``[providers.aws] processes = 1`` turns the fan-out off.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Sequence

from costopt.errors import ProviderError

TASKS_PER_PROCESS = 8  # "auto" starts one more process per this many tasks, up to the core count

Task = tuple[Callable[..., Any], tuple[Any, ...]]

# The forked workers read their tasks from here: fork copies it, nothing is pickled.
_inherited: dict[str, Any] = {}


def fork_available() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def fork_safe_now() -> bool:
    """Linux, and no other Python thread that could hold a lock the child would inherit."""
    return fork_available() and threading.active_count() == 1


def process_count(setting: Any, tasks: int, threads: int, fork_ok: bool | None = None) -> int:
    """How many processes to use: ``setting`` is "auto" or a positive int; ``fork_ok``
    defaults to :func:`fork_safe_now`."""
    if fork_ok is None:
        fork_ok = fork_safe_now()
    if threads <= 1 or tasks <= 1 or not fork_ok:
        return 1
    if setting == "auto":
        return max(1, min(os.cpu_count() or 1, math.ceil(tasks / TASKS_PER_PROCESS)))
    return max(1, min(int(setting), tasks))


def run_tasks(tasks: Sequence[Task], threads: int, processes: int) -> list[Any]:
    """Each task's result, in task order."""
    if processes <= 1:
        return _threaded(tasks, threads)
    _inherited["tasks"] = tasks
    _inherited["threads"] = max(1, math.ceil(threads / processes))
    shards = [list(range(i, len(tasks), processes)) for i in range(processes)]
    results: dict[int, Any] = {}
    try:
        with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork")) as pool:
            for part in pool.map(_run_shard, shards):
                results.update(part)
    except BrokenProcessPool as exc:
        raise ProviderError(f"aws: a collection worker process died ({exc}); "
                            "fix: rerun with [providers.aws] processes = 1") from None
    finally:
        _inherited.clear()
    return [results[i] for i in range(len(tasks))]


def _threaded(tasks: Sequence[Task], threads: int) -> list[Any]:
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="costopt-aws") as pool:
        futures = [pool.submit(func, *args) for func, args in tasks]
        return [f.result() for f in futures]


def _run_shard(indices: list[int]) -> list[tuple[int, Any]]:
    """In a forked worker: run the inherited tasks at ``indices`` on a thread pool."""
    tasks = _inherited["tasks"]
    return list(zip(indices, _threaded([tasks[i] for i in indices], _inherited["threads"])))
