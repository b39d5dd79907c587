"""Service models cut down to the operations costopt calls: cheap clients for many accounts.

An organization-wide audit makes a client per service, account and region (about 100 per
account). botocore builds every client's class afresh from its service model — one method
and one operation model per API operation, some 700 for EC2 — which cost ~10 ms of CPU per
client and was the largest single cost of ``--org`` (benchmarks/bench_org.py). The
:class:`ReadOnlyLoader` hands botocore the models of the services read per account-region
with only the operations that ``iam-policy.json`` grants (all of them List/Describe/Get), so a
client is built in a fraction of the time, and a client of an audited account cannot even
express a write. The least-privilege test keeps ``iam-policy.json`` equal to the calls made.

Every other model (paginators, endpoint rules, other services) is served unchanged.
"""

from __future__ import annotations

import json
import threading
from importlib import resources
from typing import Any

import botocore.loaders

# boto3 service name -> IAM action prefix, for the services read once per account and region.
CUT_SERVICES = {"ec2": "ec2", "autoscaling": "autoscaling", "application-autoscaling": "application-autoscaling",
                "sagemaker": "sagemaker", "rds": "rds", "cloudwatch": "cloudwatch", "elbv2": "elasticloadbalancing"}


def policy_operations() -> dict[str, frozenset[str]]:
    """The operations iam-policy.json grants, by IAM prefix."""
    text = resources.files("costopt.providers.aws").joinpath("iam-policy.json").read_text()
    out: dict[str, set[str]] = {}
    for statement in json.loads(text)["Statement"]:
        for action in statement["Action"]:
            prefix, operation = action.split(":", 1)
            out.setdefault(prefix, set()).add(operation)
    return {prefix: frozenset(ops) for prefix, ops in out.items()}


class ReadOnlyLoader(botocore.loaders.Loader):
    """A botocore loader whose ``service-2`` models of :data:`CUT_SERVICES` keep only the granted operations."""

    def __init__(self, search_paths: list[str] | None = None):
        if search_paths is None:
            super().__init__()
        else:  # the same data directories as the session it stands in for (botocore's data_path setting)
            super().__init__(extra_search_paths=search_paths, include_default_search_paths=False)
        granted = policy_operations()
        self.keep = {service: granted.get(prefix, frozenset()) for service, prefix in CUT_SERVICES.items()}
        self._cut: dict[tuple[str, str | None], dict[str, Any]] = {}
        self._cut_lock = threading.Lock()

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        model = super().load_service_model(service_name, type_name, api_version)
        keep = self.keep.get(service_name)
        if type_name != "service-2" or keep is None:
            return model
        with self._cut_lock:
            cut = self._cut.get((service_name, api_version))
            if cut is None:
                operations = {name: op for name, op in model["operations"].items() if name in keep}
                cut = self._cut[(service_name, api_version)] = {**model, "operations": operations}
            return cut
