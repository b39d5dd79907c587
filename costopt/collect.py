"""Build one Snapshot from what the user asked for: billing files, cloud providers, the demo."""

from __future__ import annotations

from datetime import UTC, datetime

from costopt.billing.athena_sql import is_athena
from costopt.billing.readers import open_sources
from costopt.config import Settings
from costopt.errors import InputError, ProviderError
from costopt.model import CoverageEntry, Snapshot, Window
from costopt.pipeline import AuditRequest, default_window
from costopt.progress import Progress
from costopt.providers.base import merge_snapshots
from costopt.providers.registry import make_provider


def window_from_billing(table, settings: Settings, explicit_lookback: bool,
                        as_of: datetime | None = None) -> Window | None:
    """For billing files only: the data's own range, cut at ``as_of`` (``--as-of``) when given,
    and its last ``lookback`` when one is given."""
    row = table.query("SELECT MIN(ChargePeriodStart) AS s, MAX(ChargePeriodEnd) AS e FROM focus")
    start, end = row["s"].iloc[0], row["e"].iloc[0]
    if start is None or end is None or str(start) == "NaT":
        return None
    start = start.to_pydatetime().replace(tzinfo=UTC)
    end = end.to_pydatetime().replace(tzinfo=UTC)
    if as_of is not None and as_of < end:
        end = as_of
    if end <= start:
        return None
    if explicit_lookback and end - settings.lookback > start:
        start = end - settings.lookback
    return Window(start, end)


def _source_entry(table, label: str) -> CoverageEntry:
    """The coverage line of one billing source (a remote one says what its query scanned)."""
    if is_athena(label):
        return CoverageEntry("athena", label, "ok", table.notes.get(label, "billing table aggregated in Athena"))
    return CoverageEntry("files", label, "ok", "billing export")



def collect(request: AuditRequest, settings: Settings, progress: Progress, *,
            explicit_lookback: bool = False) -> Snapshot:
    """Read every source the request names into one Snapshot."""
    if not (request.sources or request.providers or request.demo):
        raise InputError("nothing to audit: pass --source FILE (billing exports), --provider aws|gcp|azure, or --demo")
    now = request.now or datetime.now(UTC)
    snapshots: list[Snapshot] = []
    table = None
    if request.sources:
        progress(f"reading {len(request.sources)} billing source(s)")
        lookback = default_window(settings, now)  # what a remote (athena://) source is asked for
        table = open_sources(request.sources, request.source_format, progress,
                             window=(lookback.start, lookback.end), remote=request.remote)
    if request.demo:
        window = default_window(settings, now)
        snapshots.append(request.demo(window, settings, progress, now))
    else:
        window = default_window(settings, now)
        if table is not None and not request.providers:
            window = window_from_billing(table, settings, explicit_lookback, request.now) or window
    failures = []
    for name in request.providers:
        adapter = make_provider(name, request.provider_options)
        progress(f"{name}: collecting")
        try:
            snapshots.append(adapter.collect(window, settings, progress))
        except ProviderError as exc:
            failures.append(exc)
            snapshots.append(Snapshot(window, coverage=(CoverageEntry(name, "*", "failed", str(exc)),)))
    if failures and len(failures) == len(request.providers) and not (request.sources or request.demo):
        raise failures[0]
    if table is not None:
        snapshots.append(Snapshot(window, billing=table,
                                  coverage=tuple(_source_entry(table, s) for s in table.sources)))
    return merge_snapshots(window, snapshots)
