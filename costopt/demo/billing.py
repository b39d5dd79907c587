"""Seeded FOCUS billing for the embedded demo: 5 weeks, hourly, across AWS, GCP and Azure.

The rows are generated from the demo's resources (so billing ResourceIds match the
inventory the adapters read) plus the charges an ML organisation's export always has:
storage by class, internet and cross-region egress, NAT processing, a Savings Plan covering
part of the AWS compute (with its monthly purchase), tax, and a GCP credit. One service
jumps in the last week so the anomaly rule has something real to find. Deterministic for
a given seed and end time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from costopt.model import Resource

DEMO_SEED = 20261127
DEMO_WEEKS = 5
CURRENCY = "USD"

PROVIDER_NAMES = {"aws": "AWS", "gcp": "Google Cloud", "azure": "Microsoft"}
COMPUTE_SERVICE = {
    ("aws", "vm"): ("Amazon Elastic Compute Cloud", "Compute"),
    ("aws", "gpu_vm"): ("Amazon Elastic Compute Cloud", "Compute"),
    ("aws", "endpoint"): ("Amazon SageMaker", "AI and Machine Learning"),
    ("aws", "nat_gateway"): ("Amazon Virtual Private Cloud", "Networking"),
    ("aws", "volume"): ("Amazon Elastic Compute Cloud", "Storage"),
    ("aws", "address"): ("Amazon Virtual Private Cloud", "Networking"),
    ("gcp", "vm"): ("Compute Engine", "Compute"),
    ("gcp", "gpu_vm"): ("Compute Engine", "Compute"),
    ("gcp", "volume"): ("Compute Engine", "Storage"),
    ("gcp", "address"): ("Compute Engine", "Networking"),
    ("azure", "vm"): ("Virtual Machines", "Compute"),
    ("azure", "gpu_vm"): ("Virtual Machines", "Compute"),
    ("azure", "volume"): ("Storage", "Storage"),
    ("azure", "address"): ("Virtual Network", "Networking"),
}


@dataclass(frozen=True)
class ExtraLine:
    """A recurring non-resource charge: storage, egress, NAT processing."""

    provider: str
    account: str
    region: str
    service: str
    category: str
    usage_type: str
    unit: str
    hourly_quantity: float
    unit_price: float
    is_egress: bool = False
    resource_id: str | None = None
    team: str | None = None
    diurnal: float = 0.0  # 0 = flat; 0.5 = +-50 % around the mean over the day


def demo_extra_lines(account_aws: str, gcp_project: str, azure_sub: str) -> list[ExtraLine]:
    """The demo's storage, egress and NAT charges (list prices, USD)."""
    gb_month_hours = 730.0
    return [
        ExtraLine("aws", account_aws, "us-east-1", "Amazon Simple Storage Service", "Storage",
                  "TimedStorage-ByteHrs", "GB-Mo", 410_000 / gb_month_hours, 0.023,
                  resource_id=f"ml-datasets-{account_aws}", team="vision"),
        ExtraLine("aws", account_aws, "us-east-1", "Amazon Simple Storage Service", "Storage",
                  "TimedStorage-ByteHrs", "GB-Mo", 96_000 / gb_month_hours, 0.023,
                  resource_id=f"ml-checkpoints-{account_aws}", team="vision"),
        ExtraLine("aws", account_aws, "us-east-1", "Amazon Simple Storage Service", "Storage",
                  "TimedStorage-ByteHrs", "GB-Mo", 12_000 / gb_month_hours, 0.023,
                  resource_id=f"feature-store-{account_aws}", team="search"),
        ExtraLine("aws", account_aws, "us-east-1", "AWS Data Transfer", "Networking",
                  "DataTransfer-Out-Bytes", "GB", 1_900 / 24, 0.09, is_egress=True, team="search", diurnal=0.6),
        ExtraLine("aws", account_aws, "eu-west-1", "AWS Data Transfer", "Networking",
                  "EU-USE1-AWS-Out-Bytes", "GB", 3_400 / 24, 0.02, is_egress=True, team="vision"),
        ExtraLine("aws", account_aws, "us-east-1", "Amazon Virtual Private Cloud", "Networking",
                  "NatGateway-Bytes", "GB", 5_200 / 24, 0.045, resource_id="nat-pipeline", team="platform"),
        ExtraLine("gcp", gcp_project, "us-central1", "Cloud Storage", "Storage",
                  "Standard Storage US Multi-region", "GiB-Mo", 180_000 / gb_month_hours, 0.026,
                  resource_id="gs://ml-research-datasets", team="vision"),
        ExtraLine("gcp", gcp_project, "us-central1", "Compute Engine", "Networking",
                  "Network Internet Egress from Americas to Americas", "GiB", 600 / 24, 0.12,
                  is_egress=True, team="vision", diurnal=0.4),
        ExtraLine("azure", azure_sub, "eastus", "Storage", "Storage",
                  "Hot LRS Data Stored", "GB-Mo", 60_000 / gb_month_hours, 0.0184, team="fraud"),
        ExtraLine("azure", azure_sub, "eastus", "Bandwidth", "Networking",
                  "Standard Data Transfer Out", "GB", 450 / 24, 0.087, is_egress=True, team="fraud"),
    ]


