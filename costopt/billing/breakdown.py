"""The cost breakdown SQL, in one place: DuckDB locally, the same SQL for BigQuery/Athena.

``breakdown_sql`` builds a GROUP BY over the ``focus`` view for any of the group keys below;
``breakdown`` runs it and returns one frame per currency (currencies are never added).
``spend_summary`` is the audit's spend section (:class:`costopt.sections.Spend`: totals, by
provider/service/category, daily rows for charts and forecasts). ``breakdown_records`` is the pandas-free path used by
``costopt costs`` (plain tuples from DuckDB, JSON-ready dicts).

Queries over file-backed tables run inside :func:`costopt.billing.readers.input_errors`, so a
bad value in an export surfaces as one InputError naming file, row and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from costopt.billing.readers.diagnose import input_errors, sources_of
from costopt.billing.schema import COST_COLUMNS
from costopt.billing.table import VIEW, BillingTable
from costopt.errors import InputError
from costopt.sections import Spend, SpendDay, SpendShare

if TYPE_CHECKING:  # pandas is imported lazily: `costopt costs` never needs it
    import pandas as pd

GROUP_KEYS: dict[str, str] = {
    "provider": "ProviderName",
    "account": "COALESCE(SubAccountId, BillingAccountId)",
    "service": "ServiceName",
    "category": "ServiceCategory",
    "region": "RegionId",
    "resource": "ResourceId",
    "sku": "COALESCE(x_UsageType, SkuId)",
    "charge": "ChargeCategory",
    "week": "CAST(date_trunc('week', ChargePeriodStart) AS DATE)",
    "day": "CAST(date_trunc('day', ChargePeriodStart) AS DATE)",
}
TAG_KEY_RE = re.compile(r"^tag:([A-Za-z0-9_.:/@+=\- ]{1,128})$")


def group_expression(key: str) -> str:
    """SQL expression for one ``--group-by`` key (``tag:KEY`` reads the Tags JSON)."""
    if key in GROUP_KEYS:
        return GROUP_KEYS[key]
    m = TAG_KEY_RE.match(key)
    if m:
        tag = m.group(1).replace("'", "''").replace('"', '\\"')
        return f"json_extract_string(Tags, '$.\"{tag}\"')"
    valid = ", ".join(list(GROUP_KEYS) + ["tag:KEY"])
    raise InputError(f"unknown group-by key {key!r}; expected any of: {valid}", key="group-by")


def cost_column(cost: str) -> str:
    if cost not in COST_COLUMNS:
        raise InputError(f"unknown cost {cost!r}; expected billed, effective, list or contracted", key="cost")
    return COST_COLUMNS[cost]


def breakdown_sql(group_by: Sequence[str], cost: str = "effective", *, since: bool = False,
                  until: bool = False, view: str = VIEW, period: bool = False) -> str:
    """The breakdown query; ``since``/``until`` add ``?`` placeholders for the bounds.

    ``period`` adds ``first``/``last`` (min/max ChargePeriodStart) per group before ``cost``;
    it also makes every row's date part of the query, so a bad date is always reported.
    """
    column = cost_column(cost)
    selects = [f"{group_expression(k)} AS g{i}" for i, k in enumerate(group_by)]
    where = []
    if since:
        where.append("ChargePeriodStart >= ?")
    if until:
        where.append("ChargePeriodStart < ?")
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    group_cols = ", ".join(f"g{i}" for i in range(len(group_by)))
    select_groups = (", ".join(selects) + ", ") if selects else ""
    group_sql = f"GROUP BY BillingCurrency{', ' + group_cols if group_cols else ''}"
    order_sql = "ORDER BY BillingCurrency, cost DESC" + (f", {group_cols}" if group_cols else "")
    period_sql = "MIN(ChargePeriodStart) AS first, MAX(ChargePeriodStart) AS last, " if period else ""
    return (f"SELECT BillingCurrency AS currency, {select_groups}{period_sql}SUM({column}) AS cost "
            f"FROM {view} {where_sql} {group_sql} {order_sql}")


@dataclass(frozen=True)
class Breakdown:
    """One currency's breakdown: rows keyed by the group-by names, and the total."""

    currency: str
    cost: str
    group_by: tuple[str, ...]
    rows: pd.DataFrame

    @property
    def total(self) -> float:
        return float(self.rows["cost"].sum()) if len(self.rows) else 0.0

    def as_json(self) -> dict[str, Any]:
        records = []
        for rec in self.rows.to_dict(orient="records"):
            out = {}
            for key in self.group_by:
                value = rec[key]
                out[key] = None if _is_missing(value) else (value.isoformat() if hasattr(value, "isoformat") else value)
            out["cost"] = float(rec["cost"])
            records.append(out)
        return {"currency": self.currency, "cost": self.cost, "group_by": list(self.group_by),
                "rows": records, "total": self.total}


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    import pandas as pd  # heavy: `costopt costs` never needs pandas otherwise

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _params(since: datetime | None, until: datetime | None) -> list[Any]:
    return [b.replace(tzinfo=None) for b in (since, until) if b is not None]


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def breakdown_records(table: BillingTable, group_by: Sequence[str], cost: str = "effective",
                      since: datetime | None = None, until: datetime | None = None,
                      period_out: dict[str, tuple[datetime, datetime]] | None = None,
                      period: bool | None = None) -> list[dict[str, Any]]:
    """The breakdown as JSON-ready objects, one per currency, without pandas.

    Each is ``{"currency", "cost", "group_by", "rows": [{key..., "cost"}], "total"}``;
    ``total`` is the exact (fsum) sum of the rows. ``period`` (default: when a source has text
    dates, which must be read to be checked) also computes the first and last charge start per
    currency into ``period_out``.
    """
    periods: dict[str, list[datetime]] = {}
    if period is None:  # text dates are only checked when read: make the query read them
        period = any(kind == "date" for src in sources_of(table) for _, kind, _ in src.checks)
    sql = breakdown_sql(group_by, cost, since=since is not None, until=until is not None, period=period)
    with input_errors(table):
        cur = table.con.cursor()
        try:
            tuples = cur.execute(sql, _params(since, until)).fetchall()
        finally:
            cur.close()
    out: dict[str, dict[str, Any]] = {}
    keys = list(group_by)
    n = len(keys)
    dated = [i for i, k in enumerate(keys) if k in ("week", "day")]  # the only non-text keys
    for row in tuples:
        currency = row[0] if row[0] is not None else "UNKNOWN"
        entry = out.get(currency)
        if entry is None:
            entry = out[currency] = {"currency": currency, "cost": cost, "group_by": keys, "rows": []}
        values = list(row[1:1 + n])
        for i in dated:
            values[i] = _json_value(values[i])
        record = dict(zip(keys, values))
        record["cost"] = float(row[-1]) if row[-1] is not None else 0.0
        entry["rows"].append(record)
        if period and row[-3] is not None:
            periods.setdefault(currency, []).extend((row[-3], row[-2]))
    for entry in out.values():
        entry["total"] = math.fsum(r["cost"] for r in entry["rows"])
    records = [out[c] for c in sorted(out)]
    if period_out is not None:
        period_out.update({c: (min(v), max(v)) for c, v in periods.items()})
    return records


