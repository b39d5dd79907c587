"""Impacts that are not queueing: spot interruptions, storage tiers, cold starts.

* **Spot / preemptible**: the interruption rate per hour (catalog, else the candidate's own
  figure, else a cautious default) and, for training, the added wall time: each
  interruption loses half a checkpoint interval of work plus the restart overhead, so wall
  time grows by ``rate x (checkpoint/2 + restart)`` hours per hour. A workload that is not
  interruption-tolerant (config/tag ``interruptible = false``, or an inference workload not
  declared tolerant) is a breach.
* **Storage tiering**: the tier's first-byte latency and the retrieval cost of the bytes the
  readers pull each month. A bucket a training workload reads (``datasets``) moved to an
  archive tier that must be restored first is a breach.
* **Scale to zero / serverless**: the cold start against the latency target. Requests that
  meet a cold start are those arriving after an idle hour; when they are more than the
  target's tail (5 % for p95) and the cold start exceeds the target, it is a breach.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from costopt.model import Recommendation, Resource
from costopt.tradeoff.accuracy import Check
from costopt.tradeoff.load import Observed
from costopt.tradeoff.params import TradeoffParams
from costopt.tradeoff.targets import Workload


def spot_impacts(rec: Recommendation, resource: Resource | None, workload: Workload | None,
                 catalog: Any, params: TradeoffParams) -> tuple[dict[str, Any], list[Check]]:
    type_ = str(rec.proposed.type or rec.current.get("type") or (resource.type if resource else ""))
    rate = rec.impacts.interruption_rate_per_hour  # the rule's own (job-level) rate comes first
    source = "rule"
    if rate is None and catalog is not None and type_:
        rate, source = catalog.interruption_rate(rec.provider, rec.region, type_), "catalog"
    if rate is None:
        rate, source = params.default_interruption_rate, "default"
    ckpt = (workload.checkpoint_interval_min if workload and workload.checkpoint_interval_min else
            params.checkpoint_interval_min)
    restart = (workload.restart_overhead_min if workload and workload.restart_overhead_min is not None else
               params.restart_overhead_min)
    added = rate * (ckpt / 2.0 + restart) / 60.0
    impacts: dict[str, Any] = {"interruption_rate_per_hour": rate, "interruption_rate_source": source,
               "interruptions_per_month": rate * 730.0, "checkpoint_interval_min": ckpt,
               "restart_overhead_min": restart}
    kind = (workload.kind if workload else None) or (resource.workload if resource else None)
    if kind in ("training", "batch", None):
        impacts["added_wall_time_pct"] = added * 100.0
    if workload is None:
        return impacts, [Check("unknown", "no workload declares whether this resource tolerates interruptions")]
    if workload.interruptible is False:
        return impacts, [Check("breach", f"workload {workload.name} is declared not interruptible")]
    if workload.interruptible is None:
        if kind == "inference":
            return impacts, [Check("breach", f"inference workload {workload.name} is not declared interruption-tolerant")]
        return impacts, [Check("unknown", f"workload {workload.name} does not declare whether it tolerates interruptions")]
    text = f"{rate * 730:.2g} interruptions/month expected"
    if "added_wall_time_pct" in impacts:
        text += f", about {impacts['added_wall_time_pct']:.2g}% more wall time with {ckpt:g}-min checkpoints"
    return impacts, [Check("ok", text)]


def _tier(catalog: Any, rec: Recommendation) -> Any:
    name = rec.proposed.storage_class or rec.proposed.lifecycle
    if catalog is None or not name:
        return None
    for tier in catalog.storage_tiers(rec.provider, rec.region):
        if tier.name.lower() == str(name).lower():
            return tier
    return None


def storage_impacts(rec: Recommendation, readers: Sequence[Workload], catalog: Any,
                    params: TradeoffParams) -> tuple[dict[str, Any], list[Check]]:
    tier = _tier(catalog, rec)
    impacts: dict[str, Any] = {}
    read_gb = rec.impacts.retrieval_gb_month
    if rec.evidence.read_gb_month is not None:  # the rule's evidence: what the readers pull
        read_gb = rec.evidence.read_gb_month
    if tier is not None:
        impacts["first_byte_ms_after"] = tier.first_byte_ms
        impacts["retrieval_per_gb"] = tier.retrieval_per_gb
        if read_gb is not None:
            impacts["retrieval_gb_month"] = read_gb
            impacts["retrieval_cost_month"] = read_gb * tier.retrieval_per_gb
    training = [w for w in readers if w.kind in ("training", "batch", None)]
    if readers:
        impacts["read_by"] = tuple(w.name for w in readers)
    if not readers:
        return impacts, []
    if tier is None:
        return impacts, [Check("unknown", "target tier not in the catalog: first-byte latency unknown")]
    if training and tier.first_byte_ms >= params.archive_first_byte_ms:
        hours = tier.first_byte_ms / 3_600_000.0
        return impacts, [Check("breach", (
            f"{', '.join(w.name for w in training)} read this bucket; {tier.name} must be restored before "
            f"reading (first byte ~{hours:,.1f} h)"))]
    return impacts, [Check("ok", f"first byte ~{tier.first_byte_ms:,.0f} ms on {tier.name} for "
                                 f"{', '.join(w.name for w in readers)}")]


def cold_start_impacts(rec: Recommendation, obs: Observed | None, workload: Workload | None,
                       params: TradeoffParams) -> tuple[dict[str, Any], list[Check]]:
    cold = workload.cold_start_s if workload is not None else None  # a measured figure in config wins
    if cold is None:
        cold = rec.impacts.cold_start_s  # the rule's figure
    if cold is None:
        cold = params.cold_start_s
    impacts: dict[str, Any] = {"cold_start_s": cold}
    share = None
    if obs is not None and obs.request_hours:
        starts = obs.cold_starts()
        total = obs.total_requests
        share = (starts / total) if total > 0 else 0.0
        impacts["cold_starts_per_month"] = starts * 730.0 / max(obs.request_hours, 1)
        impacts["cold_start_request_share"] = share
    if workload is None or workload.latency_target_ms is None:
        return impacts, [Check("unknown", f"cold start ~{cold:g} s; no latency target declared")]
    target = workload.latency_target_ms
    q = workload.latency_quantile or 0.95
    if cold * 1000.0 <= target:
        return impacts, [Check("ok", f"cold start {cold:g} s is within the {target:g} ms target")]
    if share is None:
        return impacts, [Check("unknown", f"cold start {cold:g} s exceeds the {target:g} ms target; no request metrics to say how often")]
    if share > 1.0 - q:
        return impacts, [Check("breach", (
            f"cold start {cold:g} s exceeds the {target:g} ms target and would hit {share:.1%} of requests "
            f"(more than the {1 - q:.0%} tail a p{q * 100:g} target allows)"))]
    return impacts, [Check("ok", f"cold start {cold:g} s hits {share:.2%} of requests, inside the p{q * 100:g} tail")]


def combine(checks: Sequence[Check], notes: Sequence[str] = ()) -> tuple[str, tuple[str, ...]]:
    """Overall status (any breach > any unknown > ok) and reasons, breaches first."""
    if not checks:
        return "unknown", tuple(notes)
    if len(checks) == 1 and checks[0].status in _ORDER:
        return checks[0].status, (checks[0].reason, *notes)
    ranked = sorted(checks, key=lambda c: _ORDER[c.status])  # stable: equal statuses keep their order
    return ranked[0].status, (*(c.reason for c in ranked), *notes)


_ORDER = {"breach": 0, "unknown": 1, "ok": 2}
