"""FOCUS reader: CSV, CSV.gz, Parquet, globs, NULL literals, derived columns."""

from __future__ import annotations

import math

import pytest

from costopt.billing.breakdown import breakdown, breakdown_records
from costopt.billing.readers import open_sources
from tests.billing.builders import FOCUS_HEADER, focus_row, write_csv, write_parquet

NUMERIC = {"BilledCost": "DOUBLE", "EffectiveCost": "DOUBLE", "ListCost": "DOUBLE", "ContractedCost": "DOUBLE",
           "ChargePeriodStart": "TIMESTAMP", "ChargePeriodEnd": "TIMESTAMP"}


def totals(table):
    df = table.query("SELECT sum(BilledCost) b, sum(EffectiveCost) e, count(*) n FROM focus")
    return float(df.b[0]), float(df.e[0]), int(df.n[0])


def test_csv_gzip_and_parquet_give_the_same_rows(tmp_path):
    rows = [focus_row(1.25, effective=1.0, resource="i-1"), focus_row(2.5, resource="i-2", category="Tax"),
            focus_row(-0.5, category="Credit", resource="")]
    plain = write_csv(tmp_path / "f.csv", FOCUS_HEADER, rows)
    gz = write_csv(tmp_path / "f.csv.gz", FOCUS_HEADER, rows, gz=True)
    pq = write_parquet(tmp_path / "f.parquet", FOCUS_HEADER, [[r[0], r[1], r[2], r[3], *r[4:5],
                                                               "2024-09-01 00:00:00", "2024-09-01 01:00:00", *r[7:]]
                                                              for r in rows], NUMERIC)
    results = [totals(open_sources([str(p)])) for p in (plain, gz, pq)]
    assert results[0] == results[1] == results[2] == (3.25, 3.0, 3)


def test_glob_of_many_files_and_source_file_column(tmp_path):
    for i in range(3):
        write_csv(tmp_path / f"part-{i}.csv", FOCUS_HEADER, [focus_row(float(i + 1), resource=f"r{i}")])
    table = open_sources([str(tmp_path / "part-*.csv")])
    df = table.query("SELECT x_SourceFile, sum(BilledCost) c FROM focus GROUP BY 1 ORDER BY 1")
    assert [p.rsplit("/", 1)[-1] for p in df.x_SourceFile] == ["part-0.csv", "part-1.csv", "part-2.csv"]
    assert list(df.c) == [1.0, 2.0, 3.0]


def test_null_literals_are_nulls(tmp_path):
    header = FOCUS_HEADER
    row = focus_row(1.0)
    row[header.index("ResourceId")] = "NULL"
    row[header.index("ListCost")] = "NULL"
    table = open_sources([str(write_csv(tmp_path / "n.csv", header, [row]))])
    df = table.query("SELECT ResourceId, ListCost FROM focus")
    assert df.ResourceId.isna().all() and df.ListCost.isna().all()


def test_service_category_derived_when_empty_and_kept_when_given(tmp_path):
    rows = [focus_row(1.0, service="Amazon SageMaker", service_category=""),
            focus_row(2.0, service="Amazon SageMaker", service_category="Compute", resource="i-2")]
    table = open_sources([str(write_csv(tmp_path / "c.csv", FOCUS_HEADER, rows))])
    cats = table.query("SELECT ServiceCategory FROM focus ORDER BY BilledCost").ServiceCategory.tolist()
    assert cats == ["AI and Machine Learning", "Compute"]


def test_egress_from_description_not_service(tmp_path):
    rows = [focus_row(1.0, service="Amazon Simple Storage Service",
                      description="$0.09 per GB - first 10 TB / month data transfer out beyond the global free tier"),
            focus_row(2.0, service="Amazon Simple Storage Service", description="$0.023 per GB-Mo storage")]
    table = open_sources([str(write_csv(tmp_path / "e.csv", FOCUS_HEADER, rows))])
    df = table.query("SELECT BilledCost, x_IsEgress FROM focus ORDER BY BilledCost")
    assert df.x_IsEgress.tolist() == [True, False]


def test_tags_group_by_and_currency_split(tmp_path):
    rows = [focus_row(1.0, tags='{"team": "vision"}'), focus_row(2.0, tags='{"team": "search"}', resource="i-2"),
            focus_row(4.0, tags='{"team": "vision"}', currency="EUR", resource="i-3"), focus_row(8.0, tags="not json")]
    table = open_sources([str(write_csv(tmp_path / "t.csv", FOCUS_HEADER, rows))])
    out = breakdown_records(table, ["tag:team"], "billed")
    assert [o["currency"] for o in out] == ["EUR", "USD"]
    usd = {r["tag:team"]: r["cost"] for r in out[1]["rows"]}
    assert usd == {"vision": 1.0, "search": 2.0, None: 8.0}
    assert math.isclose(out[1]["total"], 11.0) and out[0]["total"] == 4.0
    frames = breakdown(table, ["tag:team"], "billed")
    assert [b.currency for b in frames] == ["EUR", "USD"] and frames[1].total == 11.0


def test_focus_12_mdy_dates(tmp_path):
    header = ["BilledCost", "EffectiveCost", "BillingCurrency", "ChargePeriodStart", "ChargeCategory"]
    table = open_sources([str(write_csv(tmp_path / "d.csv", header, [[5, 0, "USD", "10/1/25", "Purchase"],
                                                                     [7, 7, "USD", "4/1/26", "Usage"]]))])
    df = table.query("SELECT ChargePeriodStart FROM focus ORDER BY 1")
    assert [d.strftime("%Y-%m-%d") for d in df.ChargePeriodStart] == ["2025-10-01", "2026-04-01"]


@pytest.mark.parametrize("value", ["2024-09-01T00:00:00Z", "2024-09-01 00:00:00", "2024-09-01T02:00:00+02:00"])
def test_iso_variants_are_utc(tmp_path, value):
    header = ["BilledCost", "EffectiveCost", "BillingCurrency", "ChargePeriodStart", "ChargeCategory"]
    table = open_sources([str(write_csv(tmp_path / "d.csv", header, [[1, 1, "USD", value, "Usage"]]))])
    ts = table.query("SELECT ChargePeriodStart FROM focus").ChargePeriodStart[0]
    assert ts.strftime("%Y-%m-%d %H:%M") == "2024-09-01 00:00"


def test_a_file_named_twice_is_counted_once(tmp_path):
    path = write_csv(tmp_path / "f.csv", FOCUS_HEADER, [focus_row(2.0)])
    table = open_sources([str(path), str(tmp_path / "*.csv")])
    assert totals(table) == (2.0, 2.0, 1)


def test_glob_mixing_formats_detects_each_file(tmp_path):
    write_csv(tmp_path / "a.csv", FOCUS_HEADER, [focus_row(2.0)])
    write_csv(tmp_path / "b.csv", ["lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UnblendedCost",
                                   "lineItem/CurrencyCode"], [["Usage", "2024-09-01T00:00:00Z", 3.0, "USD"]])
    table = open_sources([str(tmp_path / "*.csv")])
    df = table.query("SELECT ProviderName, sum(BilledCost) c FROM focus GROUP BY 1 ORDER BY 1")
    assert dict(zip(df.ProviderName, df.c)) == {"AWS": 5.0}
    assert table.scalar("SELECT count(DISTINCT x_SourceFile) FROM focus") == 2
