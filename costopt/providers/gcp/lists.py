"""Read GCP lists page by page so one bad page or item costs only itself.

Compute Engine aggregated lists (instances, disks, addresses) are read one page at a time
with the compute client. The REST transport parses a whole page at once, so one item it
cannot parse (e.g. an address whose ``id`` is out of the uint64 range: "Failed to parse id
field: Value out of range") fails the page; that page is then fetched again as plain JSON
(same URL and page token, same credentials) and parsed item by item, so only the bad item is
skipped. A scope listed in the page's ``unreachables`` or answered with a warning such as
UNREACHABLE (a zone that did not answer) is recorded as skipped too. (``returnPartialSuccess``
is not asked for: the installed compute client's aggregated-list requests have no such field.) An API error
stops the list but keeps the pages read
before it. Bucket lists keep the buckets read before an error.
"""

from __future__ import annotations

import json
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import compute_v1
from google.protobuf import json_format

from costopt.providers.gcp.clients import RETRY
from costopt.providers.list_read import ListRead, Skipped, first_line

COMPUTE_HOST = "https://compute.googleapis.com"
MESSAGES = {"instances": compute_v1.Instance, "disks": compute_v1.Disk, "addresses": compute_v1.Address}
MAX_PAGES = 10_000
# Scope warnings that say nothing is missing; any other (e.g. UNREACHABLE: a zone that did not
# answer) means the list lacks that scope's items and is recorded as a skipped scope.
QUIET_WARNINGS = frozenset({"NO_RESULTS_ON_PAGE"})
UNREACHABLE = "UNREACHABLE: the scope did not answer (listed in unreachables)"


def _raw_page(clients, project: str, kind: str, token: str) -> dict[str, Any]:
    base = clients.endpoints.rest or COMPUTE_HOST
    url = f"{base.rstrip('/')}/compute/v1/projects/{project}/aggregated/{kind}"
    params = {"pageToken": token} if token else {}

    def get():
        response = clients.session().get(url, params=params, timeout=clients.http_timeout)
        if response.status_code >= 400:
            raise gexc.from_http_response(response)
        return response.json()

    return RETRY(get)()


def _parse_items(raw: dict[str, Any], kind: str) -> tuple[list[Any], list[Skipped]]:
    message = MESSAGES[kind]
    items: list[Any] = []
    skipped = [Skipped(str(scope), UNREACHABLE) for scope in raw.get("unreachables") or []]
    for scope, scoped in sorted((raw.get("items") or {}).items()):
        warning = scoped.get("warning") or {}
        if warning.get("code") and warning["code"] not in QUIET_WARNINGS:
            skipped.append(Skipped(scope, f"{warning['code']}: {warning.get('message', '')}"))
        for position, item in enumerate(scoped.get(kind) or []):
            try:
                items.append(message.from_json(json.dumps(item), ignore_unknown_fields=True))
            except (json_format.ParseError, ValueError, TypeError) as exc:
                name = item.get("name") if isinstance(item, dict) else None
                skipped.append(Skipped(str(name or f"{scope}[{position}]"), first_line(exc)))
    return items, skipped


def read_aggregated(clients, project: str, kind: str) -> ListRead:
    """Every ``kind`` item of ``project`` (instances, disks or addresses) that could be read."""
    client = clients.compute(kind)
    items: list[Any] = []
    skipped: list[Skipped] = []
    token = ""
    try:
        for _ in range(MAX_PAGES):
            try:
                pager = client.aggregated_list(request={"project": project, "page_token": token}, retry=RETRY,
                                              timeout=clients.call_timeout)
                page = next(iter(pager.pages))
                skipped.extend(Skipped(scope, UNREACHABLE) for scope in page.unreachables)
                for scope, scoped in sorted(page.items.items()):
                    items.extend(getattr(scoped, kind))
                    if scoped.warning.code and scoped.warning.code not in QUIET_WARNINGS:
                        skipped.append(Skipped(scope, f"{scoped.warning.code}: {scoped.warning.message}"))
                token = page.next_page_token
            except json_format.ParseError:
                raw = _raw_page(clients, project, kind, token)
                good, bad = _parse_items(raw, kind)
                items.extend(good)
                skipped.extend(bad)
                token = raw.get("nextPageToken") or ""
            if not token:
                break
    except Exception as exc:  # API error: keep the pages read before it
        return ListRead(tuple(items), tuple(skipped), exc)
    return ListRead(tuple(items), tuple(skipped))


def read_buckets(clients, project: str) -> ListRead:
    """Every bucket of ``project`` read before the list ended or failed."""
    items: list[Any] = []
    try:
        for bucket in clients.storage(project).list_buckets():
            items.append(bucket)
    except Exception as exc:
        return ListRead(tuple(items), (), exc)
    return ListRead(tuple(items))
