"""GCP billing export rows: JSON lines (nested), Parquet (structs) and flattened CSV; credits apart."""

from __future__ import annotations

import json
import math

import duckdb

from costopt.billing.readers import open_sources
from tests.billing.builders import write_csv, write_jsonl


def record(cost, sku, service="Compute Engine", credits=(), cost_type="regular", labels=(), region="us-central1",
           currency="USD", start="2024-09-01T00:00:00Z"):
    return {"billing_account_id": "0123-4567", "service": {"id": "S", "description": service},
            "sku": {"id": "K-" + sku[:8], "description": sku}, "usage_start_time": start,
            "usage_end_time": "2024-09-01T01:00:00Z", "project": {"id": "ml-prod", "name": "ML prod"},
            "labels": [{"key": k, "value": v} for k, v in labels],
            "location": {"location": region, "region": region, "zone": region + "-a"},
            "cost": cost, "currency": currency,
            "usage": {"amount": 1.0, "unit": "seconds", "amount_in_pricing_units": 1.0, "pricing_unit": "hour"},
            "credits": [{"name": n, "amount": a, "type": "PROMOTION"} for n, a in credits],
            "invoice": {"month": "202409"}, "cost_type": cost_type}


RECORDS = [
    record(10.0, "Nvidia Tesla T4 GPU running in Americas", credits=[("Sustained use", -2.0), ("Promo", -1.0)],
           labels=[("team", "vision")]),
    record(4.0, "Network Internet Egress from Americas to EMEA", service="Cloud Storage"),
    record(1.5, "Commitment v1: A2 GPU in Americas for 1 Year"),
    record(0.8, "Tax", service="Invoice", cost_type="tax"),
    record(-0.01, "Rounding", service="Invoice", cost_type="rounding_error"),
]


def check(table):
    df = table.query("SELECT ChargeCategory, sum(BilledCost) b, sum(EffectiveCost) e, count(*) n FROM focus GROUP BY 1")
    s = {r.ChargeCategory: (r.b, r.n) for r in df.itertuples()}
    assert s["Credit"] == (-3.0, 2)
    assert s["Usage"] == (14.0, 2) and s["Purchase"] == (1.5, 1) and s["Tax"] == (0.8, 1)
    assert math.isclose(s["Adjustment"][0], -0.01)
    rows = table.query("SELECT x_UsageType, x_IsEgress, ServiceCategory, Tags, RegionId, ProviderName FROM focus "
                       "WHERE ChargeCategory = 'Usage' ORDER BY x_UsageType")
    assert list(rows.x_IsEgress) == [True, False]
    assert list(rows.ServiceCategory) == ["Storage", "Compute"]
    assert json.loads(rows.Tags[1]) == {"team": "vision"}
    assert set(rows.RegionId) == {"us-central1"} and set(rows.ProviderName) == {"Google Cloud"}


def test_jsonl(tmp_path):
    check(open_sources([str(write_jsonl(tmp_path / "gcp.json", RECORDS))]))


def test_parquet_structs(tmp_path):
    src = write_jsonl(tmp_path / "gcp.jsonl", RECORDS)
    out = tmp_path / "gcp.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_json('{src}')) TO '{out}' (FORMAT parquet)")
    check(open_sources([str(out)]))


def test_flattened_csv_with_credit_json(tmp_path):
    header = ["billing_account_id", "service.description", "sku.id", "sku.description", "usage_start_time",
              "usage_end_time", "project.id", "labels", "location.region", "cost", "currency", "credits",
              "invoice.month", "cost_type"]
    rows = [["0123", r["service"]["description"], r["sku"]["id"], r["sku"]["description"], r["usage_start_time"],
             r["usage_end_time"], "ml-prod", json.dumps(r["labels"]), r["location"]["region"], r["cost"],
             r["currency"], json.dumps(r["credits"]), "202409", r["cost_type"]] for r in RECORDS]
    check(open_sources([str(write_csv(tmp_path / "gcp.csv", header, rows))], "gcp"))


def test_flattened_csv_with_credit_totals(tmp_path):
    header = ["billing_account_id", "service_description", "sku_description", "usage_start_time", "cost",
              "currency", "credits"]
    rows = [["0123", "Compute Engine", "N2 core", "2024-09-01 00:00:00 UTC".replace(" UTC", ""), 5, "USD", -1.25],
            ["0123", "Compute Engine", "N2 ram", "2024-09-01 00:00:00", 3, "USD", 0]]
    table = open_sources([str(write_csv(tmp_path / "gcp.csv", header, rows))])
    df = table.query("SELECT ChargeCategory, sum(BilledCost) b FROM focus GROUP BY 1 ORDER BY 1")
    assert dict(zip(df.ChargeCategory, df.b)) == {"Credit": -1.25, "Usage": 8.0}
