"""What a recommendation rests on: the typed :class:`Evidence` record.

A rule records the figures behind its finding (percentiles, sample counts, the lookback, the
prices used). The few that other code reads are typed fields with one spelling:

* ``price_source`` / ``price_sources``: the catalog source text of each price used; the price
  trust step (:mod:`costopt.price_trust`) lowers confidence on stale or estimated ones and sets
  ``price_is_lower_bound`` and ``confidence_lowered`` (why);
* ``attached`` / ``associated`` (a volume or address used by nothing) and ``busy_hours_outside``
  (busy hours a schedule would miss), ``read_gb_month`` (what a bucket's readers pull), read by
  the trade-off step;
* ``sized_after_other_changes``: how many other selected changes a commitment was sized after.

Everything else a rule measured is in ``facts``: rule-specific figures that are only shown
(report rows, the CSV) and never read by code. Reports list :meth:`Evidence.items`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, TypeAlias

# A displayed figure: a number, a text, a flag, or a short list / mapping of them.
Fact: TypeAlias = str | int | float | bool | None | Sequence[Any] | Mapping[str, Any]

_FIRST = ("attached", "associated")  # what the finding is about: listed before the measured facts


@dataclass(frozen=True, slots=True)
class Evidence:
    """The figures a recommendation rests on. Unset fields (None, empty) are not said."""

    facts: Mapping[str, Fact] = field(default_factory=dict)  # rule-specific, displayed only
    attached: bool | None = None  # a volume / disk attached to nothing (False)
    associated: bool | None = None  # an address associated with nothing (False)
    busy_hours_outside: int | None = None  # busy hours outside a proposed schedule
    read_gb_month: float | None = None  # GB a month read from the bucket by its workloads
    price_source: str | None = None  # the catalog source of the price used ("source (as_of)")
    price_sources: tuple[str, ...] = ()  # the sources when several prices were used
    price_is_lower_bound: str | None = None  # why the price is a lower bound (an unknown licence fee)
    sized_after_other_changes: int | None = None  # other selected changes this was sized after
    confidence_lowered: str | None = None  # why the price trust step lowered confidence

    def said(self) -> dict[str, Any]:
        """The typed fields given a value (``facts`` excluded), in field order."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "facts":
                continue
            value = getattr(self, f.name)
            if value is not None and value != ():
                out[f.name] = value
        return out

    def items(self) -> list[tuple[str, Any]]:
        """(name, value) for display: what the finding is about, the rule's facts, then the typed figures."""
        typed = self.said()
        head = [(k, typed.pop(k)) for k in _FIRST if k in typed]
        return head + list(self.facts.items()) + list(typed.items())

    def as_json(self) -> dict[str, Any]:
        """The JSON form in an audit: the typed fields said, and ``facts`` when there are any."""
        out: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in self.said().items()}
        if self.facts:
            out["facts"] = dict(self.facts)
        return out

    def sources(self) -> list[str]:
        """The price source texts: ``price_source`` then ``price_sources``."""
        return ([self.price_source] if self.price_source else []) + list(self.price_sources)


NO_EVIDENCE = Evidence()

__all__ = ["Evidence", "Fact", "NO_EVIDENCE"]
