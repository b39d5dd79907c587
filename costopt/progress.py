"""Progress lines on stderr for long work (silenced by --quiet)."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field

from costopt.sanitize import CONTROL, visible


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
        # messages carry names from data (file names a glob found, accounts, projects): shown escaped
        line = f"[{time.monotonic() - self._start:6.1f}s] {CONTROL.sub(visible, message)}\n"
        with self._lock:  # one write per line: worker processes share the stream too
            stream.write(line)
            stream.flush()


QUIET = Progress(quiet=True)