def breakdown(table: BillingTable, group_by: Sequence[str], cost: str = "effective",
              since: datetime | None = None, until: datetime | None = None) -> list[Breakdown]:
    """Run the breakdown; one :class:`Breakdown` per currency found."""
    sql = breakdown_sql(group_by, cost, since=since is not None, until=until is not None)
    with input_errors(table):
        df = table.query(sql, _params(since, until))
    df = df.rename(columns={f"g{i}": k for i, k in enumerate(group_by)})
    out = []
    for currency, part in df.groupby("currency", sort=True, dropna=False):
        rows = part.drop(columns=["currency"]).reset_index(drop=True)
        out.append(Breakdown(str(currency) if not _is_missing(currency) else "UNKNOWN", cost, tuple(group_by), rows))
    return out


def spend_summary(table: BillingTable | None, team_tag_keys: Sequence[str] = ("costopt:team", "team"),
                  cost: str = "effective") -> Spend:
    """The audit's spend section. Raises InputError when the data mixes currencies."""
    if table is None or table.empty:
        return Spend()
    with input_errors(table):
        currencies = table.currencies()
    if len(currencies) > 1:
        raise InputError(f"billing data mixes currencies ({', '.join(currencies)}); "
                         "costopt never adds two currencies: audit each currency's files separately")
    column = cost_column(cost)
    team_expr = "COALESCE(" + ", ".join(
        f"json_extract_string(Tags, '$.\"{k}\"')" for k in team_tag_keys) + ", NULL)" if team_tag_keys else "NULL"
    # fsum (Kahan) in DuckDB and math.fsum here: parallel sums would otherwise differ in the last
    # digits from run to run, and the same inputs must give the same figures.
    with input_errors(table):
        daily = table.query(
            f"""SELECT CAST(date_trunc('day', ChargePeriodStart) AS DATE) AS day, ProviderName AS provider,
                       COALESCE(SubAccountId, BillingAccountId) AS account, ServiceName AS service,
                       ServiceCategory AS category, ChargeCategory AS charge, {team_expr} AS team,
                       fsum({column}) AS cost, fsum(BilledCost) AS billed,
                       fsum(CASE WHEN x_IsEgress THEN {column} ELSE 0 END) AS egress
                FROM {VIEW} GROUP BY ALL ORDER BY ALL""")  # every column: rows tied on a few are ordered too

    def by(col: str) -> tuple[SpendShare, ...]:
        """Cost per value of ``col``, largest first (ties by name): exact sums, one order every run."""
        parts: dict[str | None, list[float]] = {}
        for key, value in zip(daily[col], daily["cost"]):
            parts.setdefault(None if _is_missing(key) else str(key), []).append(float(value))
        sums = sorted(((k, math.fsum(v)) for k, v in parts.items()), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))
        return tuple(SpendShare(k, c) for k, c in sums)

    def text(value: Any) -> str | None:
        return None if _is_missing(value) else str(value)

    records = tuple(SpendDay(
        day=rec["day"].isoformat() if hasattr(rec["day"], "isoformat") else str(rec["day"]),
        provider=text(rec["provider"]), account=text(rec["account"]), service=text(rec["service"]),
        category=text(rec["category"]), charge=text(rec["charge"]), team=text(rec["team"]),
        cost=float(rec["cost"]), billed=float(rec["billed"] or 0.0), egress=float(rec["egress"] or 0.0),
    ) for rec in daily.to_dict(orient="records"))
    return Spend(
        currency=currencies[0] if currencies else None,
        cost_basis=cost,
        total=math.fsum(r.cost for r in records),  # exact: the same rows give the same total, any order
        billed_total=math.fsum(r.billed or 0.0 for r in records),
        egress=math.fsum(r.egress or 0.0 for r in records),
        first_day=records[0].day if records else None,
        last_day=records[-1].day if records else None,
        by_provider=by("provider"),
        by_service=by("service"),
        by_category=by("category"),
        by_charge=by("charge"),
        daily=records,
    )
