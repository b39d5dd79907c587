"""How far each recommendation can be trusted given the prices it rests on (stale, estimated).

Why: every saving is a price difference. A recommendation priced from a list price that is
months old, or from a typical-discount *estimate* rather than a price, must not claim "high"
confidence, and the reader must be told which prices are old (the report's methodology and the
terminal summary name them; ``costopt catalog refresh`` fixes them).

How: the rules record their price sources in ``evidence`` (``Evidence.price_source`` / ``price_sources``,
the catalog's source text and date). A recommendation whose sources include an estimate gets
"low"; one whose sources include a stale source (older than ``[report] stale_price_days``, 90 by
default, on the audit's date) loses one step (costopt.catalog.staleness.price_confidence).

Estimates are named wherever a price is shown: the recommendation's ``confidence_lowered`` says
which kind (a typical discount ratio for AWS/Azure spot and commitments, a licence fee, a
regional ratio), a price that leaves out an unknown OS licence gets ``price_is_lower_bound``,
:func:`estimate_sources` adds each estimate used to the audit's price sources (the report's
methodology and audit.json ``prices``), and :func:`estimates_text` is the terminal's line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from costopt.audit_extras import StalePrice
from costopt.catalog.estimates import ESTIMATE_SOURCES
from costopt.catalog.licence import is_lower_bound
from costopt.catalog.staleness import LEVELS, price_age_days
from costopt.model import PriceSource, Recommendation

ESTIMATE_PREFIX = "estimate"
ESTIMATE_ID = re.compile(r"estimate:[a-z0-9-]+")
DATED = re.compile(r"^(?P<source>.+?) \((?P<as_of>\d{4}-\d{2}-\d{2})\)$")
# What each kind of estimate is, in a few words (the full text: costopt.catalog.estimates.ESTIMATE_SOURCES).
KINDS = {
    "estimate:typical-ratio": "a typical discount ratio applied to a real on-demand price (no spot or commitment "
                              "price in the catalog)",
    "estimate:licence-fee": "published per-vCPU licence fees added to the Linux price",
    "estimate:licence-unknown": "the Linux price without the OS licence fee (a lower bound)",
    "estimate:sagemaker-premium": "the EC2 price x a typical SageMaker premium",
    "estimate:aws-region-ratio": "the us-east-1 price x a regional price ratio",
    "estimate:aws-neighbour-ratio": "the us-east-1 price x a neighbouring region's price ratio",
    "estimate:azure-region-ratio": "the eastus price x a regional price ratio",
    "estimate:gcp-base-region": "a base region's price used for this region",
    "estimate:previous-generation-band": "the previous generation's spot interruption band",
}
LOWER_BOUND = ("the OS licence fee is not known to costopt: the instance is priced as Linux, so its real cost "
               "(and the saving of stopping or shrinking it) is higher than shown")


def _source_texts(rec: Recommendation) -> list[str]:
    return rec.evidence.sources()


def _kinds(texts: Sequence[str]) -> list[str]:
    return sorted({m.group(0) for t in texts for m in ESTIMATE_ID.finditer(t)})


def trusted(rec: Recommendation, stale: Sequence[PriceSource], lower_bound: str = "") -> Recommendation:
    """``rec`` with its confidence capped by the prices it rests on, and a note saying why.

    ``lower_bound``: why the resource's own cost is a lower bound (the adapter's note), if it is.
    """
    texts = _source_texts(rec)
    evidence = rec.evidence
    if lower_bound and evidence.price_is_lower_bound is None:
        evidence = replace(evidence, price_is_lower_bound=lower_bound)
    if not texts or rec.confidence not in LEVELS:
        return rec if evidence is rec.evidence else replace(rec, evidence=evidence)
    if any(is_lower_bound(t) for t in texts):
        evidence = replace(evidence, price_is_lower_bound=LOWER_BOUND)
    old = sorted({s.source for s in stale if any(s.source and s.source in t for t in texts)})
    if any(t.startswith(ESTIMATE_PREFIX) for t in texts):
        kinds = "; ".join(KINDS.get(k, k) for k in _kinds(texts))
        level, why = "low", f"priced from an estimate, not a list price: {kinds}"
    elif old:
        level = LEVELS[max(LEVELS.index(rec.confidence) - 1, 0)]
        why = f"rests on price(s) older than the staleness limit: {', '.join(old)}"
    else:
        return rec if evidence == rec.evidence else replace(rec, evidence=evidence)
    if LEVELS.index(level) < LEVELS.index(rec.confidence):
        return replace(rec, confidence=level, evidence=replace(evidence, confidence_lowered=why))
    return rec if evidence == rec.evidence else replace(rec, evidence=evidence)


def apply(recs: Iterable[Recommendation], stale: Sequence[PriceSource],
          lower_bounds: Mapping[str, str] | None = None) -> tuple[Recommendation, ...]:
    """:func:`trusted` for each; ``lower_bounds``: resource id -> why its cost is a lower bound."""
    notes = lower_bounds or {}
    return tuple(trusted(r, stale, notes.get(r.resource_id, "")) for r in recs)


def lower_bounds(resources: Iterable[Any]) -> dict[str, str]:
    """Resource id -> the adapter's ``price_is_lower_bound`` note, for the resources that have one."""
    return {r.id: str(r.attributes["price_is_lower_bound"]) for r in resources
            if (getattr(r, "attributes", None) or {}).get("price_is_lower_bound")}


