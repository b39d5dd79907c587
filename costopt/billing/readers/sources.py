"""Files to DuckDB relations: expand paths/globs, tell CSV/Parquet/JSON apart, describe columns.

A :class:`Source` is one group of files that share a format and a header. It owns a raw DuckDB
view (``raw_N``) over the files, read out of core (CSV as text so every value can be checked
lazily, Parquet/JSON with their own types), and knows its columns by a *normalised* name
(lower case, letters and digits only, the English name of a localised ``Name (EnglishName)``
header), which is how the format mappings look columns up.
"""

from __future__ import annotations

import csv
import glob as globlib
import gzip
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb

from costopt.errors import InputError

CSV_NULLS = ("", "NULL", "null")
_LOCALISED = re.compile(r"\(([^()]+)\)\s*$")
_NON_ALNUM = re.compile(r"[^a-z0-9]")


def normalise(name: str) -> str:
    """``lineItem/UnblendedCost``, ``line_item_unblended_cost`` -> ``lineitemunblendedcost``."""
    name = name.lstrip("\ufeff").strip()
    m = _LOCALISED.search(name)
    if m and m.start() > 0:
        name = m.group(1)
    return _NON_ALNUM.sub("", name.lower())


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def expand(paths_or_globs: Sequence[str]) -> list[list[str]]:
    """One list of files per argument; a missing file or an empty glob is an InputError."""
    out = []
    for arg in paths_or_globs:
        if any(ch in arg for ch in "*?["):
            files = sorted(f for f in globlib.glob(os.path.expanduser(arg), recursive=True) if os.path.isfile(f))
            if not files:
                raise InputError("the pattern matches no files; expected billing export files "
                                 "(CSV, CSV.gz, Parquet or JSON)", path=arg)
        else:
            path = os.path.expanduser(arg)
            if os.path.isdir(path):
                raise InputError("is a folder; pass the files or a glob such as 'DIR/*.csv.gz'", path=arg)
            if not os.path.isfile(path):
                raise InputError("no such file; expected a billing export (CSV, CSV.gz, Parquet or JSON)", path=arg)
            files = [path]
        out.append(files)
    return out


def file_kind(path: str) -> str:
    """csv, parquet or json, by extension, else by the first bytes."""
    lower = path.lower()
    for suffix, kind in ((".parquet", "parquet"), (".pq", "parquet"), (".csv", "csv"), (".csv.gz", "csv"),
                         (".tsv", "csv"), (".tsv.gz", "csv"), (".json", "json"), (".jsonl", "json"),
                         (".ndjson", "json"), (".json.gz", "json"), (".jsonl.gz", "json"), (".ndjson.gz", "json")):
        if lower.endswith(suffix):
            return kind
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head == b"PAR1":
            return "parquet"
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as fh:
                head = fh.read(64)
        if head.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"{", b"["):
            return "json"
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from None
    return "csv"


def csv_delimiter(path: str) -> str:
    """The delimiter of a CSV file, from its header line (comma, semicolon, tab or pipe)."""
    opener = gzip.open if path.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            line = fh.readline(1 << 20)
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the file: {exc}", path=path) from None
    text = line.decode("utf-8", errors="replace")
    counts = {d: text.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_COMMA_NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_DOT_NUMBER = re.compile(r"^-?\d+\.\d+([eE][-+]?\d+)?$")


def uses_decimal_comma(con: duckdb.DuckDBPyConnection, view: str, columns: Sequence[str], rows: int = 200) -> bool:
    """Whether a (semicolon) CSV writes numbers as ``0,075``: some value looks so and none as ``0.075``."""
    if not columns:
        return False
    picked = ", ".join(f"CAST({ident(c)} AS VARCHAR)" for c in columns)
    seen_comma = False
    for row in con.execute(f"SELECT {picked} FROM {view} LIMIT {rows}").fetchall():
        for value in row:
            if value is None:
                continue
            value = value.strip()
            if _DOT_NUMBER.match(value):
                return False
            seen_comma = seen_comma or bool(_COMMA_NUMBER.match(value))
    return seen_comma


def read_function(files: Sequence[str], kind: str, with_filename: bool, delim: str | None = None) -> str:
    """The DuckDB table function reading ``files`` (text columns for CSV)."""
    listing = "[" + ", ".join(sql_str(f) for f in files) + "]"
    fname = ", filename='__costopt_file'" if with_filename else ""
    if kind == "parquet":
        return f"read_parquet({listing}, union_by_name=true{fname})"
    if kind == "json":
        return f"read_json({listing}, format='newline_delimited', union_by_name=true{fname})"
    nulls = "[" + ", ".join(sql_str(n) for n in CSV_NULLS) + "]"
    delim = delim or csv_delimiter(files[0])
    header, crlf = csv_header(files[0], delim)
    columns = "{" + ", ".join(f"{sql_str(h)}: 'VARCHAR'" for h in header) + "}"
    # The dialect is configured, never sniffed: delimiter and column names from the header line,
    # RFC 4180 quoting, every column text. A header ending in CRLF (Azure MCA exports, whose rows
    # then end in LF) needs DuckDB's non-strict mode to accept both line ends; that mode no longer
    # stops at a row with extra fields, so describe() checks those files' rows itself.
    strict = "false" if crlf else "true"
    return (f"read_csv({listing}, header=true, auto_detect=false, columns={columns}, nullstr={nulls}, "
            f"delim={sql_str(delim)}, quote='\"', escape='\"', strict_mode={strict}{fname})")


def csv_header(path: str, delim: str | None = None) -> tuple[list[str], bool]:
    """The header fields of a CSV file (BOM and surrounding blanks removed) and whether the
    header line ends in CRLF. An empty file is an InputError."""
    opener = gzip.open if path.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=delim or csv_delimiter(path))
            header = next(reader, None)
        crlf = _line_end(path) == b"\r\n"
    except (OSError, csv.Error, EOFError) as exc:
        raise InputError(f"cannot read it as CSV: {exc}", path=path) from None
    if not header or not any(h.strip() for h in header):
        raise InputError("empty file: no header line; expected a billing export", path=path)
    return [h.strip() for h in header], crlf


