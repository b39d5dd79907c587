"""NAT gateway traffic for the ``egress.nat_gateway_endpoint`` rule (registered in
:mod:`costopt.rules.egress`): processed bytes per destination from CloudWatch ``nat_bytes``
series or billing NAT processing rows, priced into gateway-endpoint findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, MetricSeries, Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.records import Current, Proposal
from costopt.rules import defaults
from costopt.rules.shell import arg, comment

GB = 1e9

NAT_APPLY = {
    "aws": ("aws ec2 create-vpc-endpoint --vpc-id {vpc} --vpc-endpoint-type Gateway "
            "--service-name {service} --route-table-ids '<private route tables>'"),
    "gcp": "gcloud compute networks subnets update '<subnet>' --region {region} --enable-private-ip-google-access",
    "azure": "az network vnet subnet update --vnet-name {vpc} --name '<subnet>' --service-endpoints Microsoft.Storage",
}


# CloudWatch AWS/NATGateway: processed bytes = out to destinations + in from destinations (the
# *Source metrics are the same bytes seen from the other side).
NAT_PROCESSED = ("bytesouttodestination", "bytesinfromdestination")


def _processed(parts: list[MetricSeries]) -> list[MetricSeries]:
    """The nat_bytes series that count processed bytes once (drop the mirrored ``direction``s)."""
    directions = {str(s.dimensions.get("direction", "")).lower() for s in parts}
    if directions & set(NAT_PROCESSED):
        return [s for s in parts if str(s.dimensions.get("direction", "")).lower() in NAT_PROCESSED]
    return parts


NAT_USAGE_RE = r"(?i)natgateway-bytes|nat gateway data processed|cloud nat.*data processing"


def billing_nat_bytes(snapshot: Snapshot, nats: list[Resource]) -> dict[str, list[MetricSeries]]:
    """NAT processing from billing (AWS ``NatGateway-Bytes`` ...) as nat_bytes series, per NAT resource.

    Used for gateways without CloudWatch bytes. Rows are matched by ResourceId = the
    gateway's id, name or an ARN ending in its id.
    """
    if snapshot.billing is None or snapshot.billing.empty:
        return {}
    df = snapshot.billing.query(f"""
        SELECT ResourceId AS rid, CAST(epoch(ChargePeriodStart) AS BIGINT) AS ts,
               SUM(COALESCE(ConsumedQuantity, PricingQuantity, 0)) AS gb,
               MAX(epoch(ChargePeriodEnd) - epoch(ChargePeriodStart)) AS period_s
        FROM focus
        WHERE ChargeCategory = 'Usage' AND ResourceId IS NOT NULL AND ChargePeriodStart IS NOT NULL
          AND regexp_matches(COALESCE(x_UsageType, ''), '{NAT_USAGE_RE}')
        GROUP BY ALL ORDER BY rid, ts""")
    if df.empty:
        return {}
    keys = {}
    for n in nats:
        for k in (n.id, n.name):
            if k:
                keys[str(k)] = n.id
    out: dict[str, list[MetricSeries]] = {}
    for rid, g in df.groupby("rid"):
        nat_id = keys.get(str(rid)) or keys.get(str(rid).rsplit("/", 1)[-1])
        if nat_id is None:
            continue
        period = int(max(float(g["period_s"].max() or 3600), 1))
        out.setdefault(nat_id, []).append(MetricSeries(
            nat_id, "nat_bytes", "Bytes", period, g["ts"].to_numpy(dtype=np.int64),
            g["gb"].to_numpy(dtype=float) * GB, "Sum", {"source": "billing"}))
    return out


def gateway_endpoint_findings(snapshot: Snapshot, catalog: Any, params: defaults.NatGatewayEndpoint,
                              rid: str) -> Iterable[Recommendation | Skip]:
    """The findings of ``egress.nat_gateway_endpoint`` (see the rule in :mod:`costopt.rules.egress`)."""
    nats = [r for r in snapshot.resources if r.kind == "nat_gateway"]
    if not nats:
        return
    series: dict[str, list[MetricSeries]] = {}
    for s in snapshot.metrics:
        if s.metric == "nat_bytes":
            series.setdefault(s.resource_id, []).append(s)
    missing = [n for n in nats if n.id not in series]
    if missing:
        series.update(billing_nat_bytes(snapshot, missing))
    wanted = {d.lower() for d in params.gateway_destinations}
    for nat in nats:
        parts = series.get(nat.id, [])
        if not parts:
            continue  # no traffic data: the idle rule judges gateways without traffic
        if catalog is None:
            yield Skip(rid, nat.id, "no price catalog: NAT processing price unknown")
            continue
        price = catalog.egress(nat.provider, nat.region, "nat_processing")
        if price is None:
            yield Skip(rid, nat.id, f"no NAT processing price for {nat.provider} {nat.region}")
            continue
        by_dest: dict[str, float] = {}
        hours = 0.0
        for s in _processed(parts):
            ok = np.isfinite(s.values) & (s.values >= 0)
            _, first = np.unique(s.timestamps[ok], return_index=True)
            dest = str(s.dimensions.get("destination", "")).lower()
            by_dest[dest] = by_dest.get(dest, 0.0) + float(s.values[ok][first].sum())
            hours = max(hours, first.size * s.period_s / 3600.0)
        if hours < params.min_hours:
            yield Skip(rid, nat.id, f"only {hours:.0f} hours of nat_bytes; {params.min_hours} needed")
            continue
        scale = HOURS_PER_MONTH / hours / GB
        total_gb = sum(by_dest.values()) * scale
        existing = {str(e).lower() for e in nat.attributes.get("gateway_endpoints", ()) or ()}
        targets = sorted(wanted - existing)
        common = dict(provider=nat.provider, account=nat.account, region=nat.region, resource_kind=nat.kind,
                      resource_name=nat.name, currency=price.currency, tags=dict(nat.tags), workload=nat.workload,
                      alternative_group=nat.id)
        vpc = nat.attributes.get("vpc_id", "<vpc id>")
        if set(by_dest) <= {""} and params.assumed_gateway_share > 0 and targets:
            share = min(params.assumed_gateway_share, 1.0)
            by_dest = {targets[0]: by_dest.get("", 0.0) * share, "": by_dest.get("", 0.0) * (1 - share)}
            assumed = f"assumed_gateway_share = {share:g} from config (no destination breakdown)"
        else:
            assumed = ""
        if set(by_dest) <= {""}:
            whole = total_gb * price.amount
            if whole < params.min_monthly_savings or not targets:
                continue
            yield Recommendation(
                id=recommendation_id(rid, nat.id, "investigate"), rule_id=rid, resource_id=nat.id,
                action="investigate: find S3/DynamoDB traffic through the NAT (VPC flow logs)",
                current=Current(gb_per_month=total_gb), monthly_cost_before=whole, monthly_cost_after=whole,
                monthly_savings=0.0, savings_low=0.0, savings_high=whole, confidence="low",
                evidence=Evidence(facts={"gb_per_month": total_gb, "price_per_gb": price.amount, "savings_estimated": False,
                                         "reason": "nat_bytes has no destination breakdown"}),
                rationale=f"{total_gb:,.0f} GB/month through the NAT; the share going to {', '.join(targets)} is unknown",
                apply="aws ec2 create-flow-logs --resource-type NetworkInterface ...  " + comment(
                    "then group bytes by destination"),
                **common)
            continue
        gb = sum(v for d, v in by_dest.items() if d in targets) * scale
        savings = gb * price.amount
        if savings < params.min_monthly_savings:
            continue
        template = NAT_APPLY.get(nat.provider, NAT_APPLY["aws"])
        apply = " && ".join(template.format(vpc=arg(vpc), region=arg(nat.region),
                                            service=arg(f"com.amazonaws.{nat.region}.{d}"))
                            for d in targets if d in by_dest)
        yield Recommendation(
            id=recommendation_id(rid, nat.id, "gateway-endpoint"), rule_id=rid, resource_id=nat.id,
            action=f"add gateway endpoints for {', '.join(d for d in targets if d in by_dest)}",
            current=Current(gb_per_month=total_gb, gb_to_gateway_destinations=gb),
            proposed=Proposal(gateway_endpoints=tuple(sorted(existing | {d for d in targets if d in by_dest}))),
            monthly_cost_before=total_gb * price.amount, monthly_cost_after=(total_gb - gb) * price.amount,
            monthly_savings=savings, savings_low=0.0 if assumed else savings, savings_high=savings,
            confidence="low" if assumed else "high",
            evidence=Evidence(facts={"gb_per_month_by_destination": {d or "unknown": v * scale for d, v in by_dest.items()},
                                     "assumption": assumed or None,
                                     "hours_observed": hours, "price_per_gb": price.amount},
                              price_source=f"{price.source} ({price.as_of})"),
            effort="low",
            rationale=f"{gb:,.0f} GB/month to {', '.join(targets)} pays NAT processing a gateway endpoint would not",
            apply=apply, **common)
