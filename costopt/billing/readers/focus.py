"""FOCUS 1.0–1.2 files (CSV, CSV.gz, Parquet): a projection, columns found by name.

FOCUS is costopt's own schema, so this reader only finds each canonical column (any case),
types it, and derives what is missing: ServiceCategory from ServiceName when the column is
absent (or, in CSV, empty; Parquet keeps the column as is, so a GROUP BY reads nothing extra),
``x_UsageType`` from a provider ``x_UsageType`` column or FOCUS 1.2 ``SkuMeter``, and
``x_IsEgress`` from the usage type or a "data transfer out" / "egress" charge description.
"""

from __future__ import annotations

import duckdb

from costopt.billing.readers import exprs
from costopt.billing.readers.categories import aws_egress, category_sql
from costopt.billing.readers.common import json_object_text
from costopt.billing.readers.sources import Source, ident, normalise
from costopt.billing.schema import FOCUS_COLUMNS, FOCUS_REQUIRED

NAME = "focus"
DETECT = ("billedcost", "chargeperiodstart")
REQUIRED = FOCUS_REQUIRED


def missing(src: Source) -> list[str]:
    return [c for c in REQUIRED if src.find(normalise(c)) is None]


def mapping(src: Source, con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    out: dict[str, str] = {}
    for column, sql_type in FOCUS_COLUMNS.items():
        if column.startswith("x_"):
            continue
        real = src.find(normalise(column))
        if real is None:
            continue
        if sql_type == "DOUBLE":
            out[column] = exprs.number(src, real)
        elif sql_type == "TIMESTAMP":
            out[column] = exprs.timestamp(src, con, real)
        else:
            out[column] = exprs.text(src, real)
    if "ChargeCategory" not in out:  # FOCUS 1.0-preview called it ChargeType
        out["ChargeCategory"] = exprs.text(src, src.find("chargetype")) or "'Usage'"
    service = out.get("ServiceName")
    derived = category_sql(service)
    if derived and "ServiceCategory" not in out:  # mandatory since FOCUS 1.0: derived only when absent
        out["ServiceCategory"] = derived
    elif derived and src.kind == "csv":  # text files: an empty cell is filled in too (cheap at CSV speed)
        out["ServiceCategory"] = f"COALESCE(NULLIF({out['ServiceCategory']}, ''), {derived})"
    tags = src.find("tags")
    if tags is not None:
        kind = src.type_of(tags)
        out["Tags"] = f"CAST(to_json({ident(tags)}) AS VARCHAR)" if kind.startswith(("MAP", "STRUCT")) \
            else json_object_text(ident(tags))
    usage_type = exprs.text(src, src.find("xusagetype", "skumeter"))
    if usage_type:
        out["x_UsageType"] = usage_type
    egress = [e for e in (aws_egress(usage_type),) if e]
    description = out.get("ChargeDescription")
    if description:
        egress.append(f"contains(lower({description}), 'data transfer out')")
        egress.append(f"contains(lower({description}), 'egress')")
    if egress:
        out["x_IsEgress"] = "COALESCE(" + " OR ".join(egress) + ", FALSE)"
    return out
