"""Billing export readers: FOCUS, AWS CUR, Azure and GCP exports -> one FOCUS ``BillingTable``.

``open_sources(paths_or_globs, fmt)`` expands each path or glob, detects every file's format
from its header (or uses ``fmt``: focus, aws-cur, azure, gcp), groups files that share a format
and header, and registers one DuckDB view per group mapped onto the canonical columns
(:func:`costopt.billing.table.canonical_select`). Nothing is loaded into memory: DuckDB reads
the files when a query runs, and bad values (a non-numeric cost, an unparsable date) surface
then as an InputError naming file, row and column (see :mod:`.diagnose`). An
``athena://DATABASE.TABLE`` source is aggregated in Athena first (:mod:`.athena`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime

import duckdb

from costopt.billing.athena_sql import is_athena
from costopt.billing.readers import athena, azure
from costopt.billing.readers.diagnose import FileBillingTable, csv_structure_error, input_errors, register, validate
from costopt.billing.readers.formats import FORMATS, TRIED, detect_format
from costopt.billing.readers.formats import missing as _missing
from costopt.billing.readers.formats import select as _select
from costopt.billing.readers.sources import (
    Source,
    csv_delimiter,
    describe,
    duplicate_columns,
    expand,
    file_kind,
    ragged_error,
    raw_columns,
    read_function,
    uses_decimal_comma,
)
from costopt.billing.table import BillingTable
from costopt.errors import InputError

__all__ = ["FORMATS", "open_sources", "detect_format", "input_errors", "validate"]


def open_sources(paths_or_globs: Sequence[str], fmt: str | None = None,
                 progress: Callable[[str], None] | None = None, *,
                 window: tuple[datetime | None, datetime | None] = (None, None),
                 remote: athena.Connect | None = None) -> BillingTable:
    """A BillingTable over the given billing exports (see the module docstring).

    ``athena://DATABASE.TABLE`` sources are aggregated in Athena for charges starting in
    ``window`` (see :mod:`costopt.billing.readers.athena`); ``remote`` makes the client.
    """
    if fmt in (None, "", "auto"):
        fmt = None
    elif fmt not in FORMATS:
        raise InputError(f"unknown billing format {fmt!r}; expected auto, {', '.join(FORMATS)}", key="source-format")
    if not paths_or_globs:
        raise InputError("no billing source given; pass --source PATH_OR_GLOB")
    table = FileBillingTable()
    con = table.con
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    groups: dict[tuple, list[str]] = {}
    labels: dict[tuple, str] = {}
    seen: set[str] = set()
    urls = [s for s in paths_or_globs if is_athena(s)]
    paths_or_globs = [s for s in paths_or_globs if not is_athena(s)]
    for arg, files in zip(paths_or_globs, expand(paths_or_globs)):
        for path in files:
            real = os.path.realpath(path)
            if real in seen:  # a file named twice (overlapping globs) is read once, never double-counted
                continue
            seen.add(real)
            kind = file_kind(path)
            raw = raw_columns(con, path, kind)
            twins = duplicate_columns(raw)
            columns = {name: "VARCHAR" for name in raw} if twins else describe(con, [path], kind)
            probe = Source(path, [path], kind, "", columns)
            found = fmt or detect_format(probe)
            if found is None:
                raise InputError(f"not a billing export (looked for: {TRIED}); use --source-format to force one",
                                 path=path)
            if twins is not None:
                first, second = twins
                same = "twice" if first == second else f"as {first!r} and {second!r}"
                raise InputError(f"duplicate column: {first!r} appears {same}; expected each column once",
                                 path=path)
            missing = _missing(found, probe)
            if missing:
                raise InputError(f"missing mandatory column(s) for {found}: {', '.join(missing)}", path=path)
            hint = azure.name_hint([path]) if found == "azure" else None
            key = (arg, found, kind, tuple(columns), hint)
            groups.setdefault(key, []).append(path)
            labels.setdefault(key, arg)
    sources = []
    for n, (key, files) in enumerate(groups.items(), 1):
        _, found, kind, _, hint = key
        view = f"raw_{id(table):x}_{n}"
        con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {read_function(files, kind, len(files) > 1)}")
        columns = {r[0]: r[1] for r in con.execute(f"DESCRIBE {view}").fetchall()}
        columns.pop("__costopt_file", None)
        src = Source(labels[key] if len(files) > 1 else files[0], files, kind, view, columns)
        try:  # sampling (decimal comma, date format) reads the first rows: a broken one stops here
            if kind == "csv" and csv_delimiter(files[0]) == ";":
                src.decimal_comma = uses_decimal_comma(con, view, list(columns))
            select = _select(found, src, table, hint)
        except duckdb.Error as exc:
            raise (ragged_error(files[0]) if kind == "csv" else None) or csv_structure_error(str(exc)) or InputError(
                f"cannot read it as {kind.upper()}: {str(exc).strip().splitlines()[0]}", path=src.label) from None
        table.add_select(select, src.label)
        sources.append(src)
        if progress is not None:
            progress(f"billing: {src.label}: {found} ({kind}, {len(files)} file(s))")
    register(table, sources)
    for url in dict.fromkeys(urls):
        athena.add_source(table, url, fmt, window, remote, progress)
    return table
