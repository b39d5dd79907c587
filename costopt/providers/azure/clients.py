"""Build the azure-mgmt clients: DefaultAzureCredential (or a given TokenCredential).

Throttling: :class:`ThrottleRetryPolicy` is azure-core's RetryPolicy that also honours Cost
Management's ``x-ms-ratelimit-microsoft.costmanagement-{qpu,entity,tenant,...}-retry-after``
headers (azure-core itself reads only Retry-After / retry-after-ms / x-ms-retry-after-ms).
``base_url`` points every ARM client at a local fake (the demo); plain HTTP is then allowed
for loopback hosts only, by :class:`LoopbackAuthPolicy`.
"""

from __future__ import annotations

import importlib
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import ClientAuthenticationError
from azure.core.pipeline.policies import RetryPolicy
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

from costopt.errors import ProviderError
from costopt.provider_config import Timeouts

ARM_SCOPE = "https://management.azure.com/.default"
CRED_FIX = ("run `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET "
            "(or use a managed identity)")
RATELIMIT_PREFIX = "x-ms-ratelimit-microsoft."
READ_ONLY_POST = "/providers/microsoft.costmanagement/query"

# The per-subscription ARM clients: (module, class).
SUBSCRIPTION_CLIENTS = {
    "compute": ("azure.mgmt.compute", "ComputeManagementClient"),
    "network": ("azure.mgmt.network", "NetworkManagementClient"),
    "storage": ("azure.mgmt.storage", "StorageManagementClient"),
    "monitor": ("azure.mgmt.monitor", "MonitorManagementClient"),
}


class ThrottleRetryPolicy(RetryPolicy):
    """RetryPolicy that also reads the x-ms-ratelimit-*-retry-after headers (seconds).

    azure-core never retries a POST on 429; a Cost Management ``query`` POST only reads, so
    it is retried like a GET.
    """

    def _is_method_retryable(self, settings, request, response=None):
        if (response is not None and response.status_code == 429 and request.method.upper() == "POST"
                and READ_ONLY_POST in urlsplit(request.url).path.lower()):
            return True
        return super()._is_method_retryable(settings, request, response=response)

    def get_retry_after(self, response) -> float | None:
        standard = super().get_retry_after(response)
        if standard is not None:
            return standard
        headers = response.http_response.headers
        waits = []
        for key, value in headers.items():
            low = key.lower()
            if low.startswith(RATELIMIT_PREFIX) and low.endswith("retry-after"):
                try:
                    waits.append(float(value))
                except ValueError:
                    continue
        return max(waits) if waits else None


class LoopbackAuthPolicy(ARMChallengeAuthenticationPolicy):
    """Bearer auth that permits http:// only for 127.0.0.1 / localhost (local fakes)."""

    def on_request(self, request) -> None:
        host = urlsplit(request.http_request.url).hostname or ""
        if host in ("127.0.0.1", "localhost", "::1"):
            request.context.options["enforce_https"] = False
        super().on_request(request)


def make_retry_policy() -> ThrottleRetryPolicy:
    return ThrottleRetryPolicy(retry_total=6, retry_backoff_factor=0.5, retry_backoff_max=30)


class AzureClients:
    """Per-subscription clients sharing one credential and retry policy."""

    def __init__(self, credential: Any = None, base_url: str | None = None, limits: Timeouts | None = None):
        self.limits = limits or Timeouts()  # [providers.azure] connect_timeout_s / read_timeout_s
        self._credential = credential
        self.base_url = base_url
        self._cache: dict[tuple[str, str], Any] = {}

    @property
    def credential(self) -> Any:
        if self._credential is None:
            from azure.identity import DefaultAzureCredential  # heavy (msal): only without an explicit credential

            self._credential = DefaultAzureCredential(exclude_interactive_browser_credential=True)
        return self._credential

    def check_credential(self) -> None:
        """Fail early, with the fix, when no credential can produce a token."""
        try:
            self.credential.get_token(ARM_SCOPE)
        except ClientAuthenticationError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ProviderError(f"azure: no usable credentials ({first[:160]}); fix: {CRED_FIX}") from None

    def _kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"retry_policy": make_retry_policy(), "connection_timeout": self.limits.connect_s,
                              "read_timeout": self.limits.read_s}  # azure-core's transport (default 300 s each)
        if self.base_url:
            kw["base_url"] = self.base_url
            kw["authentication_policy"] = LoopbackAuthPolicy(self.credential, ARM_SCOPE)
        return kw

    def _get(self, name: str, subscription: str, factory):
        key = (name, subscription)
        if key not in self._cache:
            self._cache[key] = factory()
        return self._cache[key]

    def _subscription_client(self, name: str, subscription: str):
        module, class_name = SUBSCRIPTION_CLIENTS[name]

        def build():
            # each SDK client module is heavy (seconds for all of them): imported on first use
            return getattr(importlib.import_module(module), class_name)(self.credential, subscription, **self._kwargs())

        return self._get(name, subscription, build)

    def compute(self, subscription: str):
        return self._subscription_client("compute", subscription)

    def network(self, subscription: str):
        return self._subscription_client("network", subscription)

    def storage(self, subscription: str):
        return self._subscription_client("storage", subscription)

    def monitor(self, subscription: str):
        return self._subscription_client("monitor", subscription)

    def rest(self, subscription: str):
        """An ARM client for plain REST reads that have no SDK here (Machine Learning): the compute
        client's pipeline, with its bearer token, retry policy and base URL."""
        return self.compute(subscription)

    def cost(self):
        from azure.mgmt.costmanagement import CostManagementClient  # heavy SDK module, imported on first use

        return self._get("cost", "", lambda: CostManagementClient(self.credential, **self._kwargs()))
