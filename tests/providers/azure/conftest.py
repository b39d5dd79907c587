"""Fixtures: the real azure-mgmt clients through the `responses` library, answered by FakeAzure."""

from __future__ import annotations

import copy
import json
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import responses
from azure.core.credentials import AccessToken

from costopt.config import Settings
from costopt.demo.fakes.azure import FakeAzure
from costopt.demo.fakes.azure_seed import SUBSCRIPTION, build_fake_azure
from costopt.demo.fakes.http import as_responses_callback
from costopt.model import Window
from costopt.progress import QUIET
from costopt.providers.azure.adapter import AzureProvider

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(days=14), NOW)


class FakeCredential:
    """A TokenCredential: hands out a fixed bearer token (counts the calls)."""

    def __init__(self, error: Exception | None = None):
        self.error = error
        self.calls = 0

    def get_token(self, *scopes, **kwargs) -> AccessToken:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return AccessToken("fake-token", int(time.time()) + 3600)


@dataclass
class AzureEnv:
    fake: FakeAzure
    headers: list[dict] = field(default_factory=list)
    calls: list = field(default_factory=list)  # copies kept by the baseline fixture
    bodies: list = field(default_factory=list)

    def collect(self, subscriptions=(SUBSCRIPTION,), settings: Settings | None = None, credential=None):
        provider = AzureProvider(subscriptions=subscriptions, credential=credential or FakeCredential())
        return provider.collect(WINDOW, settings or Settings(), QUIET)


@pytest.fixture(scope="module")
def _seed():
    return build_fake_azure(NOW)


def _mocked(fake: FakeAzure):
    fake.denied.clear(), fake.throttle.clear(), fake.calls.clear(), fake.bodies.clear()
    env = AzureEnv(fake)
    handler = as_responses_callback(fake.handle)

    def recording(request):
        env.headers.append(dict(request.headers))
        return handler(request)

    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    for method in (responses.GET, responses.POST):
        mock.add_callback(method, re.compile(r"https://management\.azure\.com/.*"), callback=recording)
        mock.add_callback(method, re.compile(r"https://prices\.azure\.com/.*"), callback=recording)
    return env, mock


@pytest.fixture
def azure(_seed):
    env, mock = _mocked(_seed)
    with mock:
        yield env


@dataclass
class Baseline:
    snapshot: object
    env: AzureEnv


@pytest.fixture(scope="module")
def baseline(_seed, tmp_path_factory) -> Baseline:
    """One fault-free collect (with its recorded calls) shared by the read-only tests."""
    env, mock = _mocked(_seed)
    with mock, pytest.MonkeyPatch.context() as mp:
        mp.setenv("COSTOPT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))  # module scope: before autouse
        snapshot = env.collect()
    env.calls = list(_seed.calls)
    env.bodies = list(_seed.bodies)
    return Baseline(snapshot, env)


@contextmanager
def faulty(fake, fault=None):
    """Mock ARM + Retail Prices: ``fault(method, url)`` may answer instead of the seeded fake."""
    fake.denied.clear(), fake.throttle.clear(), fake.calls.clear(), fake.bodies.clear()
    seeded = as_responses_callback(fake.handle)

    def callback(request):
        answer = fault(request.method, request.url) if fault else None
        if answer is None:
            return seeded(request)
        status, headers, body = answer
        return status, {**headers, "Content-Type": "application/json"}, json.dumps(body)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in (responses.GET, responses.POST):
            mock.add_callback(method, re.compile(r"https://(management|prices)\.azure\.com/.*"), callback=callback)
        yield AzureEnv(fake)


@contextmanager
def seeded(fake, kind: str, extra: list[dict]):
    sub = fake.subscriptions[SUBSCRIPTION]
    saved = copy.deepcopy(getattr(sub, kind))
    getattr(sub, kind).extend(extra)
    try:
        yield
    finally:
        setattr(sub, kind, saved)
