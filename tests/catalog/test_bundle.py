"""The generated bundle: the generator on small tables, the shipped bundle against the shared
public tables (read independently here), and the labelled estimates where no real price exists."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import statistics
import threading
from pathlib import Path

import pytest

from costopt.catalog import Catalog, Price, bundled_catalog
from costopt.catalog.defaults import AWS_M5_LARGE, TYPICAL_RATIO

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("build_catalog", REPO / "scripts" / "build_catalog.py")
build_catalog = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_catalog)

HEADER = "provider,service,region,sku_or_type,os,price_model,unit,price,currency,source,as_of\n"
GCP_CP = "cloudpilot-ai/karpenter-provider-gcp@417f047b pkg/providers/pricing/initial-prices.json"
GCP_CY = "Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26f pricing.yml"
AWS_SRC = "aws/karpenter-provider-aws@1d927085 pkg/providers/pricing/zz_generated.pricing_aws.go"
AZ_SRC = "Azure/karpenter-provider-azure@352646f5 pkg/providers/pricing/zz_generated.pricing.go"


def _table(path: Path, rows: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(HEADER + "".join(r + "\n" for r in rows))


@pytest.fixture()
def tables(tmp_path: Path) -> Path:
    src = tmp_path / "prices"
    src.mkdir()
    _table(src / "aws_ec2_karpenter.csv.gz", [f"aws,ec2,us-east-1,m5.large,linux,on_demand,hour,0.096,USD,{AWS_SRC},2026-07-20"])
    _table(src / "azure_vm_karpenter.csv.gz", [
        f"azure,virtual_machines,eastus,Standard_D2s_v5,linux,on_demand,hour,0.096,USD,{AZ_SRC},2026-06-18",
        f"azure,virtual_machines,eastus,Standard_DSv3_Type1,linux,on_demand,hour,9.9,USD,{AZ_SRC},2026-06-18"])
    _table(src / "gcp_compute_karpenter.csv.gz", [
        f"gcp,compute_engine,us-central1,n2-standard-2,linux,on_demand,hour,0.097118,USD,{GCP_CP},2026-08-03"])
    _table(src / "gcp_compute_cyclenerd.csv.gz", [
        f"gcp,compute_engine,us-central1,n2-standard-2,linux,on_demand,hour,0.5,USD,{GCP_CY},2026-07-30",
        f"gcp,compute_engine,us-central1,n2-standard-2,linux,commit_1y,hour,0.061182,USD,{GCP_CY},2026-07-30"])
    legacy = tmp_path / "legacy.csv"
    legacy.write_text("provider,region,type,model,usd_per_hour,source,as_of\n"
                      "aws,us-east-1,m5.large,on_demand,0.5,aws-ec2-list-price,2025-01-15\n"
                      "aws,eu-west-1,m5.large,on_demand,0.107,aws-ec2-list-price,2025-01-15\n"
                      "aws,eu-west-1,m5.large,spot,0.04,aws-spot-typical,2025-01-15\n")
    return src


def _read(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_generator_merges_sources_and_is_reproducible(tables, tmp_path):
    out = tmp_path / "out"
    manifest = build_catalog.build(tables, out, tmp_path / "legacy.csv")
    aws = _read(out / "prices_aws.csv.gz")
    assert aws[0] == ["region", "type", "os", "model", "amount", "unit", "currency", "source", "as_of"]
    # the 2026 table wins over the 2025 snapshot; the snapshot fills eu-west-1; its spot ratio row is dropped
    assert aws[1:] == [["eu-west-1", "m5.large", "linux", "on_demand", "0.107", "hour", "USD", "aws-ec2-list-price", "2025-01-15"],
                       ["us-east-1", "m5.large", "linux", "on_demand", "0.096", "hour", "USD", "aws-karpenter-2026", "2026-07-20"]]
    gcp = _read(out / "prices_gcp.csv.gz")[1:]
    assert [r[3:5] + r[7:8] for r in gcp] == [["on_demand", "0.097118", "gcp-cloudpilot-2026"],
                                               ["commit_1y", "0.061182", "gcp-cyclenerd-2026"]]
    assert [r[1] for r in _read(out / "prices_azure.csv.gz")[1:]] == ["Standard_D2s_v5"]  # dedicated-host SKU dropped
    assert manifest["providers"]["aws"]["sources"] == [["aws-ec2-list-price", "2025-01-15", 1],
                                                       ["aws-karpenter-2026", "2026-07-20", 1]]
    first = (out / "prices_gcp.csv.gz").read_bytes()
    build_catalog.build(tables, out, tmp_path / "legacy.csv")
    assert (out / "prices_gcp.csv.gz").read_bytes() == first


def test_generator_failures_are_one_line(tables, tmp_path, capsys):
    assert build_catalog.main(["--prices", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "aws_ec2_karpenter.csv.gz: price table not found" in err
    _table(tables / "aws_ec2_karpenter.csv.gz", [f"aws,ec2,us-east-1,m5.large,linux,on_demand,hour,cheap,USD,{AWS_SRC},2026-07-20"])
    assert build_catalog.main(["--prices", str(tables), "--out", str(tmp_path / "o")]) == 2
    assert "aws_ec2_karpenter.csv.gz:2: unreadable price row" in capsys.readouterr().err


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


@pytest.mark.parametrize("name,provider", [("aws_ec2_karpenter.csv.gz", "aws"), ("azure_vm_karpenter.csv.gz", "azure"),
                                           ("gcp_compute_karpenter.csv.gz", "gcp")])
def test_bundle_quotes_every_public_price_with_source_and_date(catalog, shared_data, name, provider):
    """Every row of the public table is in the bundle: same amount, currency, date; never an estimate."""
    path = shared_data / "prices" / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    checked = 0
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if "_Type" in row["sku_or_type"] or float(row["price"]) == 0:
                continue  # dedicated-host SKUs and zero placeholders are left out by the generator
            got = catalog.price(provider, row["region"], row["sku_or_type"], row["price_model"])
            assert got is not None and not got.estimate, row
            assert (got.amount, got.currency, got.as_of) == (pytest.approx(float(row["price"])), row["currency"], row["as_of"]), row
            assert got.source in catalog.source_details
            checked += 1
    assert checked > 2000


def test_gcp_commitments_are_real_cud_prices(catalog, shared_data):
    path = shared_data / "prices" / "gcp_compute_cyclenerd.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["price_model"].startswith("commit")]
    rows = [r for r in rows if float(r["price"]) > 0]
    for row in rows[::7]:
        got = catalog.price("gcp", row["region"], row["sku_or_type"], row["price_model"])
        assert got.amount == pytest.approx(float(row["price"])) and got.source == "gcp-cyclenerd-2026"
    ratios = {round(catalog.price("gcp", r["region"], r["sku_or_type"], "commit_1y").amount
                    / catalog.price("gcp", r["region"], r["sku_or_type"]).amount, 3) for r in rows[::7]}
    assert len(ratios) > 10  # not one typical ratio


@pytest.mark.parametrize("provider,region,type_,amount,as_of", [
    ("aws", "us-east-1", "g6.xlarge", 0.8048, "2026-07-20"),
    ("aws", "us-east-1", "p5.48xlarge", 55.04, "2026-07-20"),
    ("gcp", "us-central1", "a3-highgpu-8g", 88.49, "2026-08-03"),
    ("azure", "eastus", "Standard_ND96isr_H100_v5", 98.32, "2026-06-18"),
    ("azure", "westeurope", "Standard_D2s_v5", 0.115, "2026-06-18"),
])
def test_done_when_types_have_dated_real_prices(catalog, provider, region, type_, amount, as_of):
    got = catalog.price(provider, region, type_)
    assert got.amount == pytest.approx(amount, rel=1e-4) and got.as_of == as_of and not got.estimate
    assert catalog.instance(provider, type_) is not None


def test_aws_other_regions_are_labelled_estimates(catalog):
    base = catalog.price("aws", "us-east-1", "m5.2xlarge")
    got = catalog.price("aws", "ap-southeast-2", "m5.2xlarge")
    assert got.estimate and got.source == f"estimate:aws-region-ratio x {base.source}" and got.as_of == base.as_of
    assert got.amount == pytest.approx(base.amount * 0.12 / 0.096)
    assert catalog.price("aws", "ap-southeast-9", "m5.2xlarge") is None  # unknown region: no guess
    assert "ap-southeast-2" in catalog.regions("aws")


def test_region_ratios_plausible_against_independent_dump(shared_data):
    """Our m5.large regional ratios stay within 4% of the 2024 dump's median ratio of m5/c5/r5/m6i types."""
    path = shared_data / "prices" / "aws_compute_prices.csv"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    with path.open(newline="") as fh:
        od = {(r["Region"], r["InstanceType"]): float(r["OnDemandUSDPerHour"]) for r in csv.DictReader(fh)
              if r["OnDemandUSDPerHour"]}
    for region, m5 in AWS_M5_LARGE.items():
        theirs = statistics.median(od[(region, t)] / od[("us-east-1", t)] for (r, t) in od
                                   if r == region and ("us-east-1", t) in od and t.startswith(("m5.", "c5.", "r5.", "m6i.")))
        assert m5 / AWS_M5_LARGE["us-east-1"] == pytest.approx(theirs, rel=0.04), region