def _team(resource: Resource) -> str | None:
    return resource.tags.get("costopt:team") or resource.tags.get("team")


def _tags_json(tags: dict) -> str | None:
    return json.dumps(tags, sort_keys=True) if tags else None


def generate_demo_billing(resources: Sequence[Resource], end: datetime, *, weeks: int = DEMO_WEEKS,
                          seed: int = DEMO_SEED, extras: Iterable[ExtraLine] = ()) -> pd.DataFrame:
    """Hourly FOCUS rows for ``weeks`` weeks ending at ``end`` (exclusive)."""
    rng = np.random.default_rng(seed)
    end = end.astimezone(UTC).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    hours = pd.date_range(end=end - timedelta(hours=1), periods=weeks * 7 * 24, freq="h")
    n = hours.size
    hour_of_day = hours.hour.to_numpy()
    last_week = hours >= (end - timedelta(days=7))
    frames = []

    def frame(**cols) -> pd.DataFrame:
        df = pd.DataFrame(cols)
        df["ChargePeriodStart"] = hours
        df["ChargePeriodEnd"] = hours + pd.Timedelta(hours=1)
        return df

    for r in resources:
        if r.hourly_cost is None or r.provider not in PROVIDER_NAMES:
            continue
        service, category = COMPUTE_SERVICE.get((r.provider, r.kind), ("Other", "Other"))
        running = np.ones(n)
        if r.kind in ("vm", "gpu_vm") and r.attributes.get("state") == "stopped":
            continue
        list_cost = np.full(n, r.hourly_cost)
        effective = list_cost.copy()
        pricing = np.array(["Standard"] * n, dtype=object)
        commitment = np.array([None] * n, dtype=object)
        # The Savings Plan covers the CPU inference fleet at a 28 % discount.
        covered = r.provider == "aws" and r.type.startswith("c5.") and r.kind == "vm"
        billed = list_cost.copy()
        if covered:
            effective = list_cost * 0.72
            billed = np.zeros(n)
            pricing[:] = "Committed"
            commitment[:] = "arn:aws:savingsplans::demo:savingsplan/sp-demo-compute"
        spot = r.pricing_model == "spot"
        if spot:
            pricing[:] = "Dynamic"
        frames.append(frame(
            ProviderName=PROVIDER_NAMES[r.provider], SubAccountId=r.account, BillingAccountId=r.account,
            RegionId=r.region, ServiceName=service, ServiceCategory=category, ResourceId=r.id,
            ResourceName=r.name or r.id, ResourceType=r.kind, SkuId=r.type, x_UsageType=f"BoxUsage:{r.type}",
            ChargeCategory="Usage", ChargeFrequency="Usage-Based", PricingCategory=pricing,
            PricingQuantity=running * r.count, PricingUnit="Hours", ConsumedQuantity=running * r.count,
            ConsumedUnit="Hours", ListUnitPrice=r.hourly_cost / max(r.count, 1),
            ListCost=list_cost * running, EffectiveCost=effective * running, BilledCost=billed * running,
            ContractedCost=effective * running, CommitmentDiscountId=commitment,
            CommitmentDiscountType=np.where(covered, "Savings Plan", None),
            CommitmentDiscountStatus=np.where(covered, "Used", None),
            Tags=_tags_json(dict(r.tags)), x_IsEgress=False, BillingCurrency=CURRENCY,
        ))

    for line in extras:
        shape = 1.0 + line.diurnal * np.sin((hour_of_day - 9) / 24 * 2 * np.pi)
        noise = rng.normal(1.0, 0.05, n).clip(0.8, 1.2)
        quantity = line.hourly_quantity * shape * noise
        if line.usage_type == "DataTransfer-Out-Bytes":
            quantity = np.where(last_week, quantity * 2.4, quantity)  # the anomaly: a new public dataset mirror
        cost = quantity * line.unit_price
        tags = {"costopt:team": line.team} if line.team else {}
        frames.append(frame(
            ProviderName=PROVIDER_NAMES[line.provider], SubAccountId=line.account, BillingAccountId=line.account,
            RegionId=line.region, ServiceName=line.service, ServiceCategory=line.category,
            ResourceId=line.resource_id, ResourceName=line.resource_id, SkuId=line.usage_type,
            x_UsageType=line.usage_type, ChargeCategory="Usage", ChargeFrequency="Usage-Based",
            PricingCategory="Standard", PricingQuantity=quantity, PricingUnit=line.unit,
            ConsumedQuantity=quantity, ConsumedUnit=line.unit, ListUnitPrice=line.unit_price,
            ListCost=cost, EffectiveCost=cost, BilledCost=cost, ContractedCost=cost,
            Tags=_tags_json(tags), x_IsEgress=line.is_egress, BillingCurrency=CURRENCY,
        ))

    billing = pd.concat(frames, ignore_index=True)
    billing = pd.concat([billing, _monthly_charges(billing, hours, end)], ignore_index=True)
    billing["x_SourceFile"] = "demo"
    return billing


