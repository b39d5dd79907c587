"""The catalog API: specs, prices per model/region, composites, storage, egress, provenance."""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path

import pytest

from costopt.catalog import PRICE_MODELS, Catalog, InstanceSpec, Price, bundled, bundled_catalog, load_catalog
from costopt.catalog.cache import cache_path, write_cache
from costopt.errors import InputError
from costopt.rules.commitment_math import TERM_MONTHS

REGIONS = {"aws": ("us-east-1", "eu-west-1"), "gcp": ("us-central1", "europe-west4"), "azure": ("eastus", "westeurope")}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return bundled_catalog()


# Hardware from the providers' size pages (AWS EC2 instance types; GCP accelerator-optimized and
# N1 + GPU machines; Azure NCasT4_v3 / NDasrA100_v4 / Dsv5 sizes). What a type's name already
# says is checked for every type by the naming tests below.
@pytest.mark.parametrize("provider,type_,vcpu,mem,gpus,gpu_model", [
    ("aws", "m5.2xlarge", 8, 32, 0, ""),
    ("aws", "g4dn.xlarge", 4, 16, 1, "T4"),
    ("aws", "p3.8xlarge", 32, 244, 4, "V100"),
    ("aws", "g5.12xlarge", 48, 192, 4, "A10G"),
    ("gcp", "a2-highgpu-1g", 12, 85, 1, "A100"),
    ("gcp", "g2-standard-8", 8, 32, 1, "L4"),
    ("gcp", "n1-standard-8+nvidia-tesla-t4:2", 8, 30, 2, "T4"),
    ("azure", "Standard_D4s_v5", 4, 16, 0, ""),
    ("azure", "standard_nc4as_t4_v3", 4, 28, 1, "T4"),
    ("azure", "Standard_ND96asr_v4", 96, 900, 8, "A100"),
])
def test_instance_specs(catalog, provider, type_, vcpu, mem, gpus, gpu_model):
    spec = catalog.instance(provider, type_)
    assert isinstance(spec, InstanceSpec)
    assert (spec.vcpu, spec.memory_gib, spec.gpu_count, spec.gpu_model) == (vcpu, mem, gpus, gpu_model)
    if gpus:
        assert spec.gpu_memory_gib > 0 and spec.gpu_tflops > 0


def test_sagemaker_ml_types_have_the_hardware_of_their_ec2_type(catalog):
    """SageMaker's ``ml.X`` hosts run on EC2 type ``X`` (same vCPUs, memory and GPUs)."""
    ml = [s for s in catalog.instances("aws") if s.type.startswith("ml.")]
    assert len(ml) > 30
    for spec in ml:
        ec2 = catalog.instance("aws", spec.type.removeprefix("ml."))
        assert ec2 is not None, spec.type
        assert (spec.vcpu, spec.memory_gib, spec.gpu_count, spec.gpu_model) == (
            ec2.vcpu, ec2.memory_gib, ec2.gpu_count, ec2.gpu_model), spec.type


# GiB per vCPU of GCP's predefined FAMILY-CLASS-VCPUS machine types without GPUs
# (cloud.google.com/compute/docs/general-purpose-machines, .../compute-optimized-machines).
GCP_GIB_PER_VCPU = {("n1", "standard"): 3.75, ("n1", "highmem"): 6.5, ("n1", "highcpu"): 0.9,
                    ("n2", "standard"): 4.0, ("n2", "highmem"): 8.0, ("n2", "highcpu"): 1.0,
                    ("e2", "standard"): 4.0, ("e2", "highmem"): 8.0, ("e2", "highcpu"): 1.0,
                    ("c2", "standard"): 4.0}


def test_gcp_predefined_types_have_the_vcpus_and_memory_their_names_say(catalog):
    checked = 0
    for spec in catalog.instances("gcp"):
        m = re.fullmatch(r"([a-z0-9]+)-(standard|highmem|highcpu)-(\d+)", spec.type)
        if m is None or (m[1], m[2]) not in GCP_GIB_PER_VCPU:
            continue
        vcpu = int(m[3])
        assert (spec.vcpu, spec.memory_gib, spec.gpu_count) == (
            vcpu, pytest.approx(vcpu * GCP_GIB_PER_VCPU[m[1], m[2]]), 0), spec.type
        checked += 1
    assert checked > 20


