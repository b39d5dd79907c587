"""Regenerate the ``current``, ``proposal``, ``impacts`` and ``evidence`` definitions of the audit JSON Schema
from the typed records (costopt/records.py, costopt/evidence.py). Run after adding or changing a field:

    python scripts/schema_records.py

tests/core/test_records.py fails while the schema and the records disagree.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields
from pathlib import Path
from typing import Any

from costopt.evidence import Evidence
from costopt.records import Current, Impacts, Proposal

SCHEMA = Path(__file__).resolve().parents[1] / "costopt" / "schemas" / "audit.schema.json"
SIMPLE = {str: "string", int: "integer", float: "number", bool: "boolean"}


def json_type(hint: Any) -> dict[str, Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = json_type(next(a for a in args if a is not type(None)))
        if isinstance(inner.get("type"), str):
            return {**inner, "type": [inner["type"], "null"]}
        return {"oneOf": [inner, {"type": "null"}]}
    if hint in SIMPLE:
        return {"type": SIMPLE[hint]}
    if origin is tuple:
        return {"type": "array", "items": {"type": "string"}}
    if hint is Impacts:
        return {"$ref": "#/$defs/impacts"}
    if origin is not None and origin.__name__ == "Mapping":
        value = typing.get_args(hint)[1]
        if value is float:
            return {"type": "object", "additionalProperties": {"type": "number"}}
        return {"type": "object"}  # Evidence.facts: rule-specific figures, only displayed
    raise ValueError(f"no JSON type for {hint!r}")


def definition(cls: type, description: str) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {"type": "object", "description": description,
            "properties": {f.name: json_type(hints[f.name]) for f in fields(cls)}, "additionalProperties": False}


def main() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    schema["$defs"]["current"] = definition(
        Current, "What the resource is now (costopt.records.Current): only the fields that apply are present.")
    schema["$defs"]["proposal"] = definition(
        Proposal, "What the change proposes (costopt.records.Proposal): only the fields that apply are present.")
    schema["$defs"]["impacts"] = definition(
        Impacts, "Predicted effects of the change (costopt.records.Impacts): only the figures that were computed are present.")
    schema["$defs"]["evidence"] = definition(
        Evidence, "What the recommendation rests on (costopt.evidence.Evidence): the typed fields other code reads, "
                  "and the rule's own figures under facts (only displayed).")
    SCHEMA.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
