"""Commitment rules: Savings Plans / spend CUDs from hourly billing, reservations from inventory.

Both size the commitment with :mod:`costopt.rules.commitment_math`: the level that
minimises c·p_commit·H + Σ_h max(0, u_h − c)·p_od is the (1 − p_commit/p_od) quantile of the
hourly usage left after existing commitments. One recommendation per commitment scope; its
``alternative_group`` is that scope (``commit:<provider>:<account>`` for spend plans,
``commit:<provider>:<region>:<type>`` for reservations). The reservation rule only runs for
providers whose billing has no hourly compute usage, so the two never price the same hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from costopt.billing.schema import FOCUS_COLUMNS
from costopt.catalog.licence import LINUX, os_of
from costopt.evidence import Evidence
from costopt.model import Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.records import Current, Proposal
from costopt.rules import defaults
from costopt.rules.base import rule
from costopt.rules.billing_sql import cost_expr, provider_key, sql_list
from costopt.rules.commitment_apply import PAY_LABEL, ri_apply, sp_apply
from costopt.rules.commitment_math import TERM_MONTHS, TERM_SECONDS, optimal_level, plan, weekly_savings_range
from costopt.rules.hourly import hour_grid, presence_matrix

COMMITTED_KINDS = frozenset({"reserved", "savings_plan", "committed"})
# Identical usage lines happen in real exports (split meter lines); more than this share means
# the same file was read twice and every hour would be doubled.
DUPLICATE_TOLERANCE = 0.01



def spot_candidate(r: Resource, spot_workloads: tuple[str, ...]) -> bool:
    """Interruption-tolerant (spot.* territory): tagged interruptible, or a tolerant workload not tagged false."""
    tag = (r.tag("costopt:interruptible") or "").strip().lower()
    if tag in ("true", "false"):
        return tag == "true"
    workload = r.workload or r.tag("costopt:workload")
    return workload in spot_workloads


# --- billing: spend-based plans ---------------------------------------------------------------


def _not_excluded(excluded: list[str]) -> str:
    return f"AND COALESCE(ResourceId, '') NOT IN {sql_list(excluded)}" if excluded else ""


def _sizing_key(params: defaults.SavingsPlan) -> str:
    """The account a plan is sized for: the payer (plans shared across its accounts) or each account."""
    if params.sizing == "account":
        return "COALESCE(BillingAccountId, '') AS payer, COALESCE(SubAccountId, BillingAccountId, '') AS account"
    return "COALESCE(BillingAccountId, '') AS payer, COALESCE(BillingAccountId, '') AS account"


def _hourly_usage_sql(params: defaults.SavingsPlan, excluded: list[str]) -> str:
    cost = cost_expr("EffectiveCost")
    return f"""
        SELECT ProviderName AS provider, {_sizing_key(params)},
               BillingCurrency AS currency,
               date_trunc('hour', ChargePeriodStart) AS hour,
               SUM(CASE WHEN CommitmentDiscountId IS NULL
                         AND COALESCE(PricingCategory, 'Standard') NOT IN ('Committed', 'Dynamic')
                        THEN {cost} ELSE 0 END) AS on_demand,
               SUM(CASE WHEN CommitmentDiscountId IS NOT NULL OR PricingCategory = 'Committed'
                        THEN {cost} ELSE 0 END) AS committed,
               MAX(epoch(ChargePeriodEnd) - epoch(ChargePeriodStart)) AS max_period_s,
               COUNT(*) AS rows
        FROM focus
        WHERE ChargeCategory = 'Usage' AND ServiceCategory IN {sql_list(params.service_categories)}
          AND ChargePeriodStart IS NOT NULL {_not_excluded(excluded)}
        GROUP BY ALL
    """


# A usage row's identity: the export's line item id where it has one (CUR identity/LineItemId,
# unique per line item and hour), else every column of the row. Rows of one instance-hour split
# across several size-flexible reservations share resource, SKU and hour but not their ids.
ROW_COLUMNS = tuple(c for c in FOCUS_COLUMNS if c not in ("x_LineItemId", "x_SourceFile"))


def _duplicate_sql(params: defaults.SavingsPlan) -> str:
    full_row = ", ".join(f"CASE WHEN x_LineItemId IS NULL THEN {c} END" for c in ROW_COLUMNS)
    return f"""
        SELECT provider, account, SUM(n - 1) AS duplicates
        FROM (SELECT ProviderName AS provider, {_sizing_key(params)}, COUNT(*) AS n FROM focus
              WHERE ChargeCategory = 'Usage' AND ServiceCategory IN {sql_list(params.service_categories)}
              GROUP BY ProviderName, BillingAccountId, SubAccountId, x_LineItemId, ChargePeriodStart, {full_row}
              HAVING COUNT(*) > 1)
        GROUP BY ALL
    """


def _type_mix_sql(params: defaults.SavingsPlan, excluded: list[str]) -> str:
    return f"""
        SELECT ProviderName AS provider, {_sizing_key(params)}, COALESCE(RegionId, '') AS region,
               COALESCE(ResourceId, '') AS resource_id, COALESCE(x_UsageType, '') AS usage_type,
               SUM({cost_expr('EffectiveCost')}) AS cost
        FROM focus
        WHERE ChargeCategory = 'Usage' AND ServiceCategory IN {sql_list(params.service_categories)}
          AND CommitmentDiscountId IS NULL {_not_excluded(excluded)}
          AND COALESCE(PricingCategory, 'Standard') NOT IN ('Committed', 'Dynamic')
        GROUP BY ALL
    """


def _type_of(row: Any, inventory: dict[str, Resource]) -> str:
    res = inventory.get(row.resource_id)
    if res is not None and res.type:
        return res.type
    usage = str(row.usage_type or "")
    return usage.rsplit(":", 1)[-1] if ":" in usage else ""


def _discount_ratio(mix: pd.DataFrame, prov: str, catalog: Any, term: str,
                    inventory: dict[str, Resource]) -> tuple[float | None, float, list[str]]:
    """Cost-weighted commit/on-demand price ratio of the types in use, the priced cost share, sources."""
    weighted = priced = total = 0.0
    sources: set[str] = set()
    for row in mix.itertuples(index=False):
        cost = float(row.cost) if row.cost == row.cost and row.cost is not None else 0.0
        total += cost
        type_ = _type_of(row, inventory)
        if not type_ or not row.region or cost <= 0:
            continue
        od = catalog.price(prov, row.region, type_, "on_demand")
        commit = catalog.price(prov, row.region, type_, f"commit_{term}")
        if od is None or commit is None or od.amount <= 0:
            continue
        weighted += cost * commit.amount / od.amount
        priced += cost
        sources.add(f"{commit.source} ({commit.as_of})")
    if priced <= 0:
        return None, 0.0, []
    return weighted / priced, priced / total if total else 0.0, sorted(sources)


@rule("commitments.savings_plan", params=defaults.SavingsPlan, needs=("billing",))
def savings_plan(snapshot: Snapshot, catalog: Any, params: defaults.SavingsPlan) -> Iterable[Recommendation | Skip]:
    """Commit to an hourly spend (Savings Plan, spend-based CUD, Azure savings plan) from billing.

    Why: steady compute paid on demand costs 20-60% more than a commitment. How: hourly
    on-demand-equivalent compute spend is read from the FOCUS usage rows (ChargeCategory
    'Usage', ServiceCategory in ``service_categories``); rows already covered by a commitment
    (CommitmentDiscountId set or PricingCategory 'Committed') and spot rows ('Dynamic') are
    left out, so existing commitments are subtracted first. With r = commit price / on-demand
    price (the catalog's rates of the types in use, weighted by their cost), the commitment
    c* is the (1 − r) quantile of the hourly spend; the plan shows term, payment option,
    break-even month, coverage and utilisation. The range is the savings on the worst and the
    best week of the window. Apply right-sizing first: a commitment locks in today's size.
    Usage of interruption-tolerant resources (``spot_workloads`` or tagged
    costopt:interruptible=true, matched by ResourceId) is left to ``spot.*``. The rate is the
    catalog's all-upfront effective rate; ``payment`` changes the cash flow shown (upfront
    amount, break-even month), not the rate — partial/no upfront plans cost a few points more.
    One plan per provider and payer (``sizing = "payer"``, the default: a plan is shared by the
    payer's accounts) or per provider, payer and account (``sizing = "account"``). SageMaker
    usage ("AI and Machine Learning") needs its own plan: run with that category instead, not
    both at once.
    Example config::

        [rules."commitments.savings_plan"]
        term = "3y"
        payment = "no_upfront"
    """
    rid = "commitments.savings_plan"
    if catalog is None:
        yield Skip(rid, "*", "no price catalog: the commitment discount rate is unknown")
        return
    table = snapshot.billing
    inventory = {r.id: r for r in snapshot.resources}
    excluded = sorted(r.id for r in snapshot.resources if spot_candidate(r, params.spot_workloads))
    hourly = table.query(_hourly_usage_sql(params, excluded))
    if hourly.empty:
        return
    dups = table.query(_duplicate_sql(params))
    mix = table.query(_type_mix_sql(params, excluded))
    for (prov_name, payer, account), group in hourly.groupby(["provider", "payer", "account"], sort=True):
        scope = (f"commit:{provider_key(prov_name)}:{payer or '-'}" if params.sizing == "payer"
                 else f"commit:{provider_key(prov_name)}:{payer or '-'}:{account or '-'}")
        prov = provider_key(prov_name)
        currencies = sorted(set(group["currency"].dropna()))
        if len(currencies) != 1:
            yield Skip(rid, scope, f"usage rows in {len(currencies)} currencies ({', '.join(currencies) or 'none'}); "
                                   "costs of different currencies are never added")
            continue
        currency = currencies[0]
        if (group["max_period_s"] > 3600).any():
            yield Skip(rid, scope, "billing rows are not hourly (charge periods longer than one hour); "
                                   "export hourly granularity to size a commitment")
            continue
        dup = dups[(dups["provider"] == prov_name) & (dups["account"] == account)]
        n_dup = int(dup["duplicates"].sum()) if not dup.empty else 0
        n_rows = int(group["rows"].sum())
        if n_dup > DUPLICATE_TOLERANCE * n_rows:
            yield Skip(rid, scope, f"{n_dup} of {n_rows} usage rows are duplicates (the same line item id and hour, "
                                   "or the same row where the export has no line item ids); the export was "
                                   "probably read twice")
            continue
        hours = pd.to_datetime(group["hour"])
        span = pd.date_range(hours.min(), hours.max(), freq="h")
        if len(span) < params.min_hours:
            yield Skip(rid, scope, f"only {len(span)} hours of usage; {params.min_hours} needed")
            continue
        present = hours.nunique() / len(span)
        if present < params.min_coverage_hours:
            yield Skip(rid, scope, f"usage rows in only {present:.0%} of the {len(span)} hours "
                                   f"(gaps); {params.min_coverage_hours:.0%} needed")
            continue
        series = group.groupby("hour")["on_demand"].sum()
        series.index = pd.to_datetime(series.index)
        usage = series.reindex(span, fill_value=0.0).to_numpy(dtype=float)
        usage = np.maximum(usage, 0.0)  # credits inside usage rows never make usage negative
        if usage.max() <= 0:
            continue  # everything is committed or spot already
        committed = float(group["committed"].sum())
        r, priced_share, sources = _discount_ratio(
            mix[(mix["provider"] == prov_name) & (mix["account"] == account)], prov, catalog, params.term, inventory)
        if r is None:
            yield Skip(rid, scope, f"no {params.term} commitment price in the catalog for the {prov} instance types "
                                   "in this usage; cannot price a commitment")
            continue
        level = optimal_level(usage, r, 1.0)
        if level <= 0:
            continue
        p = plan(usage, level, r, 1.0, term=params.term, payment=params.payment)
        if p.savings_monthly < params.min_monthly_savings:
            continue
        low, high = weekly_savings_range(usage, level, r, 1.0)
        hourly_commit = level * r
        months = TERM_MONTHS[params.term]
        apply = sp_apply(
            prov, secs=TERM_SECONDS[params.term], pay=PAY_LABEL[params.payment],
            cur=currency, hourly=hourly_commit, months=months)
        action = f"commit {hourly_commit:.2f} {currency}/hour ({params.term}, {params.payment})"
        yield Recommendation(
            id=recommendation_id(rid, scope, f"commit-{params.term}"), rule_id=rid, resource_id=scope,
            action=action, provider=prov, account=str(account), region="", resource_kind="commitment",
            resource_name=f"{prov} compute spend",
            current=Current(on_demand_per_hour_p50=float(np.median(usage)), existing_committed_spend=committed),
            proposed=Proposal(commitment_per_hour=hourly_commit, on_demand_equivalent_per_hour=level,
                              term=params.term, payment=params.payment, upfront=p.upfront),
            monthly_cost_before=p.on_demand_monthly, monthly_cost_after=p.with_commit_monthly,
            monthly_savings=p.savings_monthly, savings_low=max(0.0, min(low, p.savings_monthly)),
            savings_high=max(high, p.savings_monthly), currency=currency,
            confidence="high" if priced_share >= 0.8 else ("medium" if priced_share >= 0.5 else "low"),
            performance_risk=0,
            evidence=Evidence(facts={"hours": p.hours, "method": "quantile of hourly on-demand spend",
                                     "quantile": 1.0 - r, "commit_to_on_demand_ratio": r, "priced_cost_share": priced_share,
                                     "coverage": p.coverage, "utilisation": p.utilisation,
                                     "break_even_month": p.break_even_month, "worst_week_savings_monthly": low,
                                     "existing_commitment_cost_in_window": committed, "identical_usage_rows": n_dup,
                                     "left_to_spot_resources": len(excluded)},
                              price_sources=tuple(sources)),
            effort="low",
            rationale=(f"{p.coverage:.0%} of on-demand compute spend would be covered at "
                       f"{p.utilisation:.0%} utilisation; breaks even in month {p.break_even_month}"),
            apply=apply, alternative_group=scope,
        )


# --- inventory: reservations per type ---------------------------------------------------------


def _billing_providers(snapshot: Snapshot) -> set[str]:
    if snapshot.billing is None or snapshot.billing.empty:
        return set()
    df = snapshot.billing.query(
        "SELECT DISTINCT ProviderName AS p FROM focus WHERE ChargeCategory = 'Usage' AND ServiceCategory = 'Compute' "
        "AND ChargePeriodEnd - ChargePeriodStart <= INTERVAL 1 HOUR")
    return {provider_key(p) for p in df["p"]}


@rule("commitments.reserved_instances", params=defaults.ReservedInstances, needs=("inventory",))
def reserved_instances(snapshot: Snapshot, catalog: Any, params: defaults.ReservedInstances) -> Iterable[Recommendation | Skip]:
    """Reserve instances (RIs, resource CUDs, Azure reservations) per type from running hours.

    Why: instances that run around the clock on demand pay the full rate for capacity that a
    1y/3y reservation prices 30-60% lower. How: for each provider/region/type, the number of
    on-demand instances running in each hour of the window (an hour counts when the
    instance reported cpu or gpu metrics) minus the instances already reserved gives the
    hourly usage; the reservation is its (1 − commit/on-demand) quantile. Runs only for
    providers without hourly billing (there ``commitments.savings_plan`` sizes from spend),
    so the same hours are never priced twice. Spot instances, and interruption-tolerant
    ones (``spot_workloads``, or tagged costopt:interruptible=true) that ``spot.*`` prices,
    are left out. Example config::

        [rules."commitments.reserved_instances"]
        term = "3y"
        payment = "no_upfront"
    """
    rid = "commitments.reserved_instances"
    skip_providers = _billing_providers(snapshot)
    groups: dict[tuple[str, str, str, str, str], list[Resource]] = defaultdict(list)
    for r in snapshot.resources:
        if (r.kind in params.kinds and r.type and r.pricing_model != "spot" and r.provider not in skip_providers
                and not r.attributes.get("members_priced_separately")  # an ASG whose VMs are listed too
                and not spot_candidate(r, params.spot_workloads)):
            groups[(r.provider, r.account, r.region, r.type, os_of(r))].append(r)  # a reservation is per OS too
    if not groups:
        return
    start_h, n_hours = hour_grid(snapshot)
    members_all = [r for rs in groups.values() for r in rs]
    rows = {r.id: i for i, r in enumerate(members_all)}
    running = presence_matrix(snapshot.metrics, rows, start_h, n_hours, params.running_metrics)
    for (prov, account, region, type_, os), members in sorted(groups.items()):
        scope = f"commit:{prov}:{account or '-'}:{region}:{type_}" + ("" if os == LINUX else f":{os}")
        on_demand = [r for r in members if r.pricing_model not in COMMITTED_KINDS]
        if not on_demand:
            continue
        if catalog is None:
            yield Skip(rid, scope, "no price catalog: reservation prices unknown")
            continue
        od = catalog.price(prov, region, type_, "on_demand", os=os)
        commit = catalog.price(prov, region, type_, f"commit_{params.term}", os=os)
        if od is None or commit is None:
            missing = "on-demand" if od is None else f"{params.term} commitment"
            yield Skip(rid, scope, f"no {missing} price for {type_} ({os}) in {prov} {region}")
            continue
        existing = sum(r.count for r in members if r.pricing_model in COMMITTED_KINDS)
        counts = np.zeros(n_hours)
        observed = np.zeros(n_hours, dtype=bool)
        for r in members:
            ran = running[rows[r.id]]
            if not ran.any():
                yield Skip(rid, r.id, "no cpu/gpu metrics: running hours unknown, left out of the reservation")
                continue
            counts += ran * r.count
            observed |= ran
        if observed.sum() < params.min_hours:
            yield Skip(rid, scope, f"only {int(observed.sum())} hours with running instances observed; "
                                   f"{params.min_hours} needed")
            continue
        usage = np.maximum(counts - existing, 0.0)
        if usage.max() <= 0:
            continue
        level = optimal_level(usage, commit.amount, od.amount, step=1)
        if level <= 0:
            continue
        p = plan(usage, level, commit.amount, od.amount, term=params.term, payment=params.payment)
        if p.savings_monthly < params.min_monthly_savings:
            continue
        low, high = weekly_savings_range(usage, level, commit.amount, od.amount)
        n = int(level)
        months = TERM_MONTHS[params.term]
        spec = catalog.instance(prov, type_)
        apply = ri_apply(
            prov, type=type_, pay=PAY_LABEL[params.payment], secs=TERM_SECONDS[params.term], region=region, n=n,
            months=months, years=months // 12, family=(spec.family if spec else type_).replace(".", "-"),
            vcpu=(spec.vcpu * n if spec else "?"), mem=(int(spec.memory_gib * n) if spec else "?"),
            azpay="Upfront" if params.payment == "all_upfront" else "Monthly",
            product=on_demand[0].attributes.get("platform") or "Linux/UNIX")  # PlatformDetails = RI product
        first = on_demand[0]
        yield Recommendation(
            id=recommendation_id(rid, scope, f"reserve-{params.term}"), rule_id=rid, resource_id=scope,
            action=f"reserve {n} x {type_} ({params.term}, {params.payment})", provider=prov, account=account,
            region=region, resource_kind="commitment", resource_name=f"{type_} in {region}",
            current=Current(type=type_, on_demand_instances_p50=float(np.median(usage)),
                            existing_reserved=existing, resources=tuple(r.id for r in members)),
            proposed=Proposal(commitment=f"{n} x {type_}", count=n, term=params.term, payment=params.payment,
                              upfront=p.upfront),
            monthly_cost_before=p.on_demand_monthly, monthly_cost_after=p.with_commit_monthly,
            monthly_savings=p.savings_monthly, savings_low=max(0.0, min(low, p.savings_monthly)),
            savings_high=max(high, p.savings_monthly), currency=od.currency,
            confidence="high" if observed.mean() >= 0.9 else "medium", performance_risk=0,
            evidence=Evidence(facts={"hours": int(n_hours), "hours_observed": int(observed.sum()),
                                     "method": "quantile of hourly running instances",
                                     "quantile": 1.0 - commit.amount / od.amount, "on_demand_hourly": od.amount,
                                     "commit_hourly": commit.amount, "coverage": p.coverage, "utilisation": p.utilisation,
                                     "break_even_month": p.break_even_month, "worst_week_savings_monthly": low},
                              price_source=f"{commit.source} ({commit.as_of})"),
            effort="low", workload=first.workload, tags=dict(first.tags),
            rationale=(f"{n} of up to {int(counts.max())} {type_} run {p.utilisation:.0%} of the hours; reserved they "
                       f"cost {commit.amount / od.amount:.0%} of on-demand, break-even in month {p.break_even_month}"),
            apply=apply, alternative_group=scope,
        )
