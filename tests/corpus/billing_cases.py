"""Bad billing exports: every dialect (FOCUS, AWS CUR legacy and 2.0, Azure, GCP) in every file
format (CSV, Parquet, JSON lines) with one bad value, plus broken files.

Each case is a file writer and the fragments the one error line must hold (file, row, column).
Values are strings in every format, so each goes through the same failing casts a real export's
text columns do; Parquet files are written by pyarrow (DuckDB would rename duplicate columns).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from pyarrow import parquet


@dataclass(frozen=True)
class Dialect:
    name: str
    header: tuple[str, ...]
    row: Callable[[int], dict[str, str]]
    cost: str
    date: str
    required: str  # a mandatory column, for the 'missing column' case


def _focus(i: int) -> dict[str, str]:
    return {"BilledCost": f"{i + 1}.5", "EffectiveCost": f"{i + 1}.5", "ListCost": f"{i + 1}.5",
            "BillingCurrency": "USD", "ChargePeriodStart": f"2024-09-0{i + 1}T00:00:00Z",
            "ChargePeriodEnd": f"2024-09-0{i + 1}T01:00:00Z", "ChargeCategory": "Usage",
            "ServiceName": "Amazon EC2", "ProviderName": "AWS", "ResourceId": f"i-{i}", "RegionId": "us-east-1",
            "SubAccountId": "111"}


def _cur(i: int) -> dict[str, str]:
    return {"identity/LineItemId": f"li-{i}", "lineItem/UsageStartDate": f"2024-09-0{i + 1}T00:00:00Z",
            "lineItem/UsageEndDate": f"2024-09-0{i + 1}T01:00:00Z", "lineItem/LineItemType": "Usage",
            "lineItem/UsageAccountId": "111", "lineItem/ProductCode": "AmazonEC2", "lineItem/ResourceId": f"i-{i}",
            "lineItem/UsageAmount": "1", "lineItem/CurrencyCode": "USD", "lineItem/UnblendedCost": f"{i + 1}.25",
            "product/region": "us-east-1"}


def _cur2(i: int) -> dict[str, str]:
    return {k.replace("lineItem/", "line_item_").replace("identity/", "identity_").replace("product/", "product_")
            .replace("LineItemId", "line_item_id").replace("UsageStartDate", "usage_start_date")
            .replace("UsageEndDate", "usage_end_date").replace("LineItemType", "line_item_type")
            .replace("UsageAccountId", "usage_account_id").replace("ProductCode", "product_code")
            .replace("ResourceId", "resource_id").replace("UsageAmount", "usage_amount")
            .replace("CurrencyCode", "currency_code").replace("UnblendedCost", "unblended_cost"): v
            for k, v in _cur(i).items()}


def _azure(i: int) -> dict[str, str]:
    return {"SubscriptionId": "sub-1", "Date": f"2024-09-0{i + 1}", "MeterCategory": "Virtual Machines",
            "MeterName": "D4 v3", "Quantity": "24", "CostInBillingCurrency": f"{i + 1}.75",
            "BillingCurrencyCode": "USD", "ResourceId": f"/subscriptions/sub-1/vm{i}", "ChargeType": "Usage",
            "ResourceLocation": "eastus"}


def _gcp(i: int) -> dict[str, str]:
    return {"billing_account_id": "0123-4567", "service.description": "Compute Engine",
            "sku.description": "N1 core", "usage_start_time": f"2024-09-0{i + 1}T00:00:00Z",
            "usage_end_time": f"2024-09-0{i + 1}T01:00:00Z", "project.id": "ml-prod", "cost": f"{i + 1}.125",
            "currency": "USD", "cost_type": "regular"}


DIALECTS = (
    Dialect("focus", tuple(_focus(0)), _focus, "BilledCost", "ChargePeriodStart", "BillingCurrency"),
    Dialect("cur", tuple(_cur(0)), _cur, "lineItem/UnblendedCost", "lineItem/UsageStartDate",
            "lineItem/LineItemType"),
    Dialect("cur2", tuple(_cur2(0)), _cur2, "line_item_unblended_cost", "line_item_usage_start_date",
            "line_item_line_item_type"),
    Dialect("azure", tuple(_azure(0)), _azure, "CostInBillingCurrency", "Date", "CostInBillingCurrency"),
    Dialect("gcp", tuple(_gcp(0)), _gcp, "cost", "usage_start_time", "currency"),
)
GOOD_ROWS = 2  # the bad value is in data row 3


def rows_of(d: Dialect, column: str | None = None, value: str | None = None) -> list[dict[str, str]]:
    rows = [d.row(i) for i in range(GOOD_ROWS + 1)]
    if column is not None:
        rows[-1][column] = value  # type: ignore[assignment]
    return rows


def write(path: Path, header: tuple[str, ...] | list[str], rows: list[list[str]], kind: str) -> Path:
    """Rows (lists in header order) as CSV, Parquet or JSON lines."""
    if kind == "csv":
        import csv

        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    elif kind == "parquet":
        columns = [pa.array([r[i] for r in rows], type=pa.string()) for i in range(len(header))]
        parquet.write_table(pa.table(columns, names=list(header)), path)
    else:
        with open(path, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write("{" + ", ".join(f"{json.dumps(h)}: {json.dumps(v)}" for h, v in zip(header, r)) + "}\n")
    return path


def write_rows(path: Path, d: Dialect, rows: list[dict[str, str]], kind: str) -> Path:
    return write(path, d.header, [[r[h] for h in d.header] for r in rows], kind)


@dataclass(frozen=True)
class BillingCase:
    """One bad billing file: ``make(folder)`` writes it and returns its path."""

    id: str
    make: Callable[[Path], Path]
    expect: tuple[str, ...] = field(default_factory=tuple)  # besides the path
    audit_too: bool = False  # also run through `audit --source` (slower; a sample of kinds)


EXT = {"csv": "csv", "parquet": "parquet", "json": "jsonl"}
BAD_COSTS = ("NaN", "inf", "-Infinity", "1e400", "2e16", "n/a")
BAD_DATES = ("2099-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "yesterday", "2024-09-01 10:00:00 CST",
             "2024-02-30T00:00:00Z")
SAMPLED = ("NaN", "2e16", "2099-01-01T00:00:00Z", "2024-09-01 10:00:00 CST")


def value_cases() -> list[BillingCase]:
    out = []
    for d in DIALECTS:
        for kind in ("csv", "parquet", "json"):
            for n, (column, values) in enumerate(((d.cost, BAD_COSTS), (d.date, BAD_DATES))):
                for value in values:
                    if kind != "csv" and value not in SAMPLED:
                        continue  # every value in CSV; a sample in Parquet and JSON (the suite's time)
                    def make(folder: Path, d=d, kind=kind, column=column, value=value) -> Path:
                        return write_rows(folder / f"{d.name}.{EXT[kind]}", d, rows_of(d, column, value), kind)
                    # typed JSON dates come back as DuckDB prints them: name the value by its start
                    expect = ("row 3", f"column '{column}'", repr(value) if n == 0 else f"got '{value[:4]}")
                    sample = kind == "csv" and value in ("NaN", "2099-01-01T00:00:00Z")
                    out.append(BillingCase(f"{d.name}-{kind}-{'cost' if n == 0 else 'date'}-{value}", make, expect,
                                           audit_too=sample))
    return out


def _text(content: str | bytes, name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path
    return make


def file_cases() -> list[BillingCase]:
    out: list[BillingCase] = []
    for d in DIALECTS:
        first = d.header[0]
        for kind in ("csv", "parquet", "json"):
            def dup(folder: Path, d=d, kind=kind, twin=first) -> Path:
                rows = [[r[h] for h in d.header] + [r[twin]] for r in rows_of(d)]
                return write(folder / f"dup.{EXT[kind]}", [*d.header, twin.upper()], rows, kind)
            out.append(BillingCase(f"{d.name}-{kind}-duplicate-column-case", dup,
                                   ("duplicate column", repr(first), repr(first.upper())), audit_too=kind == "csv"))

            def missing(folder: Path, d=d, kind=kind) -> Path:
                header = [h for h in d.header if h != d.required]
                rows = [[r[h] for h in header] for r in rows_of(d)]
                return write(folder / f"missing.{EXT[kind]}", header, rows, kind)
            if d.name != "azure":  # an Azure file without its cost column is not recognised as Azure at all
                out.append(BillingCase(f"{d.name}-{kind}-missing-mandatory-column", missing,
                                       ("missing mandatory column(s)",)))
        def exact_dup(folder: Path, d=d) -> Path:
            rows = [[r[h] for h in d.header] + [r[d.cost]] for r in rows_of(d)]
            return write(folder / "dup2.csv", [*d.header, d.cost], rows, "csv")
        out.append(BillingCase(f"{d.name}-csv-duplicate-column-exact", exact_dup,
                               ("duplicate column", repr(d.cost), "twice")))

        def long_row(folder: Path, d=d) -> Path:
            rows = [[r[h] for h in d.header] for r in rows_of(d)]
            rows[-1].append("extra")
            return write(folder / "long.csv", d.header, rows, "csv")
        out.append(BillingCase(f"{d.name}-csv-row-with-extra-field", long_row,
                               ("line 4", f"expected {len(d.header)} fields like the header, found {len(d.header) + 1}")))

        def short_row(folder: Path, d=d) -> Path:
            rows = [[r[h] for h in d.header] for r in rows_of(d)]
            rows[-1] = rows[-1][:-2]
            return write(folder / "short.csv", d.header, rows, "csv")
        out.append(BillingCase(f"{d.name}-csv-row-missing-fields", short_row,
                               ("line 4", f"expected {len(d.header)} fields like the header, found {len(d.header) - 2}")))

        def crlf_long(folder: Path, d=d) -> Path:
            lines = [",".join(d.header)] + [",".join(r[h] for h in d.header) for r in rows_of(d)]
            path = folder / "crlf.csv"
            path.write_bytes((lines[0] + "\r\n" + "\n".join(lines[1:]) + ",extra\n").encode())
            return path
        out.append(BillingCase(f"{d.name}-csv-crlf-header-row-with-extra-field", crlf_long,
                               ("line 4", "fields like the header")))
    not_export = "not a billing export (looked for: focus"
    out += [
        BillingCase("hive-headerless-ctrl-a", _text("2024-09-01\x01AWS\x011.5\x01i-1\n2024-09-02\x01AWS\x012.5\x01i-2\n",
                                                    "000000_0"), (not_export,), audit_too=True),
        BillingCase("headerless-comma", _text("2024-09-01,AWS,1.5,i-1,x,y\n2024-09-02,AWS,2.5,i-2,x,y\n", "part-0.csv"),
                    (not_export,)),
        BillingCase("unknown-header", _text("date,amount\n2024-09-01,1\n", "odd.csv"), (not_export,)),
        BillingCase("unknown-json", _text('{"date": "2024-09-01", "amount": 1}\n', "odd.jsonl"), (not_export,)),
        BillingCase("unknown-parquet", lambda f: write(f / "odd.parquet", ["a", "b"], [["1", "2"]], "parquet"),
                    (not_export,)),
        BillingCase("empty-file", _text("", "empty.csv"), ("empty file",), audit_too=True),
        BillingCase("blank-lines-only", _text("\n\n\n", "blank.csv"), ("empty file",)),
        BillingCase("binary-named-csv", _text(bytes(range(256)) * 4, "bin.csv"), ()),
        BillingCase("png-named-csv", _text(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image.csv"), ()),
        BillingCase("not-gzip", _text("BilledCost,ChargePeriodStart\n1,2024-09-01\n", "fake.csv.gz"), ()),
        BillingCase("truncated-gzip", lambda f: _truncated_gzip(f / "cut.csv.gz"), ()),
        BillingCase("broken-parquet", _text(b"PAR1 this is not parquet", "broken.parquet"), ("PARQUET",)),
        BillingCase("truncated-parquet", lambda f: _truncated_parquet(f / "cut.parquet"), ("PARQUET",)),
        BillingCase("broken-json-line", lambda f: _with_broken_tail(
            f / "broken.jsonl", "json", '{"BilledCost": "1", "ChargePeriodStart": \n'), ()),
        BillingCase("unterminated-quote", lambda f: _with_broken_tail(
            f / "quote.csv", "csv", '"1.0,1.0,1.0,USD,2024-09-01T00:00:00Z\n'), ("line",)),
        BillingCase("focus-dollar-amount", lambda f: write_rows(f / "dollar.csv", DIALECTS[0],
                                                               rows_of(DIALECTS[0], "BilledCost", "$10,000.00"), "csv"),
                    ("row 3", "column 'BilledCost'", "expected a number")),
        BillingCase("focus-cost-with-inner-spaces", lambda f: write_rows(f / "spaces.csv", DIALECTS[0],
                                                                        rows_of(DIALECTS[0], "BilledCost", "1 2"), "csv"),
                    ("row 3", "column 'BilledCost'", "expected a number")),
    ]
    return out


def _truncated_gzip(path: Path) -> Path:
    data = gzip.compress(("BilledCost,ChargePeriodStart,BillingCurrency\n" + "1,2024-09-01,USD\n" * 2000).encode())
    path.write_bytes(data[: len(data) // 2])
    return path


def _truncated_parquet(path: Path) -> Path:
    d = DIALECTS[0]
    write_rows(path, d, rows_of(d), "parquet")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])
    return path


def _with_broken_tail(path: Path, fmt: str, tail: str) -> Path:
    """Good rows of the first dialect in ``fmt``, then ``tail`` (a line the reader must reject)."""
    d = DIALECTS[0]
    write_rows(path, d, rows_of(d), fmt)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(tail)
    return path


def all_cases() -> list[BillingCase]:
    return value_cases() + file_cases()
