"""A fake of the GCP REST endpoints costopt reads, answering the real google-cloud clients.

Covers: Compute Engine aggregated lists (instances, disks, addresses) and machineTypes.get,
Vertex AI endpoints / customJobs / hyperparameterTuningJobs list, Workbench (notebooks v2) instances list,
Cloud Storage bucket list, Cloud Billing (catalog SKUs, project billing info, accounts) and
BigQuery ``tables.get`` / ``jobs.query`` / ``getQueryResults`` — the query really runs, on
DuckDB, over a table with the billing export's nested columns. Lists are paged (``page_size``)
so clients must follow page tokens. Faults can be injected per project and API:
``denied`` (403 PERMISSION_DENIED), ``disabled`` (403 SERVICE_DISABLED), ``throttle``
(the first N calls answer 429).

BigQuery billing is simulated the way BigQuery bills: export tables are ingestion-time
partitioned (a ``_PARTITIONTIME`` column stands in for the pseudo column, the day each row
was loaded); a query scans the partitions its ``_PARTITIONTIME >= TIMESTAMP '...'`` filter
keeps (all of them without one) and bills ``bq_row_bytes`` per row scanned, at least 10 MiB,
rounded up to a MiB. ``maximumBytesBilled`` is enforced (400 ``bytesBilledLimitExceeded``).
"""

from __future__ import annotations

import json
import math
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import duckdb
import pyarrow as pa

from costopt.billing.gcp_bigquery_sql import DUCKDB_COMPAT_MACROS, INGESTION_TIME, duckdb_export_ddl


