"""The audit pipeline: sources -> Snapshot -> rules -> trade-off -> selection -> Audit.

Providers are the only stage that does I/O with clouds; everything after ``collect`` is a
pure function of the Snapshot, the catalog and the settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from costopt import price_trust
from costopt.audit_extras import Extras, frontiers
from costopt.billing.breakdown import spend_summary
from costopt.calendar import audit_calendar, spend_daily_totals
from costopt.catalog import load_catalog
from costopt.catalog.staleness import stale_after_days, stale_sources
from costopt.config import Settings
from costopt.model import Audit, Recommendation, Snapshot, Window
from costopt.progress import QUIET, Progress
from costopt.rules.engine import RuleRun, run_rules
from costopt.sections import AuditSettings
from costopt.totals import build_totals
from costopt.tradeoff.assess import assess_and_select
from costopt.tradeoff.selection import Selection

# The demo estate's collector (costopt.demo.collect.collect_demo), handed in by the CLI's --demo
# path: product modules never import the demo package.
DemoSource = Callable[[Window, Settings, Progress, datetime], Snapshot]


@dataclass(frozen=True)
class AuditRequest:
    """What the user asked for on the command line (or in a test)."""

    sources: tuple[str, ...] = ()
    source_format: str | None = None
    providers: tuple[str, ...] = ()
    demo: DemoSource | None = None
    provider_options: dict[str, Any] = field(default_factory=dict)
    slo_policy: str | None = None
    now: datetime | None = None
    remote: Any = None  # makes the Athena client for athena:// sources (costopt.billing.readers.athena.Connect)


def default_window(settings: Settings, now: datetime | None = None) -> Window:
    end = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    return Window(end - settings.lookback, end)


# Commitments are sized after the other families: on the usage that the selected
# right-sizing, spot, idle, autoscaling and model changes leave in place, so the same
# hours are never counted as saved twice.
SIZED_AFTER_OTHERS = ("commitments",)
USAGE_CHANGING_FAMILIES = frozenset({"idle", "rightsizing", "spot", "autoscaling", "model"})


def usage_factors(snapshot: Snapshot, selected: Sequence[Recommendation]) -> dict[str, float]:
    """Per resource, the share of its usage left after the selected changes (0 = gone or spot).

    A stop, delete or move to spot leaves nothing to commit; a resize, autoscaling or model
    change leaves cost_after / cost_before. Members of an autoscaling group follow the group.
    """
    factors: dict[str, float] = {}
    by_id = {r.id: r for r in snapshot.resources}
    for rec in selected:
        if rec.family not in USAGE_CHANGING_FAMILIES:
            continue
        if rec.family in ("idle", "spot") or rec.monthly_cost_before <= 0:
            factor = 0.0
        else:
            factor = min(max(rec.monthly_cost_after / rec.monthly_cost_before, 0.0), 1.0)
        resource = by_id.get(rec.resource_id)
        members = tuple(resource.attributes.get("instance_ids", ()) or ()) if resource else ()
        for rid in (rec.resource_id, *members):
            factors[rid] = min(factor, factors.get(rid, 1.0))
    return factors


def without_changed_usage(snapshot: Snapshot, selected: Sequence[Recommendation]) -> Snapshot:
    """The snapshot as it will be after the selected changes, for sizing commitments.

    Billing rows are scaled by :func:`usage_factors`; changed resources leave the inventory
    (their type or count will differ, so a reservation must not be sized on them).
    """
    factors = usage_factors(snapshot, selected)
    if not factors:
        return snapshot
    billing = snapshot.billing.scaled_by_resource(factors) if snapshot.billing is not None else None
    return replace(snapshot, billing=billing, resources=tuple(r for r in snapshot.resources if r.id not in factors),
                   metrics=tuple(m for m in snapshot.metrics if m.resource_id not in factors))


def _note_sizing(rec: Recommendation, changed: int) -> Recommendation:
    if not changed:
        return rec
    return replace(rec, evidence=replace(rec.evidence, sized_after_other_changes=changed), rationale=(
        f"{rec.rationale} (sized on the usage left after {changed} other selected change(s))").strip())


def build_audit(snapshot: Snapshot, settings: Settings, catalog: Any = None, *,
                slo_policy: str | None = None, now: datetime | None = None,
                progress: Progress = QUIET) -> Audit:
    """Run rules, trade-off and selection over ``snapshot`` and wrap the result."""
    if catalog is None:
        catalog = load_catalog(settings)
    policy = slo_policy or settings.slo_policy
    progress("running rules")
    first = run_rules(snapshot, catalog, settings, skip_families=SIZED_AFTER_OTHERS)
    progress(f"{len(first.candidates)} candidates; predicting impacts")
    chosen = assess_and_select(first.candidates, snapshot, settings, catalog, policy)
    remaining = without_changed_usage(snapshot, chosen.selected)
    progress("sizing commitments on the usage the selected changes leave in place")
    second = run_rules(remaining, catalog, settings, families=SIZED_AFTER_OTHERS)
    commits = assess_and_select(second.candidates, remaining, settings, catalog, policy)
    changed = len(snapshot.resources) - len(remaining.resources)
    commit_selected = tuple(_note_sizing(r, changed) for r in commits.selected)
    selected = tuple(sorted(chosen.selected + commit_selected, key=lambda r: (-r.monthly_savings, r.id)))
    run = RuleRun(first.candidates + second.candidates, first.skipped + second.skipped,
                  first.failures + second.failures)
    chosen = Selection(selected, chosen.rejected + commits.rejected, chosen.frontier)
    spend = spend_summary(snapshot.billing, settings.team_tag_keys)
    currency = spend.currency or settings.currency or "USD"
    daily = spend_daily_totals(spend)
    window = snapshot.window
    prices = tuple(dict.fromkeys(tuple(snapshot.prices) + tuple(getattr(catalog, "price_sources", lambda: ())())))
    run_at = now or datetime.now(UTC)
    limit = stale_after_days(settings)
    stale = stale_sources(catalog, run_at.date(), limit) if hasattr(catalog, "price_sources") else ()
    bounds = price_trust.lower_bounds(snapshot.resources)
    chosen = Selection(price_trust.apply(chosen.selected, stale, bounds),
                       price_trust.apply(chosen.rejected, stale, bounds), chosen.frontier)
    prices += price_trust.estimate_sources((*chosen.selected, *chosen.rejected), prices)
    stale_used = price_trust.used_by((*chosen.selected, *chosen.rejected), stale)
    extras = Extras(frontier=frontiers(chosen.frontier),
                    stale_prices=price_trust.stale_summary(stale_used, run_at.date(), limit))
    return Audit(
        run_at=run_at,
        window=window,
        currency=currency,
        coverage=snapshot.coverage + run.failures,
        spend=spend,
        recommendations=chosen.selected,
        rejected=chosen.rejected,
        skipped=run.skipped,
        totals=build_totals(chosen.selected, chosen.rejected, currency, spend.total,
                            audit_calendar(window, daily), daily),
        prices=prices,
        extras=extras,
        settings=AuditSettings(lookback_days=settings.lookback / timedelta(days=1), slo_policy=policy,
                               config=settings.source.path, team_tag_keys=tuple(settings.team_tag_keys)),
    )
