"""GCP Cloud Billing export rows (the BigQuery table) exported as CSV, JSON lines or Parquet.

Nested fields (``service.description``, ``sku.id``, ``location.region``, ``project.id``,
``usage.amount``, ``invoice.month``) are read from STRUCT columns (JSON, Parquet) or from
flattened headers (``service.description`` / ``service_description`` in CSV).

Each export row gives a Usage/Tax/Adjustment row (``cost_type``: regular, tax, adjustment,
rounding_error; SKUs named "Commitment ..." are commitment purchases), and each of its
``credits`` (a list of {name, amount, type, ...}, or a JSON string of it, or a flat numeric
``credits`` total) becomes a separate Credit row, so credits are never netted into usage cost.
BilledCost = EffectiveCost = ``cost``; ListCost = ``cost_at_list`` when exported, else ``cost``.
"""

from __future__ import annotations

import re

import duckdb

from costopt.billing.readers import exprs
from costopt.billing.readers.categories import category_sql, gcp_egress
from costopt.billing.readers.sources import Source, ident, normalise
from costopt.billing.table import canonical_select

NAME = "gcp"
CREDIT_JSON_TYPE = '[{"name":"VARCHAR","amount":"DOUBLE","full_name":"VARCHAR","id":"VARCHAR","type":"VARCHAR"}]'


def detects(src: Source) -> bool:
    return (src.find("billingaccountid") is not None and src.find("cost") is not None
            and src.find("usagestarttime") is not None)


def missing(src: Source) -> list[str]:
    return [name for name, key in (("cost", "cost"), ("currency", "currency"), ("usage_start_time", "usagestarttime"))
            if src.find(key) is None]


def struct_has(sql_type: str, name: str) -> bool:
    """Whether a DuckDB STRUCT type string has a top-level field ``name``."""
    return re.search(r'[(,]\s*"?' + re.escape(name) + r'"?\s', sql_type, re.IGNORECASE) is not None


def field(src: Source, *path: str) -> tuple[str | None, bool]:
    """(expression, is_struct_field) for a nested export field, struct or flattened."""
    top = src.find(normalise(path[0]))
    if top is not None and len(path) > 1 and src.type_of(top).startswith("STRUCT"):
        if not struct_has(src.type_of(top), path[1]):
            return None, True
        return ident(top) + "".join(f".{ident(p)}" for p in path[1:]), True
    flat = src.find(normalise("".join(path)))
    return (ident(flat) if flat else None), False


def _text(src: Source, *path: str) -> str | None:
    expr, _ = field(src, *path)
    return f"CAST({expr} AS VARCHAR)" if expr else None


def _number(src: Source, *path: str) -> str | None:
    expr, nested = field(src, *path)
    if expr is None:
        return None
    if nested:
        return f"CAST({expr} AS DOUBLE)"
    return exprs.number(src, src.find(normalise("".join(path))))


def _tags(src: Source) -> str | None:
    labels = src.find("labels")
    if labels is None:
        return None
    kind = src.type_of(labels)
    col = ident(labels)
    if kind.startswith("STRUCT") and kind.endswith("[]"):
        pairs = col
    elif kind.startswith("MAP"):
        return f"NULLIF(CAST(to_json({col}) AS VARCHAR), '{{}}')"
    else:
        pairs = (f"(CASE WHEN json_valid(CAST({col} AS VARCHAR)) THEN from_json(CAST({col} AS VARCHAR), "
                 f"'[{{\"key\":\"VARCHAR\",\"value\":\"VARCHAR\"}}]') END)")
    return (f"NULLIF(CAST(to_json(map_from_entries(list_transform({pairs}, "
            f"lambda l: struct_pack(k := l.key, v := l.value)))) AS VARCHAR), '{{}}')")


