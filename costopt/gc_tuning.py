"""Garbage-collector settings for phases that build many long-lived objects.

Why: CPython's cyclic collector re-scans every container that survived earlier collections.
Reading an AWS estate loads megabytes of botocore service models and builds one client class
per (service, region); with the default thresholds the collections that follow scan all of it
again and again. In ``benchmarks/bench_aws.py`` that was about a quarter of the adapter's CPU.
Those phases make little cyclic garbage (responses are plain dicts, freed by reference
counting), so :func:`long_lived_allocations` moves what already exists to the permanent
generation (``gc.freeze``) and runs the youngest collection less often. Both are undone on
exit, so later phases see the interpreter's own settings.

Nesting and concurrent use from several threads are safe: only the outermost entry changes
the settings and only the last exit restores them.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

YOUNG_THRESHOLD = 100_000  # allocations between young collections (CPython's default is 700)

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] = ()


def settle() -> None:
    """Inside :func:`long_lived_allocations`: freeze what has been built so far too."""
    with _lock:
        if _depth:
            gc.freeze()


@contextmanager
def long_lived_allocations(young_threshold: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Freeze the current heap and collect young objects less often, for the ``with`` body."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(max(_saved[0], young_threshold), *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()
