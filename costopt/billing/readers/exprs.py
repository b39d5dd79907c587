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

from costopt.billing.readers.sources import Source, ident, normalise, sql_str

NUMERIC_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT",
                 "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT")
# strptime formats tried (after ISO 8601) on a sample of a text date column, in this order.
DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%Y", "%Y%m%d")
SAMPLE_ROWS = 200
_ANY = re.compile(r"")
_GUARDS = {  # a format only counts values of its own shape (so %y never takes a 4-digit year)
    "iso": re.compile(r"^\d{4}-\d{1,2}-\d{1,2}"),
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


# No single billing line costs more than this (the largest cloud bills are ~1e10 a year); a bigger
# value is a broken export (a unit mix-up, an exponent typo) and would swamp every sum it enters.
# Because every row is bounded, no sum over any real number of rows can overflow a double.
COST_BOUND = 1e15
_QUANTITY = ("quantity", "usageamount", "amountinpricingunits")


def finite(expr: str, bound: float | None = None) -> str:
    """``expr`` unless it is NaN, infinite or (with ``bound``) beyond +-bound: then the query
    fails and the diagnosis names the row."""
    ok = f"isfinite({expr})" + (f" AND abs({expr}) <= {bound!r}" if bound is not None else "")
    return f"(CASE WHEN {expr} IS NULL OR ({ok}) THEN {expr} ELSE error('costopt: not a finite number') END)"


def is_cost(real: str) -> bool:
    """Whether a numeric source column holds money (bounded by COST_BOUND) rather than a quantity."""
    name = normalise(real)
    return not any(q in name for q in _QUANTITY)


def plausible_time(expr: str) -> str:
    """``expr`` unless it is before 2006 or more than a day after now (then the query fails)."""
    return (f"(CASE WHEN {expr} IS NULL OR {expr} BETWEEN TIMESTAMP '{EARLIEST_CHARGE}' AND "
            f"TIMESTAMP '{latest_charge()}' THEN {expr} ELSE error('costopt: implausible date') END)")


def number(src: Source, real: str | None) -> str | None:
    """A finite DOUBLE expression for column ``real`` (None when the column is absent)."""
    if real is None:
        return None
    col = ident(real)
    kind, bound = ("cost", COST_BOUND) if is_cost(real) else ("number", None)
    if is_numeric(src.type_of(real)):
        src.checks.append((real, kind, ""))
        return finite(f"CAST({col} AS DOUBLE)", bound)
    fmt = "comma" if src.decimal_comma else ""
    src.checks.append((real, kind, fmt))
    return finite(f"CAST({_number_text(col, fmt)} AS DOUBLE)", bound)


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
    if fmt in ("iso", "isotz"):
        return f"timezone('UTC', {'CAST' if strict else 'TRY_CAST'}({_fixed_zones(value, strict)} AS TIMESTAMPTZ))"
    return f"{'strptime' if strict else 'try_strptime'}({value}, {sql_str(fmt)})"


# Zone abbreviations read as the fixed offsets they name. ICU would read "PST" as the zone
# America/Los_Angeles (so 10:00 PST in summer became 17:00 UTC, not 18:00); other letters after a
# time (CST is US, China or Cuba) are refused with the row. IANA names (Europe/Paris) stay ICU's.
NAMED_ZONES = {"UTC": "+00:00", "GMT": "+00:00", "EST": "-05:00", "EDT": "-04:00",
               "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00"}
_ZONE_SUFFIX = r"\s([A-Za-z]{2,5})$"


def _fixed_zones(value: str, strict: bool) -> str:
    """``value`` with a trailing zone abbreviation replaced by its offset (unknown ones fail)."""
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in NAMED_ZONES.items())
    unknown = "error('costopt: unknown time zone name')" if strict else "NULL"
    abbr = f"upper(regexp_extract({value}, '{_ZONE_SUFFIX}', 1))"
    return (f"(CASE WHEN NOT regexp_matches({value}, '{_ZONE_SUFFIX}') THEN {value} "
            f"ELSE regexp_replace({value}, '{_ZONE_SUFFIX}', '') || (CASE {abbr} {cases} ELSE {unknown} END) END)")


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
    candidates = ["iso"]  # offsets and zone names are read row by row, whatever the sample holds
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
