"""Hand-built audits for the gate tests: daily spend rows shaped like spend_summary's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

from costopt.model import Audit, Window
from costopt.sections import Spend, SpendDay

# Two scopes of everything so each scope filter has something to exclude.
LINES = (
    # provider, account, service, category, team, share of the day's spend
    ("AWS", "123456789012", "Amazon SageMaker", "AI and Machine Learning", "vision", 0.5),
    ("AWS", "123456789012", "Amazon EC2", "Compute", "search", 0.2),
    ("GCP", "ml-prod-7", "Vertex AI", "AI and Machine Learning", "fraud", 0.2),
    ("Azure", "sub-42", "Storage", "Storage", None, 0.1),
)


def rows_for(days: Iterable[date], per_day: Callable[[date], float], lines=LINES) -> list[dict]:
    rows = []
    for d in days:
        total = per_day(d)
        for provider, account, service, category, team, share in lines:
            rows.append({"day": d.isoformat(), "provider": provider, "account": account, "service": service,
                         "category": category, "charge": "Usage", "team": team, "cost": total * share,
                         "billed": total * share * 1.1, "egress": 0.0})
    return rows


def day_range(start: date, end: date) -> list[date]:
    """Days [start, end)."""
    return [start + timedelta(days=i) for i in range((end - start).days)]


def make_audit(start: date, end: date, per_day: Callable[[date], float] = lambda d: 100.0, *,
               currency: str = "USD", rows: list[dict] | None = None, **kw) -> Audit:
    """An audit whose window is [start, end) at midnight and whose spend has one day per row set."""
    rows = rows_for(day_range(start, end), per_day) if rows is None else rows
    window = Window(datetime.combine(start, time(), UTC), datetime.combine(end, time(), UTC))
    return Audit(run_at=window.end, window=window, currency=currency,
                 spend=spend_of(rows, currency), **kw)


def spend_of(rows: list[dict], currency: str = "USD") -> Spend:
    """A spend section (costopt.sections.Spend) holding ``rows`` (dicts shaped like its daily rows)."""
    return Spend(currency=currency, cost_basis="effective", total=sum(r["cost"] for r in rows),
                 daily=tuple(SpendDay(**r) for r in rows))
