"""The fast timestamp parser gives botocore's values, and the adapter's sessions use it."""

from __future__ import annotations

from datetime import UTC

import pytest
from botocore.utils import parse_timestamp as botocore_parse_timestamp

from costopt.providers.aws import timestamps
from costopt.providers.aws.session import client_config, open_accounts


@pytest.mark.parametrize("value", [
    "2026-11-20T12:00:00.000Z", "2026-11-20T12:00:00Z", "2026-11-20T12:00:00.123456+02:00",
    "2026-11-20T12:00:00-05:30", "2026-11-20T12:00:00", "2026-11-20", 1700000000, 1700000000.25,
    "1700000000.5", "Wed, 20 Nov 2026 12:00:00 GMT",
])
def test_same_datetime_as_botocore(value):
    ours, theirs = timestamps.parse_timestamp(value), botocore_parse_timestamp(value)
    assert ours == theirs and (ours.tzinfo is None) == (theirs.tzinfo is None)


def test_bad_value_is_refused_like_botocore():
    with pytest.raises(ValueError):
        timestamps.parse_timestamp("2026-13-45T99:00:00Z")


def test_the_adapters_sessions_parse_with_it(moto_account):
    open_accounts(None, (), client_config(), session=moto_account)
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    ec2.run_instances(ImageId="ami-12345678", InstanceType="m5.large", MinCount=1, MaxCount=1)
    launch = ec2.describe_instances()["Reservations"][0]["Instances"][0]["LaunchTime"]
    assert launch.tzinfo is UTC  # botocore's own parser gives dateutil's tzutc()