def test_missing_spot_and_commitments_are_estimates_from_real_on_demand(catalog):
    od = catalog.price("azure", "eastus", "Standard_D2s_v5")
    spot = catalog.price("azure", "eastus", "Standard_D2s_v5", "spot")
    assert spot == Price(od.amount * TYPICAL_RATIO[("azure", "spot")], "hour", "USD",
                         f"estimate:typical-ratio x {od.source}", od.as_of, estimate=True)
    real = catalog.price("gcp", "us-central1", "n2-standard-2", "spot")
    assert not real.estimate and real.amount == pytest.approx(0.04606)
    sagemaker = catalog.price("aws", "us-east-1", "ml.g6.xlarge")
    assert sagemaker.estimate and "sagemaker-premium" in sagemaker.source
    spot = catalog.price("aws", "us-east-1", "ml.g6.xlarge", "spot")  # managed spot training
    assert spot.estimate and spot.amount == pytest.approx(sagemaker.amount * 0.40)
    assert catalog.price("aws", "us-east-1", "ebs:gp3").unit == "GB-month"
    # Issue 15: a resource price outside the bundled regions is a labelled estimate (us-east-1 x the
    # m5.large ratio 0.12 / 0.096), not missing.
    gp3 = catalog.price("aws", "ap-southeast-2", "ebs:gp3")
    assert gp3.estimate and gp3.source.startswith("estimate:aws-region-ratio") and gp3.amount == pytest.approx(0.1)


