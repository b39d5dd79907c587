"""The numbers every reporter shows, computed once from an Audit (no formatting here).

HTML, Markdown and CSV read the headline, the weekly spend, the budget verdicts and the
history comparison from these helpers, so the three formats never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Mapping, Sequence

from costopt.model import Audit, Recommendation

DEFAULT_TEAM_TAG_KEYS = ("costopt:team", "team")
RISK_LABELS = {0: "none", 1: "low", 2: "medium", 3: "high", 4: "very high"}


def team_tag_keys(audit: Audit) -> tuple[str, ...]:
    keys = audit.settings.get("team_tag_keys") if isinstance(audit.settings, Mapping) else None
    return tuple(keys) if keys else DEFAULT_TEAM_TAG_KEYS


def team_of(rec: Recommendation, keys: Sequence[str] = DEFAULT_TEAM_TAG_KEYS) -> str:
    for key in keys:
        value = rec.tags.get(key) if rec.tags else None
        if value:
            return str(value)
    return ""


def risk_label(risk: int) -> str:
    return RISK_LABELS.get(int(risk), str(risk))


@dataclass(frozen=True)
class Headline:
    currency: str
    window_days: float  # days the billing covers (the audit window when unknown)
    spend_in_window: float
    monthly_run_rate: float
    monthly_savings: float
    savings_low: float
    savings_high: float
    savings_share: float | None
    recommendations: int
    rejected: int
    skipped: int
    coverage_warnings: tuple[str, ...]
    last_week: float | None
    last_week_change: float | None  # fraction vs the week before


def headline(audit: Audit) -> Headline:
    totals = audit.totals or {}
    spend_total = float(totals.get("spend_in_window", audit.spend.get("total", 0.0)) or 0.0)
    run_rate = float(totals.get("monthly_run_rate") or 0.0)
    if not run_rate and spend_total and audit.window.hours > 0:
        run_rate = spend_total / audit.window.hours * 730.0
    savings = float(totals.get("monthly_savings", sum(r.monthly_savings for r in audit.recommendations)) or 0.0)
    weekly = weekly_spend(audit)
    return Headline(
        currency=audit.currency,
        window_days=float(totals.get("spend_days") or audit.window.days),
        spend_in_window=spend_total,
        monthly_run_rate=run_rate,
        monthly_savings=savings,
        savings_low=float(totals.get("monthly_savings_low", sum(r.savings_low for r in audit.recommendations)) or 0.0),
        savings_high=float(totals.get("monthly_savings_high", sum(r.savings_high for r in audit.recommendations)) or 0.0),
        savings_share=(savings / run_rate) if run_rate else None,
        recommendations=len(audit.recommendations),
        rejected=len(audit.rejected),
        skipped=len(audit.skipped),
        coverage_warnings=coverage_warnings(audit),
        last_week=weekly.last_week,
        last_week_change=weekly.last_week_change,
    )


def coverage_warnings(audit: Audit) -> tuple[str, ...]:
    out = []
    for c in audit.coverage:
        if c.status in ("failed", "partial"):
            text = f"{c.provider} {c.scope}: {c.status}"
            if c.detail:
                text += f" ({c.detail})"
            if c.fix:
                text += f"; fix: {c.fix}"
            out.append(text)
    return tuple(out)


@dataclass(frozen=True)
class WeeklySpend:
    """Spend in 7-day buckets ending on the last billed day (so the last bucket is whole)."""

    weeks: tuple[str, ...]  # first day of each bucket, ISO
    complete: tuple[bool, ...]
    series: Mapping[str, tuple[float, ...]]  # group -> cost per bucket
    last_week: float | None
    last_week_change: float | None


def weekly_spend(audit: Audit, by: str | None = None) -> WeeklySpend:
    daily = audit.spend.get("daily") or []
    days: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in daily:
        try:
            day = date.fromisoformat(str(row.get("day"))[:10])
        except ValueError:
            continue
        key = str(row.get(by) or "other") if by else "total"
        days[day][key] += float(row.get("cost") or 0.0)
    if not days:
        return WeeklySpend((), (), {}, None, None)
    first, last = min(days), max(days)
    n_buckets = (last - first).days // 7 + 1
    starts = [last - timedelta(days=7 * (n_buckets - i) - 1) for i in range(n_buckets)]
    groups = sorted({g for per_day in days.values() for g in per_day},
                    key=lambda g: -sum(days[d].get(g, 0.0) for d in days))
    series = {g: [0.0] * n_buckets for g in groups}
    for day, per_group in days.items():
        index = n_buckets - 1 - (last - day).days // 7
        for g, cost in per_group.items():
            series[g][index] += cost
    complete = tuple(s >= first for s in starts)
    totals = [sum(series[g][i] for g in groups) for i in range(n_buckets)]
    last_week = totals[-1]
    change = None
    if n_buckets >= 2 and complete[-2] and totals[-2]:
        change = (totals[-1] - totals[-2]) / totals[-2]
    return WeeklySpend(tuple(s.isoformat() for s in starts), complete,
                       {g: tuple(v) for g, v in series.items()}, last_week, change)


@dataclass(frozen=True)
class BudgetRow:
    scope: str
    period: str
    limit: float | None
    warn: float | None
    actual: float | None
    forecast: float | None
    status: str  # ok | warn | breach | unknown
    detail: str
    unit: str = ""  # the currency (money), "%" (growth) or "<currency>/month"

    @property
    def is_money(self) -> bool:
        return self.unit != "%"


def _num(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def _first(d: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if d.get(k) is not None:
            return d[k]
    return None


def budget_rows(audit: Audit) -> list[BudgetRow]:
    """The gate's budget checks, read tolerantly (the gate fills ``audit.budgets``)."""
    rows = []
    for b in audit.budgets or ():
        if not isinstance(b, Mapping):
            continue
        limit = _num(_first(b, "fail", "limit", "amount", "budget"))
        actual = _num(_first(b, "actual", "spend", "month_to_date", "value"))
        forecast = _num(_first(b, "forecast", "forecast_month"))
        status = str(_first(b, "status", "verdict", "result") or "").lower()
        if status in ("fail", "failed", "breached", "over"):
            status = "breach"
        elif status in ("pass", "passed", "within"):
            status = "ok"
        elif status in ("skipped", "skip", "n/a"):
            status = "unknown"
        elif status not in ("ok", "warn", "breach"):
            worst = max((v for v in (actual, forecast) if v is not None), default=None)
            status = "unknown" if limit is None or worst is None else ("breach" if worst > limit else "ok")
        rows.append(BudgetRow(
            scope=str(_first(b, "scope", "name", "id") or "total"),
            period=str(_first(b, "period", "window", "kind") or ""),
            limit=limit, warn=_num(b.get("warn")), actual=actual, forecast=forecast, status=status,
            detail=str(_first(b, "message", "detail", "reason") or ""),
            unit=str(b.get("unit") or audit.currency),
        ))
    return rows


def history_section(audit: Audit) -> Mapping[str, Any] | None:
    section = audit.extras.get("history") if isinstance(audit.extras, Mapping) else None
    return section if isinstance(section, Mapping) and section else None


def by_savings(recs: Iterable[Recommendation]) -> list[Recommendation]:
    return sorted(recs, key=lambda r: (-r.monthly_savings, r.id))


def budget_amount(value: float | None, row: BudgetRow, currency: str) -> str:
    """A budget figure in its unit: money, or a percentage for growth limits."""
    from costopt.reports.fmt import money

    if value is None:
        return "n/a"
    if not row.is_money:
        return f"{value:,.1f}%"
    return money(value, currency)