def gcp_error(code: int, message: str, status: str, reason: str = "") -> tuple[int, dict, dict]:
    err: dict[str, Any] = {"code": code, "message": message, "status": status,
                           "errors": [{"message": message, "domain": "global", "reason": reason or status.lower()}]}
    if reason:
        err["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                           "domain": "googleapis.com"}]
    return code, {}, {"error": err}


@dataclass
class FakeGcp:
    """Seeded state of a fake GCP organisation."""

    projects: dict[str, dict[str, list[dict]]] = field(default_factory=dict)  # project -> kind -> items
    machine_types: dict[str, dict] = field(default_factory=dict)  # type name -> machineType json
    skus: dict[str, list[dict]] = field(default_factory=dict)  # service id -> sku json list
    billing_accounts: dict[str, str] = field(default_factory=dict)  # project -> billingAccounts/XXX
    denied: set[tuple[str, str]] = field(default_factory=set)  # (project, api)
    disabled: set[tuple[str, str]] = field(default_factory=set)
    throttle: dict[str, int] = field(default_factory=dict)  # api -> number of 429s still to send
    page_size: int = 2
    calls: list[tuple[str, str]] = field(default_factory=list)
    bq_row_bytes: int = 1 << 20  # billed bytes per row scanned (a stand-in for a wide export row)
    queries: list[str] = field(default_factory=list)  # the BigQuery SQL received

    def __post_init__(self) -> None:
        self.bq = duckdb.connect()
        for macro in DUCKDB_COMPAT_MACROS:
            self.bq.execute(macro)
        self.bq_tables: dict[str, tuple[str, bool]] = {}  # "p.d.t" -> (duckdb name, detailed)
        self._results: dict[str, tuple[list[dict], list[list]]] = {}
        self._billed: dict[str, int] = {}
        self._lock = threading.Lock()

    # -- seeding ---------------------------------------------------------------------------
    def add_export_table(self, table: str, rows: list[dict], *, detailed: bool = True,
                         load_lag: timedelta = timedelta(hours=6)) -> None:
        """Create the export table ``project.dataset.table`` holding ``rows`` (export-shaped dicts).

        Each row lands in the ``_PARTITIONTIME`` day it was loaded: ``usage_end_time + load_lag``
        unless the row names its own ``_PARTITIONTIME``.
        """
        name = f"export_{len(self.bq_tables)}"
        self.bq.execute(duckdb_export_ddl(name, detailed=detailed, ingestion_partitioned=True))
        if rows:
            self.bq.register("seed_rows", pa.Table.from_pylist(rows))
            self.bq.execute(f"INSERT INTO {name} BY NAME SELECT * FROM seed_rows")
            self.bq.unregister("seed_rows")
        lag_s = int(load_lag.total_seconds())
        self.bq.execute(f"UPDATE {name} SET {INGESTION_TIME} = date_trunc('day', usage_end_time + "
                        f"to_seconds({lag_s})) WHERE {INGESTION_TIME} IS NULL")
        self.bq_tables[table] = (name, detailed)

    # -- dispatch --------------------------------------------------------------------------
    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes):
        parts = urlsplit(path)
        route, query = unquote(parts.path), {k: v[-1] for k, v in parse_qs(parts.query).items()}
        for pattern, api, func in self._routes():
            m = re.fullmatch(pattern, route)
            if m and (method == "GET" or func in (self._bq_query,)):
                project = m.groupdict().get("project") or query.get("project", "")
                with self._lock:
                    self.calls.append((api, route))
                    if self.throttle.get(api, 0) > 0:
                        self.throttle[api] -= 1
                        return gcp_error(429, "Quota exceeded for quota metric 'Read requests'", "RESOURCE_EXHAUSTED",
                                         "rateLimitExceeded")
                if (project, api) in self.disabled:
                    return gcp_error(403, f"{api} API has not been used in project {project} before or it is "
                                     "disabled.", "PERMISSION_DENIED", "SERVICE_DISABLED")
                if (project, api) in self.denied:
                    return gcp_error(403, f"Permission denied on project {project} for {api}", "PERMISSION_DENIED",
                                     "forbidden")
                return func(m, query, body)
        return gcp_error(404, f"fake gcp: no route for {method} {route}", "NOT_FOUND", "notFound")

    def _routes(self):
        return (
            (r"/compute/v1/projects/(?P<project>[^/]+)/aggregated/(?P<kind>instances|disks|addresses)", "compute",
             self._aggregated),
            (r"/compute/v1/projects/(?P<project>[^/]+)/zones/(?P<zone>[^/]+)/machineTypes/(?P<type>[^/]+)", "compute",
             self._machine_type),
            (r"/storage/v1/b", "storage", self._buckets),
            (r"/v1/projects/(?P<project>[^/]+)/locations/(?P<region>[^/]+)/"
             r"(?P<kind>endpoints|customJobs|hyperparameterTuningJobs)", "aiplatform", self._endpoints),
            (r"/v2/projects/(?P<project>[^/]+)/locations/-/instances", "notebooks", self._workbench),
            (r"/v1/services/(?P<service>[^/]+)/skus", "cloudbilling", self._skus),
            (r"/v1/projects/(?P<project>[^/]+)/billingInfo", "cloudbilling", self._billing_info),
            (r"/v1/billingAccounts", "cloudbilling", self._accounts),
            (r"/v1/billingAccounts/(?P<account>[^/]+)/projects", "cloudbilling", self._account_projects),
            (r"/bigquery/v2/projects/(?P<project>[^/]+)/datasets/(?P<dataset>[^/]+)/tables/(?P<table>[^/]+)",
             "bigquery", self._bq_table),
            (r"/bigquery/v2/projects/(?P<project>[^/]+)/queries", "bigquery", self._bq_query),
            (r"/bigquery/v2/projects/(?P<project>[^/]+)/queries/(?P<job>[^/]+)", "bigquery", self._bq_results),
            (r"/bigquery/v2/projects/(?P<project>[^/]+)/jobs/(?P<job>[^/]+)", "bigquery", self._bq_job),
        )

    def _page(self, items: list, query: Mapping[str, str]) -> tuple[list, str | None]:
        start = int(query.get("pageToken") or 0)
        end = start + self.page_size
        return items[start:end], (str(end) if end < len(items) else None)

    # -- compute ---------------------------------------------------------------------------
    def _aggregated(self, m, query, body):
        project, kind = m["project"], m["kind"]
        items = self.projects.get(project, {}).get(kind, [])
        page, token = self._page(items, query)
        grouped: dict[str, dict] = {}
        for item in page:
            scope = f"zones/{item['zone'].rsplit('/', 1)[-1]}" if "zone" in item else \
                f"regions/{item.get('region', 'global').rsplit('/', 1)[-1]}"
            grouped.setdefault(scope, {kind: []})[kind].append(item)
        out: dict[str, Any] = {"kind": f"compute#{kind}AggregatedList", "items": grouped}
        if token:
            out["nextPageToken"] = token
        return 200, {}, out

    def _machine_type(self, m, query, body):
        mt = self.machine_types.get(m["type"])
        if mt is None:
            return gcp_error(404, f"machine type {m['type']} not found", "NOT_FOUND", "notFound")
        return 200, {}, {**mt, "zone": m["zone"]}

    def _endpoints(self, m, query, body):  # Vertex AI endpoints, custom jobs and tuning jobs of one region
        items = [e for e in self.projects.get(m["project"], {}).get(m["kind"], [])
                 if f"/locations/{m['region']}/" in e["name"]]
        page, token = self._page(items, query)
        out: dict[str, Any] = {m["kind"]: page}
        if token:
            out["nextPageToken"] = token
        return 200, {}, out

    def _workbench(self, m, query, body):  # seeded under "workbench" (compute's "instances" are VMs)
        page, token = self._page(self.projects.get(m["project"], {}).get("workbench", []), query)
        return 200, {}, {"instances": page, **({"nextPageToken": token} if token else {})}

    # -- storage ---------------------------------------------------------------------------
    def _buckets(self, m, query, body):
        project = query.get("project", "")
        page, token = self._page(self.projects.get(project, {}).get("buckets", []), query)
        out: dict[str, Any] = {"kind": "storage#buckets", "items": page}
        if token:
            out["nextPageToken"] = token
        return 200, {}, out

    # -- billing ---------------------------------------------------------------------------
    def _skus(self, m, query, body):
        page, token = self._page(self.skus.get(m["service"], []), query)
        currency = query.get("currencyCode", "USD")
        page = [_with_currency(s, currency) for s in page]
        return 200, {}, {"skus": page, "nextPageToken": token or ""}

    def _billing_info(self, m, query, body):
        project = m["project"]
        account = self.billing_accounts.get(project, "")
        return 200, {}, {"name": f"projects/{project}/billingInfo", "projectId": project,
                         "billingAccountName": account, "billingEnabled": bool(account)}

    def _accounts(self, m, query, body):
        names = sorted(set(self.billing_accounts.values()))
        return 200, {}, {"billingAccounts": [{"name": n, "open": True, "displayName": n} for n in names]}

    def _account_projects(self, m, query, body):
        account = f"billingAccounts/{m['account']}"
        infos = [{"name": f"projects/{p}/billingInfo", "projectId": p, "billingAccountName": a, "billingEnabled": True}
                 for p, a in sorted(self.billing_accounts.items()) if a == account]
        page, token = self._page(infos, query)
        return 200, {}, {"projectBillingInfo": page, "nextPageToken": token or ""}

    # -- bigquery --------------------------------------------------------------------------
    def _bq_table(self, m, query, body):
        key = f"{m['project']}.{m['dataset']}.{m['table']}"
        if key not in self.bq_tables:
            return gcp_error(404, f"Not found: Table {key}", "NOT_FOUND", "notFound")
        name, detailed = self.bq_tables[key]
        fields = [{"name": c[0], "type": "RECORD" if "STRUCT" in str(c[1]) else "STRING"}
                  for c in self.bq.execute(f"DESCRIBE {name}").fetchall() if c[0] != INGESTION_TIME]
        return 200, {}, {"kind": "bigquery#table", "id": key, "schema": {"fields": fields},
                         "timePartitioning": {"type": "DAY"},
                         "tableReference": {"projectId": m["project"], "datasetId": m["dataset"], "tableId": m["table"]}}

    def _bq_billed(self, sql: str) -> int:
        """Bytes billed for ``sql``: the rows of the partitions its _PARTITIONTIME filter keeps."""
        scanned = 0
        bound = re.search(rf"{INGESTION_TIME} >= TIMESTAMP '([^']+)'", sql)
        for name, _detailed in self.bq_tables.values():
            if re.search(rf"\b{name}\b", sql):
                where = f" WHERE {INGESTION_TIME} >= TIMESTAMP '{bound.group(1)}'" if bound else ""
                scanned += self.bq.execute(f"SELECT COUNT(*) FROM {name}{where}").fetchone()[0]
        mib = 1 << 20
        return max(10 * mib, math.ceil(scanned * self.bq_row_bytes / mib) * mib)

    def _bq_query(self, m, query, body):
        request = json.loads(body or b"{}")
        sql = request.get("query", "")
        self.queries.append(sql)
        for key, (name, _detailed) in self.bq_tables.items():
            sql = sql.replace(f"`{key}`", name)
        if "`" in sql:
            return gcp_error(404, "Not found: Table in query", "NOT_FOUND", "notFound")
        billed = self._bq_billed(sql)
        limit = request.get("maximumBytesBilled")
        if limit is not None and billed > int(limit):
            return gcp_error(400, f"Query exceeded limit for bytes billed: {int(limit)}. {billed} or higher required.",
                             "INVALID_ARGUMENT", "bytesBilledLimitExceeded")
        try:
            with self._lock:
                cur = self.bq.cursor()
            result = cur.execute(sql)
            description = result.description
            rows = result.fetchall()
            cur.close()
        except duckdb.Error as exc:
            return gcp_error(400, f"Syntax error: {exc}", "INVALID_ARGUMENT", "invalidQuery")
        fields = [{"name": d[0], "type": _bq_type(str(d[1])), "mode": "NULLABLE"} for d in description]
        encoded = [{"f": [{"v": _bq_value(v)} for v in row]} for row in rows]
        job_id = f"job_{uuid.uuid4().hex[:12]}"
        self._results[job_id] = (fields, encoded)
        self._billed[job_id] = billed
        return 200, {}, {**self._bq_page(m["project"], job_id, 0), "totalBytesProcessed": str(billed)}

    def _bq_results(self, m, query, body):
        job_id = m["job"]
        if job_id not in self._results:
            return gcp_error(404, f"Not found: Job {job_id}", "NOT_FOUND", "notFound")
        return 200, {}, self._bq_page(m["project"], job_id, int(query.get("pageToken") or 0))

    def _bq_job(self, m, query, body):
        job_id = m["job"]
        if job_id not in self._results:
            return gcp_error(404, f"Not found: Job {job_id}", "NOT_FOUND", "notFound")
        fields, rows = self._results[job_id]
        return 200, {}, {"kind": "bigquery#job", "id": f"{m['project']}:US.{job_id}",
                         "jobReference": {"projectId": m["project"], "jobId": job_id, "location": "US"},
                         "configuration": {"jobType": "QUERY", "query": {"query": "", "useLegacySql": False}},
                         "status": {"state": "DONE"},
                         "statistics": {"query": {"totalBytesProcessed": str(self._billed.get(job_id, 0)),
                                                  "totalBytesBilled": str(self._billed.get(job_id, 0)),
                                                  "schema": {"fields": fields}}}}

    def _bq_page(self, project: str, job_id: str, start: int) -> dict:
        fields, rows = self._results[job_id]
        size = max(self.page_size, 1) * 10
        page = rows[start:start + size]
        out = {"kind": "bigquery#queryResponse", "jobComplete": True, "schema": {"fields": fields},
               "jobReference": {"projectId": project, "jobId": job_id, "location": "US"},
               "totalRows": str(len(rows)), "rows": page}
        if start + size < len(rows):
            out["pageToken"] = str(start + size)
        return out


