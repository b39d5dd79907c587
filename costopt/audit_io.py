"""Audit <-> JSON: a versioned, schema-checked round trip.

``audit_to_dict`` turns the frozen dataclasses into plain JSON values (datetimes as ISO 8601
UTC, floats at full precision); ``audit_from_dict`` rebuilds them, after checking the
document against ``costopt/schemas/audit.schema.json``: that is the one place a saved audit is
parsed, every section included (costopt.sections, costopt.audit_extras), so a malformed value is
one error naming its key, never a None read later. ``costopt report``, ``costopt gate`` and the
history read saved audits through :func:`load_audit`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from costopt.audit_legacy import upgrade_1_0, upgrade_1_1, upgrade_1_2, upgrade_1_3
from costopt.errors import InputError, read_input_file
from costopt.evidence import Evidence
from costopt.model import Audit, CoverageEntry, PriceSource, Recommendation, Skip, SloVerdict, Window
from costopt.records import Current, Impacts, Proposal, plain
from costopt.sections import CurrencyTotals, JsonRecord, Spend

# 1.4: typed spend, totals, budgets, extras and settings (costopt.sections, costopt.audit_extras);
# 1.3: typed ``evidence`` (costopt.evidence); 1.2: typed ``current``; 1.1: typed ``proposed`` / ``impacts``
# (costopt.records); older files are upgraded on read (costopt.audit_legacy)
SCHEMA_VERSION = "1.4"
SUPPORTED_MAJOR = "1"


def _plain(value: Any) -> Any:
    if isinstance(value, (Current, Proposal, Impacts)):  # only the fields said: most are None
        return {k: _plain(v) for k, v in plain(value).items()}
    if isinstance(value, Evidence):
        return {k: _plain(v) for k, v in value.as_json().items()}
    if isinstance(value, (Spend, CurrencyTotals)):
        return {k: _plain(v) for k, v in value.as_json().items()}
    if isinstance(value, JsonRecord):  # the sections: their fields in order, less the ones they leave out
        skip = value.omitted()
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value)) if name not in skip}
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


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    return names


def audit_to_dict(audit: Audit) -> dict[str, Any]:
    return _plain(audit)


def audit_to_json(audit: Audit) -> str:
    return json.dumps(audit_to_dict(audit), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


@cache
def _field_hints(cls: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


def _build(cls: Any, data: Any) -> Any:
    """Rebuild a value of type ``cls`` from schema-checked JSON data (dataclasses, tuples,
    mappings, datetimes): the one parsing step of a saved audit."""
    convert = _converter(cls, False)
    return data if convert is None else convert(data)


Convert = Callable[[Any], Any]


@cache
def _converter(cls: Any, exact: bool) -> Convert | None:
    """How JSON data becomes a value of type ``cls`` (None: it is used as it is), worked out once
    per type. Whole numbers in float fields become floats, except in the sections (``exact``),
    whose figures are kept as written so a re-rendered audit prints them as its producer did
    (``"savings": 0``)."""
    origin = typing.get_origin(cls)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(cls) if a is not type(None)]
        inner = _converter(args[0], exact) if len(args) == 1 else None
        return None if inner is None else (lambda data: None if data is None else inner(data))
    if cls is datetime:
        return lambda data: datetime.fromisoformat(data) if isinstance(data, str) else data
    if cls in (Spend, CurrencyTotals):  # written under other keys than their fields (see their as_json)
        return cls.from_json  # type: ignore[no-any-return]
    if isinstance(cls, type) and dataclasses.is_dataclass(cls):
        return _record_converter(cls, exact or issubclass(cls, JsonRecord))
    if origin is tuple:
        items = typing.get_args(cls)
        each = _converter(items[0], exact) if items else None
        return tuple if each is None else (lambda data: tuple(each(v) for v in data))
    if origin is Mapping:
        value = _converter(typing.get_args(cls)[1], exact)
        if value is None:
            return lambda data: dict(data) if isinstance(data, dict) else data
        return lambda data: {k: value(v) for k, v in data.items()} if isinstance(data, dict) else data
    if cls is float and not exact:
        return lambda data: float(data) if isinstance(data, int) and not isinstance(data, bool) else data
    return None


def _record_converter(cls: type, exact: bool) -> Convert:
    plan: list[tuple[str, Convert | None]] = []
    planned = False

    def build(data: Any) -> Any:
        nonlocal planned
        if not planned:  # worked out on first use: a record may hold one of its own kind (Impacts)
            plan.extend((name, _converter(hint, exact)) for name, hint in _field_hints(cls))
            planned = True
        kwargs = {}
        for name, convert in plan:
            if name in data:
                value = data[name]
                kwargs[name] = value if convert is None else convert(value)
        return cls(**kwargs)

    return build


@lru_cache(maxsize=1)
def audit_schema() -> dict[str, Any]:
    text = resources.files("costopt.schemas").joinpath("audit.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator():
    import jsonschema  # heavy: only validation against the schema needs it

    return jsonschema.Draft202012Validator(audit_schema())


@lru_cache(maxsize=1)
def _fast_check():
    """The schema compiled to Python (fastjsonschema): ~30x faster on large audits.

    It only answers valid / invalid; the precise error message comes from jsonschema.
    """
    import fastjsonschema  # heavy: compiled once, on first use

    return fastjsonschema.compile(audit_schema())


MAX_DEPTH = 32  # an audit nests ~6 deep; anything far deeper is not one (and would exhaust recursion)
# Dates the readers parse, by JSON path ("*" = every item of a list): checked after the schema so a
# bad one is a one-line error naming the path, not a ValueError in `report`, `gate` or `history`.
DATE_PATHS = (("run_at",), ("window", "start"), ("window", "end"), ("spend", "first_day"), ("spend", "last_day"),
              ("spend", "daily", "*", "day"))


# Python's json reads NaN, Infinity and numbers past a double (1e400 -> inf), none of them JSON
# numbers; spend figures are summed by the gate and the reports, so each is bounded like a billing row.
SPEND_BOUND = 1e15
SPEND_PATHS = (("spend", "total"), ("spend", "daily", "*", "cost"), ("spend", "daily", "*", "billed"))


def _first_bad(data: Any) -> tuple[str, str] | None:
    """The JSON path of the first value nested deeper than MAX_DEPTH or that is not a finite
    number, with what is wrong (iterative: no recursion)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            return where or "(root)", f"not a costopt audit: nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, float) and not math.isfinite(value):
            return where or "(root)", f"not a valid costopt audit: expected a finite number, got {value!r}"
        if isinstance(value, dict):
            stack.extend((v, f"{where}/{k}" if where else str(k), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{where}/{i}", depth + 1) for i, v in enumerate(value))
    return None


def _check_spend(data: dict[str, Any], path: str) -> None:
    for steps in SPEND_PATHS:
        for where, value in _dates(data, steps):
            if isinstance(value, (int, float)) and abs(value) > SPEND_BOUND:
                raise InputError(f"not a valid costopt audit: expected a cost between -{SPEND_BOUND:g} and "
                                 f"{SPEND_BOUND:g} (sums of it must not overflow), got {value!r}", path=path, key=where)


def _dates(data: Any, steps: tuple[str, ...], where: str = "") -> list[tuple[str, Any]]:
    if not steps:
        return [(where, data)]
    head, rest = steps[0], steps[1:]
    if head == "*":
        items = data if isinstance(data, list) else []
        return [hit for i, v in enumerate(items) for hit in _dates(v, rest, f"{where}/{i}")]
    if not isinstance(data, dict) or head not in data or data[head] is None:
        return []
    return _dates(data[head], rest, f"{where}/{head}" if where else head)


def _check_dates(data: dict[str, Any], path: str) -> None:
    for steps in DATE_PATHS:
        for where, value in _dates(data, steps):
            if isinstance(value, str):
                try:
                    datetime.fromisoformat(value)
                    continue
                except ValueError:
                    pass
            raise InputError(f"not a valid costopt audit: expected an ISO 8601 date-time string, got {value!r}",
                             path=path, key=where)


def validate_audit_dict(data: Any, path: str = "<audit>") -> None:
    """Check ``data`` against the shipped JSON Schema, its nesting and its dates; raise an
    InputError naming the JSON path and what was expected."""
    if not isinstance(data, dict):
        raise InputError(f"expected a costopt audit JSON object, got {type(data).__name__}", path=path)
    if "schema_version" not in data:
        raise InputError(f"not a costopt audit: no schema_version (expected \"{SCHEMA_VERSION}\")",
                         path=path, key="schema_version")
    version = data["schema_version"]
    if not isinstance(version, str) or version.split(".")[0] != SUPPORTED_MAJOR:
        raise InputError(f"unsupported audit schema_version {version!r}; this costopt reads {SUPPORTED_MAJOR}.x",
                         path=path, key="schema_version")
    bad = _first_bad(data)
    if bad is not None:
        raise InputError(bad[1], path=path, key=bad[0])
    import fastjsonschema  # heavy: compiled once, on first use

    try:
        _fast_check()(data)
    except fastjsonschema.JsonSchemaException as fast:
        validator = _validator()
        error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))), None)
        if error is not None:
            key = "/".join(str(p) for p in error.absolute_path) or "(root)"
            raise InputError(f"not a valid costopt audit: {error.message}", path=path, key=key) from None
        _check_dates(data, path)  # a format only fastjsonschema checks (run_at): say it like the others
        key = str(getattr(fast, "name", "") or "(root)").removeprefix("data.").removeprefix("data")
        raise InputError(f"not a valid costopt audit: {getattr(fast, 'message', fast)}", path=path, key=key or "(root)") from None
    _check_dates(data, path)
    _check_spend(data, path)


