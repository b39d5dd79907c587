"""Turn a failed DuckDB query over billing files into one InputError naming file, row and column.

Readers cast with failing casts and record each cast in ``Source.checks``; nothing is scanned
ahead of time. When a query fails, :func:`explain` re-reads only the checked columns of each
file (single-threaded, so row numbers follow the file) and reports the first bad value:
``costs.csv, row 7, column 'BilledCost': expected a number, got 'n/a'``. Rows are data rows,
counted from 1 after the header.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from costopt.billing.readers.exprs import COST_BOUND, EARLIEST_CHARGE, NAMED_ZONES, date_expr, latest_charge, try_number
from costopt.billing.readers.sources import Source, ident, read_function
from costopt.billing.table import BillingTable
from costopt.errors import InputError

_FAILED_VALUE = re.compile(r"""(?:string|value)[: ]+['"](.*?)['"]""", re.DOTALL)
_SOURCES: weakref.WeakKeyDictionary[BillingTable, list[Source]] = weakref.WeakKeyDictionary()


def register(table: BillingTable, sources: list[Source]) -> None:
    _SOURCES.setdefault(table, []).extend(sources)


def sources_of(table: BillingTable) -> list[Source]:
    return list(_SOURCES.get(table, []))


ZONES_HELP = ("ISO 8601 like 2024-09-01T00:00:00Z, with a UTC offset, an IANA zone (America/Los_Angeles) or one "
              f"of {'/'.join(NAMED_ZONES)}")


def _expected(kind: str, fmt: str) -> str:
    if kind in ("number", "cost"):
        return "expected a number" + (" with a decimal comma, like the rest of the file" if fmt == "comma" else "")
    human = {"iso": ZONES_HELP, "isotz": ZONES_HELP,
             "typed": "a timestamp", "typed-tz": "a timestamp"}.get(fmt, fmt)
    return f"unparsable date; expected {human}"


def _implausible(kind: str, parsed: float | None = None) -> str:
    if kind in ("number", "cost"):
        if parsed is not None and math.isfinite(parsed):
            return f"expected a cost between -{COST_BOUND:.0e} and {COST_BOUND:.0e} per row".replace("e+", "e")
        return "expected a finite number (not NaN or infinity)"
    return f"expected a date from {EARLIEST_CHARGE} to tomorrow"


def find_bad_value(con: duckdb.DuckDBPyConnection, src: Source, value: str | None = None) -> InputError | None:
    """The first value of ``src`` that a recorded cast rejects, as an InputError (or None).

    With ``value`` (the string DuckDB failed on), a check whose bad value differs is only a
    fallback: the column that really stopped the query is reported when it can be told.
    """
    fallback: InputError | None = None
    if not src.checks:
        return None
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads = 1")
    try:
        for path in src.files:
            reader = read_function([path], src.kind, False)
            for column, kind, fmt in dict.fromkeys(src.checks):
                col = ident(column)
                numeric = kind in ("number", "cost")
                parsed = try_number(col, fmt) if numeric else date_expr(col, fmt, strict=False)
                present = f"NULLIF(trim(CAST({col} AS VARCHAR)), '') IS NOT NULL"
                out_of_range = ("NOT isfinite(p)" if kind == "number" else
                                f"(NOT isfinite(p) OR abs(p) > {COST_BOUND!r})" if kind == "cost" else
                                f"p NOT BETWEEN TIMESTAMP '{EARLIEST_CHARGE}' AND TIMESTAMP '{latest_charge()}'")
                try:
                    row = con.execute(
                        f"SELECT rn, v, p IS NOT NULL, {'p' if numeric else 'NULL'} FROM ("
                        f"SELECT row_number() OVER () AS rn, CAST({col} AS VARCHAR) AS v, "
                        f"{parsed} AS p, {present} AS has FROM {reader}) "
                        f"WHERE (p IS NULL AND has) OR (p IS NOT NULL AND {out_of_range}) LIMIT 1").fetchone()
                except duckdb.BinderException:
                    continue  # the column is not in this file of a union_by_name group
                except duckdb.Error as exc:  # the file itself is malformed: report that instead
                    return csv_structure_error(str(exc)) or fallback
                if row is not None:
                    what = _implausible(kind, row[3]) if row[2] else _expected(kind, fmt)
                    found = InputError(f"{what}, got {row[1]!r}", path=path, row=int(row[0]), column=column)
                    if value is None or row[1] == value:
                        return found
                    fallback = fallback or found
    finally:
        con.execute(f"SET threads = {int(threads)}")
    return fallback


def csv_structure_error(message: str) -> InputError | None:
    """DuckDB's multi-line CSV error (ragged row, bad quoting) as one line with file and line."""
    line = re.search(r"CSV Error on Line: (\d+)", message)
    if not line:
        return None
    path = re.search(r"^\s*file = (.+)$", message, re.MULTILINE)
    cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
    what = (f"expected {cols.group(1)} fields like the header, found {cols.group(2)}" if cols
            else "malformed CSV row (" + message.splitlines()[0].split(":", 1)[-1].strip() + ")")
    return InputError(what, path=path.group(1).strip() if path else None, line=int(line.group(1)))


def explain(table: BillingTable, exc: BaseException) -> InputError:
    structure = csv_structure_error(str(exc))
    if structure is not None:
        return structure
    m = _FAILED_VALUE.search(str(exc))
    value = m.group(1) if m else None
    fallback = None
    for src in sources_of(table):
        found = find_bad_value(table.con, src, value)
        if found is not None and (value is None or f"got {value!r}" in str(found)):
            return found
        fallback = fallback or found
    if fallback is not None:
        return fallback
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    labels = ", ".join(table.sources) or "billing data"
    return InputError(f"cannot read the billing data: {first}", path=labels)


@contextmanager
def input_errors(table: BillingTable) -> Iterator[None]:
    """Re-raise DuckDB errors from queries over ``table`` as one-line InputErrors."""
    try:
        yield
    except duckdb.Error as exc:
        raise explain(table, exc) from None


class FileBillingTable(BillingTable):
    """A BillingTable over files whose queries raise one-line InputErrors for bad values.

    Every consumer (breakdown, audit window, rules) gets the file/row/column message without
    wrapping its own queries.
    """

    def query(self, sql, params=None):  # type: ignore[override]
        with input_errors(self):
            return super().query(sql, params)

    def scalar(self, sql, params=None):  # type: ignore[override]
        with input_errors(self):
            return super().scalar(sql, params)


def validate(table: BillingTable) -> None:
    """Force one full scan of every cast (optional; queries validate lazily anyway)."""
    with input_errors(table):
        table.scalar("SELECT count(ChargePeriodStart) + sum(BilledCost) + sum(EffectiveCost) "
                     "+ sum(ListCost) + count(BillingPeriodStart) FROM focus")
