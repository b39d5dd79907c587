"""Request-rate shaping per AWS service (or operation), account and region: token buckets.

AWS throttles each account separately in each region (global services: per account), and a
few of the APIs an audit leans on have low limits. An org-wide run with dozens of threads
would otherwise find those limits by being throttled and rely on retries; here every request
attempt (``before-send``, so retries are shaped too) first takes a token from the bucket of
its (service[:operation], account, region). A bucket holds one second of tokens and refills at
its rate, so a burst cannot exceed the limit either. botocore's adaptive retry mode stays on
underneath for whatever throttling still happens (another tool sharing the account's quota).

Default rates, in requests per second per account and region, below the documented quotas:

- ``cloudwatch:GetMetricData`` 40 (quota 50 TPS), ``cloudwatch:ListMetrics`` 20 (quota 25 TPS):
  CloudWatch service quotas, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
- ``ec2`` 16 (non-mutating actions: bucket of 100, refilled at 20 per second):
  https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
- ``ce`` 4 and ``pricing`` 8: Cost Explorer and the Price List API publish no per-second
  figure and throttle at a few requests per second; conservative values.

``[providers.aws] rate_limits = { "ce" = 2, "cloudwatch:GetMetricData" = 20 }`` overrides them;
an operation's own entry wins over its service's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

DEFAULT_RATES: dict[str, float] = {
    "cloudwatch:GetMetricData": 40.0,
    "cloudwatch:ListMetrics": 20.0,
    "ec2": 16.0,
    "ce": 4.0,
    "pricing": 8.0,
}


class TokenBucket:
    """``rate`` tokens per second, at most ``capacity`` stored; :meth:`take` waits for one."""

    def __init__(self, rate: float, capacity: float | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.rate = float(rate)
        self.capacity = float(capacity if capacity is not None else max(1.0, rate))
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
        self.updated = clock()
        self.lock = threading.Lock()
        self.waited = 0.0

    def take(self) -> float:
        """Take one token, waiting as needed; returns the seconds waited."""
        with self.lock:  # callers queue here, in order, so the rate holds across threads
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            wait = 0.0
            if self.tokens < 1.0:
                wait = (1.0 - self.tokens) / self.rate
                self.sleep(wait)
                self.tokens = 1.0
                self.updated = self.clock()
            self.tokens -= 1.0
            self.waited += wait
            return wait


class RateLimiter:
    """Token buckets by (service[:operation], account, region), installed on botocore clients."""

    def __init__(self, rates: Mapping[str, float] | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.rates = {**DEFAULT_RATES, **{k: float(v) for k, v in (rates or {}).items()}}
        self.clock, self.sleep = clock, sleep
        self.buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self.lock = threading.Lock()

    def rule(self, service: str, operation: str) -> str | None:
        """The rates key that applies to ``service``'s ``operation`` (None: not shaped)."""
        for key in (f"{service}:{operation}", service):
            if key in self.rates and self.rates[key] > 0:
                return key
        return None

    def bucket(self, key: str, account: str, region: str) -> TokenBucket:
        with self.lock:
            found = self.buckets.get((key, account, region))
            if found is None:
                found = self.buckets[(key, account, region)] = TokenBucket(self.rates[key], clock=self.clock,
                                                                           sleep=self.sleep)
            return found

    def install(self, client: Any, service: str, account: str, region: str) -> None:
        """Shape every request attempt ``client`` sends (``service`` as boto3 names it)."""
        if not any(k == service or k.startswith(service + ":") for k in self.rates):
            return

        def before_send(event_name: str = "", **kwargs: Any) -> None:
            key = self.rule(service, event_name.rsplit(".", 1)[-1])
            if key is not None:
                self.bucket(key, account, region).take()

        client.meta.events.register("before-send", before_send)

    def waited(self) -> dict[str, float]:
        """Seconds spent waiting for tokens, by rates key (for progress lines and benchmarks)."""
        out: dict[str, float] = {}
        with self.lock:
            for (key, _, _), bucket in self.buckets.items():
                out[key] = out.get(key, 0.0) + bucket.waited
        return out
