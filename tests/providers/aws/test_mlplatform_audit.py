"""The issue's check, end to end: a moto account read by the real adapter, then the whole audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from costopt.catalog import bundled_catalog
from costopt.config import Settings
from costopt.model import HOURS_PER_MONTH
from costopt.pipeline import build_audit
from costopt.providers.aws.adapter import AwsProvider
from tests.providers.aws import sagemaker_estate as est
from tests.providers.aws.conftest import NOW
from tests.rules.test_mlplatform import LOOKBACK, spot_oracle

CATALOG = bundled_catalog()


def test_issue_check_end_to_end_from_a_moto_account(moto_account):
    """The issue's account: a ml.p3.2xlarge notebook in service 20 days without auto-stop, six finished
    9-hour training jobs on 2 x ml.p3.8xlarge without managed spot -> both named, priced, with the apply step."""
    est.notebook(moto_account, "research-gpu", "ml.p3.2xlarge", created=NOW - timedelta(days=20),
                 tags={"costopt:team": "vision"})
    for i in range(6):
        est.training_job(moto_account, f"resnet-train-2026-11-{8 + i:02d}-02-00-00-000", "ml.p3.8xlarge", 2,
                         start=NOW - timedelta(days=12 - 2 * i), hours=9, tags={"costopt:team": "vision"})
    snap = AwsProvider(session=moto_account, regions=("us-east-1",), prices="catalog", with_costs=False).collect(LOOKBACK)
    audit = build_audit(snap, Settings(), CATALOG, now=NOW)
    by_rule = {r.rule_id: r for r in audit.recommendations if r.family == "mlplatform"}
    nb, train = by_rule["mlplatform.notebook_idle_shutdown"], by_rule["mlplatform.training_managed_spot"]
    assert nb.resource_name == "research-gpu" and nb.apply.startswith("aws sagemaker create-notebook-instance")
    assert nb.monthly_savings == pytest.approx(3.825 * HOURS_PER_MONTH * 118 / 168)
    assert train.resource_name == "resnet-train (6 jobs)" and "EnableManagedSpotTraining=true" in train.apply
    od = CATALOG.price("aws", "us-east-1", "ml.p3.8xlarge").amount
    spot = CATALOG.price("aws", "us-east-1", "ml.p3.8xlarge", "spot").amount
    rate = CATALOG.interruption_rate("aws", "us-east-1", "p3.8xlarge")
    assert train.monthly_savings == pytest.approx(spot_oracle(od, spot, rate, 2, 9.0, 6, 4.5))
    assert nb.tags.get("costopt:team") == "vision" == train.tags.get("costopt:team")
