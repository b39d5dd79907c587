"""Token buckets per (service[:operation], account, region) on botocore clients."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from costopt.config import settings_from_mapping
from costopt.errors import ConfigError
from costopt.providers.aws.ratelimit import RateLimiter, TokenBucket
from costopt.providers.aws.session import Account, client_config


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_bucket_allows_one_second_of_burst_then_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(5, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        bucket.take()
    # 5 from the full bucket at t=0, then one every 1/5 s: the 10th at t=1.0
    assert clock.now == pytest.approx(1.0) and bucket.waited == pytest.approx(1.0)
    clock.now += 10  # idle time refills only up to the capacity
    for _ in range(5):
        bucket.take()
    assert clock.now == pytest.approx(11.0)
    bucket.take()
    assert clock.now == pytest.approx(11.2)


def test_the_rate_holds_across_threads():
    bucket = TokenBucket(200)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(50):
            bucket.take()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps.sort()
    assert stamps[-1] - start >= (400 - 200) / 200 * 0.95
    for i, t0 in enumerate(stamps):  # no half-second holds more than the burst plus half a second of rate
        assert sum(1 for t in stamps[i:] if t < t0 + 0.5) <= 200 + 100 + 1


def test_clients_are_shaped_per_operation_account_and_region(moto_account):
    clock = FakeClock()
    limiter = RateLimiter({"cloudwatch:GetMetricData": 2}, clock=clock, sleep=clock.sleep)
    account = Account("123456789012", moto_account, "test", client_config("standard", 2), limiter=limiter)
    other = Account("210987654321", moto_account, "test", client_config("standard", 2), limiter=limiter)
    query = {"MetricDataQueries": [{"Id": "m", "MetricStat": {"Metric": {"Namespace": "AWS/EC2",
                                                                         "MetricName": "CPUUtilization"},
                                                              "Period": 300, "Stat": "Average"}}],
             "StartTime": datetime.now(UTC) - timedelta(hours=1), "EndTime": datetime.now(UTC)}
    for _ in range(6):
        account.client("cloudwatch", "us-east-1").get_metric_data(**query)
    assert clock.sleeps == pytest.approx([0.5] * 4)  # 2 at once, then 2 per second
    account.client("cloudwatch", "eu-west-1").get_metric_data(**query)
    other.client("cloudwatch", "us-east-1").get_metric_data(**query)
    account.client("cloudwatch", "us-east-1").list_metrics()  # ListMetrics has its own (default) bucket
    assert len(clock.sleeps) == 4
    assert limiter.waited()["cloudwatch:GetMetricData"] == pytest.approx(2.0)


def test_rate_limits_in_config_are_checked():
    settings = settings_from_mapping({"providers": {"aws": {"rate_limits": {"ce": 1, "cloudwatch:GetMetricData": 9.5}}}})
    assert settings.providers["aws"]["rate_limits"]["ce"] == 1
    with pytest.raises(ConfigError, match="rate_limits"):
        settings_from_mapping({"providers": {"aws": {"rate_limits": {"ce": 0}}}})
