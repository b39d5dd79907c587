"""Issue 15: the current ML types have specs and spot interruption rates, so spot.* and rightsizing use them.

Specs are checked against the clouds' published instance pages (facts, written out here):
p5.4xlarge 16 vCPU / 256 GiB / 1 x H100 80 GB; p5.48xlarge 192 / 2048 / 8 x H100; g6.xlarge 4 / 16 /
1 x L4 24 GB; g6e.xlarge 4 / 32 / 1 x L40S 48 GB; trn1.32xlarge 128 / 512 / 16 Trainium;
inf1.6xlarge 24 / 48 / 4 Inferentia; a3-highgpu-8g 208 / 1872 / 8 x H100 80 GB; a2-megagpu-16g 96 /
1360 / 16 x A100 40 GB; Standard_ND96isr_H100_v5 96 / 1900 / 8 x H100 80 GB;
Standard_ND96isr_H200_v5 96 / 1850 / 8 x H200 141 GB; Standard_ND40rs_v2 40 / 672 / 8 x V100 32 GB.
Interruption rates of families no source rates per type are the previous generation's band and
say so (``estimate:previous-generation-band``).
"""

from __future__ import annotations

import pytest

from costopt.catalog import bundled_catalog
from costopt.model import Recommendation
from costopt.rules import defaults
from costopt.rules.spot import interruptible_workload
from tests.conftest import make_resource, make_snapshot

SPECS = [
    ("aws", "p5.4xlarge", 16, 256, 1, 80), ("aws", "p5.48xlarge", 192, 2048, 8, 80), ("aws", "g6.xlarge", 4, 16, 1, 24),
    ("aws", "g6e.xlarge", 4, 32, 1, 48), ("aws", "trn1.32xlarge", 128, 512, 16, 32), ("aws", "inf1.6xlarge", 24, 48, 4, 8),
    ("gcp", "a3-highgpu-8g", 208, 1872, 8, 80), ("gcp", "a2-megagpu-16g", 96, 1360, 16, 40),
    ("azure", "Standard_ND96isr_H100_v5", 96, 1900, 8, 80), ("azure", "Standard_ND96isr_H200_v5", 96, 1850, 8, 141),
    ("azure", "Standard_ND40rs_v2", 40, 672, 8, 32),
]
HOME = {"aws": "us-east-1", "gcp": "us-central1", "azure": "eastus"}
# (provider, type, predecessor type whose band it gets)
NEW_FAMILIES = [("aws", "g6.xlarge", "g5.xlarge"), ("aws", "g6e.12xlarge", "g5.12xlarge"),
                ("aws", "p5.48xlarge", "p4d.24xlarge"), ("aws", "p5en.48xlarge", "p4d.24xlarge"),
                ("aws", "trn1.32xlarge", "inf2.48xlarge"), ("gcp", "a3-highgpu-8g", "a2-highgpu-8g"),
                ("azure", "Standard_ND96isr_H100_v5", "Standard_ND96amsr_A100_v4")]


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


@pytest.mark.parametrize("provider,type_,vcpu,memory,gpus,gpu_memory", SPECS)
def test_new_types_have_published_specs(catalog, provider, type_, vcpu, memory, gpus, gpu_memory):
    spec = catalog.instance(provider, type_)
    assert (spec.vcpu, spec.memory_gib, spec.gpu_count, spec.gpu_memory_gib) == (vcpu, memory, gpus, gpu_memory)


@pytest.mark.parametrize("provider,type_,old", NEW_FAMILIES)
def test_new_families_get_the_previous_generation_band_labelled_as_estimate(catalog, provider, type_, old):
    region = HOME[provider]
    assert catalog.interruption_rate(provider, region, type_) == catalog.interruption_rate(provider, region, old)
    assert catalog.interruption_source(provider, type_) == "estimate:previous-generation-band"
    assert not catalog.interruption_source(provider, old).startswith("estimate")


def test_every_priced_gpu_type_of_the_issue_has_spec_and_rate(catalog):
    wanted = {"aws": ("g6.", "g6e.", "p5.", "p5en.", "trn1.", "inf2.", "p4de."), "gcp": ("a3-",),
              "azure": ("Standard_ND96isr_H100", "Standard_NC40ads_H100", "Standard_NC80adis_H100")}
    for provider, prefixes in wanted.items():
        types = [t for t in catalog.types(provider, priced_only=True) if t.startswith(prefixes)]
        priced_home = [t for t in types if catalog.price(provider, HOME[provider], t) is not None]
        assert priced_home, provider
        for t in priced_home:
            assert catalog.instance(provider, t) is not None, t
            assert catalog.interruption_rate(provider, HOME[provider], t) is not None, t


def test_spot_rule_prices_a_g6_training_box_with_low_confidence(catalog):
    trainer = make_resource("i-train", type="g6.12xlarge", workload="training", hourly_cost=None)
    (rec,) = [o for o in interruptible_workload(make_snapshot([trainer]), catalog, defaults.InterruptibleWorkload())
              if isinstance(o, Recommendation)]
    assert rec.monthly_savings > 0
    assert rec.evidence.facts["interruption_rate_source"] == "estimate:previous-generation-band"
    assert rec.evidence.facts["interruption_rate_per_hour"] == catalog.interruption_rate("aws", "us-east-1", "g5.12xlarge")
    assert rec.confidence == "low"
