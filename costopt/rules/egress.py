"""Egress rules: internet egress hot spots, cross-region transfer, and NAT-processed traffic that a
free gateway endpoint would carry (its traffic reading: :mod:`costopt.rules.nat`).

Egress is found by usage type / SKU, never by service (DESIGN §4): the billing readers mark
data-transfer-out rows ``x_IsEgress``; this module further tells inter-region transfer apart
by its usage-type wording (AWS ``USE1-EUW1-AWS-Out-Bytes``, GCP "Inter Region", Azure
"Inter-Region" / "Intra/Inter Continent").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Skip, Snapshot, recommendation_id
from costopt.records import Current, Proposal
from costopt.rules import defaults
from costopt.rules.base import rule
from costopt.rules.billing_sql import cost_expr, provider_key
from costopt.rules.nat import GB, gateway_endpoint_findings
from costopt.rules.shell import comment

# Inter-region usage types of AWS, GCP and Azure (regular expression for DuckDB).
INTER_REGION_RE = r"(?i)(inter[- ]?region|inter[- ]?continent|intra[- ]?continent|^[A-Z]{2,4}[0-9]?-[A-Z]{2,4}[0-9]?-AWS-(Out|In)-Bytes)"



def _window_hours_sql() -> str:
    return ("SELECT (epoch(MAX(ChargePeriodEnd)) - epoch(MIN(ChargePeriodStart))) / 3600.0 AS hours "
            "FROM focus WHERE ChargeCategory = 'Usage'")


def _weekly_range(weekly: np.ndarray, monthly: float) -> tuple[float, float]:
    if weekly.size < 2:
        return monthly, monthly
    scaled = weekly * HOURS_PER_MONTH / 168.0
    return float(min(scaled.min(), monthly)), float(max(scaled.max(), monthly))


def _egress_sql(params: Any, inter_region: bool) -> str:
    cost = cost_expr(params.cost_column)
    match = f"regexp_matches(COALESCE(x_UsageType, ''), '{INTER_REGION_RE}')"
    where = match if inter_region else f"COALESCE(x_IsEgress, FALSE) AND NOT {match}"
    return f"""
        WITH e AS (
            SELECT ProviderName AS provider, COALESCE(BillingAccountId, '') AS account,
                   COALESCE(RegionId, '') AS region, COALESCE(x_UsageType, '(no usage type)') AS usage_type,
                   COALESCE(ServiceName, '') AS service, BillingCurrency AS currency,
                   CAST(floor((epoch(ChargePeriodStart) - (SELECT epoch(MIN(ChargePeriodStart)) FROM focus))
                              / 604800) AS INTEGER) AS week,
                   {cost} AS cost, ChargePeriodStart AS start,
                   CASE WHEN lower(COALESCE(ConsumedUnit, PricingUnit, '')) IN ('gb', 'gigabytes', '1 gb')
                        THEN COALESCE(ConsumedQuantity, PricingQuantity) END AS gb
            FROM focus WHERE ChargeCategory = 'Usage' AND {where}
        )
        , w AS (
            SELECT provider, account, region, usage_type, currency, week, list(DISTINCT service) AS svc,
                   SUM(cost) AS cost, SUM(gb) AS gb, MIN(start) AS start
            FROM e GROUP BY provider, account, region, usage_type, currency, week
        )
        SELECT provider, account, region, usage_type, currency,
               array_to_string(list_sort(list_distinct(flatten(list(svc)))), ', ') AS services,
               SUM(cost) AS cost, SUM(gb) AS gb, list(week) AS weeks, list(cost) AS costs,
               (SELECT epoch(MAX(ChargePeriodEnd)) FROM focus) - epoch(MIN(start)) AS active_s
        FROM w GROUP BY provider, account, region, usage_type, currency
        ORDER BY cost DESC
    """


def _weekly(weeks: Any, costs: Any, full_weeks: int) -> np.ndarray:
    """Cost per complete week since the usage type first appeared (its first, partial week dropped)."""
    w = np.asarray(list(weeks), dtype=int)
    c = np.nan_to_num(np.asarray(list(costs), dtype=float))
    if w.size == 0 or full_weeks < 1:
        return np.zeros(0)
    per_week = np.bincount(w, weights=c, minlength=full_weeks)[:full_weeks]
    first = int(w.min())
    return per_week[first + 1:] if first > 0 else per_week


def _active_hours(row: Any, hours: float) -> float:
    """Hours from the usage type's first appearance to the end of the billing data."""
    active = float(row.active_s) / 3600.0 if row.active_s == row.active_s and row.active_s else hours
    return max(min(active, hours), 1.0)