def test_azure_sizes_have_the_vcpus_their_names_say(catalog):
    """Azure size names are family + vCPUs (+ "-active vCPUs" for constrained sizes) + features +
    version (learn.microsoft.com/azure/virtual-machines/vm-naming-conventions)."""
    sizes = catalog.instances("azure")
    assert len(sizes) > 30
    for spec in sizes:
        m = re.fullmatch(r"Standard_[A-Z]+(\d+)(?:-(\d+))?[a-z]*(?:_.*)?", spec.type)
        assert m is not None, spec.type
        assert spec.vcpu == int(m[2] or m[1]), spec.type


def test_unknown_type_and_region_give_none(catalog):
    assert catalog.instance("aws", "m99.huge") is None
    assert catalog.price("aws", "us-east-1", "m99.huge") is None
    assert catalog.price("aws", "ap-south-7", "m5.large") is None
    assert catalog.price("gcp", "us-central1", "n1-standard-8+nvidia-unknown:1") is None
    assert catalog.interruption_rate("aws", "ap-south-7", "m5.large") is None
    assert catalog.egress("aws", "ap-south-7", "internet") is None
    assert catalog.storage_tiers("aws", "ap-south-7") == []
    with pytest.raises(ValueError):
        catalog.price("aws", "us-east-1", "m5.large", "reserved_forever")


def test_known_list_prices(catalog):
    # us-east-1 Linux on-demand list prices the bundle was written from.
    assert catalog.price("aws", "us-east-1", "m5.large").amount == pytest.approx(0.096)
    assert catalog.price("aws", "us-east-1", "g4dn.xlarge").amount == pytest.approx(0.526)
    assert catalog.price("gcp", "us-central1", "n2-standard-2").amount == pytest.approx(0.097118, rel=1e-4)
    assert catalog.price("azure", "eastus", "Standard_D2s_v5").amount == pytest.approx(0.096)


@pytest.mark.parametrize("provider", sorted(REGIONS))
def test_every_priced_type_has_all_models_ordered(catalog, provider):
    for region in REGIONS[provider]:
        specs = catalog.instances(provider, region)
        assert len(specs) > 20
        for spec in specs:
            od = catalog.price(provider, region, spec.type)
            assert od.unit == "hour" and od.hourly == od.amount > 0
            assert od.source and od.as_of
            spot = catalog.price(provider, region, spec.type, "spot")
            c1 = catalog.price(provider, region, spec.type, "commit_1y")
            c3 = catalog.price(provider, region, spec.type, "commit_3y")
            assert spot.amount < od.amount, spec.type
            assert c3.amount < c1.amount < od.amount, spec.type
            if (provider, spec.type.lower()) in RATED:
                assert catalog.interruption_rate(provider, region, spec.type) > 0


with open(Path(bundled.__file__).parent / "data" / "interruptions.csv", newline="") as _fh:
    RATED = {(row["provider"], row["type"].lower()) for row in csv.DictReader(_fh)}


def test_gcp_composite_price_is_machine_plus_gpus(catalog):
    machine = catalog.price("gcp", "us-central1", "n1-standard-8").amount
    gpu = catalog.price("gcp", "us-central1", "nvidia-tesla-t4").amount
    total = catalog.price("gcp", "us-central1", "n1-standard-8+nvidia-tesla-t4:2")
    assert total.amount == pytest.approx(machine + 2 * gpu)
    assert any(s.gpu_count == 4 for s in catalog.instances("gcp", "us-central1") if s.family == "n1")


def test_offers_frame_sorted_and_consistent(catalog):
    frame = catalog.offers("aws", "eu-west-1")
    assert list(frame["price"]) == sorted(frame["price"])
    row = frame.set_index("type").loc["m5.xlarge"]
    assert row["price"] == pytest.approx(catalog.price("aws", "eu-west-1", "m5.xlarge").amount)
    assert row["vcpu"] == 4


