"""Pause Python's cyclic garbage collector around a step that allocates many small objects.

An audit's heap is large (every metric series, ~10 objects per recommendation), and the
collector's passes are triggered by allocation counts: a step that builds tens of thousands
of frozen records (the trade-off's copies of every candidate) pays for repeated passes over
everything that is alive, although it creates no reference cycles. Reference counting still
frees everything as usual; the collector resumes (and catches up) when the step ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block (nested use is fine; the outer one resumes it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
