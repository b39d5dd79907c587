"""Fixtures for the AWS adapter tests: a moto account, a session on it, the adapter."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber

from costopt.model import Window

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


PERCENTILE = re.compile(r"^[pP]\d+(\.\d+)?$")


def _without_percentiles(original):
    """moto's GetMetricData, answering extended statistics (p95...) with no values.

    moto computes none and fails to serialise the null it returns for them; CloudWatch answers
    a percentile it cannot compute with an empty result, which is what the adapter must cope
    with. Percentile responses themselves are tested with botocore's Stubber."""
    def get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):
        asked = {q["Id"] for q in queries if PERCENTILE.match(q.get("MetricStat", {}).get("Stat", ""))}
        results = original(self, [q for q in queries if q["Id"] not in asked], start_time, end_time, scan_by)
        return results + [{"id": q["Id"], "label": q.get("Label") or q["Id"], "values": [], "timestamps": [],
                           "status_code": "Complete"} for q in queries if q["Id"] in asked and q.get("ReturnData", True)]

    return get_metric_data


@pytest.fixture
def moto_account(monkeypatch):
    from moto import mock_aws
    from moto.cloudwatch.models import CloudWatchBackend

    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    monkeypatch.setattr(CloudWatchBackend, "get_metric_data", _without_percentiles(CloudWatchBackend.get_metric_data))
    with mock_aws():
        yield boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


@pytest.fixture
def window():
    return Window(NOW - timedelta(days=1), NOW)


@pytest.fixture
def adapter(moto_account):
    """Build an AwsProvider on the moto session (catalog prices unless told otherwise)."""
    from costopt.providers.aws.adapter import AwsProvider

    def make(**kw):
        kw.setdefault("regions", ("us-east-1",))
        kw.setdefault("prices", "catalog")
        kw.setdefault("max_workers", 2)
        return AwsProvider(session=moto_account, **kw)

    return make


def put_points(session, region, namespace, name, dims, values, *, end=NOW, period=300, unit="Percent"):
    """put_metric_data: one value per period ending at ``end`` (oldest first)."""
    cw = session.client("cloudwatch", region_name=region)
    n = len(values)
    data = [{"MetricName": name, "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
             "Timestamp": end - timedelta(seconds=period * (n - i)), "Value": float(v), "Unit": unit}
            for i, v in enumerate(values)]
    for start in range(0, n, 500):
        cw.put_metric_data(Namespace=namespace, MetricData=data[start:start + 500])


@pytest.fixture
def pricing():
    """The real Price List client under a botocore Stubber: (client, stub); every queued answer must be used."""
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()
