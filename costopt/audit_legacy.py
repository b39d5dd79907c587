"""Reading audit.json files written before the typed contract (schemas 1.0 to 1.3).

Schema 1.0 stored ``proposed`` and ``impacts`` as free mappings, with a few figures under two
spellings. :func:`upgrade_1_0` rewrites such a document to schema 1.1 before it is validated:
renamed keys get their one spelling, ``state = "deleted (snapshot kept)"`` becomes ``state`` +
``keeps``, and keys the typed records do not know (figures no reporter reads) are dropped.
Schemas 1.0 and 1.1 stored ``current`` as a free mapping: :func:`upgrade_1_1` gives its keys the
one spelling of :class:`~costopt.records.Current` (``instance_type`` and ``class`` are ``type``,
``storage_gb`` is ``size_gb``...) for schema 1.2. Schemas up to 1.2 stored ``evidence`` as one
free mapping: :func:`upgrade_1_2` moves the keys :class:`~costopt.evidence.Evidence` types to its
fields and the rest under ``facts`` (schema 1.3). Schemas up to 1.3 kept ``spend``, ``totals``,
``budgets``, ``extras`` and ``settings`` as free objects: :func:`upgrade_1_3` keeps of them what
the typed sections (costopt.sections, costopt.audit_extras) hold, dropping keys they do not know and
nulls where a field has a default (readers took a null total as 0), for schema 1.4. Values are only
moved or dropped, never parsed: the schema check that follows still rejects wrong types, naming the
key.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any

from costopt.audit_extras import Extras
from costopt.evidence import Evidence
from costopt.records import Current, Impacts, Proposal
from costopt.sections import SPEND_GROUPS, AuditSettings, CheckResult, CurrencyTotals, SpendDay, Totals

PROPOSAL_RENAMES = {"min_count": "count_min", "max_count": "count_max", "class": "type", "tier": "storage_class"}
IMPACT_RENAMES = {"interruption_rate": "interruption_rate_per_hour", "first_byte_ms": "first_byte_ms_after",
                  "share_of_requests_cold": "cold_start_request_share"}
CURRENT_RENAMES = {"instance_type": "type", "instance_count": "count", "class": "type", "volume_type": "type",
                   "storage_gb": "size_gb", "gb": "size_gb", "standard_gb": "size_gb", "gpus": "gpus_total",
                   "last_week_cost": "weekly_cost"}
_STATE = re.compile(r"^(\w+) \((.+) kept\)$")  # "deleted (final snapshot kept)"
_PROPOSAL_FIELDS = frozenset(f.name for f in fields(Proposal))
_IMPACT_FIELDS = frozenset(f.name for f in fields(Impacts))
_CURRENT_FIELDS = frozenset(f.name for f in fields(Current))
_EVIDENCE_FIELDS = frozenset(f.name for f in fields(Evidence)) - {"facts"}
_RECLAIMED = "if_spot_reclaimed_"


def _proposal(old: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in old.items():
        key = PROPOSAL_RENAMES.get(key, key)
        if key == "state" and isinstance(value, str) and (m := _STATE.match(value)):
            out["state"], out["keeps"] = m.group(1), m.group(2)
        elif key in _PROPOSAL_FIELDS and key not in out:
            out[key] = value
    return out


def _impacts(old: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    reclaimed: dict[str, Any] = {}
    for key, value in old.items():
        if key.startswith(_RECLAIMED):
            reclaimed[key[len(_RECLAIMED):]] = value
            continue
        if key == "added_wall_time_share" and isinstance(value, (int, float)):
            key, value = "added_wall_time_pct", value * 100.0
        key = IMPACT_RENAMES.get(key, key)
        if key in _IMPACT_FIELDS and key not in out and key != "if_spot_reclaimed":
            out[key] = value
    if reclaimed:
        out["if_spot_reclaimed"] = _impacts(reclaimed)
    return out


def _recommendation(rec: Any) -> Any:
    if not isinstance(rec, Mapping):
        return rec
    out = dict(rec)
    if isinstance(rec.get("proposed"), Mapping):
        out["proposed"] = _proposal(rec["proposed"])
    if isinstance(rec.get("impacts"), Mapping):
        out["impacts"] = _impacts(rec["impacts"])
    return out


def _upgraded(data: Mapping[str, Any], recommendation: Callable[[Any], Any], version: str) -> dict[str, Any]:
    """``data`` as schema ``version``: every recommendation (selected or rejected) rewritten."""
    out = dict(data)
    for section in ("recommendations", "rejected"):
        if isinstance(data.get(section), list):
            out[section] = [recommendation(r) for r in data[section]]
    out["schema_version"] = version
    return out


def upgrade_1_0(data: Mapping[str, Any]) -> dict[str, Any]:
    """A schema-1.0 audit document as schema 1.1 (a new dict; ``data`` is not changed)."""
    return _upgraded(data, _recommendation, "1.1")


def _section(name: str, rewrite: Callable[[Mapping[str, Any]], dict[str, Any]]) -> Callable[[Any], Any]:
    """A recommendation rewriter: ``rewrite`` applied to its ``name`` mapping (anything else left as it is)."""
    def rewritten(rec: Any) -> Any:
        if not isinstance(rec, Mapping) or not isinstance(rec.get(name), Mapping):
            return rec
        return {**rec, name: rewrite(rec[name])}
    return rewritten


def _current(old: Mapping[str, Any]) -> dict[str, Any]:
    current: dict[str, Any] = {}
    for key, value in old.items():
        key = CURRENT_RENAMES.get(key, key)
        if key in _CURRENT_FIELDS and key not in current and value is not None:
            current[key] = value
    return current


def upgrade_1_1(data: Mapping[str, Any]) -> dict[str, Any]:
    """A schema-1.1 audit document as schema 1.2 (a new dict; ``data`` is not changed)."""
    return _upgraded(data, _section("current", _current), "1.2")


def _evidence(old: Mapping[str, Any]) -> dict[str, Any]:
    evidence: dict[str, Any] = {}
    facts = {key: value for key, value in old.items() if key not in _EVIDENCE_FIELDS}
    for key in _EVIDENCE_FIELDS & old.keys():
        value = old[key]
        if key == "price_sources" and isinstance(value, str):  # written as "a; b" by some 1.x rules
            value = value.split("; ")
        if value is not None:
            evidence[key] = value
    return {**evidence, "facts": facts} if facts else evidence


def upgrade_1_2(data: Mapping[str, Any]) -> dict[str, Any]:
    """A schema-1.2 audit document as schema 1.3 (a new dict; ``data`` is not changed)."""
    return _upgraded(data, _section("evidence", _evidence), "1.3")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _nullable(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)


def _shaped(hint: Any, value: Any) -> Any:
    """``value`` limited to what a field of type ``hint`` holds (records recursively)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _shaped(inner[0], value) if len(inner) == 1 else value
    if hint is CurrencyTotals:
        return {k: v for k, v in value.items() if k in _CURRENCY_KEYS} if isinstance(value, Mapping) else value
    if isinstance(hint, type) and is_dataclass(hint):
        return _known(hint, value)
    if origin is tuple and isinstance(value, list):
        return [_shaped(typing.get_args(hint)[0], v) for v in value]
    if origin is Mapping and isinstance(value, Mapping):
        return {k: _shaped(typing.get_args(hint)[1], v) for k, v in value.items()}
    return value


