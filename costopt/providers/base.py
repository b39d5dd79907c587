"""The provider contract and Snapshot merging.

A provider is any object with a ``name`` and ``collect(window, settings, progress) -> Snapshot``.
It reads only, never changes a cloud, pages through every list, retries throttling, and
records what it could not read as :class:`CoverageEntry` values instead of failing.
It raises :class:`costopt.errors.ProviderError` only when nothing at all could be read
(e.g. no credentials), with a one-line fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from costopt.billing.table import BillingTable
from costopt.config import Settings
from costopt.model import Snapshot, Window
from costopt.progress import Progress


class Provider(Protocol):
    name: str

    def collect(self, window: Window, settings: Settings, progress: Progress) -> Snapshot:
        ...


def merge_snapshots(window: Window, snapshots: Iterable[Snapshot]) -> Snapshot:
    """One Snapshot from many: resources, metrics, coverage and prices concatenated; billing unioned."""
    snaps = list(snapshots)
    billing = None
    tables = [s.billing for s in snaps if s.billing is not None and not s.billing.empty]
    if len(tables) == 1:
        billing = tables[0]
    elif tables:
        billing = BillingTable()
        billing.extend(tables)
    seen: set[str] = set()
    resources = []
    for s in snaps:
        for r in s.resources:
            if r.id not in seen:
                seen.add(r.id)
                resources.append(r)
    return Snapshot(
        window=window,
        resources=tuple(resources),
        metrics=tuple(m for s in snaps for m in s.metrics),
        billing=billing,
        coverage=tuple(c for s in snaps for c in s.coverage),
        prices=tuple(p for s in snaps for p in s.prices),
    )
