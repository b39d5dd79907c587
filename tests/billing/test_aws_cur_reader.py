"""AWS CUR: legacy CSV, Athena snake_case Parquet and CUR 2.0 map to the same FOCUS rows."""

from __future__ import annotations

import math

import duckdb
import pytest

from costopt.billing.readers import open_sources
from tests.billing.builders import write_csv, write_parquet

LEGACY = ["identity/LineItemId", "bill/PayerAccountId", "bill/BillingPeriodStartDate", "lineItem/UsageAccountId",
          "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/ProductCode",
          "lineItem/UsageType", "lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/CurrencyCode",
          "lineItem/UnblendedCost", "lineItem/LineItemDescription", "product/ProductName", "product/regionCode",
          "pricing/publicOnDemandCost", "reservation/EffectiveCost", "reservation/ReservationARN",
          "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation/UnusedRecurringFee",
          "savingsPlan/SavingsPlanEffectiveCost", "savingsPlan/SavingsPlanARN",
          "savingsPlan/TotalCommitmentToDate", "savingsPlan/UsedCommitment", "resourceTags/user:team"]

RI = "arn:aws:ec2:us-east-1:111:reserved-instances/abc"
SP = "arn:aws:savingsplans::111:savingsplan/xyz"
# (type, usage type, unblended, public on-demand, ri effective, ri arn, ri unused upfront, ri unused recurring,
#  sp effective, sp arn, sp total, sp used, expected category, expected effective)
CASES = [
    ("Usage", "USE1-BoxUsage:c5.xlarge", 10.0, 10.0, None, "", None, None, None, "", None, None, "Usage", 10.0),
    ("DiscountedUsage", "USE1-BoxUsage:m5.large", 0.0, 9.6, 6.0, RI, None, None, None, "", None, None, "Usage", 6.0),
    ("RIFee", "USE1-HeavyUsage:m5.large", 4.0, 0.0, None, RI, 1.0, 0.5, None, "", None, None, "Purchase", 1.5),
    ("Fee", "USE1-HeavyUsage:m5.large", 700.0, 0.0, None, RI, None, None, None, "", None, None, "Purchase", 0.0),
    ("SavingsPlanCoveredUsage", "USE1-BoxUsage:g5.xlarge", 1.0, 1.0, None, "", None, None, 0.7, SP, None, None,
     "Usage", 0.7),
    ("SavingsPlanNegation", "USE1-BoxUsage:g5.xlarge", -1.0, 0.0, None, "", None, None, None, SP, None, None,
     "Usage", 0.0),
    ("SavingsPlanRecurringFee", "ComputeSP:1yrNoUpfront", 1.0, 0.0, None, "", None, None, None, SP, 1.0, 0.7,
     "Purchase", 0.3),
    ("SavingsPlanUpfrontFee", "ComputeSP:1yrAllUpfront", 500.0, 0.0, None, "", None, None, None, SP, None, None,
     "Purchase", 0.0),
    ("Tax", "", 3.0, 0.0, None, "", None, None, None, "", None, None, "Tax", 3.0),
    ("Credit", "", -2.0, 0.0, None, "", None, None, None, "", None, None, "Credit", -2.0),
    ("Refund", "", -1.5, 0.0, None, "", None, None, None, "", None, None, "Adjustment", -1.5),
    ("Usage", "USE1-DataTransfer-Out-Bytes", 0.9, 0.9, None, "", None, None, None, "", None, None, "Usage", 0.9),
    ("Usage", "USE1-EUW1-AWS-Out-Bytes", 0.2, 0.2, None, "", None, None, None, "", None, None, "Usage", 0.2),
    ("Usage", "USE1-DataTransfer-In-Bytes", 0.0, 0.0, None, "", None, None, None, "", None, None, "Usage", 0.0),
    ("Usage", "USE1-EBS:VolumeUsage.gp3", 0.4, 0.4, None, "", None, None, None, "", None, None, "Usage", 0.4),
    ("Usage", "USE1-NatGateway-Hours", 0.045, 0.045, None, "", None, None, None, "", None, None, "Usage", 0.045),
]


def legacy_rows():
    rows = []
    for i, c in enumerate(CASES):
        (kind, usage, unblended, public, ri_eff, ri_arn, ri_up, ri_rec, sp_eff, sp_arn, sp_tot, sp_used, _, _) = c
        rows.append([f"id{i}", "999", "2024-09-01T00:00:00Z", "111", kind, "2024-09-02T00:00:00Z",
                     "2024-09-02T01:00:00Z", "AmazonEC2", usage, f"i-{i}" if kind.endswith("Usage") else "", 1,
                     "USD", unblended, f"{kind} line", "Amazon Elastic Compute Cloud", "us-east-1", public,
                     ri_eff, ri_arn, ri_up, ri_rec, sp_eff, sp_arn, sp_tot, sp_used, "vision" if i % 2 else ""])
    return rows