def _monthly(row: Any, hours: float) -> float:
    """Monthly run rate of a usage type: its cost over the hours since it first appeared."""
    return float(row.cost) * HOURS_PER_MONTH / _active_hours(row, hours)


def _gb_month(row: Any, hours: float) -> float | None:
    if row.gb is None or row.gb != row.gb:
        return None
    return float(row.gb) * HOURS_PER_MONTH / _active_hours(row, hours)


@rule("egress.hot_spots", params=defaults.EgressHotSpots, needs=("billing",))
def hot_spots(snapshot: Snapshot, catalog: Any, params: defaults.EgressHotSpots) -> Iterable[Recommendation | Skip]:
    """Internet egress hot spots: the usage types that carry most data-transfer-out cost.

    Why: egress is billed per GB by usage type, hidden inside the services that send it;
    a few usage types usually carry most of it (model downloads, dataset sync, API
    responses). How: usage rows marked egress (x_IsEgress, by usage type / SKU) that are
    not inter-region (see ``egress.cross_region``) are summed per provider, account,
    region and usage type; the top ``top_n`` by monthly run rate (since the usage type
    first appeared) costing at least ``min_monthly_cost`` a month are listed. The fix depends on the traffic
    (a CDN in front of downloads, compression,
    caching, keeping consumers in the cloud), so the savings are NOT estimated: the finding
    carries 0 savings, the current monthly cost as the upper bound, and the action
    "investigate". Example config::

        [rules."egress.hot_spots"]
        top_n = 10
        min_monthly_cost = 200.0
    """
    rid = "egress.hot_spots"
    rows, hours, skip = _egress_rows(snapshot, params, rid, inter_region=False)
    if skip is not None:
        yield skip
    if rows is None:
        return
    totals = rows.groupby("currency")["cost"].sum().to_dict()
    rows = rows.assign(monthly=[_monthly(r, hours) for r in rows.itertuples(index=False)])
    rows = rows.sort_values(["monthly", "usage_type"], ascending=[False, True])
    shown = 0
    for row in rows.itertuples(index=False):
        monthly = float(row.monthly)
        if shown >= params.top_n or monthly < params.min_monthly_cost:
            break
        shown += 1
        prov = provider_key(row.provider)
        scope = f"egress:{prov}:{row.account or '-'}:{row.region or '-'}:{row.usage_type}"
        share = float(row.cost) / totals[row.currency] if totals.get(row.currency) else 1.0
        gb_month = _gb_month(row, hours)
        yield Recommendation(
            id=recommendation_id(rid, scope, "investigate"), rule_id=rid, resource_id=scope,
            action="investigate internet egress", provider=prov, account=str(row.account), region=str(row.region),
            resource_kind="egress", resource_name=str(row.usage_type),
            current=Current(monthly_cost=monthly, gb_per_month=gb_month, services=row.services),
            monthly_cost_before=monthly, monthly_cost_after=monthly, monthly_savings=0.0, savings_low=0.0,
            savings_high=monthly, currency=str(row.currency), confidence="low",
            evidence=Evidence(facts={"rank": shown, "share_of_internet_egress": share, "hours_of_billing": hours,
                                     "savings_estimated": False}),
            effort="medium",
            rationale=(f"{row.usage_type} ({row.services}) is {share:.0%} of internet egress, "
                       f"{monthly:,.2f} {row.currency}/month"),
            apply=("costopt costs --group-by resource,sku --format table  "
                   + comment(f"find who sends {row.usage_type}; put a CDN in front of downloads, compress "
                             "responses, keep consumers in-region")),
            alternative_group=scope,
        )