def _line_end(path: str) -> bytes:
    opener = gzip.open if path.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        line = fh.readline(1 << 20)
    return b"\r\n" if line.endswith(b"\r\n") else line[-1:]


def raw_columns(con: duckdb.DuckDBPyConnection, path: str, kind: str) -> list[str]:
    """The column names exactly as the file spells them (DuckDB renames duplicates: x, x_1)."""
    if kind == "csv":
        return csv_header(path)[0]
    if kind == "parquet":
        try:
            rows = con.execute(f"SELECT name, num_children FROM parquet_schema({sql_str(path)})").fetchall()
        except duckdb.Error:
            return []  # not Parquet after all: describe() says so
        names, i, remaining = [], 1, rows[0][1] if rows else 0
        while remaining and i < len(rows):  # top-level fields only: skip each field's subtree
            names.append(rows[i][0])
            skip, i = rows[i][1] or 0, i + 1
            while skip:
                skip += (rows[i][1] or 0) - 1
                i += 1
            remaining -= 1
        return names
    opener = gzip.open if path.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline(1 << 22).strip()
    objects: list[list[str]] = []  # the hook sees inner objects first, the record itself last
    if first.startswith("{"):
        try:
            json.loads(first, object_pairs_hook=lambda kv: objects.append([k for k, _ in kv]) or {})
        except ValueError:
            return []
    return objects[-1] if objects else []


def duplicate_columns(names: Sequence[str]) -> tuple[str, str] | None:
    """The first two names that are equal ignoring case and surrounding blanks."""
    seen: dict[str, str] = {}
    for name in names:
        key = name.strip().casefold()
        if key in seen:
            return seen[key], name
        seen[key] = name
    return None


@dataclass
class Source:
    """One group of same-format files behind one raw DuckDB view."""

    label: str
    files: list[str]
    kind: str
    view: str
    columns: dict[str, str]                                    # real name -> DuckDB type
    by_norm: dict[str, str] = field(default_factory=dict)      # normalised -> real name
    checks: list[tuple[str, str, str]] = field(default_factory=list)  # (column, kind, format)
    decimal_comma: bool = False                                # "1.234,56" numbers (localised CSV)

    def __post_init__(self) -> None:
        for name in self.columns:
            self.by_norm.setdefault(normalise(name), name)

    def find(self, *candidates: str) -> str | None:
        """The real name of the first candidate present (candidates are normalised names)."""
        for cand in candidates:
            real = self.by_norm.get(cand)
            if real is not None:
                return real
        return None

    def type_of(self, real: str) -> str:
        return self.columns[real].upper()

    @property
    def file_expr(self) -> str:
        return "__costopt_file" if len(self.files) > 1 else sql_str(self.files[0])


def describe(con: duckdb.DuckDBPyConnection, files: Sequence[str], kind: str) -> dict[str, str]:
    """Column names and types of the files (header / metadata only)."""
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {read_function(files[:1], kind, False)}").fetchall()
    except duckdb.Error as exc:
        ragged = ragged_error(files[0]) if kind == "csv" else None
        if ragged is not None:
            raise ragged from None
        raise InputError(f"cannot read it as {kind.upper()}: {_first_line(exc)}", path=files[0]) from None
    if kind == "csv" and csv_header(files[0])[1]:  # non-strict read (CRLF header): check the rows here
        ragged = ragged_error(files[0])
        if ragged is not None:
            raise ragged
    return {r[0]: r[1] for r in rows}


def ragged_error(path: str) -> InputError | None:
    """'expected N fields like the header, found M' at the first ragged line of a CSV file."""
    ragged = first_ragged_line(path)
    if ragged is None:
        return None
    line, found, expected = ragged
    return InputError(f"expected {expected} fields like the header, found {found}", path=path, line=line)


def first_ragged_line(path: str, limit: int = 200_000) -> tuple[int, int, int] | None:
    """(line, fields, header fields) of the first row whose field count differs from the header."""
    opener = gzip.open if path.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=csv_delimiter(path))
            header = next(reader, None)
            if header is None:
                return None
            for n, row in enumerate(reader):
                if n >= limit:
                    break
                if row and len(row) != len(header):
                    return reader.line_num, len(row), len(header)
    except (OSError, csv.Error, EOFError):
        return None
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

