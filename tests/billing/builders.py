"""Writers for small billing fixtures (CSV, gzip, Parquet, JSON lines) built inside tests."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

FOCUS_HEADER = ["BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingCurrency",
                "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ServiceName", "ServiceCategory",
                "ProviderName", "ResourceId", "RegionId", "SubAccountId", "Tags", "ChargeDescription"]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], *, bom: bool = False,
              delimiter: str = ",", gz: bool = False) -> Path:
    opener = gzip.open if gz else open
    with opener(path, "wt", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_parquet(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]],
                  types: dict[str, str] | None = None) -> Path:
    """Parquet through DuckDB: rows as VALUES, columns cast to ``types`` (default VARCHAR/DOUBLE)."""
    con = duckdb.connect()
    types = types or {}
    cols = ", ".join(f'CAST(col{i} AS {types.get(h, "VARCHAR")}) AS "{h}"' for i, h in enumerate(header))
    if rows:
        con.execute(f"CREATE TABLE t AS SELECT * FROM (VALUES {', '.join('(' + ', '.join('?' for _ in header) + ')' for _ in rows)}) "
                    f"AS v({', '.join(f'col{i}' for i in range(len(header)))})",
                    [None if v is None else str(v) for row in rows for v in row])
    else:
        con.execute(f"CREATE TABLE t AS SELECT * FROM (SELECT {', '.join(f'NULL AS col{i}' for i in range(len(header)))}) WHERE FALSE")
    con.execute(f"COPY (SELECT {cols} FROM t) TO '{path}' (FORMAT parquet)")
    con.close()
    return path


def write_jsonl(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec) + "\n")
    return path


def focus_row(cost: float, *, effective: float | None = None, currency: str = "USD",
              start: str = "2024-09-01T00:00:00Z", end: str = "2024-09-01T01:00:00Z", category: str = "Usage",
              service: str = "Amazon Elastic Compute Cloud", service_category: str = "Compute",
              provider: str = "AWS", resource: str = "i-1", region: str = "us-east-1", account: str = "111",
              tags: str = "", description: str = "") -> list[Any]:
    eff = cost if effective is None else effective
    return [cost, eff, cost, cost, currency, start, end, category, service, service_category, provider,
            resource, region, account, tags, description]