@rule("egress.cross_region", params=defaults.CrossRegion, needs=())
def cross_region(snapshot: Snapshot, catalog: Any, params: defaults.CrossRegion) -> Iterable[Recommendation | Skip]:
    """Data and compute in different regions: inter-region transfer paid on every read.

    Why: training or inference reading a dataset bucket in another region pays inter-region
    transfer per GB, every epoch. How: from billing, usage rows whose usage type is
    inter-region transfer (AWS ``<src>-<dst>-AWS-Out-Bytes``, GCP "Inter Region", Azure
    "Inter-Region") are summed per source region and usage type; without billing, compute
    resources whose ``attributes["data_sources"]`` name a bucket in another region are
    priced from their ``network_in`` bytes at the catalog's inter-region rate. Savings: the
    transfer cost, which disappears when compute runs next to its data (or reads a replica
    in its own region; replication storage is extra), as a monthly run rate since the usage
    type first appeared. Range: worst and best complete week since then. Example
    config::

        [rules."egress.cross_region"]
        min_monthly_cost = 100.0
    """
    rid = "egress.cross_region"
    if snapshot.billing is not None and not snapshot.billing.empty:
        yield from _cross_region_billing(snapshot, catalog, params, rid)
    else:
        yield from _cross_region_inventory(snapshot, catalog, params, rid)


def _egress_rows(snapshot: Snapshot, params: Any, rid: str, *, inter_region: bool) -> tuple[Any, float, Skip | None]:
    """(egress rows, hours the billing covers, skip) — rows is None when there is nothing to judge."""
    try:
        rows = snapshot.billing.query(_egress_sql(params, inter_region=inter_region))
    except ValueError as exc:
        return None, 0.0, Skip(rid, "*", str(exc))
    hours = float(snapshot.billing.scalar(_window_hours_sql()) or 0.0)
    if rows.empty:
        return None, hours, None
    if hours < params.min_hours:
        return None, hours, Skip(rid, "*", f"billing covers {hours:.0f} hours; {params.min_hours} needed "
                                           "to extrapolate a month")
    return rows, hours, None