def _known(cls: type, data: Any) -> Any:
    """``data`` with the keys of record ``cls`` only; a null where the field has a default is dropped."""
    if not isinstance(data, Mapping):
        return data
    hints = _hints(cls)
    return {k: _shaped(hints[k], v) for k, v in data.items() if k in hints and (v is not None or _nullable(hints[k]))}


_CURRENCY_KEYS = frozenset(CurrencyTotals(currency="").as_json())  # its JSON keys (not all its field names)
_SPEND_NULLABLE = frozenset({"currency", "cost_basis", "first_day", "last_day"})
_SPEND_KEYS = _SPEND_NULLABLE | {"total", "billed_total", "egress"}


def _spend(old: Any) -> Any:
    if not isinstance(old, Mapping):
        return old
    out = {k: v for k, v in old.items() if k in _SPEND_KEYS and (v is not None or k in _SPEND_NULLABLE)}
    for group in SPEND_GROUPS:
        rows = old.get(f"by_{group}")
        if isinstance(rows, list):
            out[f"by_{group}"] = [{k: v for k, v in r.items() if k in (group, "cost")} if isinstance(r, Mapping) else r
                                  for r in rows]
    if isinstance(old.get("daily"), list):
        out["daily"] = [_known(SpendDay, row) for row in old["daily"]]
    return out


def _history(extras: Any) -> Any:
    """A first audit's history written with an empty ``previous`` object: no previous audit."""
    history = extras.get("history") if isinstance(extras, Mapping) else None
    if isinstance(history, Mapping) and history.get("previous") == {}:
        return {**extras, "history": {**history, "previous": None}}
    return extras


def upgrade_1_3(data: Mapping[str, Any]) -> dict[str, Any]:
    """A schema-1.3 audit document as schema 1.4 (a new dict; ``data`` is not changed)."""
    out = dict(data)
    if "spend" in data:
        out["spend"] = _spend(data["spend"])
    for name, cls in (("totals", Totals), ("settings", AuditSettings)):
        if name in data:
            out[name] = _known(cls, data[name])
    if "extras" in data:
        out["extras"] = _known(Extras, _history(data["extras"]))
    if isinstance(data.get("budgets"), list):
        out["budgets"] = [_known(CheckResult, b) for b in data["budgets"]]
    out["schema_version"] = "1.4"
    return out