def check(table):
    df = table.query("SELECT x_UsageType, ChargeDescription, ChargeCategory, BilledCost, EffectiveCost, ListCost, "
                     "x_IsEgress, ProviderName, ServiceCategory, CommitmentDiscountId, Tags FROM focus")
    assert len(df) == len(CASES)
    by_desc = {d: r for d, r in zip(df.ChargeDescription, df.to_dict(orient="records"))}
    for c in CASES:
        rec = by_desc[f"{c[0]} line"] if c[0] not in ("Usage",) else None
        if rec is None:
            continue
        assert rec["ChargeCategory"] == c[12], c[0]
        assert math.isclose(rec["EffectiveCost"], c[13], abs_tol=1e-9), c[0]
        assert math.isclose(rec["BilledCost"], c[2], abs_tol=1e-9), c[0]
    assert math.isclose(df.BilledCost.sum(), sum(c[2] for c in CASES))
    assert math.isclose(df.EffectiveCost.sum(), sum(c[13] for c in CASES))
    assert math.isclose(df.ListCost.sum(), sum(c[3] for c in CASES))
    egress = dict(zip(df.x_UsageType, df.x_IsEgress))
    assert egress["USE1-DataTransfer-Out-Bytes"] and egress["USE1-EUW1-AWS-Out-Bytes"]
    assert not egress["USE1-DataTransfer-In-Bytes"] and not egress["USE1-BoxUsage:c5.xlarge"]
    assert set(df.ProviderName) == {"AWS"}
    category = dict(zip(df.x_UsageType, df.ServiceCategory))
    assert category["USE1-EBS:VolumeUsage.gp3"] == "Storage" and category["USE1-NatGateway-Hours"] == "Networking"
    assert category["USE1-BoxUsage:c5.xlarge"] == "Compute" and category["USE1-DataTransfer-Out-Bytes"] == "Compute"
    assert set(df.CommitmentDiscountId.dropna()) == {RI, SP}
    assert set(df.Tags.dropna()) == {'{"team":"vision"}'}


def test_legacy_csv(tmp_path):
    check(open_sources([str(write_csv(tmp_path / "cur.csv", LEGACY, legacy_rows()))]))


def snake(name: str) -> str:
    import re
    cat, _, col = name.partition("/")
    cat = re.sub(r"(?<!^)(?=[A-Z])", "_", cat).lower()
    if cat == "resource_tags":
        return "resource_tags_" + col.replace(":", "_")
    col = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", col).lower()
    return f"{cat}_{col}"


def test_athena_snake_case_parquet(tmp_path):
    header = [snake(h) for h in LEGACY]
    assert "line_item_unblended_cost" in header and "savings_plan_savings_plan_effective_cost" in header
    types = {h: "DOUBLE" for h in header if h.endswith(("_cost", "_fee", "_amount", "_to_date", "_commitment",
                                                         "_billing_period"))}
    types.update({h: "TIMESTAMP" for h in header if h.endswith(("start_date", "end_date"))})
    rows = [[v.replace("T", " ").rstrip("Z") if isinstance(v, str) and v.startswith("2024-") else v for v in r]
            for r in legacy_rows()]
    rows = [[None if (v == "" and types.get(h) == "DOUBLE") else v for h, v in zip(header, r)] for r in rows]
    check(open_sources([str(write_parquet(tmp_path / "cur.parquet", header, rows, types))]))


def test_cur2_parquet_with_maps(tmp_path):
    header = [snake(h) for h in LEGACY if not h.startswith(("product/", "resourceTags/"))]
    src = tmp_path / "flat.parquet"
    rows = legacy_rows()
    keep = [i for i, h in enumerate(LEGACY) if not h.startswith(("product/", "resourceTags/"))]
    types = {h: "DOUBLE" for h in header if h.endswith(("_cost", "_fee", "_amount", "_to_date", "_commitment",
                                                         "_billing_period"))}
    write_parquet(src, header, [[None if (r[i] == "" and types.get(h) == "DOUBLE") else r[i]
                                 for i, h in zip(keep, header)] for r in rows], types)
    out = tmp_path / "cur2.parquet"
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT *, MAP {{'product_name': 'Amazon Elastic Compute Cloud', 'region_code': 'us-east-1'}}
                          AS product,
                          CASE WHEN right(identity_line_item_id, 1) IN ('1','3','5','7','9') THEN MAP {{'user_team': 'vision'}}
                               ELSE MAP {{'user_team': ''}} END AS resource_tags
                    FROM read_parquet('{src}')) TO '{out}' (FORMAT parquet)""")
    # ids 1,3,5,7,9,11,13 are odd -> tagged, same as the legacy "i % 2" rule
    check(open_sources([str(out)]))


def test_missing_mandatory_cur_columns_are_named(tmp_path):
    from costopt.errors import InputError

    path = write_csv(tmp_path / "cur.csv", ["lineItem/UnblendedCost", "lineItem/ProductCode"], [[1, "AmazonEC2"]])
    with pytest.raises(InputError, match=r"lineItem/UsageStartDate, lineItem/LineItemType"):
        open_sources([str(path)])
