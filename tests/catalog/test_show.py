"""`costopt catalog show TYPE --region R --format table|json` through CliRunner: dated prices for
any region and type, labels, and exit 2 with the nearest matches when there is no price."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from costopt.catalog import bundled_catalog
from costopt.catalog.cache import write_cache
from costopt.catalog.staleness import price_age_days
from costopt.cli import cli


@pytest.fixture(autouse=True)
def _no_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTOPT_CACHE_DIR", str(tmp_path))  # the bundled catalog only


def show(*args):
    return CliRunner().invoke(cli, ["catalog", "show", *args])


@pytest.mark.parametrize("type_,region,provider", [
    ("m5.2xlarge", "ap-southeast-2", "aws"), ("g6.xlarge", "us-east-1", "aws"), ("p5.48xlarge", "us-east-1", "aws"),
    ("a3-highgpu-8g", "us-central1", "gcp"), ("Standard_ND96isr_H100_v5", "eastus", "azure"),
])
def test_done_when_types_answer_with_dated_prices(type_, region, provider):
    result = show(type_, "--region", region, "--format", "json")
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.output)
    assert doc["provider"] == provider and doc["type"] == type_ and doc["spec"]["vcpu"] > 0
    models = {line["model"]: line for line in doc["prices"]}
    assert set(models) == {"on_demand", "spot", "commit_1y", "commit_3y"}
    catalog = bundled_catalog()
    for model, line in models.items():
        price = catalog.price(provider, region, type_, model)
        assert (line["region"], line["amount"], line["source"], line["as_of"]) == (region, price.amount, price.source, price.as_of)
        assert line["age_days"] == price_age_days(price.as_of, date.today())
        assert (line["kind"] == "estimate") == price.estimate
        assert line["stale"] == (line["age_days"] > 90)


def test_table_labels_estimates_and_real_prices():
    out = show("m5.2xlarge", "--region", "ap-southeast-2").output
    assert "0.4800 USD/hour  estimate:aws-region-ratio x aws-karpenter-2026 (2026-07-20) [estimate" in out
    out = show("a3-highgpu-8g", "--region", "us-central1").output
    assert "spot          50.6095 USD/hour  gcp-cloudpilot-2026 (2026-08-03) [spot snapshot" in out
    assert "[price" in out and "estimate" not in out


def test_os_prices_are_labelled_estimate_or_lower_bound():
    out = show("m5.xlarge", "--region", "us-east-1", "--os", "windows_sql_std").output
    assert "on_demand      0.8560 USD/hour  estimate:licence-fee:windows_sql_std x aws-karpenter-2026 (2025-10-15) [estimate" in out
    doc = json.loads(show("m5.xlarge", "--region", "us-east-1", "--os", "suse", "--format", "json").output)[0]
    assert {line["kind"] for line in doc["prices"]} == {"lower bound"}
    assert doc["prices"][0]["amount"] == 0.192 and doc["prices"][0]["source"].startswith("estimate:licence-unknown")


def test_every_region_without_region_option():
    doc = json.loads(show("Standard_D2s_v5", "--format", "json").output)[0]
    regions = {line["region"] for line in doc["prices"] if line["model"] == "on_demand"}
    assert len(regions) > 40 and {"eastus", "westeurope", "australiaeast", "brazilsouth"} <= regions


def test_type_without_spec_still_quotes():
    result = show("c7i.large", "--region", "us-east-1")
    assert result.exit_code == 0 and "hardware not in the catalog" in result.output
    assert "us-east-1        on_demand" in result.output


@pytest.mark.parametrize("args,message", [
    (("g6.xlargee",), "instance type 'g6.xlargee' is not in the catalog; nearest: g6.xlarge"),
    (("m5.2xlarge", "--region", "ap-southeast-9"), "aws has no prices in region 'ap-southeast-9'; nearest: ap-southeast-7"),
    (("a3-highgpu-8g", "--region", "us-centrall1"), "gcp has no prices in region 'us-centrall1'; nearest: us-central1"),
    (("Standard_ND96isr_H100_v5", "--region", "brazilsouth"), "no linux price for Standard_ND96isr_H100_v5 in brazilsouth; nearest: "),
    (("m5.large", "--os", "plan9", "--region", "us-east-1"), "no plan9 price for m5.large in us-east-1"),  # rhel: estimated
    (("p5e.48xlarge",), "no linux price for p5e.48xlarge in any region; nearest: p5en.48xlarge"),
])
def test_no_price_exits_2_with_one_line_and_nearest(args, message):
    result = show(*args)
    assert result.exit_code == 2
    assert message in result.output and result.output.strip().count("\n") == 0 and "Traceback" not in result.output


def test_sources_mark_stale_ones(tmp_path):
    today = date.today().isoformat()
    write_cache({"provider": "aws", "fetched_at": today + "T00:00:00Z",
                 "prices": [["us-east-1", "m5.large", "on_demand", 0.1, "aws-price-list-bulk", today]],
                 "sources": {"aws-price-list-bulk": "public offer file"}}, tmp_path)
    lines = CliRunner().invoke(cli, ["catalog", "sources"]).output.splitlines()
    fresh = [line for line in lines if "aws-price-list-bulk" in line]
    old = [line for line in lines if "aws-ec2-list-price " in line]
    assert fresh and "STALE" not in fresh[0]
    age = price_age_days("2025-01-15", date.today())
    assert old and f"2025-01-15  STALE ({age} days)" in old[0]


def test_sources_as_json(tmp_path):
    rows = json.loads(CliRunner().invoke(cli, ["catalog", "sources", "--format", "json"]).output)
    ec2 = next(r for r in rows if r["source"] == "aws-ec2-list-price")
    assert ec2["as_of"] == "2025-01-15" and ec2["stale"] is True
    assert ec2["age_days"] == price_age_days("2025-01-15", date.today())
