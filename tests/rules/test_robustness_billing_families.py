"""Garbage in (NaN, inf, negative, duplicate points; NULL billing fields): skips, never a crash.

Covers the commitments, storage, egress, autoscaling and billing.cost_anomaly rules through the
engine, which records a crashing rule in RuleRun.failures — there must be none.
"""

from datetime import timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.config import Settings
from costopt.model import MetricSeries
from costopt.rules.engine import run_rules
from tests.conftest import T0, make_resource, make_snapshot
from tests.rules.billing_frames import billing_table
from tests.rules.tiny_catalog import tiny_catalog

RULES = ["commitments.savings_plan", "commitments.reserved_instances", "storage.tiering", "storage.ml_archive",
         "autoscaling.fixed_capacity", "autoscaling.scale_to_zero", "autoscaling.off_hours", "egress.hot_spots",
         "egress.cross_region", "egress.nat_gateway_endpoint", "billing.cost_anomaly"]
METRICS = ("cpu", "gpu", "requests", "bytes_stored", "objects", "gets", "nat_bytes", "network_in")

RESOURCES = [
    make_resource("ep", kind="endpoint", type="ml.g4dn.xlarge", count=3, workload="notebook"),
    make_resource("b", kind="bucket", type="", hourly_cost=None, name="ml-checkpoints"),
    make_resource("nat", kind="nat_gateway", type=""),
    make_resource("vm", kind="vm", type="", hourly_cost=None, attributes={"data_sources": ["b", "missing"]}),
    make_resource("asg", kind="autoscaling_group", type="unknown.type", count=5, hourly_cost=None),
]

BAD_BILLING = pd.DataFrame({
    "ProviderName": ["AWS", None, "Weird"], "ChargeCategory": ["Usage"] * 3, "ServiceCategory": ["Compute"] * 3,
    "ServiceName": [None, "EC2", "EC2"],
    "ChargePeriodStart": [T0, T0, None], "ChargePeriodEnd": [T0 + timedelta(hours=1), T0, None],
    "BilledCost": [1.0, None, -3.0], "EffectiveCost": [None, 2.0, 1.0], "BillingCurrency": ["USD", None, "EUR"],
    "x_IsEgress": [True, None, False], "x_UsageType": ["USE1-EUW1-AWS-Out-Bytes", None, "a:b"],
})


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**31 - 1), st.booleans(), st.booleans())
def test_garbage_metrics_and_billing_never_crash(seed, with_catalog, with_billing):
    rng = np.random.default_rng(seed)
    t0 = int(T0.timestamp())
    metrics = []
    for r in RESOURCES:
        for m in METRICS:
            n = int(rng.integers(0, 400))
            values = rng.normal(0, 1e6, n)
            values[rng.random(n) < 0.1] = np.nan
            values[rng.random(n) < 0.05] = np.inf
            ts = np.sort(rng.integers(t0, t0 + 14 * 86400, n))  # duplicates likely
            metrics.append(MetricSeries(r.id, m, "x", 3600, ts, values, "Sum",
                                        {"storage_class": str(rng.choice(["STANDARD", "ODD"]))}))
    snap = make_snapshot(RESOURCES, metrics, billing=billing_table(BAD_BILLING) if with_billing else None)
    run = run_rules(snap, tiny_catalog() if with_catalog else None, Settings(), only=RULES)
    assert not run.failures
    assert all(np.isfinite(r.monthly_savings) and r.monthly_savings >= 0 for r in run.candidates)


def test_real_exports_give_findings_or_reasons_never_a_crash(shared_data):
    from costopt.billing.readers import open_sources

    sources = [shared_data / "focus" / "focus_sample.csv",
               *sorted((shared_data / "aws_cur_legacy_csv").glob("*.csv")),
               *sorted((shared_data / "azure_ea_export").glob("*.csv"))]
    billing_rules = [r for r in RULES if r.split(".")[0] in ("commitments", "egress", "billing")]
    for path in sources:
        snap = make_snapshot(billing=open_sources([str(path)], None))
        run = run_rules(snap, tiny_catalog(), Settings(), only=billing_rules)
        assert not run.failures, path.name
        assert all(s.reason for s in run.skipped)
        assert all(r.monthly_savings >= 0 and r.savings_low <= r.monthly_savings + 1e-9 for r in run.candidates)
