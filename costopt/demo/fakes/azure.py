"""A fake of the Azure Resource Manager and Retail Prices endpoints costopt reads.

One handler answers the real azure-mgmt clients (through the ``responses`` library in tests,
or a :class:`FakeHttpServer` on 127.0.0.1 in the demo): Compute VMs / disks / resource SKUs,
Network public IPs, Storage accounts and management policies, Machine Learning workspaces /
online endpoints / deployments (lists seeded per path), Monitor metrics, Cost
Management ``query`` (really grouped and summed, paged through ``nextLink``) and the public
Retail Prices API (``$filter`` evaluated, paged through ``NextPageLink``). Faults per
subscription and area: ``denied`` (403 AuthorizationFailed), ``throttle`` (429 with the
Cost Management ``x-ms-ratelimit-*-retry-after`` headers, or ``Retry-After``).
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

ARM = "https://management.azure.com"
PRICES = "https://prices.azure.com"


def arm_error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None):
    return status, dict(headers or {}), {"error": {"code": code, "message": message}}


@dataclass
class FakeSubscription:
    vms: list[dict] = field(default_factory=list)
    disks: list[dict] = field(default_factory=list)
    public_ips: list[dict] = field(default_factory=list)
    storage_accounts: list[dict] = field(default_factory=list)
    policies: dict[str, dict] = field(default_factory=dict)  # storage account id (lower) -> policy json
    resource_skus: list[dict] = field(default_factory=list)
    cost_rows: list[dict] = field(default_factory=list)  # UsageDate, ResourceId, ..., actual, amortized, Currency
    # (id lower, metric name) -> points, or {dimension value: points} for split metrics (Tier, ApiName)
    metrics: dict[tuple[str, str], Any] = field(default_factory=dict)
    # Machine Learning lists: the list's path (lower case, no query) -> items (workspaces,
    # {workspace}/onlineEndpoints, {endpoint}/deployments, computes, jobs); a list not here is empty
    ml: dict[str, list[dict]] = field(default_factory=dict)


@dataclass
class FakeAzure:
    subscriptions: dict[str, FakeSubscription] = field(default_factory=dict)
    retail_items: list[dict] = field(default_factory=list)
    denied: set[tuple[str, str]] = field(default_factory=set)  # (subscription, area)
    throttle: dict[str, int] = field(default_factory=dict)  # area -> 429s still to send
    retry_after: str = "0"
    page_size: int = 2
    arm_base: str = ARM
    prices_base: str = PRICES
    management_groups: dict[str, list[str]] = field(default_factory=dict)  # group -> subscriptions
    calls: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes):
        parts = urlsplit(path)
        route = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if route == "/api/retail/prices":
            return self._retail(query)
        mg = re.match(r"^/providers/Microsoft\.Management/managementGroups/([^/]+)"
                      r"/providers/Microsoft\.CostManagement/query$", route, re.IGNORECASE)
        if mg and method == "POST":
            with self._lock:
                self.calls.append(("cost", path))
            if (f"mg:{mg.group(1)}", "cost") in self.denied or mg.group(1) not in self.management_groups:
                return arm_error(403, "AuthorizationFailed", f"no access to management group {mg.group(1)}")
            merged = FakeSubscription(cost_rows=[{**r, "SubscriptionId": s} for s in self.management_groups[mg.group(1)]
                                                 for r in self.subscriptions[s].cost_rows])
            return self._cost(path, merged, json.loads(body or b"{}"), query)
        m = re.match(r"^/subscriptions/(?P<sub>[^/]+)(?P<rest>/.*)?$", route)
        if route == "/subscriptions":
            return 200, {}, {"value": [{"subscriptionId": s, "id": f"/subscriptions/{s}", "displayName": s,
                                        "state": "Enabled"} for s in self.subscriptions]}
        if not m or m["sub"] not in self.subscriptions:
            return arm_error(404, "SubscriptionNotFound", f"The subscription '{m['sub'] if m else route}' could not be found.")
        sub_id, rest = m["sub"], (m["rest"] or "")
        sub = self.subscriptions[sub_id]
        area = _area(rest)
        with self._lock:
            self.calls.append((area, path))
            if self.throttle.get(area, 0) > 0:
                self.throttle[area] -= 1
                hdr = ({"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": self.retry_after}
                       if area == "cost" else {"Retry-After": self.retry_after})
                return arm_error(429, "TooManyRequests", "Too many requests. Please retry.", hdr)
        if (sub_id, area) in self.denied:
            return arm_error(403, "AuthorizationFailed", f"The client does not have authorization to perform action "
                             f"over scope '/subscriptions/{sub_id}' ({area}).")
        lists = {
            "/providers/Microsoft.Compute/virtualMachines": sub.vms,
            "/providers/Microsoft.Compute/disks": sub.disks,
            "/providers/Microsoft.Network/publicIPAddresses": sub.public_ips,
            "/providers/Microsoft.Storage/storageAccounts": sub.storage_accounts,
        }
        if rest in lists and method == "GET":
            return self._paged(path, lists[rest], query)
        if rest == "/providers/Microsoft.Compute/skus":
            loc = re.search(r"location eq '([^']+)'", query.get("$filter", ""))
            items = [s for s in sub.resource_skus if not loc or loc.group(1) in s.get("locations", [])]
            return self._paged(path, items, query)
        if rest.endswith("/managementPolicies/default"):
            account = rest[: -len("/managementPolicies/default")]
            policy = sub.policies.get(f"/subscriptions/{sub_id}{account}".lower())
            if policy is None:
                return arm_error(404, "ManagementPolicyNotFound", "No ManagementPolicy found for account")
            return 200, {}, policy
        if rest == "/providers/Microsoft.CostManagement/query" and method == "POST":
            return self._cost(path, sub, json.loads(body or b"{}"), query)
        if rest.endswith("/providers/Microsoft.Insights/metrics"):
            return self._metrics(route, sub, query)
        if area == "ml" and method == "GET":
            return self._paged(path, sub.ml.get(route.lower(), []), query)
        return arm_error(404, "NotFound", f"fake azure: no route for {method} {route}")

    # -- helpers ---------------------------------------------------------------------------
    def _next(self, path: str, token: int, key: str = "$skiptoken") -> str:
        base, _, qs = path.partition("?")
        params = [p for p in qs.split("&") if p and not p.startswith(quote(key) + "=") and not p.startswith(key + "=")]
        params.append(f"{quote(key)}={token}")
        return f"{self.arm_base}{base}?{'&'.join(params)}"

    def _paged(self, path: str, items: list, query: Mapping[str, str]):
        start = int(query.get("$skiptoken") or 0)
        page = items[start:start + self.page_size]
        out: dict[str, Any] = {"value": page}
        if start + self.page_size < len(items):
            out["nextLink"] = self._next(path, start + self.page_size)
        return 200, {}, out

    def _cost(self, path: str, sub: FakeSubscription, body: dict, query: Mapping[str, str]):
        self.bodies.append(body)
        kind = body.get("type", "ActualCost")
        period = body.get("timePeriod") or {}
        lo = int(_date(period.get("from")).strftime("%Y%m%d"))
        hi = int(_date(period.get("to")).strftime("%Y%m%d"))
        dataset = body.get("dataset") or {}
        groups = [g["name"] for g in dataset.get("grouping") or []]
        agg = next(iter((dataset.get("aggregation") or {"c": {"name": "Cost"}}).values()))["name"]
        totals: dict[tuple, float] = defaultdict(float)
        for row in sub.cost_rows:
            if lo <= row["UsageDate"] <= hi:
                key = (row["UsageDate"], *(row.get(g) for g in groups), row["Currency"])
                totals[key] += row["amortized" if kind == "AmortizedCost" else "actual"]
        rows = [[round(v, 8), *k] for k, v in sorted(totals.items(), key=lambda kv: tuple(str(x) for x in kv[0]))
                if v != 0]
        start = int(query.get("$skiptoken") or 0)
        size = self.page_size * 10
        columns = ([{"name": agg, "type": "Number"}, {"name": "UsageDate", "type": "Number"}]
                   + [{"name": g, "type": "String"} for g in groups] + [{"name": "Currency", "type": "String"}])
        out = {"id": "query", "name": "query", "type": "Microsoft.CostManagement/query",
               "properties": {"nextLink": self._next(path, start + size) if start + size < len(rows) else None,
                              "columns": columns, "rows": rows[start:start + size]}}
        return 200, {}, out

    def _metrics(self, route: str, sub: FakeSubscription, query: Mapping[str, str]):
        resource = route[: -len("/providers/Microsoft.Insights/metrics")].lower()
        start_s, _, end_s = query.get("timespan", "").partition("/")
        lo, hi = _date(start_s).timestamp(), _date(end_s).timestamp()
        aggs = [a.strip().lower() for a in query.get("aggregation", "Average").split(",")]
        value = []
        wanted = dict(re.findall(r"(\w+) eq '([^']*)'", query.get("$filter", "")))
        for name in [n.strip() for n in query.get("metricnames", "").split(",") if n.strip()]:
            entry = sub.metrics.get((resource, name), [])
            split = entry if isinstance(entry, dict) else {"": entry}  # dimension value -> points
            dim_name, dim_value = next(iter(wanted.items()), ("", "*"))
            series = []
            for dim, raw in sorted(split.items()):
                if dim and dim_value not in ("*", dim):
                    continue
                points = [(t, v) for t, v in raw if lo <= t < hi]
                data = [{"timeStamp": datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         **{a: v for a in aggs}} for t, v in points]
                if data:
                    meta = [{"name": {"value": dim_name.lower()}, "value": dim}] if dim and dim_name else []
                    series.append({"metadatavalues": meta, "data": data})
            value.append({"id": f"{resource}/providers/Microsoft.Insights/metrics/{name}",
                          "type": "Microsoft.Insights/metrics", "name": {"value": name, "localizedValue": name},
                          "unit": "Percent" if "Percentage" in name else "Bytes", "timeseries": series})
        return 200, {}, {"cost": 0, "timespan": query.get("timespan"), "interval": query.get("interval", "PT1M"),
                         "namespace": "Microsoft.Compute/virtualMachines", "resourceregion": "", "value": value}

    def _retail(self, query: Mapping[str, str]):
        with self._lock:
            self.calls.append(("prices", query.get("$filter", "")))
            if self.throttle.get("prices", 0) > 0:
                self.throttle["prices"] -= 1
                return 429, {"Retry-After": self.retry_after}, {"Error": "Too many requests"}
        conditions = dict(re.findall(r"(\w+) eq '([^']*)'", query.get("$filter", "")))
        currency = query.get("currencyCode", "USD").strip("'")
        rate = {"USD": 1.0, "EUR": 0.92}.get(currency, 1.0)
        items = [{**i, "currencyCode": currency, "retailPrice": round(i["retailPrice"] * rate, 6),
                  "unitPrice": round(i["retailPrice"] * rate, 6)}
                 for i in self.retail_items if all(str(i.get(k)) == v for k, v in conditions.items())]
        skip = int(query.get("$skip") or 0)
        size = self.page_size
        page = items[skip:skip + size]
        nxt = None
        if skip + size < len(items):
            nxt = (f"{self.prices_base}/api/retail/prices?currencyCode='{currency}'&$filter="
                   f"{quote(query.get('$filter', ''))}&$skip={skip + size}")
        return 200, {}, {"BillingCurrency": currency, "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
                         "Items": page, "NextPageLink": nxt, "Count": len(page)}


def _area(rest: str) -> str:
    low = rest.lower()
    if "microsoft.costmanagement" in low:
        return "cost"
    if "microsoft.insights" in low:
        return "monitor"
    if "microsoft.machinelearningservices" in low:
        return "ml"
    if "microsoft.network" in low:
        return "network"
    if "microsoft.storage" in low:
        return "storage"
    if "microsoft.machinelearningservices" in low:
        return "ml"
    return "compute"


def _date(text: str | None) -> datetime:
    if not text:
        return datetime(1970, 1, 1, tzinfo=UTC)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
