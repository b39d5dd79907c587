"""Vertex AI online-prediction endpoints (REST ``projects.locations.endpoints.list``).

google-cloud-aiplatform is not a dependency (it is very large), so the list is read over REST
with the same credentials (``google.auth`` AuthorizedSession), paged by ``pageToken`` and
retried by google-api-core on 429/5xx. Each endpoint becomes a Resource of kind ``endpoint``
shaped like the AWS SageMaker ones: ``variants`` = deployed models with machine type,
accelerators and min/max replicas. Vertex bills prediction nodes at its own rates, which the
Compute Engine SKUs do not give, so ``hourly_cost`` stays unknown (rules then say so).
Regions: ``[providers.gcp] vertex_regions``, else the project's Compute regions + us-central1.
"""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as gexc

from costopt.model import Resource
from costopt.providers.gcp.clients import RETRY
from costopt.providers.gcp.inventory import gcp_tags

HOST = "https://{region}-aiplatform.googleapis.com"
DEFAULT_REGIONS = ("us-central1",)


def endpoint_id(project: str, region: str, numeric_id: str) -> str:
    return f"//aiplatform.googleapis.com/projects/{project}/locations/{region}/endpoints/{numeric_id}"


def _get(session, url: str, params: dict[str, str], timeout: tuple[float, float]) -> dict[str, Any]:
    response = session.get(url, params=params, timeout=timeout)
    if response.status_code >= 400:
        raise gexc.from_http_response(response)
    return response.json()


def list_endpoints(clients, project: str, region: str) -> list[dict[str, Any]]:
    base = clients.endpoints.rest or HOST.format(region=region)
    url = f"{base}/v1/projects/{project}/locations/{region}/endpoints"
    out: list[dict[str, Any]] = []
    params: dict[str, str] = {}
    while True:
        page = RETRY(_get)(clients.session(), url, params, clients.http_timeout)
        out.extend(page.get("endpoints") or [])
        token = page.get("nextPageToken")
        if not token:
            return out
        params = {"pageToken": token}


def endpoint_resource(ep: dict[str, Any], project: str, region: str, currency: str) -> Resource:
    numeric = ep["name"].rsplit("/", 1)[-1]
    variants = []
    for model in ep.get("deployedModels") or []:
        dedicated = model.get("dedicatedResources") or {}
        spec = dedicated.get("machineSpec") or {}
        auto = model.get("automaticResources") or {}
        low = int(dedicated.get("minReplicaCount", auto.get("minReplicaCount", 0)) or 0)
        high = int(dedicated.get("maxReplicaCount", auto.get("maxReplicaCount", low)) or low)
        variants.append({
            "name": model.get("displayName") or model.get("id"), "deployed_model_id": model.get("id"),
            "instance_type": spec.get("machineType"), "instance_count": low,
            "accelerator": spec.get("acceleratorType"), "accelerator_count": int(spec.get("acceleratorCount") or 0),
            "weight": (ep.get("trafficSplit") or {}).get(model.get("id")),
            "serverless": None, "autoscaling": {"min": low, "max": high} if high > low else None,
        })
    tags = gcp_tags(ep.get("labels"))
    first = next((v for v in variants if v["instance_type"]), variants[0] if variants else {})
    return Resource(
        provider="gcp", account=project, region=region, id=endpoint_id(project, region, numeric), kind="endpoint",
        type=first.get("instance_type") or "automatic", name=ep.get("displayName") or numeric,
        count=sum(v["instance_count"] for v in variants), hourly_cost=None, currency=currency, tags=tags,
        workload="inference",
        specs={"gpu_count": first.get("accelerator_count", 0), "gpu_model": first.get("accelerator")},
        attributes={"status": "InService" if variants else "NoModel", "variants": variants,
                    "autoscaling": any(v["autoscaling"] for v in variants), "model": tags.get("costopt:model"),
                    "service": "vertex-ai"},
    )