def _base(src: Source, con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    sku = _text(src, "sku", "description")
    service = _text(src, "service", "description")
    month = _text(src, "invoice", "month")
    cost_type = _text(src, "cost_type")
    return {
        "ProviderName": "'Google Cloud'",
        "BillingAccountId": _text(src, "billing_account_id"),
        "SubAccountId": _text(src, "project", "id"),
        "SubAccountName": _text(src, "project", "name"),
        "BillingCurrency": _text(src, "currency"),
        "BillingPeriodStart": f"try_strptime({month} || '01', '%Y%m%d')" if month else None,
        "ChargePeriodStart": exprs.timestamp(src, con, src.find("usagestarttime")),
        "ChargePeriodEnd": exprs.timestamp(src, con, src.find("usageendtime")),
        "ChargeCategory": (f"(CASE lower({cost_type}) WHEN 'tax' THEN 'Tax' WHEN 'adjustment' THEN 'Adjustment' "
                           f"WHEN 'rounding_error' THEN 'Adjustment' ELSE "
                           f"(CASE WHEN starts_with(lower({sku or 'NULL'}), 'commitment') THEN 'Purchase' ELSE 'Usage' END) END)"
                           if cost_type else
                           f"(CASE WHEN starts_with(lower({sku or 'NULL'}), 'commitment') THEN 'Purchase' ELSE 'Usage' END)"),
        "ChargeFrequency": "'Usage-Based'",
        "ChargeDescription": sku,
        "ServiceName": service,
        "ServiceCategory": category_sql(service),
        "RegionId": exprs.first_present(_text(src, "location", "region"), _text(src, "location", "location")),
        "AvailabilityZone": _text(src, "location", "zone"),
        "ResourceId": exprs.first_present(_text(src, "resource", "global_name"), _text(src, "resource", "name")),
        "ResourceName": _text(src, "resource", "name"),
        "SkuId": _text(src, "sku", "id"),
        "PricingQuantity": _number(src, "usage", "amount_in_pricing_units"),
        "PricingUnit": _text(src, "usage", "pricing_unit"),
        "ConsumedQuantity": _number(src, "usage", "amount"),
        "ConsumedUnit": _text(src, "usage", "unit"),
        "Tags": _tags(src),
        "x_UsageType": sku,
        "x_IsEgress": f"COALESCE({gcp_egress(sku)}, FALSE)" if sku else "FALSE",
    }


def select(src: Source, con: duckdb.DuckDBPyConnection) -> str:
    """Usage rows UNION ALL credit rows, in the canonical columns."""
    base = _base(src, con)
    cost = _number(src, "cost")
    usage = dict(base, BilledCost=cost, EffectiveCost=cost,
                 ListCost=exprs.first_present(_number(src, "cost_at_list"), cost), ContractedCost=cost,
                 x_SourceFile=src.file_expr)
    parts = [canonical_select({k: v for k, v in usage.items() if v}, src.view)]
    credits = src.find("credits")
    if credits is not None:
        kind = src.type_of(credits)
        credit = dict(base, ChargeCategory="'Credit'", ChargeFrequency="'One-Time'", ListCost="0",
                      x_IsEgress="FALSE", x_SourceFile=src.file_expr)
        if exprs.is_numeric(kind) or (kind == "VARCHAR" and src.kind == "csv" and _flat_numeric(src, con, credits)):
            amount = exprs.number(src, credits)
            credit.update(BilledCost=amount, EffectiveCost=amount, ContractedCost=amount,
                          ChargeDescription="'credits'")
            source = f"(SELECT * FROM {src.view} WHERE {amount} <> 0) AS c"
        else:
            nested = kind.endswith("[]")
            listing = ident(credits) if nested else \
                f"from_json(CAST({ident(credits)} AS VARCHAR), '{CREDIT_JSON_TYPE}')"
            names = [f"CAST(__credit.{n} AS VARCHAR)" for n in ("full_name", "name", "type")
                     if not nested or struct_has(kind, n)]
            credit.update(BilledCost="CAST(__credit.amount AS DOUBLE)", EffectiveCost="CAST(__credit.amount AS DOUBLE)",
                          ContractedCost="CAST(__credit.amount AS DOUBLE)",
                          ChargeDescription=exprs.first_present(*names) or "'credit'")
            source = f"(SELECT *, unnest({listing}) AS __credit FROM {src.view}) AS c"
        parts.append(canonical_select({k: v for k, v in credit.items() if v}, source))
    return " UNION ALL ".join(parts)


def _flat_numeric(src: Source, con: duckdb.DuckDBPyConnection, real: str) -> bool:
    """A CSV ``credits`` column holding totals rather than JSON lists."""
    row = con.execute(f"SELECT {ident(real)} FROM {src.view} WHERE NULLIF(trim({ident(real)}), '') IS NOT NULL "
                      f"LIMIT 1").fetchone()
    return row is not None and not str(row[0]).lstrip().startswith(("[", "{"))
