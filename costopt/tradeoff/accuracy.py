"""Accuracy floor check for a model-variant switch.

A cheaper variant (fp16, int8, distilled...) is allowed only when its measured accuracy
meets the workload's floor (``min_accuracy`` in config or the ``costopt:min-accuracy``
tag). The check reports accuracy before/after, the delta and the floor, in the metric the
config names (e.g. AUC).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from costopt.tradeoff.targets import ModelVariant, Workload


@dataclass(frozen=True, slots=True)
class Check:
    """One part of an SLO verdict: status ok / breach / unknown and the reason."""

    status: str
    reason: str


def accuracy_check(workload: Workload, before: ModelVariant | None,
                   after: ModelVariant | None, metric: str = "") -> tuple[dict[str, Any], Check]:
    """Impacts (accuracy before/after/delta/floor) and the verdict of switching variants."""
    metric = metric or workload.accuracy_metric or "accuracy"
    acc0 = before.accuracy if before is not None else None
    acc1 = after.accuracy if after is not None else None
    impacts: dict[str, Any] = {
        "accuracy_before": acc0,
        "accuracy_after": acc1,
        "accuracy_delta": (acc1 - acc0) if acc0 is not None and acc1 is not None else None,
        "accuracy_floor": workload.min_accuracy,
        "accuracy_metric": metric,
        "variant_before": before.name if before is not None else None,
        "variant_after": after.name if after is not None else None,
    }
    name = after.name if after is not None else "the proposed variant"
    if acc1 is None:
        return impacts, Check("unknown", f"no measured {metric} for {name}")
    if workload.min_accuracy is None:
        return impacts, Check("unknown", f"workload {workload.name} declares no accuracy floor ({metric} {acc1:g})")
    if acc1 < workload.min_accuracy:
        return impacts, Check("breach", f"{metric} {acc1:g} of variant {name} is below the floor "
                                        f"{workload.min_accuracy:g} of {workload.name}")
    return impacts, Check("ok", f"{metric} {acc1:g} of variant {name} meets the floor {workload.min_accuracy:g}")