def audit_from_dict(data: Mapping[str, Any], path: str = "<audit>") -> Audit:
    if isinstance(data, dict) and str(data.get("schema_version", "")) == "1.0":
        data = upgrade_1_0(data)
    if isinstance(data, dict) and str(data.get("schema_version", "")) == "1.1":
        data = upgrade_1_1(data)
    if isinstance(data, dict) and str(data.get("schema_version", "")) == "1.2":
        data = upgrade_1_2(data)
    if isinstance(data, dict) and str(data.get("schema_version", "")) == "1.3":
        data = upgrade_1_3(data)
    validate_audit_dict(data, path)
    return _build(Audit, data)


def load_audit(path: str | Path) -> Audit:
    text = read_input_file(path, "audit file not found; pass the audit.json written by `costopt audit`")
    return audit_from_text(text, str(path))


def audit_from_text(text: str, path: str = "<audit>") -> Audit:
    """An audit from its JSON text (``path`` names it in errors)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc})", path=path) from None
    except RecursionError:
        raise InputError(f"not a costopt audit: nested more than {MAX_DEPTH} levels deep", path=path) from None
    return audit_from_dict(data, path)


__all__ = [
    "audit_to_dict", "audit_to_json", "audit_from_dict", "audit_from_text", "load_audit", "validate_audit_dict",
    "SCHEMA_VERSION", "Window", "CoverageEntry", "PriceSource", "Recommendation", "Skip", "SloVerdict",
]