def test_price_sources_same_before_and_after_reading_the_tables():
    lazy = bundled_catalog()
    before = {(s.provider, s.source, s.as_of) for s in lazy.price_sources()}
    for provider in ("aws", "gcp", "azure"):
        lazy.regions(provider)  # reads the provider's table
    assert {(s.provider, s.source, s.as_of) for s in lazy.price_sources()} == before
    assert ("gcp", "gcp-cyclenerd-2026", "2026-07-30") in before


def test_lazy_table_read_is_safe_under_concurrent_lookups():
    """A lookup arriving while another thread reads the table waits for it instead of missing."""
    started, release = threading.Event(), threading.Event()

    def rows():
        yield "us-east-1", "m5.large", "linux", "on_demand", 0.096, ("hour", "USD", "t", "2026-07-20")
        started.set()
        release.wait(5)
        yield "us-east-1", "m5.xlarge", "linux", "on_demand", 0.192, ("hour", "USD", "t", "2026-07-20")

    cat = Catalog()
    cat.add_lazy_prices("aws", rows, ())
    first = threading.Thread(target=cat.price, args=("aws", "us-east-1", "m5.large"))
    first.start()
    started.wait(5)
    got: list = []
    second = threading.Thread(target=lambda: got.append(cat.price("aws", "us-east-1", "m5.xlarge")))
    second.start()
    second.join(0.2)
    release.set()
    first.join(5)
    second.join(5)
    assert got and got[0].amount == 0.192


def test_gcp_storage_and_egress_in_every_region(catalog, shared_data):
    path = shared_data / "prices" / "gcp_gcs_cyclenerd.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        gcs = {(r["region"].removesuffix("-multi"), r["sku_or_type"].removesuffix("-multi").removesuffix("-dual")):
               float(r["price"]) for r in csv.DictReader(fh)}
    regions = {region for region, _ in gcs}
    assert len(regions) > 40
    for region in regions:
        tiers = {t.name: t for t in catalog.storage_tiers("gcp", region)}
        assert set(tiers) == {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"}, region
        assert tiers["COLDLINE"].gb_month == gcs[(region, "bucket:coldline")]
        assert tiers["ARCHIVE"].retrieval_per_gb == gcs[(region, "retrieval:archiv")]
        assert (tiers["ARCHIVE"].min_days, tiers["NEARLINE"].min_days) == (365, 30)
        assert tiers["STANDARD"].as_of == "2026-07-30"
    assert catalog.storage_tier("gcp", "us", "STANDARD").gb_month == pytest.approx(0.026)  # multi-region
    assert catalog.egress("gcp", "asia-south1", "internet").amount == pytest.approx(0.12)
    assert catalog.egress("gcp", "asia-south1", "nat_processing").amount == pytest.approx(0.045)


def test_missing_region_or_type_is_no_price(catalog):
    assert catalog.price("aws", None, "m5.large") is None
    assert catalog.price("aws", "us-east-1", None) is None


def test_regional_and_interruption_estimates_are_what_the_generator_makes(shared_data, tmp_path):
    """The bundled regional_*.csv.gz and interruption_estimates.csv are regenerated byte for byte
    from the shared tables and the hand-written base files (one command, reproducible)."""
    data = REPO / "costopt" / "catalog" / "data"
    for name in ("storage.csv", "egress.csv", "resource_prices.csv", "instances.csv", "interruptions.csv"):
        (tmp_path / name).write_bytes((data / name).read_bytes())
    build_catalog.build_regional(shared_data / "prices", tmp_path)
    build_catalog.build_interruption_estimates(tmp_path)
    for name in ("regional_storage.csv.gz", "regional_egress.csv.gz", "regional_prices.csv.gz",
                 "interruption_estimates.csv"):
        assert (tmp_path / name).read_bytes() == (data / name).read_bytes(), name
    rows = _read(tmp_path / "regional_storage.csv.gz")[1:]
    aws_regions = {r[1] for r in rows if r[0] == "aws"}
    assert len(aws_regions) == 33 and "us-east-1" not in aws_regions  # botocore's 34 commercial regions - the base
    assert all(r[11].startswith("estimate:") for r in rows)