def used_by(recs: Iterable[Recommendation], sources: Sequence[PriceSource]) -> tuple[PriceSource, ...]:
    """The ``sources`` that at least one of ``recs`` was priced from (the others cannot mislead)."""
    texts = [t for r in recs for t in _source_texts(r)]
    return tuple(s for s in sources if s.source and any(s.source in t for t in texts))


def stale_summary(stale: Sequence[PriceSource], today: date, limit_days: int) -> tuple[StalePrice, ...]:
    """The ``Audit.extras.stale_prices`` rows: provider, source, as_of, age in days, the limit."""
    return tuple(StalePrice(s.provider, s.source, s.as_of, price_age_days(s.as_of, today), limit_days) for s in stale)


def estimate_sources(recs: Iterable[Recommendation], known: Sequence[PriceSource] = ()) -> tuple[PriceSource, ...]:
    """One PriceSource per estimate the recommendations were priced from, labelled as an estimate.

    Estimates are derived at lookup time, so the catalog's own source list does not name them;
    the audit adds these so the methodology and audit.json ``prices`` say which figures are not quotes.
    An estimate without a date in its text takes its base price's date from ``known``.
    """
    found: dict[tuple[str, str, str], str] = {}
    for rec in recs:
        for text in _source_texts(rec):
            if not text.startswith(ESTIMATE_PREFIX):
                continue
            dated = DATED.match(text)
            source, as_of = (dated.group("source"), dated.group("as_of")) if dated else (text, "")
            base = source.rsplit(" x ", 1)[-1]
            as_of = as_of or next((k.as_of for k in known if k.provider == rec.provider and k.source == base), "")
            if any(k.provider == rec.provider and k.source == source for k in known):
                continue  # a stored estimate (regional tables): already listed with its description
            kinds = _kinds([source])
            detail = "; ".join(ESTIMATE_SOURCES.get(k, k) for k in kinds)
            found.setdefault((rec.provider, source, as_of), f"ESTIMATE, not a quoted price: {detail}")
    return tuple(PriceSource(p, source, as_of, detail) for (p, source, as_of), detail in sorted(found.items()))


def estimates_text(recs: Sequence[Recommendation]) -> str:
    """One terminal line naming the recommendations priced from estimates or lower bounds (empty when none)."""
    priced = [r for r in recs if any(t.startswith(ESTIMATE_PREFIX) for t in _source_texts(r))]
    lower = sum(1 for r in recs if r.evidence.price_is_lower_bound is not None)
    parts = []
    if priced:
        kinds = sorted({KINDS.get(k, k) for r in priced for k in _kinds(_source_texts(r))})
        parts.append(f"{len(priced)} recommendation(s) are priced from estimates, not list prices "
                     f"({'; '.join(kinds)}); their confidence is low")
    if lower:
        parts.append(f"{lower} rest on a lower-bound price (e.g. an OS licence fee costopt does not know): "
                     "the real cost and saving are higher; see each one's price_is_lower_bound")
    return "; ".join(parts)


def price_label(rec: Recommendation) -> str:
    """"lower-bound price", "estimated price" or "" for one recommendation (the terminal's per-line tag)."""
    if rec.evidence.price_is_lower_bound is not None:
        return "lower-bound price"
    return "estimated price" if any(t.startswith(ESTIMATE_PREFIX) for t in _source_texts(rec)) else ""
