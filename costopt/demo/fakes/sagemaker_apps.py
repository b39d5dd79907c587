"""SageMaker Studio apps for the demo's moto account: moto 5 has no ListApps / DescribeApp.

While :func:`serving_apps` is active, those two actions are added to moto's SageMaker
responder and answered from a list of :class:`StudioApp` records, in the shapes of the
SageMaker API reference (``AppDetails`` in ListApps, the DescribeApp response; botocore's
service model in the venv has both). The domains are moto's own (``CreateDomain``). The
adapter's requests and the answers still cross botocore exactly as against AWS: serialised
in the JSON 1.1 protocol, ``DomainIdEquals`` filtered, paged by ``NextToken`` / ``MaxResults``,
parsed by botocore. An app that is not there is moto's ``ResourceNotFound``. Only the demo
uses this; nothing in costopt's product code knows about it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ResourceNotFound
from moto.sagemaker.responses import SageMakerResponse

PAGE = 50  # ListApps' default MaxResults (the reference: 1..100, default 10; a fake may page wider)


@dataclass(frozen=True)
class StudioApp:
    """One Studio app: its owner is a user profile or a space."""

    domain_id: str
    app_type: str  # JupyterServer | KernelGateway | JupyterLab | CodeEditor ...
    app_name: str
    status: str  # Deleted | Deleting | Failed | InService | Pending
    instance_type: str
    created: datetime
    last_activity: datetime | None = None
    user_profile: str | None = None
    space: str | None = None

    def arn(self, account: str, region: str) -> str:
        owner = self.user_profile or self.space
        return f"arn:aws:sagemaker:{region}:{account}:app/{self.domain_id}/{owner}/{self.app_type.lower()}/{self.app_name}"

    def _owner(self) -> dict[str, str]:
        return {"UserProfileName": self.user_profile} if self.user_profile else {"SpaceName": str(self.space)}

    def details(self) -> dict[str, Any]:
        """ListApps' ``AppDetails``."""
        return {"DomainId": self.domain_id, **self._owner(), "AppType": self.app_type, "AppName": self.app_name,
                "Status": self.status, "CreationTime": self.created,
                "ResourceSpec": {"InstanceType": self.instance_type}}

    def described(self, account: str, region: str) -> dict[str, Any]:
        """The DescribeApp response."""
        out = {"AppArn": self.arn(account, region), "AppType": self.app_type, "AppName": self.app_name,
               "DomainId": self.domain_id, **self._owner(), "Status": self.status, "CreationTime": self.created,
               "LastHealthCheckTimestamp": self.created, "ResourceSpec": {"InstanceType": self.instance_type}}
        if self.last_activity is not None:
            out["LastUserActivityTimestamp"] = self.last_activity
        return out


def _handlers(apps: list[StudioApp]):
    def list_apps(self: SageMakerResponse) -> Any:
        domain = self._get_param("DomainIdEquals")
        found = [a for a in apps if domain in (None, a.domain_id)]
        start = int(self._get_param("NextToken") or 0)
        size = int(self._get_param("MaxResults") or PAGE)
        page = found[start:start + size]
        token = str(start + size) if start + size < len(found) else None
        return ActionResult({"Apps": [a.details() for a in page], **({"NextToken": token} if token else {})})

    def describe_app(self: SageMakerResponse) -> Any:
        want = (self._get_param("DomainId"), self._get_param("AppType"), self._get_param("AppName"),
                self._get_param("UserProfileName") or self._get_param("SpaceName"))
        for a in apps:
            if (a.domain_id, a.app_type, a.app_name, a.user_profile or a.space) == want:
                return ActionResult(a.described(self.current_account, self.region))
        raise ResourceNotFound(f"App {want[2]} of type {want[1]} in domain {want[0]} does not exist")

    return {"list_apps": list_apps, "describe_app": describe_app}


@contextlib.contextmanager
def serving_apps(apps: list[StudioApp]) -> Iterator[list[StudioApp]]:
    """Answer ListApps / DescribeApp from ``apps`` in moto's SageMaker while the block runs."""
    added = _handlers(apps)
    before = {name: SageMakerResponse.__dict__.get(name) for name in added}
    for name, fn in added.items():
        setattr(SageMakerResponse, name, fn)
    try:
        yield apps
    finally:
        for name, fn in before.items():
            if fn is None:
                delattr(SageMakerResponse, name)
            else:
                setattr(SageMakerResponse, name, fn)
