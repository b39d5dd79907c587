"""The numbers every reporter shows, computed once from an Audit (no formatting here).

HTML, Markdown and CSV read the headline, the weekly spend, the budget verdicts and the
history comparison from these helpers, so the three formats never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from costopt.audit_extras import HistorySection, StalePrice
from costopt.calendar import DayRange, calendar_of, daily_rows, daily_totals, week_over_week
from costopt.model import Audit, Recommendation
from costopt.reports.fmt import money
from costopt.totals import CurrencyTotals, audit_run_rate, audit_savings, to_investigate

DEFAULT_TEAM_TAG_KEYS = ("costopt:team", "team")
RISK_LABELS = {0: "none", 1: "low", 2: "medium", 3: "high", 4: "very high"}


def team_tag_keys(audit: Audit) -> tuple[str, ...]:
    return audit.settings.team_tag_keys or DEFAULT_TEAM_TAG_KEYS


def team_of(rec: Recommendation, keys: Sequence[str] = DEFAULT_TEAM_TAG_KEYS) -> str:
    for key in keys:
        value = rec.tags.get(key) if rec.tags else None  # resource tags: an open map
        if value:
            return str(value)
    return ""


def risk_label(risk: int) -> str:
    return RISK_LABELS.get(int(risk), str(risk))


@dataclass(frozen=True)
class Headline:
    """The summary figures, each tied to the days it means (costopt.calendar, costopt.totals)."""

    currency: str
    lookback_text: str  # the window the rules judged
    billing_text: str  # the days the billing data covers
    billing_days: int
    spend_in_window: float  # spend over the billing days
    monthly_run_rate: float
    run_rate_days: int  # complete billed days behind the run-rate
    savings: CurrencyTotals  # the billing currency's: priced recommendations and findings to investigate
    savings_share: float | None
    other_currencies: tuple[CurrencyTotals, ...]  # savings priced in another currency, never converted
    recommendations: int
    rejected: int
    skipped: int
    coverage_warnings: tuple[str, ...]
    last_week: float | None
    last_week_change: float | None  # fraction vs the week before
    last_week_days: str
    previous_week_days: str


def headline(audit: Audit) -> Headline:
    cal = calendar_of(audit)
    savings = audit_savings(audit)
    main = savings[0]
    rate = audit_run_rate(audit, cal)
    spend_total = audit.spend.total
    wow = week_over_week(cal, daily_totals(audit))
    return Headline(
        currency=audit.currency,
        lookback_text=cal.lookback_text(),
        billing_text=cal.billing_text(),
        billing_days=cal.billing.days if cal.billing else 0,
        spend_in_window=spend_total,
        monthly_run_rate=rate.monthly,
        run_rate_days=rate.days,
        savings=main,
        savings_share=(main.monthly_savings / rate.monthly) if rate.monthly else None,
        other_currencies=tuple(line for line in savings[1:] if line.priced or line.investigate),
        recommendations=len(audit.recommendations),
        rejected=len(audit.rejected),
        skipped=len(audit.skipped),
        coverage_warnings=coverage_warnings(audit),
        last_week=wow.current,
        last_week_change=wow.change,
        last_week_days=wow.last_week.text(),
        previous_week_days=wow.previous_week.text(),
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
    """Spend in 7-day buckets of complete days ending at the calendar's ``as_of``.

    The last bucket is the calendar's ``last_week`` and the one before its ``previous_week``, so
    the report's "last 7 days" and week-over-week figures are the gate's and history's.
    """

    weeks: tuple[str, ...]  # first day of each bucket, ISO
    complete: tuple[bool, ...]
    series: Mapping[str, tuple[float, ...]]  # group -> cost per bucket
    last_week: float | None
    last_week_change: float | None
    last_week_days: str = ""  # "2026-11-26 to 2026-12-02"
    previous_week_days: str = ""


def weekly_spend(audit: Audit, by: str | None = None) -> WeeklySpend:
    cal = calendar_of(audit)
    days: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for day, row in daily_rows(audit):
        if day >= cal.as_of:
            continue  # a partial day after the last complete one
        key = (row.group(by) or "other") if by else "total"
        days[day][key] += row.cost
    if not days:
        return WeeklySpend((), (), {}, None, None)
    first, end = min(days), cal.as_of
    n_buckets = (end - first).days // 7 + (1 if (end - first).days % 7 else 0)
    starts = [end - timedelta(days=7 * (n_buckets - i)) for i in range(n_buckets)]
    groups = sorted({g for per_day in days.values() for g in per_day},
                    key=lambda g: -sum(days[d].get(g, 0.0) for d in days))
    series = {g: [0.0] * n_buckets for g in groups}
    for day, per_group in days.items():
        index = n_buckets - 1 - (end - day - timedelta(days=1)).days // 7
        for g, cost in per_group.items():
            series[g][index] += cost
    complete = tuple(cal.observed(DayRange(s, s + timedelta(days=7))) for s in starts)
    wow = week_over_week(cal, daily_totals(audit))
    return WeeklySpend(tuple(s.isoformat() for s in starts), complete,
                       {g: tuple(v) for g, v in series.items()}, wow.current, wow.change,
                       wow.last_week.text(), wow.previous_week.text())


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


def _status(check_status: str) -> str:
    """The gate's pass / warn / fail / skipped as the report's ok / warn / breach / unknown."""
    return {"pass": "ok", "warn": "warn", "fail": "breach"}.get(check_status, "unknown")


def budget_rows(audit: Audit) -> list[BudgetRow]:
    """The gate's budget checks (``audit.budgets``: costopt.sections.CheckResult)."""
    return [BudgetRow(scope=b.scope or "total", period=b.period, limit=b.fail, warn=b.warn, actual=b.actual,
                      forecast=b.forecast, status=_status(b.status), detail=b.message, unit=b.unit or audit.currency)
            for b in audit.budgets]


def history_section(audit: Audit) -> HistorySection | None:
    return audit.extras.history


def savings_text(rec: Recommendation) -> str:
    """A recommendation's monthly saving in its own currency; "up to X (investigate)" without a point estimate."""
    if to_investigate(rec):
        return f"up to {money(rec.savings_high, rec.currency)} (investigate)" if rec.savings_high > 0 else "investigate"
    return money(rec.monthly_savings, rec.currency)


def by_savings(recs: Iterable[Recommendation]) -> list[Recommendation]:
    return sorted(recs, key=lambda r: (-r.monthly_savings, r.id))


def budget_amount(value: float | None, row: BudgetRow, currency: str) -> str:
    """A budget figure in its unit: money, or a percentage for growth limits."""
    if value is None:
        return "n/a"
    if not row.is_money:
        return f"{value:,.1f}%"
    return money(value, currency)


def stale_prices(audit: Audit) -> tuple[StalePrice, ...]:
    """The price sources older than the staleness limit when the audit ran (costopt.price_trust)."""
    return audit.extras.stale_prices


def stale_prices_text(audit: Audit) -> str:
    """One line for the terminal and the Markdown, empty when every price is current."""
    rows = stale_prices(audit)
    if not rows:
        return ""
    oldest = max(rows, key=lambda r: r.age_days or 0)
    return (f"{len(rows)} price source(s) behind these recommendations are older than {oldest.limit_days} days "
            f"(oldest: {oldest.source}, as of {oldest.as_of}); their confidence is lowered; refresh with "
            "`costopt catalog refresh --provider P`")
