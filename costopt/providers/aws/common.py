"""Small helpers the AWS inventory modules share: tags, workload, pagination."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from costopt.model import WORKLOAD_KINDS, Resource

WORKLOAD_TAG = "costopt:workload"


def tag_dict(tags: Iterable[dict[str, Any]] | None) -> dict[str, str]:
    """[{'Key': k, 'Value': v}] -> {k: v} (also accepts lower-case key/value)."""
    out: dict[str, str] = {}
    for t in tags or ():
        key = t.get("Key", t.get("key"))
        if key is not None:
            out[str(key)] = str(t.get("Value", t.get("value", "")))
    return out


def workload_of(tags: dict[str, str]) -> str | None:
    value = (tags.get(WORKLOAD_TAG) or "").strip().lower()
    return value if value in WORKLOAD_KINDS else None


def aws_resource(account_id: str, region: str, tags: dict[str, str], *, name: str | None = None,
                 default_workload: str | None = None, **fields: Any) -> Resource:
    """A Resource of this AWS account and region with its tags: the name defaults to the ``Name``
    tag, the workload to the ``costopt:workload`` tag (else ``default_workload``)."""
    return Resource(provider="aws", account=account_id, region=region, tags=tags,
                    name=tags.get("Name", "") if name is None else name,
                    workload=workload_of(tags) or default_workload, **fields)


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item under ``key`` of every page of ``operation`` (botocore paginator)."""
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, ())


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
