"""SQL expressions for mapped columns: numbers, dates and text, validated lazily.

CSV columns arrive as text. Numbers and dates are cast with the failing ``CAST``/``strptime``
(never ``TRY_CAST``), so a bad value stops the query instead of silently becoming NULL; each
cast is recorded in ``Source.checks`` so :mod:`costopt.billing.readers.diagnose` can find the
file, row and column afterwards. The good path therefore reads every file once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import duckdb

from costopt.billing.readers.sources import Source, ident, sql_str

NUMERIC_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT",
                 "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT")
# strptime formats tried (after ISO 8601) on a sample of a text date column, in this order.
DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%Y", "%Y%m%d")
_TZ_SUFFIX = re.compile(r"(?:[+-]\d{2}:?\d{2}|[+-]\d{2})$")
SAMPLE_ROWS = 200
_ANY = re.compile(r"")
_GUARDS = {  # a format only counts values of its own shape (so %y never takes a 4-digit year)
    "iso": re.compile(r"^\d{4}-\d{1,2}-\d{1,2}"), "isotz": re.compile(r"^\d{4}-\d{1,2}-\d{1,2}"),
    "%m/%d/%Y": re.compile(r"^\d{1,2}/\d{1,2}/\d{4}\b"), "%d/%m/%Y": re.compile(r"^\d{1,2}/\d{1,2}/\d{4}\b"),
    "%m/%d/%y": re.compile(r"^\d{1,2}/\d{1,2}/\d{2}\b"), "%d.%m.%Y": re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}\b"),
    "%Y/%m/%d": re.compile(r"^\d{4}/\d{1,2}/\d{1,2}"), "%Y%m%d": re.compile(r"^\d{8}$"),
}


def is_numeric(sql_type: str) -> bool:
    return sql_type.upper().startswith(NUMERIC_TYPES)


# Dates a billing export can hold: cloud billing exports start in 2006 (AWS); a charge more than a
# day in the future is an error in the file, not a forecast.
EARLIEST_CHARGE = "2006-01-01"


def latest_charge() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")


def finite(expr: str) -> str:
    """``expr`` unless it is NaN or infinite (then the query fails and the diagnosis names the row)."""
    return f"(CASE WHEN {expr} IS NULL OR isfinite({expr}) THEN {expr} ELSE error('costopt: not a finite number') END)"


def plausible_time(expr: str) -> str:
    """``expr`` unless it is before 2006 or more than a day after now (then the query fails)."""
    return (f"(CASE WHEN {expr} IS NULL OR {expr} BETWEEN TIMESTAMP '{EARLIEST_CHARGE}' AND "
            f"TIMESTAMP '{latest_charge()}' THEN {expr} ELSE error('costopt: implausible date') END)")


def number(src: Source, real: str | None) -> str | None:
    """A finite DOUBLE expression for column ``real`` (None when the column is absent)."""
    if real is None:
        return None
    col = ident(real)
    if is_numeric(src.type_of(real)):
        src.checks.append((real, "number", ""))
        return finite(f"CAST({col} AS DOUBLE)")
    fmt = "comma" if src.decimal_comma else ""
    src.checks.append((real, "number", fmt))
    return finite(f"CAST({_number_text(col, fmt)} AS DOUBLE)")


def _number_text(col: str, fmt: str) -> str:
    text = f"NULLIF(trim(CAST({col} AS VARCHAR)), '')"
    return f"replace(replace({text}, '.', ''), ',', '.')" if fmt == "comma" else text


def try_number(expr_col: str, fmt: str = "") -> str:
    return f"TRY_CAST({_number_text(expr_col, fmt)} AS DOUBLE)"


def text(src: Source, real: str | None) -> str | None:
    if real is None:
        return None
    col = ident(real)
    return col if src.type_of(real) == "VARCHAR" else f"CAST({col} AS VARCHAR)"


def timestamp(src: Source, con: duckdb.DuckDBPyConnection, real: str | None) -> str | None:
    """A TIMESTAMP (UTC, naive) expression; the text format is sniffed from a sample."""
    if real is None:
        return None
    col = ident(real)
    sql_type = src.type_of(real)
    if sql_type.startswith("TIMESTAMP WITH TIME ZONE") or sql_type == "TIMESTAMPTZ":
        src.checks.append((real, "date", "typed-tz"))
        return plausible_time(f"timezone('UTC', {col})")
    if sql_type.startswith(("TIMESTAMP", "DATE")):
        src.checks.append((real, "date", "typed"))
        return plausible_time(f"CAST({col} AS TIMESTAMP)")
    fmt = sniff_date_format(src, con, real)
    src.checks.append((real, "date", fmt))
    return plausible_time(date_expr(col, fmt, strict=True))


def date_expr(col: str, fmt: str, strict: bool) -> str:
    if fmt == "typed-tz":
        return f"timezone('UTC', {col})"
    if fmt == "typed":
        return f"CAST({col} AS TIMESTAMP)"
    value = f"NULLIF(trim(CAST({col} AS VARCHAR)), '')"
    if fmt == "iso":
        return f"{'CAST' if strict else 'TRY_CAST'}({value} AS TIMESTAMP)"
    if fmt == "isotz":
        return f"timezone('UTC', {'CAST' if strict else 'TRY_CAST'}({value} AS TIMESTAMPTZ))"
    return f"{'strptime' if strict else 'try_strptime'}({value}, {sql_str(fmt)})"


def sniff_date_format(src: Source, con: duckdb.DuckDBPyConnection, real: str) -> str:
    """The format that parses most sampled values (ISO 8601 wins ties).

    A value no format parses is left for the query to reject: the diagnosis then names its row.
    """
    col = ident(real)
    values = [r[0].strip() for r in con.execute(
        f"SELECT CAST({col} AS VARCHAR) FROM {src.view} WHERE NULLIF(trim(CAST({col} AS VARCHAR)), '') IS NOT NULL "
        f"LIMIT {SAMPLE_ROWS}").fetchall()]
    if not values:
        return "iso"
    has_tz = any(_TZ_SUFFIX.search(v) and ("T" in v or " " in v) for v in values)
    candidates = ["isotz" if has_tz else "iso"]
    with_time = all(re.search(r"[ T]\d{1,2}:\d{2}(:\d{2})?$", v) for v in values)
    for fmt in DATE_FORMATS:
        candidates.append(fmt + " %H:%M:%S" if with_time else fmt)
        if with_time:
            candidates.append(fmt + " %H:%M")
    best, best_count = candidates[0], 0
    for fmt in candidates:
        guard = _GUARDS.get(fmt.split(" ")[0], _ANY)
        eligible = [v for v in values if guard.match(v)]
        if not eligible:
            continue
        listing = ", ".join(sql_str(v) for v in eligible)
        parsed = date_expr("v", fmt, strict=False)
        count = con.execute(f"SELECT count({parsed}) FROM unnest([{listing}]) t(v)").fetchone()[0]
        if count > best_count:
            best, best_count = fmt, count
        if count == len(values):
            break
    return best


def first_present(*exprs: str | None) -> str | None:
    present = [e for e in exprs if e]
    if not present:
        return None
    return present[0] if len(present) == 1 else f"COALESCE({', '.join(present)})"
