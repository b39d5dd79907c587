"""`costopt audit --provider azure|gcp` end to end against the local fakes: each writes its own
provider's findings on the seeded estate (the waste the seed plants is found) and its spend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from costopt.demo.fakes.azure_seed import build_fake_azure
from costopt.demo.fakes.gcp_seed import build_fake_gcp
from tests.providers.azure.test_cli import audit_azure
from tests.providers.gcp.test_cli import audit_gcp

CASES = {
    "azure": (lambda now, out: audit_azure(build_fake_azure(now), now, out),
              {("idle.unattached_volume", "orphan-data-disk"), ("rightsizing.oversized_vm", "api-d16")}),
    "gcp": (lambda now, out: audit_gcp(build_fake_gcp(now), now, out),
            {("idle.unattached_volume", "scratch-ssd"), ("idle.unassociated_address", "old-endpoint-ip"),
             ("rightsizing.oversized_vm", "etl-n2")}),  # etl-n2 needs the metrics inside the window
}


@pytest.mark.parametrize("provider", sorted(CASES))
def test_audit_provider_writes_its_recommendations(provider, tmp_path):
    run, planted = CASES[provider]
    now = datetime.now(UTC)  # the window ends now: seed the fakes relative to it
    audit = run(now, tmp_path)
    found = {(r["rule_id"], r["resource_name"]) for r in audit["recommendations"]}
    assert planted <= found
    assert {r["provider"] for r in audit["recommendations"]} == {provider}
    assert audit["spend"]["total"] > 0
