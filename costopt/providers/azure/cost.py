"""Azure cost from Cost Management ``query.usage`` (ActualCost and AmortizedCost), onto FOCUS.

Per subscription scope (or, with ``[providers.azure] management_groups``, per management group,
also grouped by SubscriptionId), two daily queries grouped by ResourceId, ServiceName,
MeterCategory, ResourceLocation and ChargeType. The SDK returns the first page; further pages are read by
POSTing the same body to ``next_link`` through the client's own pipeline (so the bearer token
and the throttling retry policy apply). ActualCost gives BilledCost, AmortizedCost gives
EffectiveCost (reservation purchases: billed, effective 0; their amortised usage: effective).
Egress is MeterCategory "Bandwidth".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from costopt.model import Window

# The REST reference says "up to 2 group by clauses", but the service accepts more (up to 15,
# see azure-sdk-for-python#12973; SDK 5.x no longer caps the list client-side).
GROUPS = ("ResourceId", "ServiceName", "MeterCategory", "ResourceLocation", "ChargeType")
MG_GROUPS = GROUPS + ("SubscriptionId",)
COST_COLUMNS = ("Cost", "PreTaxCost", "CostUSD", "PreTaxCostUSD")
CHARGE_CATEGORY = {"usage": "Usage", "purchase": "Purchase", "refund": "Credit", "tax": "Tax",
                   "roundingadjustment": "Adjustment", "unusedreservation": "Usage", "unusedsavingsplan": "Usage"}
SERVICE_CATEGORY = {"Virtual Machines": "Compute", "Storage": "Storage", "Bandwidth": "Networking",
                    "Virtual Network": "Networking", "Azure Machine Learning": "AI and Machine Learning",
                    "Azure Monitor": "Management and Governance", "Container Instances": "Compute"}
PROVIDER_NAME = "Microsoft"


def query_body(kind: str, window: Window, groups: tuple[str, ...] = GROUPS) -> dict[str, Any]:
    """The QueryDefinition as JSON (the same body is POSTed to every next_link)."""
    start = window.start.astimezone(UTC)
    end = (window.end - timedelta(seconds=1)).astimezone(UTC)  # 'to' is inclusive
    return {
        "type": kind, "timeframe": "Custom",
        "timePeriod": {"from": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "to": end.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "dataset": {"granularity": "Daily",
                    "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}},
                    "grouping": [{"type": "Dimension", "name": g} for g in groups]},
    }


def _definition(body: dict[str, Any]):
    # heavy SDK module: imported when costs are read
    from azure.mgmt.costmanagement.models import QueryAggregation, QueryDataset, QueryDefinition, QueryGrouping, QueryTimePeriod

    period = body["timePeriod"]
    dataset = body["dataset"]
    return QueryDefinition(
        type=body["type"], timeframe=body["timeframe"],
        time_period=QueryTimePeriod(from_property=datetime.fromisoformat(period["from"].replace("Z", "+00:00")),
                                    to=datetime.fromisoformat(period["to"].replace("Z", "+00:00"))),
        dataset=QueryDataset(granularity=dataset["granularity"],
                             aggregation={k: QueryAggregation(name=v["name"], function=v["function"])
                                          for k, v in dataset["aggregation"].items()},
                             grouping=[QueryGrouping(type=g["type"], name=g["name"]) for g in dataset["grouping"]]))


def run_query(client, scope: str, body: dict[str, Any], max_pages: int = 1000) -> pd.DataFrame:
    """All rows of one query (following next_link) as a DataFrame named by the result columns."""
    result = client.query.usage(scope, _definition(body))
    columns = [c["name"] if isinstance(c, dict) else c.name for c in (result.columns or [])]
    rows = list(result.rows or [])
    next_link = result.next_link
    pages = 1
    while next_link and pages < max_pages:
        response = client.send_request(HttpRequest("POST", next_link, json=body))
        if response.status_code >= 400:
            raise HttpResponseError(response=response)
        data = response.json().get("properties") or {}
        rows.extend(data.get("rows") or [])
        next_link = data.get("nextLink")
        pages += 1
    return pd.DataFrame(rows, columns=columns)


class QueryShapeError(ValueError):
    """A Cost Management result without the columns (or values) costopt asked for."""


def check_columns(frame: pd.DataFrame, groups: tuple[str, ...]) -> None:
    """Raise :class:`QueryShapeError` naming the asked-for columns the result lacks.

    The query asks for Daily granularity (column ``UsageDate``) grouped by ``groups``; a scope
    or offer that answers another shape (e.g. no ``UsageDate``) must say so in one line rather
    than fail later on missing dates.
    """
    if frame.empty and not len(frame.columns):
        return
    missing = [c for c in ("UsageDate", *groups) if c not in frame.columns]
    if missing:
        raise QueryShapeError(f"Cost Management result has no {', '.join(missing)} column"
                              f"{'s' if len(missing) > 1 else ''}: columns returned are "
                              f"{', '.join(map(str, frame.columns)) or 'none'}")
    _cost_column(frame)


def usage_day(values: pd.Series) -> pd.Series:
    """``UsageDate`` as dates: 20261120 (number or text) or an ISO timestamp; anything else is an error."""
    text = values.astype("string").str.strip()
    compact = pd.to_datetime(text.where(text.str.fullmatch(r"\d{8}(\.0)?", na=False)).str[:8], format="%Y%m%d",
                             errors="coerce")
    iso = pd.to_datetime(text.where(compact.isna()), errors="coerce", utc=True, format="ISO8601")
    day = compact.fillna(iso.dt.tz_localize(None).dt.normalize())
    bad = day.isna()
    if bad.any():
        value = values[bad].iloc[0]
        shown = "an empty value" if pd.isna(value) else repr(str(value))
        raise QueryShapeError(f"Cost Management result has a UsageDate that is not a date: {shown} "
                              "(expected YYYYMMDD)")
    return day.astype("datetime64[ns]")


def _cost_column(frame: pd.DataFrame) -> str:
    for name in COST_COLUMNS:
        if name in frame.columns:
            return name
    raise QueryShapeError(f"Cost Management result has no cost column ({' or '.join(COST_COLUMNS)}): "
                          f"columns returned are {', '.join(map(str, frame.columns))}")


def read_cost(client, subscription: str, window: Window, *, management_group: str | None = None) -> pd.DataFrame:
    """ActualCost and AmortizedCost for one subscription (or a management group) as FOCUS rows."""
    if management_group:
        scope, groups = f"providers/Microsoft.Management/managementGroups/{management_group}", MG_GROUPS
    else:
        scope, groups = f"subscriptions/{subscription}", GROUPS
    keys = ["UsageDate", *groups, "Currency"]
    parts = []
    for kind, column in (("ActualCost", "BilledCost"), ("AmortizedCost", "EffectiveCost")):
        frame = run_query(client, scope, query_body(kind, window, groups))
        check_columns(frame, groups)
        if frame.empty:
            continue
        cost = _cost_column(frame)
        frame = frame.rename(columns={cost: column})
        for key in keys:
            if key not in frame.columns:
                frame[key] = None
        parts.append(frame[keys + [column]].groupby(keys, dropna=False, as_index=False).sum())
    if not parts:
        return pd.DataFrame()
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part, on=keys, how="outer")
    for column in ("BilledCost", "EffectiveCost"):
        if column not in merged.columns:
            merged[column] = 0.0
        merged[column] = merged[column].astype(float).fillna(0.0)
    if management_group:
        return to_focus(merged, merged["SubscriptionId"].fillna("").astype(str).str.lower(),
                        f"costmanagement:/providers/Microsoft.Management/managementGroups/{management_group}")
    return to_focus(merged, subscription, f"costmanagement:/subscriptions/{subscription}")


def to_focus(rows: pd.DataFrame, subscription: Any, source: str) -> pd.DataFrame:
    day = usage_day(rows["UsageDate"])
    charge = rows["ChargeType"].fillna("Usage").astype(str)
    meter = rows["MeterCategory"].fillna("")
    service = rows["ServiceName"].where(rows["ServiceName"].notna(), meter)
    resource = rows["ResourceId"].fillna("").astype(str).str.lower()
    return pd.DataFrame({
        "ProviderName": PROVIDER_NAME, "SubAccountId": subscription, "BillingAccountId": subscription,
        "BillingCurrency": rows["Currency"],
        "BillingPeriodStart": day.dt.to_period("M").dt.start_time,
        "ChargePeriodStart": day, "ChargePeriodEnd": day + timedelta(days=1),
        "ChargeCategory": charge.str.lower().map(CHARGE_CATEGORY).fillna("Usage"),
        "ChargeDescription": meter,
        "ServiceName": service, "ServiceCategory": service.map(SERVICE_CATEGORY).fillna("Other"),
        "RegionId": rows["ResourceLocation"], "ResourceId": resource.where(resource != "", None),
        "ResourceName": resource.str.rsplit("/", n=1).str[-1].where(resource != "", None),
        "BilledCost": rows["BilledCost"], "EffectiveCost": rows["EffectiveCost"],
        "ListCost": rows["EffectiveCost"], "ContractedCost": rows["EffectiveCost"],
        "x_UsageType": meter, "x_IsEgress": meter.str.lower().eq("bandwidth"),
        "x_SourceFile": source,
    })
