"""Costs beyond 1e15 a row, offsets and zone names row by row, duplicate columns, mixed line
endings and headerless files: each read right or refused in one line naming file, row and column."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from click.testing import CliRunner
from pyarrow import parquet

from costopt.billing.breakdown import breakdown_records
from costopt.billing.readers import open_sources
from costopt.cli import cli
from costopt.errors import InputError
from tests.billing.builders import FOCUS_HEADER, focus_row, write_csv, write_jsonl, write_parquet


def _err(fn) -> str:
    with pytest.raises(InputError) as err:
        fn()
    return str(err.value)


def _billed(path) -> list[dict]:
    return breakdown_records(open_sources([str(path)]), ["provider"], "billed")


# 1. values ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2e16", "-1.5e15", "1000000000000001"])
def test_a_cost_beyond_1e15_names_file_row_and_column(tmp_path, value):
    rows = [focus_row(1.0), focus_row(2.0)]
    rows[1][0] = value
    path = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, rows)
    assert _err(lambda: _billed(path)) == (
        f"{path}, row 2, column 'BilledCost': expected a cost between -1e15 and 1e15 per row, got {value!r}")


def test_costs_up_to_the_bound_and_large_quantities_are_read(tmp_path):
    header = [*FOCUS_HEADER, "ConsumedQuantity"]
    rows = [focus_row(1e15) + ["5e18"], focus_row(-1e15) + ["1"]]  # bytes can exceed 1e15; money cannot
    path = write_csv(tmp_path / "focus.csv", header, rows)
    [record] = _billed(path)
    assert record["total"] == 0.0


def test_a_sum_cannot_overflow(tmp_path):
    """1e308 three times overflows a double sum to inf; the per-row bound stops it at row 1."""
    path = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, [focus_row(1e308)] * 3)
    assert math.isinf(sum([1e308] * 3))
    assert "row 1, column 'BilledCost': expected a cost between -1e15 and 1e15" in _err(lambda: _billed(path))


def test_parquet_cost_beyond_the_bound(tmp_path):
    path = write_parquet(tmp_path / "f.parquet", FOCUS_HEADER, [focus_row(1.0), focus_row(3e15)],
                         types={"BilledCost": "DOUBLE", "EffectiveCost": "DOUBLE"})
    assert "f.parquet, row 2, column 'BilledCost': expected a cost between" in _err(lambda: _billed(path))


# 2. time --------------------------------------------------------------------------------------

def _daily(path) -> dict[str, float]:
    table = open_sources([str(path)])
    df = table.query("SELECT CAST(ChargePeriodStart AS DATE) AS d, sum(BilledCost) AS c FROM focus GROUP BY 1")
    return {str(d)[:10]: c for d, c in zip(df.d, df.c)}


def test_an_offset_that_appears_after_row_200_is_honoured_row_by_row(tmp_path):
    starts = [f"2024-09-01T{h % 24:02d}:00:00" for h in range(200)]                 # no offset: UTC
    starts += [f"2024-09-01T{h:02d}:00:00-05:00" for h in range(18, 24)]            # 23:00-05:00 = next day
    starts += [f"2024-09-01T01:00:00+0{h}:00" for h in range(1, 4)]                  # previous day from +02
    rows = [focus_row(float(i + 1), start=s, end=s) for i, s in enumerate(starts)]
    path = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, rows)
    expected: dict[str, float] = defaultdict(float)
    for i, s in enumerate(starts):  # oracle: Python's own ISO parser, naive = UTC
        when = datetime.fromisoformat(s)
        when = when.astimezone(UTC) if when.tzinfo else when
        expected[when.date().isoformat()] += i + 1
    assert _daily(path) == pytest.approx(dict(expected))
    assert set(expected) == {"2024-08-31", "2024-09-01", "2024-09-02"}


@pytest.mark.parametrize("zone, utc_hour", [("PST", 18), ("PDT", 17), ("EST", 15), ("UTC", 10), ("GMT", 10),
                                             ("America/Los_Angeles", 17)])
def test_named_zones_are_read_as_what_they_name(tmp_path, zone, utc_hour):
    """PST is UTC-8 all year (ICU alone reads it as Los Angeles time, -7 in September)."""
    rows = [focus_row(1.0), focus_row(2.0, start=f"2024-09-01 10:00:00 {zone}")]
    path = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, rows)
    df = open_sources([str(path)]).query("SELECT ChargePeriodStart AS s FROM focus WHERE BilledCost = 2")
    assert df.s[0].to_pydatetime() == datetime(2024, 9, 1, utc_hour)


@pytest.mark.parametrize("zone", ["CST", "IST", "XYZ"])
def test_ambiguous_or_unknown_zone_names_are_refused_with_the_row(tmp_path, zone):
    rows = [focus_row(1.0), focus_row(1.0), focus_row(2.0, start=f"2024-09-01 10:00:00 {zone}")]
    path = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, rows)
    msg = _err(lambda: _billed(path))
    assert msg.startswith(f"{path}, row 3, column 'ChargePeriodStart': unparsable date; expected ISO 8601")
    assert "PST" in msg and msg.endswith(f"got '2024-09-01 10:00:00 {zone}'")


# 3. files -------------------------------------------------------------------------------------

@pytest.mark.parametrize("second", ["BilledCost", "billedcost", " BILLEDCOST "])
def test_duplicate_csv_columns_are_refused_naming_both(tmp_path, second):
    path = write_csv(tmp_path / "focus.csv", [*FOCUS_HEADER, second], [focus_row(1.0) + [5.0]])
    same = "twice" if second == "BilledCost" else f"as 'BilledCost' and {second.strip()!r}"
    assert _err(lambda: open_sources([str(path)])) == (
        f"{path}: duplicate column: 'BilledCost' appears {same}; expected each column once")


def test_duplicate_parquet_and_json_columns_are_refused(tmp_path):
    pq = tmp_path / "f.parquet"  # pyarrow keeps both names (DuckDB would rename the second)
    parquet.write_table(pa.table([pa.array([str(v)]) for v in focus_row(1.0) + ["2"]],
                                 names=[*FOCUS_HEADER, "billedCOST"]), pq)
    assert "f.parquet: duplicate column: 'BilledCost' appears as 'BilledCost' and 'billedCOST'" in _err(
        lambda: open_sources([str(pq)]))
    record = dict(zip(FOCUS_HEADER, focus_row(1.0)))
    line = json.dumps(record)[:-1] + ', "billedcost": 7}'
    js = tmp_path / "f.jsonl"
    js.write_text(line + "\n", encoding="utf-8")
    assert "f.jsonl: duplicate column: 'BilledCost' appears as 'BilledCost' and 'billedcost'" in _err(
        lambda: open_sources([str(js)]))
    write_jsonl(tmp_path / "ok.jsonl", [record | {"Tags": {"BilledCost": "nested keys are not columns"}}])
    assert _billed(tmp_path / "ok.jsonl")[0]["total"] == 1.0


@pytest.mark.parametrize("name", ["PayAsYouGo.csv", "German.csv", "YA.csv", "Enterprise.csv"])
def test_azure_header_in_crlf_rows_in_lf_are_read(shared_data, tmp_path, name):
    """A real Azure MCA export ends its header in CRLF and its rows in LF (DuckDB's sniffer gave up)."""
    raw = (shared_data / "azure_header_variants" / "headersets" / name).read_bytes()
    header, *rows = [line for line in raw.split(b"\r\n") if line]
    path = tmp_path / name
    path.write_bytes(header + b"\r\n" + b"\n".join(rows * 3) + b"\n")
    with open(path, newline="", encoding="utf-8-sig") as fh:
        parsed = list(csv.DictReader(fh))
    cost = next(c for c in parsed[0] if c.lower().split("(")[-1].rstrip(")").strip() in
                ("costinbillingcurrency", "cost", "pretaxcost"))
    table = open_sources([str(path)])
    assert table.scalar("SELECT count(*) FROM focus") == len(parsed) == 3 * len(rows)
    assert table.scalar("SELECT sum(BilledCost) FROM focus") == pytest.approx(
        math.fsum(float(r[cost].replace(",", ".")) for r in parsed))


def test_a_crlf_header_file_still_refuses_a_row_with_extra_fields(tmp_path):
    path = tmp_path / "focus.csv"
    path.write_bytes((",".join(FOCUS_HEADER) + "\r\n" + ",".join(map(str, focus_row(1.0))) + "\n"
                      + ",".join(map(str, focus_row(2.0))) + ",extra\n").encode())
    assert _err(lambda: open_sources([str(path)])) == f"{path}, line 3: expected 16 fields like the header, found 17"


@pytest.mark.parametrize("content, name", [
    ("2024-09-01\x01AWS\x011.5\x01i-1\n2024-09-02\x01AWS\x012.5\x01i-2\n", "000000_0"),
    ("2024-09-01,AWS,1.5,i-1,us-east-1,x\n2024-09-02,AWS,2.5,i-2,us-east-1,x\n", "part-0.csv"),
])
def test_a_headerless_file_is_not_a_billing_export(tmp_path, content, name):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    msg = _err(lambda: open_sources([str(path)]))
    assert msg.startswith(f"{path}: not a billing export (looked for: focus (BilledCost + ChargePeriodStart), ")


@pytest.mark.parametrize("make", [
    lambda p: p.write_text("2024-09-01,AWS,1.5\n", encoding="utf-8"),
    lambda p: p.write_text("", encoding="utf-8"),
    lambda p: write_csv(p, [*FOCUS_HEADER, "billedcost"], [focus_row(1.0) + [1]]),
    lambda p: write_csv(p, FOCUS_HEADER, [focus_row(1.0, start="2099-01-01T00:00:00Z")]),
])
def test_audit_and_costs_share_one_error_path(tmp_path, make):
    path = tmp_path / "bill.csv"
    make(path)
    out = tmp_path / "out"
    costs = CliRunner().invoke(cli, ["costs", "--source", str(path), "-q"])
    audit = CliRunner().invoke(cli, ["audit", "--source", str(path), "-q", "--no-history", "--out", str(out)])
    assert costs.exit_code == audit.exit_code == 2
    assert costs.stderr.splitlines() == audit.stderr.splitlines()
    assert len(costs.stderr.splitlines()) == 1 and costs.stderr.startswith(f"costopt: error: {path}")
    assert not out.exists()


def test_today_is_still_fine_with_offsets(tmp_path):
    today = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:00:00+00:00")
    path = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, [focus_row(1.0, start=today)])
    assert _billed(path)[0]["total"] == 1.0