def test_storage_and_egress(catalog):
    for provider, regions in REGIONS.items():
        for region in regions:
            tiers = catalog.storage_tiers(provider, region)
            assert len(tiers) >= 4
            assert [t.gb_month for t in tiers] == sorted((t.gb_month for t in tiers), reverse=True)
            coldest = tiers[-1]
            assert coldest.min_days >= 180 and coldest.retrieval_per_gb > 0
            for kind in ("internet", "inter_region", "nat_processing"):
                price = catalog.egress(provider, region, kind)
                assert price.unit == "GB" and 0 < price.amount < 0.2
    glacier = catalog.storage_tier("aws", "us-east-1", "glacier_ir")
    assert (glacier.min_days, glacier.min_object_kb) == (90, 128)


def test_price_sources_name_every_source(catalog):
    sources = catalog.price_sources()
    names = {(s.provider, s.source) for s in sources}
    assert ("aws", "aws-karpenter-2026") in names and ("azure", "azure-blob-list-price") in names
    assert all(s.as_of and s.detail for s in sources)
    total = sum(int(s.detail.rsplit("; ", 1)[-1].split()[0]) for s in sources)
    assert total > 2000


def test_cache_overrides_bundled(tmp_path):
    write_cache({"provider": "aws", "fetched_at": "2026-11-27T00:00:00Z",
                 "prices": [["us-east-1", "m5.large", "on_demand", 0.1, "aws-pricing-api", "2026-11-27"],
                            ["ap-south-1", "m5.large", "on_demand", 0.101, "aws-pricing-api", "2026-11-27"]],
                 "interruptions": [], "storage": [], "egress": [], "instances": []}, tmp_path)
    catalog = load_catalog(cache_dir=tmp_path)
    assert catalog.price("aws", "us-east-1", "m5.large") == Price(0.1, "hour", "USD", "aws-pricing-api", "2026-11-27")
    assert catalog.price("aws", "ap-south-1", "m5.large").amount == 0.101
    assert catalog.price("aws", "us-east-1", "m5.xlarge").source == "aws-karpenter-2026"
    assert ("aws", "aws-pricing-api", "2026-11-27") in {(s.provider, s.source, s.as_of) for s in catalog.price_sources()}


def test_default_cache_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTOPT_CACHE_DIR", str(tmp_path))
    assert cache_path("gcp") == tmp_path / "catalog" / "gcp.json"


def test_corrupt_cache_is_an_input_error(tmp_path):
    path = cache_path("azure", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(InputError, match="azure.json"):
        load_catalog(cache_dir=tmp_path)
    path.write_text(json.dumps({"provider": "azure", "prices": [["eastus", "x"]]}))
    with pytest.raises(InputError, match="malformed"):
        load_catalog(cache_dir=tmp_path)


def test_bundled_prices_plausible_against_public_dump(catalog, shared_data):
    """Our on-demand prices stay within 25% of an independent public dump (2024) where both have the type.

    P4/P5 are left out: AWS cut their on-demand prices by up to 45% in June 2025, after the dump.
    """
    path = shared_data / "prices" / "aws_compute_prices.csv"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    compared = 0
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("Region") != "us-east-1":
                continue
            ours = catalog.price("aws", "us-east-1", row["InstanceType"])
            theirs = float(row.get("OnDemandUSDPerHour") or 0)
            if ours is None or theirs <= 0 or row["InstanceType"].startswith(("ml.", "p4", "p5")):
                continue
            compared += 1
            assert abs(ours.amount - theirs) / theirs < 0.25, (row["InstanceType"], ours.amount, theirs)
    assert compared >= 30


def test_the_price_models_are_the_ones_the_bundled_data_prices_and_the_commitment_terms():
    """PRICE_MODELS must name every model the bundle carries (a model missing from it would make
    catalog.price raise on real data) and nothing the bundle cannot price; each commitment model
    must be a term the commitment rules can size."""
    in_data = set()
    for provider in ("aws", "gcp", "azure"):
        with gzip.open(Path(bundled.__file__).parent / "data" / f"prices_{provider}.csv.gz", "rt", newline="") as fh:
            in_data |= {row["model"] for row in csv.DictReader(fh)}
    assert in_data == set(PRICE_MODELS)
    assert {m.removeprefix("commit_") for m in PRICE_MODELS if m.startswith("commit_")} == set(TERM_MONTHS)