def _with_currency(sku: dict, currency: str) -> dict:
    """The catalog answers in the requested currency (the fake uses a fixed EUR rate)."""
    rate = {"USD": 1.0, "EUR": 0.92}.get(currency, 1.0)
    out = json.loads(json.dumps(sku))
    for info in out.get("pricingInfo", []):
        for tier in info.get("pricingExpression", {}).get("tieredRates", []):
            price = tier["unitPrice"]
            value = (int(price.get("units", 0)) + price.get("nanos", 0) / 1e9) * rate
            price.update(currencyCode=currency, units=str(int(value)), nanos=int(round((value - int(value)) * 1e9)))
    return out


# DuckDB column type -> BigQuery's (DECIMAL(p,s) is FLOAT too; anything else STRING)
_BQ_TYPES = {"DOUBLE": "FLOAT", "FLOAT": "FLOAT", "DECIMAL": "FLOAT", "BIGINT": "INTEGER", "INTEGER": "INTEGER",
             "HUGEINT": "INTEGER", "SMALLINT": "INTEGER", "DATE": "DATE", "BOOLEAN": "BOOLEAN"}


def _bq_type(duckdb_type: str) -> str:
    t = duckdb_type.upper()
    return "FLOAT" if t.startswith("DECIMAL") else _BQ_TYPES.get(t, "STRING")


def _bq_value(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sku(service_id: str, sku_id: str, description: str, regions: list[str], price: float, unit: str = "h",
        usage_type: str = "OnDemand", resource_group: str = "") -> dict:
    """Build one Cloud Billing Catalog SKU (USD) for seeding."""
    units = int(price)
    return {
        "name": f"services/{service_id}/skus/{sku_id}", "skuId": sku_id, "description": description,
        "category": {"serviceDisplayName": "", "resourceFamily": "Compute", "resourceGroup": resource_group,
                     "usageType": usage_type},
        "serviceRegions": regions,
        "pricingInfo": [{"effectiveTime": "2026-11-01T00:00:00Z", "pricingExpression": {
            "usageUnit": unit, "displayQuantity": 1,
            "tieredRates": [{"startUsageAmount": 0,
                             "unitPrice": {"currencyCode": "USD", "units": str(units),
                                           "nanos": int(round((price - units) * 1e9))}}]}}],
    }
