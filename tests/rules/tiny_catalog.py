"""A tiny hand-written price catalog for the commitment, storage, egress and autoscaling tests.

Built with the catalog's own classes (no mocks); the prices are round numbers chosen for the
tests, not real list prices.
"""

from costopt.catalog.catalog import Catalog
from costopt.catalog.model import InstanceSpec, Price, StorageTier

SRC = "tests"
AS_OF = "2026-11-01"


def hourly(amount: float) -> Price:
    return Price(amount, "hour", "USD", SRC, AS_OF)


def per_gb(amount: float) -> Price:
    return Price(amount, "GB", "USD", SRC, AS_OF)


def tiny_catalog() -> Catalog:
    cat = Catalog()
    specs = [
        InstanceSpec("aws", "m5.xlarge", "m5", "xlarge", 5, 4, 16.0),
        InstanceSpec("aws", "c5.4xlarge", "c5", "4xlarge", 5, 16, 32.0),
        InstanceSpec("aws", "g4dn.xlarge", "g4dn", "xlarge", 4, 4, 16.0, 1, "T4", 16.0, gpu_tflops=65.0),
        InstanceSpec("aws", "ml.g4dn.xlarge", "g4dn", "xlarge", 4, 4, 16.0, 1, "T4", 16.0, gpu_tflops=65.0),
        InstanceSpec("gcp", "n2-standard-8", "n2", "standard-8", 2, 8, 32.0),
    ]
    for s in specs:
        cat.add_instance(s)
    prices = {
        ("aws", "us-east-1", "m5.xlarge"): (0.20, 0.12, 0.08),
        ("aws", "us-east-1", "c5.4xlarge"): (0.68, 0.43, 0.29),
        ("aws", "us-east-1", "g4dn.xlarge"): (0.526, 0.33, 0.23),
        ("aws", "us-east-1", "ml.g4dn.xlarge"): (0.736, 0.46, 0.33),
        ("gcp", "us-central1", "n2-standard-8"): (0.40, 0.25, 0.18),
    }
    for (prov, region, type_), (od, c1, c3) in prices.items():
        cat.add_price(prov, region, type_, "on_demand", hourly(od))
        cat.add_price(prov, region, type_, "commit_1y", hourly(c1))
        cat.add_price(prov, region, type_, "commit_3y", hourly(c3))
    for region in ("us-east-1",):
        for t in (
            StorageTier("aws", region, "STANDARD", 0.023, 0.0, 0.005, 0.0004, 0.0, 0, 0, 50, source=SRC, as_of=AS_OF),
            StorageTier("aws", region, "STANDARD_IA", 0.0125, 0.01, 0.01, 0.001, 0.01, 30, 128, 50,
                        source=SRC, as_of=AS_OF),
            StorageTier("aws", region, "GLACIER_IR", 0.004, 0.03, 0.02, 0.01, 0.02, 90, 128, 50,
                        source=SRC, as_of=AS_OF),
            StorageTier("aws", region, "DEEP_ARCHIVE", 0.00099, 0.02, 0.05, 0.0004, 0.05, 180, 40,
                        12 * 3600 * 1000.0, source=SRC, as_of=AS_OF),
        ):
            cat.add_storage_tier(t)
    cat.add_egress("aws", "us-east-1", "internet", per_gb(0.09))
    cat.add_egress("aws", "us-east-1", "inter_region", per_gb(0.02))
    cat.add_egress("aws", "us-east-1", "nat_processing", per_gb(0.045))
    cat.add_egress("aws", "eu-west-1", "inter_region", per_gb(0.02))
    return cat
