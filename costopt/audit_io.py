"""Audit <-> JSON: a versioned, schema-checked round trip.

``audit_to_dict`` turns the frozen dataclasses into plain JSON values (datetimes as ISO 8601
UTC, floats at full precision); ``audit_from_dict`` rebuilds them, after checking the
document against ``costopt/schemas/audit.schema.json``. ``costopt report`` and
``costopt gate`` read saved audits through :func:`load_audit`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from costopt.audit_legacy import upgrade_1_0
from costopt.errors import InputError
from costopt.model import (
    Audit,
    CoverageEntry,
    PriceSource,
    Recommendation,
    Skip,
    SloVerdict,
    Window,
)
from costopt.records import Impacts, Proposal, plain

SCHEMA_VERSION = "1.1"  # 1.1: typed ``proposed`` / ``impacts`` (costopt.records); 1.0 files are upgraded on read
SUPPORTED_MAJOR = "1"


def _plain(value: Any) -> Any:
    if isinstance(value, (Proposal, Impacts)):  # only the fields said: most are None
        return {k: _plain(v) for k, v in plain(value).items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _plain(value.item())
    return value


def number(value: Any) -> float | None:
    """The one parser for figures in the untyped sections of a saved audit (``extras``,
    ``budgets``): a finite JSON number as float, anything else (null, text, bool) None.
    ``proposed``/``impacts`` and the other typed fields are rebuilt by :func:`audit_from_dict`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def audit_to_dict(audit: Audit) -> dict[str, Any]:
    return _plain(audit)


def audit_to_json(audit: Audit) -> str:
    return json.dumps(audit_to_dict(audit), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


@cache
def _field_hints(cls: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


def _build(cls: Any, data: Any) -> Any:
    """Rebuild a value of type ``cls`` from plain JSON data (dataclasses, tuples, datetimes)."""
    origin = typing.get_origin(cls)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(cls) if a is not type(None)]
        if data is None:
            return None
        return _build(args[0], data) if len(args) == 1 else data
    if cls is datetime:
        return datetime.fromisoformat(data) if isinstance(data, str) else data
    if isinstance(cls, type) and dataclasses.is_dataclass(cls):
        kwargs = {}
        for name, hint in _field_hints(cls):
            if name in data:
                kwargs[name] = _build(hint, data[name])
        return cls(**kwargs)
    if origin is tuple:
        items = typing.get_args(cls)
        inner: Any = items[0] if items else Any
        return tuple(_build(inner, v) for v in data)
    if cls is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    return data


@lru_cache(maxsize=1)
def audit_schema() -> dict[str, Any]:
    text = resources.files("costopt.schemas").joinpath("audit.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    return jsonschema.Draft202012Validator(audit_schema())


@lru_cache(maxsize=1)
def _fast_check():
    """The schema compiled to Python (fastjsonschema): ~30x faster on large audits.

    It only answers valid / invalid; the precise error message comes from jsonschema.
    """
    import fastjsonschema

    return fastjsonschema.compile(audit_schema())


def validate_audit_dict(data: Any, path: str = "<audit>") -> None:
    """Check ``data`` against the shipped JSON Schema; raise InputError naming the key."""
    if not isinstance(data, dict):
        raise InputError("expected a costopt audit JSON object", path=path)
    version = str(data.get("schema_version", ""))
    if version.split(".")[0] != SUPPORTED_MAJOR:
        raise InputError(f"unsupported audit schema_version {version!r}; this costopt reads {SUPPORTED_MAJOR}.x",
                         path=path, key="schema_version")
    import fastjsonschema

    try:
        _fast_check()(data)
        return
    except fastjsonschema.JsonSchemaException:
        pass
    validator = _validator()
    error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        key = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise InputError(f"not a valid costopt audit: {error.message}", path=path, key=key)


def audit_from_dict(data: Mapping[str, Any], path: str = "<audit>") -> Audit:
    if isinstance(data, dict) and str(data.get("schema_version", "")) == "1.0":
        data = upgrade_1_0(data)
    validate_audit_dict(data, path)
    return _build(Audit, data)


def load_audit(path: str | Path) -> Audit:
    p = Path(path)
    if not p.is_file():
        raise InputError("audit file not found; pass the audit.json written by `costopt audit`", path=str(p))
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid JSON ({exc})", path=str(p)) from None
    return audit_from_text(text, str(p))


def audit_from_text(text: str, path: str = "<audit>") -> Audit:
    """An audit from its JSON text (``path`` names it in errors)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc})", path=path) from None
    return audit_from_dict(data, path)


__all__ = [
    "number", "audit_to_dict", "audit_to_json", "audit_from_dict", "audit_from_text", "load_audit", "validate_audit_dict",
    "SCHEMA_VERSION", "Window", "CoverageEntry", "PriceSource", "Recommendation", "Skip", "SloVerdict",
]
