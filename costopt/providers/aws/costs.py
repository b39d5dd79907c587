"""Cost Explorer -> FOCUS rows: daily cost by service and usage type over the window.

``GetCostAndUsage`` (DAILY, grouped by SERVICE and USAGE_TYPE, all pages) gives unblended
(billed) and amortised (effective) cost and usage quantity. Usage types say what a row is:
``*DataTransfer-Out*`` / ``*-AWS-Out-Bytes`` are egress (``x_IsEgress``), their region prefix
(``USE1-``, ``EU-``...) gives the region (:mod:`~costopt.providers.aws.billing_codes`; an
unknown code gives no region and a coverage note). Rows go into a :class:`BillingTable` via
``from_frame``. Cost Explorer has no regional endpoints: it is always called in us-east-1.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from costopt.model import CoverageEntry, Window
from costopt.providers.aws.billing_codes import unknown_code, usage_region
from costopt.providers.aws.session import Account

if TYPE_CHECKING:  # pandas/duckdb are imported when costs are read, not when the adapter loads
    import pandas as pd

    from costopt.billing.table import BillingTable

CE_REGION = "us-east-1"
METRICS = ("UnblendedCost", "AmortizedCost", "UsageQuantity")

SERVICE_CATEGORY = [
    (re.compile(r"SageMaker|Bedrock|Comprehend|Rekognition", re.I), "AI and Machine Learning"),
    (re.compile(r"Elastic Compute Cloud|EC2|Lambda|Fargate|Batch|Elastic Container|Kubernetes", re.I), "Compute"),
    (re.compile(r"Simple Storage|S3|Elastic Block|EFS|Elastic File|FSx|Glacier|Backup", re.I), "Storage"),
    (re.compile(r"RDS|Relational Database|DynamoDB|ElastiCache|Redshift|Aurora", re.I), "Databases"),
    (re.compile(r"Virtual Private Cloud|VPC|CloudFront|Route 53|Data Transfer|Direct Connect|Elastic Load", re.I),
     "Networking"),
    (re.compile(r"CloudWatch|CloudTrail|Config", re.I), "Management and Governance"),
    (re.compile(r"Athena|Glue|EMR|Kinesis", re.I), "Analytics"),
]
_EGRESS = re.compile(r"DataTransfer-Out|DataTransfer-Regional|-AWS-Out-Bytes|CloudFront-Out", re.I)


def service_category(service: str) -> str:
    for pattern, category in SERVICE_CATEGORY:
        if pattern.search(service):
            return category
    return "Other"


def is_egress(usage_type: str) -> bool:
    """Data transfer out of a region or to the internet ('*DataTransfer-Out*', '*-AWS-Out-Bytes')."""
    return bool(_EGRESS.search(usage_type)) and "-In-" not in usage_type


def charge_category(service: str) -> str:
    if service.strip().lower() == "tax":
        return "Tax"
    return "Usage"


def cost_and_usage(account: Account, window: Window) -> list[dict[str, Any]]:
    """All ``ResultsByTime`` of GetCostAndUsage (NextPageToken followed)."""
    ce = account.client("ce", CE_REGION)
    start = window.start.date()
    end = window.end.date() if window.end.time() == window.end.min.time() else window.end.date() + timedelta(days=1)
    kwargs: dict[str, Any] = dict(TimePeriod={"Start": start.isoformat(), "End": end.isoformat()}, Granularity="DAILY",
                                  Metrics=list(METRICS),
                                  GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"},
                                           {"Type": "DIMENSION", "Key": "USAGE_TYPE"}])
    results: list[dict[str, Any]] = []
    while True:
        page = ce.get_cost_and_usage(**kwargs)
        results.extend(page.get("ResultsByTime", ()))
        token = page.get("NextPageToken")
        if not token:
            return results
        kwargs["NextPageToken"] = token


def to_frame(account_id: str, results: list[dict[str, Any]]) -> pd.DataFrame:
    """ResultsByTime -> FOCUS columns (one row per day x service x usage type)."""
    import pandas as pd  # heavy: imported when costs are read, not when the adapter loads

    rows = []
    for period in results:
        start = pd.Timestamp(period["TimePeriod"]["Start"])
        end = pd.Timestamp(period["TimePeriod"]["End"])
        for g in period.get("Groups", ()):
            keys = list(g.get("Keys", ())) + ["", ""]
            service, usage_type = keys[0], keys[1]
            m = g.get("Metrics", {})
            billed = float(m.get("UnblendedCost", {}).get("Amount", 0) or 0)
            effective = float(m.get("AmortizedCost", {}).get("Amount", billed) or 0)
            currency = m.get("UnblendedCost", {}).get("Unit") or "USD"
            if billed == 0 and effective == 0:
                continue
            rows.append({
                "ProviderName": "AWS", "BillingAccountId": account_id, "SubAccountId": account_id,
                "BillingCurrency": currency, "BillingPeriodStart": start.replace(day=1),
                "ChargePeriodStart": start, "ChargePeriodEnd": end, "ChargeCategory": charge_category(service),
                "ChargeFrequency": "Usage-Based", "ChargeDescription": f"{service} {usage_type}".strip(),
                "ServiceName": service, "ServiceCategory": service_category(service),
                "RegionId": usage_region(usage_type, service), "BilledCost": billed, "EffectiveCost": effective,
                "ListCost": billed,
                "ConsumedQuantity": float(m.get("UsageQuantity", {}).get("Amount", 0) or 0),
                "ConsumedUnit": m.get("UsageQuantity", {}).get("Unit"),
                "x_UsageType": usage_type, "x_IsEgress": is_egress(usage_type),
                "x_SourceFile": f"aws cost explorer {account_id}",
            })
    return pd.DataFrame(rows)


def table_from_frames(frames: list[tuple[str, pd.DataFrame]]) -> BillingTable | None:
    """A BillingTable over the frames, each materialised as a DuckDB table.

    (``BillingTable.from_frame`` registers the frame on the connection, which query cursors do
    not see with duckdb 2; a table created from the frame is visible to every cursor.)
    """
    frames = [(label, f) for label, f in frames if not f.empty]
    if not frames:
        return None
    from costopt.billing.schema import FOCUS_COLUMNS  # duckdb: imported when costs are read
    from costopt.billing.table import BillingTable, canonical_select  # duckdb: imported when costs are read

    table = BillingTable()
    for n, (label, frame) in enumerate(frames):
        name = f"aws_ce_{n}"
        table.con.from_df(frame).create(name)
        table.add_select(canonical_select({c: c for c in FOCUS_COLUMNS if c in frame.columns}, name), label)
    return table


def billing(account: Account, window: Window) -> pd.DataFrame:
    """This account's Cost Explorer rows as a FOCUS frame (empty when Cost Explorer has none)."""
    return to_frame(account.account_id, cost_and_usage(account, window))


def unknown_codes_entry(scope: str, frame: pd.DataFrame) -> CoverageEntry | None:
    """A ``partial`` entry listing usage-type prefixes that look like billing codes no table
    knows (their rows keep an empty RegionId), or None when every prefix is known."""
    if frame.empty:
        return None
    counts: dict[str, int] = {}
    for usage_type, service in zip(frame["x_UsageType"], frame["ServiceName"]):
        code = unknown_code(str(usage_type or ""), str(service or ""))
        if code:
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return None
    listed = ", ".join(f"{code} ({n} rows)" for code, n in sorted(counts.items()))
    return CoverageEntry("aws", scope, "partial", f"usage types with unknown region codes: {listed}; "
                         "their cost is kept without a region", "UnknownRegionCode",
                         "update costopt (costopt/providers/aws/billing-codes.json: "
                         "python -m costopt.providers.aws.billing_codes)")
