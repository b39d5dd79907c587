"""Hand-made Audits for the reporter tests (deterministic, with hostile strings)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from costopt.audit_extras import BriefRec, Extras, Frontier, FrontierPoint, HistorySection, PreviousAudit, ResolvedRec, TrendPoint
from costopt.evidence import Evidence
from costopt.model import Audit, CoverageEntry, PriceSource, Recommendation, Skip, SloVerdict, Window, recommendation_id
from costopt.records import Current, Impacts, Proposal
from costopt.sections import AuditSettings, CheckResult, Spend, SpendDay, Totals

HOSTILE_TAG = "<img src=x onerror=alert(1)>"
HOSTILE_NAME = '"><script>window.__pwned=1</script>'
FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")"
RUN_AT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
WINDOW = Window(datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
ACCOUNT = "123456789012"


def rec(rule_id, resource_id, action, savings, *, name="", provider="AWS", account=ACCOUNT, region="us-east-1",
        kind="vm", team="vision", risk=1, slo="unknown", reasons=(), before=None, impacts=None, evidence=None,
        current=None, proposed=None, status="selected", reason="", group="", confidence="high", apply=None,
        rationale=None, tags=None, workload=None):
    before = before if before is not None else savings * 2.5
    return Recommendation(
        id=recommendation_id(rule_id, resource_id, action), rule_id=rule_id, resource_id=resource_id, action=action,
        provider=provider, account=account, region=region, resource_kind=kind, resource_name=name,
        current=Current.of(current or {}), proposed=proposed or Proposal(), monthly_cost_before=before, monthly_cost_after=before - savings,
        monthly_savings=savings, savings_low=savings * 0.8, savings_high=savings * 1.1, confidence=confidence,
        performance_risk=risk, evidence=Evidence(facts=evidence or {"cpu_p95_pct": 18.5, "samples": 4032, "lookback_days": 14}),
        impacts=impacts or Impacts(), slo=SloVerdict(slo, tuple(reasons)), rationale=rationale or f"{action} {name or resource_id}",
        apply=apply if apply is not None else f"aws ec2 modify-instance-attribute --instance-id {resource_id}",
        tags=tags if tags is not None else ({"costopt:team": team} if team else {}), workload=workload,
        alternative_group=group, status=status, rejection_reason=reason,
    )


def recommendations():
    return (
        rec("rightsizing.gpu_underused", "i-0train-vision-b", "stop idle GPU instance", 9420.0, name="train-vision-b",
            kind="gpu_vm", current={"type": "g5.12xlarge"}, proposed=Proposal.of({"state": "stopped"}), risk=0,
            evidence={"gpu_p95_pct": 0.7, "gpu_samples": 4030, "lookback_days": 14}, workload="training"),
        rec("spot.training", "i-0train-vision-a", "move to spot", 6120.5, name="train-vision-a", kind="gpu_vm",
            current={"pricing_model": "on_demand"}, proposed=Proposal.of({"pricing_model": "spot"}), risk=2,
            impacts=Impacts.of({"interruptions_per_month": 12.0}), workload="training"),
        rec("model_variants.quantize", "endpoint/fraud-detector", "serve fp16 variant", 2890.0, name="fraud-detector",
            kind="endpoint", team="fraud", slo="ok", reasons=("p95 61 ms <= 80 ms", "accuracy 0.961 >= 0.955"),
            impacts=Impacts.of({"p95_ms_before": 58.0, "p95_ms_after": 61.0, "latency_target_ms": 80.0, "accuracy_before": 0.962,
                     "accuracy_after": 0.961, "accuracy_floor": 0.955}), workload="inference",
            apply="aws sagemaker update-endpoint --endpoint-name fraud-detector --endpoint-config-name fraud-detector-fp16"),
        rec("rightsizing.cpu_overprovisioned", "asg/search-embed", "c5.4xlarge x6 -> c5.2xlarge x6", 1987.2,
            name="search-embed", kind="autoscaling_group", team="search", slo="ok", risk=2,
            current={"type": "c5.4xlarge", "count": 6}, proposed=Proposal.of({"type": "c5.2xlarge", "count": 6}),
            impacts=Impacts.of({"p95_ms_before": 70.0, "p95_ms_after": 96.0, "latency_target_ms": 120.0}), workload="inference"),
        rec("idle.unattached_volume", "vol-0abc", "delete unattached volume", 40.0, name=HOSTILE_NAME, kind="volume",
            team=HOSTILE_TAG, risk=0, apply="aws ec2 delete-volume --volume-id vol-0abc",
            rationale="unattached for 41 days; snapshot first"),
        rec("egress.nat_to_gateway_endpoint", "nat-pipeline", "add S3 gateway endpoint", 1210.0, name="nat-pipeline",
            kind="nat_gateway", team="platform", risk=0, rationale=FORMULA),
        rec("storage.lifecycle", "gs://ml-datasets", "move noncurrent versions to Archive", 860.0, provider="GCP",
            account="ml-prod-4411", region="us-central1", kind="bucket", team="search", confidence="medium",
            apply="gcloud storage buckets update gs://ml-datasets --lifecycle-file=lifecycle.json"),
        rec("commitments.savings_plan", "azure:compute", "buy 1-year reservation", 3020.0, provider="Azure",
            account="sub-77aa", region="westeurope", kind="other", team="", confidence="medium", risk=1,
            apply="az reservations reservation-order purchase ..."),
    )


def rejected():
    return (
        rec("model_variants.quantize", "endpoint/fraud-detector", "serve int8 variant", 3900.0, name="fraud-detector",
            kind="endpoint", team="fraud", slo="breach", reasons=("accuracy 0.948 < floor 0.955",), status="rejected",
            reason="SLO breach: accuracy 0.948 < floor 0.955", workload="inference",
            impacts=Impacts.of({"p95_ms_before": 58.0, "p95_ms_after": 52.0, "latency_target_ms": 80.0, "accuracy_before": 0.962,
                     "accuracy_after": 0.948, "accuracy_floor": 0.955, "accuracy_metric": "AUC"})),
        rec("spot.training", "i-0train-vision-b", "move to spot", 5000.0, name="train-vision-b", status="rejected",
            reason="alternative to rightsizing.gpu_underused (stop idle GPU instance), which saves more"),
    )


def daily_spend(days=35):
    rows = []
    start = date(2026, 10, 19)
    series = (("AWS", "Amazon SageMaker", "AI and Machine Learning", 2100.0), ("AWS", "Amazon EC2", "Compute", 3900.0),
              ("AWS", "Amazon S3", "Storage", 620.0), ("GCP", "Compute Engine", "Compute", 880.0),
              ("Azure", "Virtual Machines", "Compute", 450.0), ("AWS", "AWS Data Transfer", "Networking", 240.0))
    for d in range(days):
        day = start + timedelta(days=d)
        for provider, service, category, base in series:
            cost = base * (1 + 0.08 * math.sin(d / 3.0)) * (1 + 0.01 * d)
            rows.append({"day": day.isoformat(), "provider": provider, "account": ACCOUNT, "service": service,
                         "category": category, "charge": "Usage", "team": None, "cost": round(cost, 2),
                         "billed": round(cost, 2), "egress": 0.0})
    return rows


def make_audit(*, recs=None, with_extras=True, daily=None):
    recs = recommendations() if recs is None else tuple(recs)
    daily = daily_spend() if daily is None else daily
    total = sum(r["cost"] for r in daily)
    savings = sum(r.monthly_savings for r in recs)
    run_rate = total / WINDOW.hours * 730.0
    extras = Extras()
    budgets: tuple[CheckResult, ...] = ()
    if with_extras:
        points = (
            FrontierPoint(0.0, 58.0, 22.0, label="fp32 ml.g4dn.xlarge x4 (current)", feasible=True),
            FrontierPoint(2890.0, 61.0, 19.0, label="fp16 ml.g4dn.xlarge x4", feasible=True, selected=True),
            FrontierPoint(1500.0, 74.0, 6.0, label="fp32 ml.g4dn.xlarge x3", feasible=True),
            FrontierPoint(3900.0, 52.0, 28.0, label="int8 ml.g4dn.xlarge x2", feasible=False),
            FrontierPoint(4400.0, 95.0, -15.0, label=HOSTILE_TAG, feasible=False))
        first = recs[0].id if recs else "x"
        extras = Extras(
            frontier={"fraud-detector": Frontier("p95", 80.0, 58.0, "USD", True, points)},
            history=HistorySection(
                previous=PreviousAudit("2026-11-16T06:00:00+00:00", "audit-20261116T060000Z.json"),
                weekly_spend=55650.0, previous_weekly_spend=53820.0, spend_change=1830.0, spend_change_pct=0.034,
                new=(BriefRec(first, "idle.gpu_instance", "i-0train-vision-b", "train-vision-b", "stop idle GPU instance",
                              9420.0),),
                new_savings=9420.0,
                resolved=(ResolvedRec("rec-old", "idle.unattached_volume", "vol-0zzz", HOSTILE_NAME,
                                      "delete unattached volume", 80.0, 80.0, 80.0, "applied", 0.0),),
                applied=(ResolvedRec("rec-old", "idle.unattached_volume", "vol-0zzz", HOSTILE_NAME,
                                     "delete unattached volume", 80.0, 80.0, 80.0, "applied", 0.0),),
                realised_savings=80.0,
                trend=(TrendPoint("2026-11-02T06:00:00+00:00", 54000.0, 26000.0, 0.0, 0.0, 0),
                       TrendPoint("2026-11-09T06:00:00+00:00", 55100.0, 27500.0, 310.0, 0.0, 0),
                       TrendPoint("2026-11-16T06:00:00+00:00", 56200.0, 24800.0, 310.0, 0.0, 0),
                       TrendPoint("2026-11-23T06:00:00+00:00", 58030.0, savings, 390.0, 0.0, 0))))
        budgets = (
            CheckResult("total:month", "total", "total", "month", "warn", "USD", 201000.0, 262500.0, None, 260000.0, ""),
            CheckResult("team=vision:month", "team=vision", "tag", "month", "fail", "USD", 98000.0, 121000.0, None,
                        90000.0, "forecast 34% over"),
            CheckResult("provider=GCP:week", "provider=GCP", "provider", "week", "pass", "USD", 6300.0, None, None,
                        8000.0, ""),
        )
    return Audit(
        run_at=RUN_AT, window=WINDOW, currency="USD",
        coverage=(CoverageEntry("AWS", f"{ACCOUNT}/us-east-1/ec2", "ok", "38 instances"),
                  CoverageEntry("AWS", f"{ACCOUNT}/eu-west-1/sagemaker", "failed", "AccessDenied on ListEndpoints",
                                "AccessDenied", "grant sagemaker:ListEndpoints to the audit role"),
                  CoverageEntry("GCP", "ml-prod-4411", "ok", "billing export read")),
        spend=Spend(currency="USD", cost_basis="effective", total=total, daily=tuple(SpendDay(**r) for r in daily),
                    first_day=daily[0]["day"] if daily else None, last_day=daily[-1]["day"] if daily else None),
        recommendations=recs, rejected=rejected(),
        skipped=(Skip("rightsizing.cpu_overprovisioned", "i-0nometrics", "no CPU metrics in the window"),
                 Skip("rightsizing.cpu_overprovisioned", "i-0nometrics2", "no CPU metrics in the window"),
                 Skip("spot.training", "i-0x", f"no spot price for {HOSTILE_TAG}")),
        totals=Totals(monthly_savings=savings, monthly_savings_low=savings * 0.8, monthly_savings_high=savings * 1.1,
                      recommendations=len(recs), rejected=2, spend_in_window=total, monthly_run_rate=run_rate),
        prices=(PriceSource("AWS", "AWS Price List API (bulk JSON)", "2026-11-20"),
                PriceSource("GCP", "Cloud Billing Catalog API", "2026-11-18", "us-central1, europe-west4")),
        budgets=budgets, extras=extras,
        settings=AuditSettings(lookback_days=35.0, slo_policy="strict", config="costopt.toml"),
    )
