"""Regenerate the audit JSON Schema's ``spend``, ``totals``, ``budgets``, ``extras`` and ``settings``
parts from the typed sections (costopt/sections.py, costopt/audit_extras.py). Run after adding or
changing a field:

    python scripts/schema_sections.py

tests/core/test_audit_sections.py fails while the schema and the records disagree. A record's
definition carries no ``type``: the place that refers to it says ``object`` (or ``object`` or
``null`` for an optional one) beside an ``allOf`` holding the ``$ref``, so a bad value deep inside
is reported at its own key rather than as "not valid under any of the given schemas" at the
optional record's (``anyOf``), and fastjsonschema, which ignores a keyword beside a ``$ref``, still
checks the type.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from costopt.audit_extras import Extras
from costopt.sections import SPEND_GROUPS, STATUS_VALUES, AuditSettings, CheckResult, CurrencyTotals, SpendDay, Totals

SCHEMA = Path(__file__).resolve().parents[1] / "costopt" / "schemas" / "audit.schema.json"
SIMPLE = {str: "string", int: "integer", float: "number", bool: "boolean"}
COUNTS = ("investigate", "recommendations", "rejected", "spend_days", "run_rate_days", "priced")


def json_type(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = json_type(next(a for a in args if a is not type(None)), defs)
        return {**inner, "type": [inner["type"], "null"]}
    if hint in SIMPLE:
        return {"type": SIMPLE[hint]}
    if hint is Any:  # CheckResult.details: the facts of the check's kind (an open table)
        return {}
    if origin is tuple:
        return {"type": "array", "items": json_type(args[0], defs)}
    if origin is Mapping:
        return {"type": "object", "additionalProperties": json_type(args[1], defs)}
    if hint is CurrencyTotals:  # written under its JSON names (CurrencyTotals.as_json)
        defs.setdefault("CurrencyTotals", currency_totals())
        return {"allOf": [{"$ref": "#/$defs/CurrencyTotals"}], "type": "object"}
    if dataclasses.is_dataclass(hint):
        name = hint.__name__
        if name not in defs:
            defs[name] = {}
            defs[name] = definition(hint, defs)
        return {"allOf": [{"$ref": f"#/$defs/{name}"}], "type": "object"}
    raise ValueError(f"no JSON type for {hint!r}")


def definition(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    props = {f.name: json_type(hints[f.name], defs) for f in dataclasses.fields(cls)}
    for name in COUNTS:
        if props.get(name, {}).get("type") == "integer":
            props[name]["minimum"] = 0
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    doc = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
    return {"description": f"{doc} ({cls.__module__}.{cls.__name__})", **({"required": required} if required else {}),
            "properties": props, "additionalProperties": False}


def currency_totals() -> dict[str, Any]:
    figures = {k: {"type": "number"} for k in ("monthly_savings", "monthly_savings_low", "monthly_savings_high",
                                                "investigate_upper")}
    return {"type": "object", "description": "One currency's savings (costopt.sections.CurrencyTotals.as_json)",
            "required": ["currency"],
            "properties": {"currency": {"type": "string"}, **figures, "priced": {"type": "integer", "minimum": 0},
                           "investigate": {"type": "integer", "minimum": 0},
                           "by_family": {"type": "object", "additionalProperties": {"type": "number"}},
                           "by_provider": {"type": "object", "additionalProperties": {"type": "number"}}},
            "additionalProperties": False}


def spend(defs: dict[str, Any]) -> dict[str, Any]:
    """The spend section: its shares are written under their group's name ({"provider": ..., "cost": ...})."""
    def shares(group: str) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "object", "required": [group, "cost"], "properties": {
            group: {"type": ["string", "null"]}, "cost": {"type": "number"}}, "additionalProperties": False}}
    text = {"type": ["string", "null"]}
    return {"type": "object",
            "description": "The spend breakdown (costopt.sections.Spend); without cost_basis: no billing data was read",
            "properties": {"currency": text, "cost_basis": text, "total": {"type": "number"},
                           "billed_total": {"type": "number"}, "egress": {"type": "number"}, "first_day": text,
                           "last_day": text, **{f"by_{g}": shares(g) for g in SPEND_GROUPS},
                           "daily": {"type": "array", "items": json_type(SpendDay, defs)}},
            "additionalProperties": False}


def sections() -> tuple[dict[str, Any], dict[str, Any]]:
    """(the audit's section properties, the definitions they refer to)."""
    defs: dict[str, Any] = {}
    props = {"spend": spend(defs), "totals": json_type(Totals, defs),
             "budgets": {"type": "array", "items": json_type(CheckResult, defs)},
             "extras": json_type(Extras, defs), "settings": json_type(AuditSettings, defs)}
    defs["CheckResult"]["properties"]["status"] = {"enum": list(STATUS_VALUES)}
    return props, defs


def main() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    props, defs = sections()
    schema["properties"].update(props)
    schema["$defs"].update(defs)
    SCHEMA.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
