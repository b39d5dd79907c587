"""Workload targets from resource tags: ``costopt:model``, ``costopt:workload`` (kind),
``costopt:slo-p95-ms``, ``costopt:slo-p99-ms``, ``costopt:min-accuracy``,
``costopt:interruptible``, ``costopt:variant``.

Config wins; tags fill what config leaves open. Tag values come from the cloud, so a bad one
is ignored and noted (the note shows in the SLO verdict's reasons), never an error.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from costopt.model import WORKLOAD_KINDS, Resource
from costopt.tradeoff.workloads import Workload

TAG_MODEL = "costopt:model"
TAG_KIND = "costopt:workload"
TAG_P95 = "costopt:slo-p95-ms"
TAG_P99 = "costopt:slo-p99-ms"
TAG_MIN_ACCURACY = "costopt:min-accuracy"
TAG_INTERRUPTIBLE = "costopt:interruptible"
TAG_VARIANT = "costopt:variant"
TAG_KEYS = (TAG_MODEL, TAG_KIND, TAG_P95, TAG_P99, TAG_MIN_ACCURACY, TAG_INTERRUPTIBLE, TAG_VARIANT)
# the tags that alone make a workload for a resource no config workload claims
_WORKLOAD_TAGS = (TAG_MODEL, TAG_P95, TAG_P99, TAG_MIN_ACCURACY, TAG_INTERRUPTIBLE)

def _tag_number(resource: Resource, key: str, notes: list[str], *, positive: bool = True) -> float | None:
    raw = resource.tags.get(key)
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        notes.append(f"tag {key}={raw!r} ignored: not a number")
        return None
    if not math.isfinite(value) or (positive and value <= 0):
        notes.append(f"tag {key}={raw!r} ignored: expected a positive number")
        return None
    return value


def merge_tags(base: Workload | None, resource: Resource) -> Workload | None:
    """Fill a workload's open fields from the resource's costopt:* tags (config wins)."""
    tags = resource.tags
    if base is None and not any(k in tags for k in _WORKLOAD_TAGS):
        kind = tags.get(TAG_KIND) or resource.workload
        if kind is None or kind in WORKLOAD_KINDS:
            return None  # no target, model or interruptibility tag, and no bad tag to note
    notes: list[str] = []
    p95 = _tag_number(resource, TAG_P95, notes)
    p99 = _tag_number(resource, TAG_P99, notes)
    min_acc = _tag_number(resource, TAG_MIN_ACCURACY, notes, positive=False)
    interruptible: bool | None = None
    raw_int = resource.tags.get(TAG_INTERRUPTIBLE)
    if raw_int is not None:
        low = str(raw_int).strip().lower()
        if low in ("true", "yes", "1"):
            interruptible = True
        elif low in ("false", "no", "0"):
            interruptible = False
        else:
            notes.append(f"tag {TAG_INTERRUPTIBLE}={raw_int!r} ignored: expected true or false")
    kind = resource.tags.get(TAG_KIND) or resource.workload
    if kind is not None and kind not in WORKLOAD_KINDS:
        notes.append(f"tag {TAG_KIND}={kind!r} ignored: not a known workload kind")
        kind = None
    model = resource.tags.get(TAG_MODEL) or None
    variant = resource.tags.get(TAG_VARIANT) or None
    tag_targets: dict[float, float] = {}
    if p95 is not None:
        tag_targets[0.95] = p95
    if p99 is not None:
        tag_targets[0.99] = p99
    any_tag = bool(tag_targets) or min_acc is not None or interruptible is not None or model
    if base is None:
        if not any_tag and not notes:
            return None
        return Workload(name=model or resource.name or resource.id, kind=kind, model=model,
                        variant=variant, latency_targets_ms=tag_targets, min_accuracy=min_acc,
                        interruptible=interruptible, source="tags", notes=tuple(notes))
    merged_targets = dict(tag_targets)
    merged_targets.update(base.latency_targets_ms)
    changes: dict[str, Any] = {"latency_targets_ms": merged_targets}
    if base.min_accuracy is None and min_acc is not None:
        changes["min_accuracy"] = min_acc
    if base.interruptible is None and interruptible is not None:
        changes["interruptible"] = interruptible
    if base.kind is None and kind is not None:
        changes["kind"] = kind
    if base.variant is None and variant is not None:
        changes["variant"] = variant
    used_tags = (merged_targets != dict(base.latency_targets_ms)) or len(changes) > 1
    if used_tags:
        changes["source"] = "config+tags"
    if notes:
        changes["notes"] = tuple(base.notes) + tuple(notes)
    return replace(base, **changes)
