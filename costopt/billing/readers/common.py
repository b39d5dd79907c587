"""Small SQL builders shared by the format mappings (tags, CASE maps, JSON checks)."""

from __future__ import annotations

from collections.abc import Iterable

from costopt.billing.readers.sources import ident, sql_str


def case_map(expr: str | None, pairs: dict[str, str], default: str | None) -> str | None:
    """``CASE lower(expr) WHEN k THEN v ... ELSE default END`` (keys compared lower case)."""
    if not expr:
        return sql_str(default) if default is not None else None
    whens = " ".join(f"WHEN {sql_str(k.lower())} THEN {sql_str(v)}" for k, v in pairs.items())
    tail = f"ELSE {sql_str(default)}" if default is not None else "ELSE NULL"
    return f"(CASE lower({expr}) {whens} {tail} END)"


def tags_from_columns(columns: Iterable[tuple[str, str]]) -> str | None:
    """A JSON object string from (tag key, real column) pairs, skipping empty values."""
    pairs = list(columns)
    if not pairs:
        return None
    entries = ", ".join(f"struct_pack(k := {sql_str(key)}, v := CAST({ident(real)} AS VARCHAR))" for key, real in pairs)
    return (f"NULLIF(CAST(to_json(map_from_entries(list_filter([{entries}], "
            f"lambda e: e.v IS NOT NULL AND e.v <> ''))) AS VARCHAR), '{{}}')")


def tags_from_map(map_expr: str, strip_prefix: str = "") -> str:
    """A JSON object string from a MAP(VARCHAR, VARCHAR) column (CUR 2.0 ``resource_tags``)."""
    key = f"regexp_replace(e.key, {sql_str('^' + strip_prefix)}, '')" if strip_prefix else "e.key"
    return (f"NULLIF(CAST(to_json(map_from_entries(list_transform(list_filter(map_entries({map_expr}), "
            f"lambda e: e.value IS NOT NULL AND e.value <> ''), lambda e: struct_pack(k := {key}, v := e.value)))) "
            f"AS VARCHAR), '{{}}')")


def json_object_text(expr: str, add_braces: bool = False) -> str:
    """Keep valid JSON objects; ``"k": "v", ...`` without braces (Azure) gets them added."""
    value = f"trim(CAST({expr} AS VARCHAR))"
    if add_braces:
        value = f"(CASE WHEN starts_with({value}, '{{') THEN {value} ELSE '{{' || {value} || '}}' END)"
    return f"(CASE WHEN json_valid({value}) AND starts_with({value}, '{{') AND {value} <> '{{}}' THEN {value} END)"


def product(a: str | None, b: str | None) -> str | None:
    return f"({a} * {b})" if a and b else None
