"""Billing-only rules that are neither commitments nor egress: week-over-week cost anomalies.

(The billing-based commitment rule lives in :mod:`costopt.rules.commitments`, the egress
hot spots in :mod:`costopt.rules.egress`.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Skip, Snapshot, recommendation_id
from costopt.records import Current, Proposal
from costopt.rules import defaults
from costopt.rules.base import rule
from costopt.rules.billing_sql import cost_expr, provider_key
from costopt.rules.shell import arg, comment

WEEK_S = 7 * 24 * 3600
MAD_TO_SIGMA = 1.4826  # MAD x 1.4826 estimates the standard deviation of normal data


def _weekly_sql(cost_column: str, max_weeks: int) -> str:
    cost = cost_expr(cost_column)
    return f"""
        WITH bounds AS (
            SELECT epoch(date_trunc('day', MAX(ChargePeriodEnd))) AS end_s,
                   epoch(MIN(ChargePeriodStart)) AS start_s
            FROM focus WHERE ChargeCategory = 'Usage'
        ),
        rows AS (
            SELECT ProviderName AS provider, COALESCE(ServiceName, '(none)') AS service,
                   BillingCurrency AS currency,
                   CAST(floor((b.end_s - epoch(ChargePeriodStart) - 1) / {WEEK_S}) AS INTEGER) AS week,
                   {cost} AS cost
            FROM focus, bounds b
            WHERE ChargeCategory = 'Usage' AND epoch(ChargePeriodStart) < b.end_s
        )
        SELECT provider, service, currency, week, SUM(cost) AS cost,
               (SELECT CAST(floor((end_s - start_s) / {WEEK_S}) AS INTEGER) FROM bounds) AS full_weeks,
               (SELECT end_s FROM bounds) AS end_s
        FROM rows WHERE week < {max_weeks + 1}
        GROUP BY ALL
    """


def robust_sigma(values: np.ndarray, floor: float) -> float:
    """MAD-based sigma of ``values``, never below ``floor`` (a flat baseline has MAD 0)."""
    med = float(np.median(values))
    mad = float(np.median(np.abs(values - med)))
    return max(MAD_TO_SIGMA * mad, floor, 1e-9)


@rule("billing.cost_anomaly", params=defaults.CostAnomaly, needs=("billing",))
def cost_anomaly(snapshot: Snapshot, catalog: Any, params: defaults.CostAnomaly) -> Iterable[Recommendation | Skip]:
    """A service's cost jumped week over week: investigate before it becomes the new normal.

    Why: a forgotten training cluster, a runaway job or a changed egress pattern shows first
    as one service's weekly cost stepping up. Method: usage cost (ChargeCategory 'Usage',
    amortised EffectiveCost by default) is summed per provider, service and currency over
    7-day weeks counted back from the last full day of the data; only complete weeks are
    used. The last week is compared with the previous ``min_baseline_weeks`` to
    ``max_baseline_weeks`` weeks: baseline mean and a robust sigma = 1.4826 x MAD (median
    absolute deviation; one earlier spike does not inflate it), floored at
    ``min_relative_sigma`` x mean so a perfectly flat baseline does not flag every cent. The
    service is flagged when (last − mean) > ``k_sigma`` x sigma AND last − mean >=
    ``min_weekly_delta``. Savings: 0 claimed. The excess (weekly delta x 730/168 per month)
    is carried as ``savings_high`` and ``evidence["excess_monthly"]``: it is what the jump
    costs if it is waste, but it may be intended growth, and it overlaps whatever other
    rules already price (an egress or compute finding on the same service), so adding it to
    the savings total would double-count. Confidence is low, the action "investigate",
    ``evidence["savings_estimated"]`` is False. How to fix: break the
    service down by resource and usage type for the last week (``costopt costs --group-by
    resource,sku --since ...``) and stop or right-size what is new. Example config::

        [rules."billing.cost_anomaly"]
        k_sigma = 4.0
        min_weekly_delta = 500.0
    """
    rid = "billing.cost_anomaly"
    try:
        weekly = snapshot.billing.query(_weekly_sql(params.cost_column, params.max_baseline_weeks))
    except ValueError as exc:
        yield Skip(rid, "*", str(exc))
        return
    if weekly.empty:
        return
    full_weeks = int(weekly["full_weeks"].iloc[0])
    needed = params.min_baseline_weeks + 1
    if full_weeks < needed:
        yield Skip(rid, "*", f"billing covers {full_weeks} full weeks; {needed} needed "
                             f"(the last week plus {params.min_baseline_weeks} to compare with)")
        return
    n_base = min(params.max_baseline_weeks, full_weeks - 1)
    weekly = weekly[weekly["week"] <= n_base]
    end_s = float(weekly["end_s"].iloc[0])
    for (prov_name, service, currency), g in weekly.groupby(["provider", "service", "currency"], sort=True):
        costs = np.zeros(n_base + 1)
        costs[g["week"].to_numpy(dtype=int)] = g["cost"].to_numpy(dtype=float)
        last, baseline = costs[0], costs[1:]
        mean = float(baseline.mean())
        sigma = robust_sigma(baseline, params.min_relative_sigma * abs(mean))
        delta = last - mean
        z = delta / sigma
        if not (z > params.k_sigma and delta >= params.min_weekly_delta):
            continue
        prov = provider_key(prov_name)
        scope = f"service:{prov}:{service}"
        excess_monthly = delta * HOURS_PER_MONTH / (7 * 24)
        since = np.datetime64(int(end_s - WEEK_S), "s").astype(str)[:10]
        yield Recommendation(
            id=recommendation_id(rid, scope, "investigate"), rule_id=rid, resource_id=scope,
            action="investigate cost increase", provider=prov, resource_kind="service", resource_name=str(service),
            current=Current(weekly_cost=last), proposed=Proposal(weekly_cost=mean),
            monthly_cost_before=last * HOURS_PER_MONTH / 168, monthly_cost_after=mean * HOURS_PER_MONTH / 168,
            monthly_savings=0.0, savings_low=0.0, savings_high=excess_monthly, currency=str(currency),
            confidence="low",
            evidence=Evidence(facts={"method": "last full week vs mean of previous weeks, robust z (1.4826 x MAD)",
                                     "weekly_costs_oldest_first": [float(x) for x in costs[::-1]], "baseline_mean": mean,
                                     "robust_sigma": sigma, "z": z, "k_sigma": params.k_sigma, "weekly_delta": delta,
                                     "last_week_start": since, "excess_monthly": excess_monthly, "savings_estimated": False}),
            effort="medium",
            rationale=(f"{service} cost {last:,.2f} {currency} last week vs {mean:,.2f} on average before "
                       f"(+{delta:,.2f}, {z:.1f} robust sigma)"),
            apply=(f"costopt costs --group-by resource,sku --since {arg(since)} --format table  "
                   + comment(f"then stop or right-size what is new in {service}")),
            alternative_group=f"anomaly:{prov}:{service}",
        )
