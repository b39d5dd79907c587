"""Audit history: keep every audit, compare each new one with the last, show the trend.

``record(audit, directory)`` saves the audit atomically under the history folder (default
``$XDG_DATA_HOME/costopt/history``, i.e. ``~/.local/share/costopt/history``) and returns it
with ``extras.history`` filled in from the previous audit:

- week-over-week spend: the last 7 billed days of this audit against those of the previous
  one (amount and fraction);
- new recommendations (ids not open last time) and resolved ones (open last time, gone now);
- realised savings: a resolved recommendation counts as *applied* when the resource changed
  as recommended (every key of ``proposed`` matches the resource's state now, or the resource
  is gone and the proposal removes it: ``Proposal.removes``) **and** its monthly cost fell; realised = cost before
  minus cost now. The resource's state now comes from ``extras.inventory`` (see
  :func:`inventory`), or else from another open recommendation on the same resource.
- ``open_since``: the first audit in which each open recommendation appeared (the gate's
  "unrealised for N weeks" check reads it), and ``trend``: one point per saved audit.

An ``index.json`` beside the audits keeps the per-audit summary so ``costopt history list``
and the trend never re-read every audit; it is rebuilt when missing or out of date.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from costopt.audit_extras import BriefRec, HistorySection, InventoryState, PreviousAudit, ResolvedRec, TrendPoint
from costopt.audit_io import audit_from_text, audit_to_json
from costopt.errors import InputError
from costopt.history_store import LocalStore, Store, local_root
from costopt.model import HOURS_PER_MONTH, Audit, Recommendation
from costopt.reports import view

INDEX = "index.json"
FILE_RE = re.compile(r"^audit-(\d{8}T\d{6}Z)(-\d+)?\.json$")
TREND_POINTS = 104


def history_dir(directory: str | os.PathLike | None = None) -> Path:
    """The local history root: ``directory`` if given (``~`` expanded), else the XDG data dir."""
    return local_root(directory)


def as_store(where: Store | str | os.PathLike | None) -> Store:
    """A store as given, or a local folder (taken as one scope's folder) from a path."""
    if where is None or isinstance(where, (str, os.PathLike)):
        return LocalStore(history_dir(where))
    return where


def inventory(snapshot: Any) -> dict[str, InventoryState]:
    """Compact state of each resource (type, count, pricing, state, monthly cost) for ``extras.inventory``."""
    out: dict[str, InventoryState] = {}
    for r in getattr(snapshot, "resources", ()):
        state = r.attributes.get("state")  # resource attributes: an open, per-kind table
        out[r.id] = InventoryState(r.type, r.count, r.pricing_model, r.kind, None if state is None else str(state),
                                   None if r.hourly_cost is None else r.hourly_cost * HOURS_PER_MONTH)
    return out


# -- summaries and the index -------------------------------------------------------------------

def summary(audit: Audit, file: str = "") -> dict[str, Any]:
    h = view.headline(audit)
    section = audit.extras.history
    return {
        "file": file, "run_at": audit.run_at.isoformat(), "window_start": audit.window.start.isoformat(),
        "window_end": audit.window.end.isoformat(), "currency": audit.currency,
        "spend_in_window": h.spend_in_window, "weekly_spend": _weekly(audit), "monthly_run_rate": h.monthly_run_rate,
        "monthly_savings": h.savings.monthly_savings, "recommendations": h.recommendations,
        "realised_savings": float(section.realised_total) if section is not None else 0.0,
    }


def _weekly(audit: Audit) -> float:
    weekly = view.weekly_spend(audit)
    if weekly.last_week is not None:
        return weekly.last_week
    total = audit.spend.total
    return total / audit.window.days * 7.0 if audit.window.days else 0.0


def _load(store: Store, name: str) -> Audit:
    try:
        text = store.read_text(name)
    except OSError as exc:
        raise InputError(f"cannot read a saved audit ({exc})", path=f"{store.location}/{name}") from None
    return audit_from_text(text, f"{store.location}/{name}")


def entries(where: Store | str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """Summaries of the saved audits, oldest first (from the index, rebuilt if stale)."""
    store = as_store(where)
    names = store.names()
    files = sorted(n for n in names if FILE_RE.match(n))
    try:
        if INDEX not in names:
            raise LookupError(INDEX)
        index = json.loads(store.read_text(INDEX))
        rows = index["entries"]
        if all(_valid_row(r) for r in rows) and sorted(r["file"] for r in rows) == files:
            return sorted(rows, key=lambda r: (r["run_at"], r["file"]))
    except (OSError, ValueError, KeyError, TypeError, LookupError):
        pass
    rows = []
    for name in files:
        try:
            rows.append(summary(_load(store, name), name))
        except InputError:
            continue  # unreadable audits are left out of the trend, never fatal
    rows.sort(key=lambda r: (r["run_at"], r["file"]))
    if files:
        _write_index(store, rows)
    return rows


_TEXT_FIELDS = {"file": FILE_RE, "currency": re.compile(r"^[A-Z]{3}$")}
_NUMBER_FIELDS = ("spend_in_window", "weekly_spend", "monthly_run_rate", "monthly_savings", "realised_savings")


def _valid_row(row: Any) -> bool:
    """Whether an index row has the summary's shape. The index is a cache of the saved audits
    (which are schema-checked on read): a damaged or edited row is rebuilt from them, so no
    text where a figure belongs, no non-finite figure and no control character reaches a table."""
    if not isinstance(row, dict):
        return False
    for key, pattern in _TEXT_FIELDS.items():
        if not (isinstance(row.get(key), str) and pattern.match(row[key])):
            return False
    for key in ("run_at", "window_start", "window_end"):
        try:
            datetime.fromisoformat(row[key])
        except (KeyError, TypeError, ValueError):
            return False
    figures = [row.get(k) for k in _NUMBER_FIELDS]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in figures):
        return False
    count = row.get("recommendations")
    return isinstance(count, int) and not isinstance(count, bool) and count >= 0


def _write_index(store: Store, rows: list[dict[str, Any]]) -> None:
    store.write_text(INDEX, json.dumps({"version": 1, "entries": rows}, indent=1) + "\n")


REF_HELP = "latest, -2 (second newest), 3 (third oldest), a file name, or a run date/time prefix such as 2026-11-23"


def load(ref: str = "latest", where: Store | str | os.PathLike | None = None) -> Audit:
    """A saved audit by reference: ``latest``, ``-2`` (second newest), ``3`` (third oldest),
    a file name, or a run date/time prefix such as ``2026-11-23``."""
    store = as_store(where)
    rows = entries(store)
    if not rows:
        raise InputError(f"no saved audits in {store.location}; run `costopt audit` with history on first",
                         path=store.location)
    chosen = None
    if ref == "latest":
        chosen = rows[-1]
    elif re.fullmatch(r"-?\d+", ref) and len(ref) < 6:
        n = int(ref)
        if n == 0 or abs(n) > len(rows):
            raise InputError(f"no audit number {n}; there are {len(rows)} saved audits (1..{len(rows)} or -1..-{len(rows)})",
                             key="REF")
        chosen = rows[n - 1] if n > 0 else rows[n]
    else:
        matches = [r for r in rows if r["file"] == ref or r["run_at"].startswith(ref)]
        if not matches:
            raise InputError(f"no saved audit matches {ref!r}; expected {REF_HELP} (see `costopt history list`)",
                             key="REF")
        chosen = matches[-1]
    return _load(store, chosen["file"])


def trend(where: Store | str | os.PathLike | None = None) -> list[dict[str, Any]]:
    return [{k: r[k] for k in ("run_at", "spend_in_window", "weekly_spend", "monthly_run_rate", "monthly_savings",
                               "recommendations", "realised_savings", "currency")} for r in entries(where)]


# -- comparison ----------------------------------------------------------------------------------

def _brief(r: Recommendation) -> BriefRec:
    return BriefRec(r.id, r.rule_id, r.resource_id, r.resource_name, r.action, r.monthly_savings)


def _state_now(rec: Recommendation, current: Audit) -> tuple[dict[str, Any] | None, bool]:
    """(state of rec's resource in the current audit, whether we know it)."""
    inv = current.extras.inventory
    if inv:
        state = inv.get(rec.resource_id)  # resource id -> its state: absent = gone
        return (state.as_map() if state is not None else None), True
    for other in current.recommendations:
        if other.resource_id == rec.resource_id and other.current:
            return {**other.current, "monthly_cost": other.monthly_cost_before}, True
    return None, False


def verify_applied(rec: Recommendation, current: Audit) -> ResolvedRec:
    """Was a resolved recommendation applied, and what did it save per month?"""
    brief = _brief(rec)

    def resolved(status: str, detail: str, realised: float = 0.0, cost_now: float | None = None) -> ResolvedRec:
        return ResolvedRec(brief.id, brief.rule_id, brief.resource_id, brief.resource_name, brief.action,
                           brief.monthly_savings, rec.monthly_savings, realised, status, cost_now, detail)

    state, known = _state_now(rec, current)
    before = rec.monthly_cost_before
    if not known:
        return resolved("unverified", "no inventory in this audit to check the resource against")
    if state is None:
        if rec.proposed.removes:
            return resolved("applied", "resource no longer exists", before, 0.0)
        return resolved("gone", "resource no longer exists (not the recommended change)")
    compared = {k: v for k, v in rec.proposed.items() if k in state}  # type, count, pricing_model, state
    matches = bool(compared) and all(str(state[k]).lower() == str(v).lower() for k, v in compared.items())
    found = state.get("monthly_cost")  # a typed figure: the inventory's, or a recommendation's cost before
    cost_now = None if found is None else float(found)
    if not matches:
        return resolved("not applied", "resource state does not match the proposed change", cost_now=cost_now)
    if cost_now is None or cost_now >= before:
        return resolved("changed, cost not lower", "changed as recommended but its monthly cost did not fall",
                        cost_now=cost_now)
    return resolved("applied", "changed as recommended and its cost fell", before - cost_now, cost_now)


def compare(previous: Audit | None, current: Audit, previous_file: str = "") -> HistorySection:
    """The ``extras.history`` section for ``current`` given the previous audit (or None)."""
    now = current.run_at.isoformat()
    if previous is None:
        return HistorySection(None, new=tuple(_brief(r) for r in current.recommendations),
                              new_savings=sum(r.monthly_savings for r in current.recommendations),
                              realised_savings=0.0, realised_total=0.0,
                              open_since={r.id: now for r in current.recommendations})
    prev_section = previous.extras.history or HistorySection()
    prev_since = prev_section.open_since
    prev_ids = {r.id: r for r in previous.recommendations}
    cur_ids = {r.id for r in current.recommendations}
    new = [r for r in current.recommendations if r.id not in prev_ids]
    resolved = tuple(verify_applied(r, current) for r in previous.recommendations if r.id not in cur_ids)
    applied = tuple(r for r in resolved if r.status == "applied")
    realised = sum(r.realised_savings for r in applied)
    prev_week, cur_week = _weekly(previous), _weekly(current)
    change = cur_week - prev_week
    return HistorySection(
        previous=PreviousAudit(previous.run_at.isoformat(), previous_file, float(previous.totals.monthly_savings)),
        weekly_spend=cur_week, previous_weekly_spend=prev_week,
        spend_change=change, spend_change_pct=(change / prev_week) if prev_week else None,
        new=tuple(_brief(r) for r in new), new_savings=sum(r.monthly_savings for r in new),
        resolved=resolved, applied=applied, realised_savings=realised,
        realised_total=float(prev_section.realised_total) + realised,
        open_since={r.id: (prev_since.get(r.id) or (previous.run_at.isoformat() if r.id in prev_ids else now))
                    for r in current.recommendations},
    )


# -- record ------------------------------------------------------------------------------------

def _file_name(audit: Audit, existing: Iterable[str]) -> str:
    stamp = audit.run_at.strftime("%Y%m%dT%H%M%SZ")
    taken = set(existing)
    name, n = f"audit-{stamp}.json", 1
    while name in taken:
        name, n = f"audit-{stamp}-{n}.json", n + 1
    return name


def record(audit: Audit, where: Store | str | os.PathLike | None = None, snapshot: Any = None) -> Audit:
    """Compare ``audit`` with the latest earlier saved audit of the same store (scope), save it,
    and return it with ``extras.history`` (and ``extras.inventory`` when a snapshot is given)."""
    audit, save = prepare(audit, where, snapshot)
    save()
    return audit


def prepare(audit: Audit, where: Store | str | os.PathLike | None = None,
            snapshot: Any = None) -> tuple[Audit, Callable[[], None]]:
    """:func:`record` in two steps: the compared audit now, and the call that saves it (so the
    caller can write its reports first and save only when they are safely on disk)."""
    store = as_store(where)
    if snapshot is not None and audit.extras.inventory is None:
        audit = replace(audit, extras=replace(audit.extras, inventory=inventory(snapshot)))
    rows = entries(store)
    previous, previous_file = None, ""
    for row in reversed(rows):
        if row["run_at"] < audit.run_at.isoformat() and row["currency"] == audit.currency:
            try:
                previous, previous_file = _load(store, row["file"]), row["file"]
                break
            except InputError:
                continue
    section = compare(previous, audit, previous_file)
    audit = replace(audit, extras=replace(audit.extras, history=section))
    points = [r for r in rows if r["currency"] == audit.currency and r["run_at"] < audit.run_at.isoformat()]
    this = summary(audit, "")
    trend = tuple(TrendPoint(p["run_at"], p["weekly_spend"], p["monthly_savings"], p["realised_savings"],
                             p["spend_in_window"], p["recommendations"]) for p in (points + [this])[-TREND_POINTS:])
    audit = replace(audit, extras=replace(audit.extras, history=replace(section, trend=trend)))
    text = audit_to_json(audit)

    def save() -> None:
        taken = {r["file"] for r in rows}
        while True:  # another audit saving at the same time may take a name first: never overwrite it
            name = _file_name(audit, taken)
            try:
                store.create_text(name, text)
                break
            except FileExistsError:
                taken.add(name)
        this["file"] = name
        others = [r for r in entries(store) if r["file"] != name]  # re-read: includes audits saved meanwhile
        _write_index(store, sorted(others + [this], key=lambda r: (r["run_at"], r["file"])))

    return audit, save
