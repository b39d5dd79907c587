"""Progress lines on stderr for long work (silenced by --quiet)."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Progress:
    """Print ``[  1.2s] aws us-east-1: ec2 instances`` lines to stderr unless quiet."""

    quiet: bool = False
    stream: object = None
    _start: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        stream = self.stream or sys.stderr
        with self._lock:
            print(f"[{time.monotonic() - self._start:6.1f}s] {message}", file=stream, flush=True)


QUIET = Progress(quiet=True)