def _cross_region_billing(snapshot: Snapshot, catalog: Any, params: defaults.CrossRegion,
                          rid: str) -> Iterable[Recommendation | Skip]:
    rows, hours, skip = _egress_rows(snapshot, params, rid, inter_region=True)
    if skip is not None:
        yield skip
    if rows is None:
        return
    for row in rows.itertuples(index=False):
        monthly = _monthly(row, hours)
        if monthly < params.min_monthly_cost:
            continue
        prov = provider_key(row.provider)
        scope = f"egress:{prov}:{row.account or '-'}:{row.region or '-'}:{row.usage_type}"
        full = _weekly(row.weeks, row.costs, int(hours // 168))
        low, high = _weekly_range(full, monthly)
        gb_month = _gb_month(row, hours)
        price = catalog.egress(prov, row.region, "inter_region") if catalog is not None and row.region else None
        yield Recommendation(
            id=recommendation_id(rid, scope, "co-locate"), rule_id=rid, resource_id=scope,
            action="co-locate compute with its data (or read a same-region replica)", provider=prov,
            account=str(row.account), region=str(row.region), resource_kind="egress",
            resource_name=str(row.usage_type),
            current=Current(monthly_cost=monthly, gb_per_month=gb_month, services=row.services),
            proposed=Proposal(monthly_cost=0.0),
            monthly_cost_before=monthly, monthly_cost_after=0.0, monthly_savings=monthly,
            savings_low=max(0.0, low), savings_high=high, currency=str(row.currency), confidence="medium",
            evidence=Evidence(facts={"hours_of_billing": hours, "weekly_costs": [float(x) for x in full],
                                     "catalog_inter_region_per_gb": price.amount if price else None}),
            effort="high",
            rationale=f"{row.usage_type} moves data between regions for {monthly:,.2f} {row.currency}/month",
            apply=("costopt costs --group-by resource,sku --format table  "
                   + comment(f"find the readers; run them in the data's region or replicate the data into "
                             f"{row.region or 'the compute region'}")),
            alternative_group=scope,
        )


def _cross_region_inventory(snapshot: Snapshot, catalog: Any, params: defaults.CrossRegion,
                            rid: str) -> Iterable[Recommendation | Skip]:
    by_id = {r.id: r for r in snapshot.resources}
    readers = [r for r in snapshot.resources if r.attributes.get("data_sources")]
    if not readers:
        return
    bytes_in: dict[str, tuple[float, float]] = {}
    for s in snapshot.metrics:
        if s.metric == "network_in" and s.values.size:
            ok = np.isfinite(s.values) & (s.values >= 0)
            _, first = np.unique(s.timestamps[ok], return_index=True)
            total, hrs = bytes_in.get(s.resource_id, (0.0, 0.0))
            bytes_in[s.resource_id] = (total + float(s.values[ok][first].sum()), hrs + first.size * s.period_s / 3600)
    for r in readers:
        remote = [by_id[b] for b in r.attributes.get("data_sources", ()) if b in by_id and by_id[b].region != r.region]
        if not remote:
            continue
        if r.id not in bytes_in or bytes_in[r.id][1] <= 0:
            yield Skip(rid, r.id, "reads a bucket in another region but has no network_in metrics to size the transfer")
            continue
        if catalog is None:
            yield Skip(rid, r.id, "no price catalog: inter-region transfer price unknown")
            continue
        bucket = remote[0]
        price = catalog.egress(bucket.provider, bucket.region, "inter_region")
        if price is None:
            yield Skip(rid, r.id, f"no inter-region transfer price for {bucket.provider} {bucket.region}")
            continue
        total, hrs = bytes_in[r.id]
        gb_month = total / GB * HOURS_PER_MONTH / hrs
        monthly = gb_month * price.amount
        if monthly < params.min_monthly_cost:
            continue
        yield Recommendation(
            id=recommendation_id(rid, r.id, "co-locate"), rule_id=rid, resource_id=r.id,
            action=f"run next to {bucket.name or bucket.id} in {bucket.region} (or replicate it to {r.region})",
            provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
            current=Current(region=r.region, data_region=bucket.region, gb_per_month=gb_month),
            proposed=Proposal(region=bucket.region),
            monthly_cost_before=monthly, monthly_cost_after=0.0, monthly_savings=monthly,
            savings_low=monthly * 0.5 if len(remote) == 1 else 0.0, savings_high=monthly, currency=price.currency,
            confidence="low",
            evidence=Evidence(facts={"network_in_gb_per_month": gb_month, "hours_observed": hrs,
                                     "price_per_gb": price.amount,
                                     "assumption": "all network_in of the reader comes from the remote bucket (upper bound)"},
                              price_source=f"{price.source} ({price.as_of})"),
            effort="high", tags=dict(r.tags), workload=r.workload,
            rationale=f"{r.name or r.id} in {r.region} reads {bucket.name or bucket.id} in {bucket.region}",
            apply=comment(f"move {r.id} to {bucket.region}, or replicate {bucket.id} to {r.region} "
                          "(S3 replication / gsutil rsync)"),
            alternative_group=f"egress:{r.id}",
        )


NAT_GATEWAY_ENDPOINT = "egress.nat_gateway_endpoint"


@rule(NAT_GATEWAY_ENDPOINT, params=defaults.NatGatewayEndpoint, needs=("inventory",))
def nat_gateway_endpoint(snapshot: Snapshot, catalog: Any,
                         params: defaults.NatGatewayEndpoint) -> Iterable[Recommendation | Skip]:
    """Object-storage traffic through a NAT gateway: a gateway endpoint carries it free.

    Why: a NAT gateway bills processing per GB (AWS ~0.045 USD/GB); traffic from private
    subnets to S3 or DynamoDB through it is pure waste, because a gateway VPC endpoint (GCP:
    Private Google Access; Azure: service endpoints) carries it at no charge. How: for each
    nat_gateway resource, ``nat_bytes`` series (Sum per period) with a ``destination``
    dimension (from VPC flow logs: s3, dynamodb, internet, ...) give the GB per month going
    to ``gateway_destinations``, priced at the catalog's ``nat_processing`` rate (CloudWatch
    ``direction`` series are counted once: out to + in from destination). Gateways whose
    ``attributes["gateway_endpoints"]`` already list the destination are left out. Without
    a destination breakdown the finding says "investigate" with 0 savings and the whole
    processing cost as the upper bound — unless you know the share and set
    ``assumed_gateway_share`` (then: low confidence, low end 0). Example config::

        [rules."egress.nat_gateway_endpoint"]
        gateway_destinations = ["s3"]
        assumed_gateway_share = 0.8
    """
    return gateway_endpoint_findings(snapshot, catalog, params, NAT_GATEWAY_ENDPOINT)
