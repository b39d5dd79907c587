"""Savings and spend totals of an audit, per currency: the one place figures are added up.

Why: a savings total that adds a USD catalog price to a EUR billing figure is a number nobody
can act on. Every sum here is kept per currency (the recommendation's ``currency``); the
billing currency's line is the *main* one (it is the only one a run-rate share can be taken
of), and every other currency gets its own line, never converted.

What counts:
- *priced* recommendations (a point estimate above zero) make the savings and its low-high
  range;
- recommendations *to investigate* (no point estimate: cost anomalies, NAT traffic of unknown
  destination) are counted apart with their upper bound ("plus up to X to investigate in N
  findings"), never in the headline range;
- the monthly run-rate is the spend over the complete billed days of the audit's calendar,
  x 730 / 24 (``costopt.calendar``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from costopt.calendar import AuditCalendar, DayRange, daily_totals, period_sum
from costopt.model import HOURS_PER_MONTH, Audit, Recommendation
from costopt.sections import CurrencyTotals, Totals


def to_investigate(rec: Recommendation) -> bool:
    """A finding with no point estimate: shown with its upper bound, never added to savings."""
    return rec.monthly_savings <= 0.0


def _by(recs: Iterable[Recommendation], key) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for r in recs:
        sums.setdefault(key(r), []).append(r.monthly_savings)
    return dict(sorted(((k, math.fsum(v)) for k, v in sums.items()), key=lambda kv: (-kv[1], kv[0])))


def currency_totals(selected: Sequence[Recommendation], currency: str) -> CurrencyTotals:
    """Savings of the ``selected`` recommendations priced in ``currency``."""
    mine = [r for r in selected if r.currency == currency]
    priced = [r for r in mine if not to_investigate(r)]
    investigate = [r for r in mine if to_investigate(r)]
    return CurrencyTotals(
        currency=currency,
        monthly_savings=math.fsum(r.monthly_savings for r in priced),
        savings_low=math.fsum(r.savings_low for r in priced),
        savings_high=math.fsum(r.savings_high for r in priced),
        priced=len(priced),
        investigate=len(investigate),
        investigate_upper=math.fsum(max(r.savings_high, 0.0) for r in investigate),
        by_family=_by(priced, lambda r: r.family),
        by_provider=_by(priced, lambda r: r.provider or "unknown"),
    )


def savings_by_currency(selected: Sequence[Recommendation], main_currency: str) -> tuple[CurrencyTotals, ...]:
    """One line per currency, the billing (main) currency first, then the others by name."""
    others = sorted({r.currency for r in selected} - {main_currency})
    return tuple(currency_totals(selected, c) for c in [main_currency, *others])


@dataclass(frozen=True)
class RunRate:
    """Spend over the complete billed days, and the monthly run-rate it gives."""

    spend: float
    days: int
    period: DayRange | None

    @property
    def monthly(self) -> float:
        return self.spend / self.days * HOURS_PER_MONTH / 24.0 if self.days > 0 else 0.0


def run_rate(calendar: AuditCalendar, daily: Mapping[Any, float]) -> RunRate:
    """The run-rate from the complete billed days [observed_start, as_of)."""
    if calendar.observed_start is None or calendar.observed_start >= calendar.as_of:
        return RunRate(0.0, 0, None)
    period = DayRange(calendar.observed_start, calendar.as_of)
    return RunRate(period_sum(daily, period), period.days, period)


def build_totals(selected: Sequence[Recommendation], rejected: Sequence[Recommendation], currency: str,
                 spend_total: float, calendar: AuditCalendar, daily: Mapping[Any, float]) -> Totals:
    """The ``Audit.totals`` section: the main currency's figures at the top level, every
    currency's under ``by_currency``."""
    lines = savings_by_currency(selected, currency)
    main = lines[0]
    rate = run_rate(calendar, daily)
    return Totals(
        currency=currency,
        monthly_savings=main.monthly_savings,
        monthly_savings_low=main.savings_low,
        monthly_savings_high=main.savings_high,
        investigate=main.investigate,
        investigate_upper=main.investigate_upper,
        recommendations=len(selected),
        rejected=len(rejected),
        spend_in_window=spend_total,
        spend_days=calendar.billing.days if calendar.billing else 0,
        run_rate_days=rate.days,
        monthly_run_rate=rate.monthly,
        savings_share_of_run_rate=(main.monthly_savings / rate.monthly) if rate.monthly else None,
        by_family=dict(main.by_family),
        by_provider=dict(main.by_provider),
        by_currency=lines,
    )


def audit_savings(audit: Audit) -> tuple[CurrencyTotals, ...]:
    """Per-currency savings of a built or saved audit (recomputed from its recommendations)."""
    return savings_by_currency(audit.recommendations, audit.currency)


def audit_run_rate(audit: Audit, calendar: AuditCalendar) -> RunRate:
    return run_rate(calendar, daily_totals(audit))
