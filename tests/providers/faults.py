"""Faults for the provider fakes' wire wrappers (Azure ``faulty``, GCP ``wrapped``): a fault is
``fault(method, url) -> (status, headers, body) | None``; None lets the seeded fake answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Answer = tuple[int, dict[str, str], Any]


def answer_when(answer: Answer, *fragments: str) -> Callable[[str, str], Answer | None]:
    """A fault answering ``answer`` to every request whose URL (path and query) contains each of
    ``fragments``, compared without regard to case."""
    wanted = [f.lower() for f in fragments]

    def fault(method: str, url: str) -> Answer | None:
        low = url.lower()
        return answer if all(f in low for f in wanted) else None

    return fault