def _monthly_charges(billing: pd.DataFrame, hours: pd.DatetimeIndex, end: datetime) -> pd.DataFrame:
    """Savings Plan fee, tax and a GCP credit for every month the window touches."""
    rows = []
    months = sorted({(h.year, h.month) for h in hours})
    covered = billing[billing["CommitmentDiscountId"].notna()]
    sp_monthly_fee = float(covered.groupby(covered["ChargePeriodStart"].dt.to_period("M"))["EffectiveCost"].sum().max() or 0)
    first_hour = hours[0].to_pydatetime()
    for year, month in months:
        start = max(datetime(year, month, 1), first_hour)  # charges fall inside the export's range
        in_month = billing[(billing["ChargePeriodStart"].dt.year == year) & (billing["ChargePeriodStart"].dt.month == month)]
        aws_usage = float(in_month.loc[in_month["ProviderName"] == "AWS", "BilledCost"].sum())
        gcp_usage = float(in_month.loc[in_month["ProviderName"] == "Google Cloud", "BilledCost"].sum())
        account = str(billing.loc[billing["ProviderName"] == "AWS", "SubAccountId"].dropna().iloc[0]) \
            if (billing["ProviderName"] == "AWS").any() else "123456789012"
        base = dict(ChargePeriodStart=start, ChargePeriodEnd=start + timedelta(hours=1), BillingCurrency=CURRENCY,
                    ChargeFrequency="Recurring", x_IsEgress=False)
        if sp_monthly_fee:
            rows.append({**base, "ProviderName": "AWS", "SubAccountId": account, "BillingAccountId": account,
                         "ServiceName": "Savings Plans for AWS Compute usage", "ServiceCategory": "Compute",
                         "ChargeCategory": "Purchase", "PricingCategory": "Committed",
                         "CommitmentDiscountId": "arn:aws:savingsplans::demo:savingsplan/sp-demo-compute",
                         "CommitmentDiscountType": "Savings Plan", "x_UsageType": "ComputeSP:1yrNoUpfront",
                         "BilledCost": sp_monthly_fee, "EffectiveCost": 0.0, "ListCost": 0.0, "ContractedCost": 0.0})
        if aws_usage:
            rows.append({**base, "ProviderName": "AWS", "SubAccountId": account, "BillingAccountId": account,
                         "ServiceName": "Tax", "ServiceCategory": "Other", "ChargeCategory": "Tax",
                         "x_UsageType": "Tax", "BilledCost": aws_usage * 0.05, "EffectiveCost": aws_usage * 0.05,
                         "ListCost": 0.0, "ContractedCost": aws_usage * 0.05})
        if gcp_usage:
            project = str(billing.loc[billing["ProviderName"] == "Google Cloud", "SubAccountId"].dropna().iloc[0])
            rows.append({**base, "ProviderName": "Google Cloud", "SubAccountId": project, "BillingAccountId": project,
                         "ServiceName": "Compute Engine", "ServiceCategory": "Compute", "ChargeCategory": "Credit",
                         "x_UsageType": "Sustained use discount", "BilledCost": -gcp_usage * 0.03,
                         "EffectiveCost": -gcp_usage * 0.03, "ListCost": 0.0, "ContractedCost": -gcp_usage * 0.03})
    return pd.DataFrame(rows)
