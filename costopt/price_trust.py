"""How far each recommendation can be trusted given the prices it rests on (stale, estimated).

Why: every saving is a price difference. A recommendation priced from a list price that is
months old, or from a typical-discount *estimate* rather than a price, must not claim "high"
confidence, and the reader must be told which prices are old (the report's methodology and the
terminal summary name them; ``costopt catalog refresh`` fixes them).

How: the rules record their price sources in ``evidence`` (``price_source`` / ``price_sources``,
the catalog's source text and date). A recommendation whose sources include an estimate gets
"low"; one whose sources include a stale source (older than ``[report] stale_price_days``, 90 by
default, on the audit's date) loses one step (costopt.catalog.staleness.price_confidence).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from costopt.catalog.staleness import LEVELS, price_age_days
from costopt.model import PriceSource, Recommendation

ESTIMATE_PREFIX = "estimate"


def _source_texts(rec: Recommendation) -> list[str]:
    texts: list[str] = []
    for key in ("price_source", "price_sources"):
        value = rec.evidence.get(key) if rec.evidence else None
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, (list, tuple)):
            texts.extend(str(v) for v in value)
    return texts


def trusted(rec: Recommendation, stale: Sequence[PriceSource]) -> Recommendation:
    """``rec`` with its confidence capped by the prices it rests on, and a note saying why."""
    texts = _source_texts(rec)
    if not texts or rec.confidence not in LEVELS:
        return rec
    old = sorted({s.source for s in stale if any(s.source and s.source in t for t in texts)})
    if any(t.startswith(ESTIMATE_PREFIX) for t in texts):
        level, why = "low", "priced from an estimate (a typical discount applied to a real price), not a list price"
    elif old:
        level = LEVELS[max(LEVELS.index(rec.confidence) - 1, 0)]
        why = f"rests on price(s) older than the staleness limit: {', '.join(old)}"
    else:
        return rec
    if LEVELS.index(level) >= LEVELS.index(rec.confidence):
        return rec
    return replace(rec, confidence=level, evidence={**rec.evidence, "confidence_lowered": why})


def apply(recs: Iterable[Recommendation], stale: Sequence[PriceSource]) -> tuple[Recommendation, ...]:
    return tuple(trusted(r, stale) for r in recs)


def used_by(recs: Iterable[Recommendation], sources: Sequence[PriceSource]) -> tuple[PriceSource, ...]:
    """The ``sources`` that at least one of ``recs`` was priced from (the others cannot mislead)."""
    texts = [t for r in recs for t in _source_texts(r)]
    return tuple(s for s in sources if s.source and any(s.source in t for t in texts))


def stale_summary(stale: Sequence[PriceSource], today: date, limit_days: int) -> list[dict[str, Any]]:
    """JSON-ready rows for ``Audit.extras["stale_prices"]``: provider, source, as_of, age in days."""
    return [{"provider": s.provider, "source": s.source, "as_of": s.as_of, "age_days": price_age_days(s.as_of, today),
             "limit_days": limit_days} for s in stale]
