"""Coverage entries of one list read: ok, partial (skipped items or a late failure) or failed."""

from __future__ import annotations

from costopt.model import CoverageEntry
from costopt.providers.list_read import MAX_ITEM_ENTRIES, ListRead, Skipped, build_each, coverage


def failed(scope, exc, what):
    return CoverageEntry("gcp", scope, "failed", f"{what}: {exc}", "PermissionDenied", "grant a role")


def test_ok_partial_and_failed():
    assert [(e.scope, e.status) for e in coverage("gcp", "p/disks", "disks", ListRead((1, 2)), 2, failed)] == [
        ("p/disks", "ok")]
    late = coverage("gcp", "p/disks", "disks", ListRead((1, 2), (), RuntimeError("denied")), 2, failed)
    assert [(e.status, e.error_code) for e in late] == [("partial", "PermissionDenied")]
    assert "kept the 2 read before the failure" in late[0].detail
    early = coverage("gcp", "p/disks", "disks", ListRead((), (), RuntimeError("denied")), 0, failed)
    assert [(e.status, e.error_code) for e in early] == [("failed", "PermissionDenied")]


def test_skipped_items_are_named_once_and_capped():
    skipped = tuple(Skipped(f"disk-{i}", "bad") for i in range(MAX_ITEM_ENTRIES + 5)) + (Skipped("disk-0", "again"),)
    entries = coverage("gcp", "p/disks", "disks", ListRead((1,), skipped), 1, failed)
    items = [e for e in entries if e.scope != "p/disks"]
    assert len(items) == MAX_ITEM_ENTRIES and items[0].detail.endswith("bad")
    (summary,) = [e for e in entries if e.scope == "p/disks"]
    assert summary.status == "partial" and f"{MAX_ITEM_ENTRIES + 5} skipped (5 more not named)" in summary.detail


def test_build_each_keeps_the_items_that_map():
    built, skipped = build_each([1, 0, 4], lambda x: 8 // x, lambda x: f"n{x}")
    assert built == [8, 2] and [(s.name, s.reason.split(":")[0]) for s in skipped] == [("n0", "ZeroDivisionError")]
