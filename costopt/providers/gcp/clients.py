"""Build the google-cloud clients: Application Default Credentials, or a local endpoint.

``GcpEndpoints`` points every client at a local fake (the demo and the tests): REST clients
get ``client_options={"api_endpoint": rest}`` with AnonymousCredentials and the REST
transport; the gRPC-only Monitoring client gets an insecure channel to ``monitoring``.
Throttling (429 / RESOURCE_EXHAUSTED) and transient 5xx are retried with google-api-core's
exponential :data:`RETRY`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import google.auth
from google.api_core import exceptions as gexc
from google.api_core import retry as gretry
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import DefaultCredentialsError

from costopt.errors import ProviderError
from costopt.provider_config import Timeouts

RETRY = gretry.Retry(
    predicate=gretry.if_exception_type(gexc.TooManyRequests, gexc.ServiceUnavailable, gexc.InternalServerError,
                                       gexc.ResourceExhausted, gexc.DeadlineExceeded),
    initial=0.2, maximum=10.0, multiplier=2.0, timeout=120.0)

ADC_FIX = "run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key"


@dataclass(frozen=True)
class GcpEndpoints:
    """Local endpoints for every API (None = the real Google endpoints)."""

    rest: str | None = None  # e.g. http://127.0.0.1:PORT (compute, storage, billing, bigquery)
    monitoring: str | None = None  # e.g. 127.0.0.1:PORT (insecure gRPC)


class GcpClients:
    """Lazily built, shared clients (all are thread-safe for reads)."""

    def __init__(self, credentials: Any = None, endpoints: GcpEndpoints | None = None,
                 limits: Timeouts | None = None):
        self.endpoints = endpoints or GcpEndpoints()
        self.limits = limits or Timeouts()  # [providers.gcp] connect_timeout_s / read_timeout_s
        self._credentials = credentials
        self._cache: dict[str, Any] = {}

    @property
    def credentials(self) -> Any:
        if self._credentials is None:
            if self.endpoints.rest or self.endpoints.monitoring:
                self._credentials = AnonymousCredentials()
            else:
                try:
                    self._credentials, _project = google.auth.default(
                        scopes=["https://www.googleapis.com/auth/cloud-platform"])
                except DefaultCredentialsError as exc:
                    raise ProviderError(f"gcp: no Application Default Credentials ({exc}); fix: {ADC_FIX}") from None
        return self._credentials

    @property
    def http_timeout(self) -> tuple[float, float]:
        """(connect, read) seconds for requests made with :meth:`session`."""
        return (self.limits.connect_s, self.limits.read_s)

    @property
    def call_timeout(self) -> float:
        """Seconds each attempt of a client-library call may take (its ``timeout=``)."""
        return self.limits.connect_s + self.limits.read_s

    def _options(self) -> dict[str, Any]:
        return {"api_endpoint": self.endpoints.rest} if self.endpoints.rest else {}

    def _rest(self, key: str, factory):
        if key not in self._cache:
            self._cache[key] = factory(credentials=self.credentials, client_options=self._options(), transport="rest")
        return self._cache[key]

    def compute(self, what: str):
        from google.cloud import compute_v1  # each SDK client is heavy: imported when first used

        cls = {"instances": compute_v1.InstancesClient, "disks": compute_v1.DisksClient,
               "addresses": compute_v1.AddressesClient, "machine_types": compute_v1.MachineTypesClient}[what]
        return self._rest(f"compute.{what}", cls)

    def catalog(self):
        from google.cloud import billing_v1  # heavy SDK module, imported on first use

        return self._rest("catalog", billing_v1.CloudCatalogClient)

    def billing(self):
        from google.cloud import billing_v1  # heavy SDK module, imported on first use

        return self._rest("billing", billing_v1.CloudBillingClient)

    def _project_client(self, key: str, cls: Any, project: str):
        if key not in self._cache:
            self._cache[key] = cls(project=project, credentials=self.credentials, client_options=self._options() or None)
        return self._cache[key]

    def storage(self, project: str):
        from google.cloud import storage  # heavy SDK module, imported on first use

        return self._project_client(f"storage.{project}", storage.Client, project)

    def bigquery(self, project: str):
        from google.cloud import bigquery  # heavy SDK module, imported on first use

        return self._project_client(f"bigquery.{project}", bigquery.Client, project)

    def session(self):
        """An authorized requests session (REST APIs without a client library: Vertex AI)."""
        if "session" not in self._cache:
            from google.auth.transport.requests import AuthorizedSession  # pulls in requests: only Vertex AI reads need it

            self._cache["session"] = AuthorizedSession(self.credentials)
        return self._cache["session"]

    def monitoring(self):
        from google.cloud import monitoring_v3  # heavy SDK module, imported on first use

        if "monitoring" not in self._cache:
            if self.endpoints.monitoring:
                import grpc  # only a local fake needs the insecure channel
                from google.cloud.monitoring_v3.services.metric_service.transports import MetricServiceGrpcTransport  # only a local fake

                channel = grpc.insecure_channel(self.endpoints.monitoring)
                client = monitoring_v3.MetricServiceClient(transport=MetricServiceGrpcTransport(channel=channel))
            else:
                client = monitoring_v3.MetricServiceClient(credentials=self.credentials)
            self._cache["monitoring"] = client
        return self._cache["monitoring"]
