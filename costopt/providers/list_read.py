"""One cloud list read on its own: what was read, what was skipped, and the error that stopped it.

Why: an inventory is many independent lists (instances, disks, addresses, buckets, VMs,
public IPs, storage accounts, metrics). One list failing, or one item in it that the client
cannot parse or costopt cannot map, must cost only that list or that item: everything read
before it is kept and the gap is one coverage entry naming the list or the item.

How to use: the adapter builds a :class:`ListRead` per list (its reader catches the error
that stops the list and the items it had to skip), then :func:`coverage` turns it into the
coverage entries: ``ok``; ``partial`` plus one ``failed`` entry per skipped item; or
``failed`` (with how many items had been read before the failure).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from costopt.model import CoverageEntry, MetricSeries, Resource

MAX_ITEM_ENTRIES = 20  # skipped items named one by one; the rest are counted in the list's entry


@dataclass(frozen=True)
class Skipped:
    """One item left out of a list: its name (or position) and the first line of why."""

    name: str
    reason: str


@dataclass(frozen=True)
class ListRead:
    """The items of one list read so far, the items skipped, and the error that stopped the read."""

    items: tuple[Any, ...]
    skipped: tuple[Skipped, ...] = ()
    error: BaseException | None = None


@dataclass
class Collected:
    """What reading one account, project or subscription produced."""

    resources: list[Resource] = field(default_factory=list)
    metrics: list[MetricSeries] = field(default_factory=list)
    coverage: list[CoverageEntry] = field(default_factory=list)


def first_line(exc: BaseException, limit: int = 200) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:limit]


def failed(provider: str, scope: str, exc: BaseException, what: str, code_and_fix: tuple[str, str]) -> CoverageEntry:
    """A ``failed`` coverage entry: what could not be read, the first line of why, the code and fix."""
    code, fix = code_and_fix
    return CoverageEntry(provider, scope, "failed", f"{what}: {first_line(exc)}", code, fix)


def build_each(items: Iterable[Any], build: Callable[[Any], Any], name_of: Callable[[Any], str]
               ) -> tuple[list[Any], list[Skipped]]:
    """``build(item)`` for every item; an item whose build raises is skipped with its reason."""
    built: list[Any] = []
    skipped: list[Skipped] = []
    for position, item in enumerate(items):
        try:
            built.append(build(item))
        except Exception as exc:  # one unmappable item must not cost the others
            try:
                name = str(name_of(item) or f"item {position}")
            except Exception:
                name = f"item {position}"
            skipped.append(Skipped(name, f"{type(exc).__name__}: {first_line(exc)}"))
    return built, skipped


def coverage(provider: str, scope: str, what: str, read: ListRead, count: int,
             failed: Callable[[str, BaseException, str], CoverageEntry]) -> list[CoverageEntry]:
    """Coverage entries for one list: ``count`` items kept; ``failed(scope, exc, what)`` classifies an error."""
    out: list[CoverageEntry] = []
    first: dict[str, Skipped] = {}
    for item in read.skipped:  # one entry per name (a scope warned on every page), with its first reason
        first.setdefault(item.name, item)
    read = ListRead(read.items, tuple(first.values()), read.error)
    for item in read.skipped[:MAX_ITEM_ENTRIES]:
        out.append(CoverageEntry(provider, f"{scope}/{item.name}", "failed", f"{what}: item skipped: {item.reason}",
                                 "UnreadableItem", "the item was left out; rerun with --debug for the full error"))
    more = len(read.skipped) - MAX_ITEM_ENTRIES
    if read.error is not None:
        entry = failed(scope, read.error, what)
        if count:
            entry = CoverageEntry(entry.provider, entry.scope, "partial",
                                  f"{entry.detail} (kept the {count} read before the failure)", entry.error_code,
                                  entry.fix)
        out.append(entry)
    elif read.skipped:
        extra = f" ({more} more not named)" if more > 0 else ""
        out.append(CoverageEntry(provider, scope, "partial",
                                 f"{count} {what}, {len(read.skipped)} skipped{extra}"))
    else:
        out.append(CoverageEntry(provider, scope, "ok", f"{count} {what}"))
    return out
