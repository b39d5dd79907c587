"""Read Azure list operations page by page, keeping what was read before an error.

The azure-mgmt models keep a field of an unexpected type as the raw value (a disk size of
"lots" stays "lots"), so a bad item surfaces later, when costopt maps it to a Resource: the
adapter builds each item on its own (:func:`costopt.providers.list_read.build_each`). Here, an
API error (or a page the SDK refuses) stops the list but keeps the pages read before it.
"""

from __future__ import annotations

from typing import Any

from costopt.providers.list_read import ListRead


def read_paged(item_paged) -> ListRead:
    """Every item of an SDK ``ItemPaged`` list read before the list ended or failed."""
    items: list[Any] = []
    try:
        for page in item_paged.by_page():
            items.extend(page)
    except Exception as exc:  # API error: keep the pages read before it
        return ListRead(tuple(items), (), exc)
    return ListRead(tuple(items))
