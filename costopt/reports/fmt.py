"""Formatting and escaping shared by the reporters: money, percentages, safe JSON, Markdown text.

Every string that came from a cloud or a billing file (names, tags, descriptions) is
untrusted. HTML escaping is Jinja2's autoescape; this module covers the other sinks:
``safe_json`` for data handed to JavaScript inside ``<script type="application/json">``
(no ``</script>`` break-out, no HTML parser surprises) and ``md_escape`` for Markdown.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

_JSON_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def _default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "to_plotly_json"):
        return value.to_plotly_json()
    return str(value)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def safe_json(value: Any) -> str:
    """Compact JSON that is safe to place verbatim inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&`` and the JavaScript line separators U+2028/U+2029 are written as
    ``\\uXXXX`` escapes, so no string in the data can close the script element or open a
    comment; non-finite floats become null (JSON has no NaN).
    """
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_default, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(value), separators=(",", ":"), ensure_ascii=False, default=_default)
    return _JSON_UNSAFE_RE.sub(lambda m: _JSON_UNSAFE[m.group(0)], text)


def money(amount: float | None, currency: str = "USD", decimals: int = 0) -> str:
    """``$12,345`` for known symbols, ``12,345 CHF`` otherwise; ``n/a`` for None."""
    if amount is None or (isinstance(amount, float) and not math.isfinite(amount)):
        return "n/a"
    sign = "-" if amount < 0 else ""
    body = f"{abs(amount):,.{decimals}f}"
    symbol = CURRENCY_SYMBOLS.get(currency or "")
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency or ''}".rstrip()


def pct(share: float | None, decimals: int = 1, signed: bool = False) -> str:
    """A fraction (0.125) as ``12.5%``; ``n/a`` for None."""
    if share is None or (isinstance(share, float) and not math.isfinite(share)):
        return "n/a"
    return f"{share * 100:+.{decimals}f}%" if signed else f"{share * 100:.{decimals}f}%"


def short_text(text: Any, limit: int = 80) -> str:
    """One line, at most ``limit`` characters (an ellipsis marks the cut)."""
    s = " ".join(str(text if text is not None else "").split())
    return s if len(s) <= limit else s[: max(limit - 1, 1)] + "…"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")
# "@" keeps its look but is followed by a zero-width space, so GitHub/GitLab never turn a tag
# value such as @org/team into a mention (an entity for "@" alone is decoded back before that).
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "@": "@&#8203;"}
_MD_ENTITY_RE = re.compile(r"[<>&@]")
_MD_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def md_escape(text: Any) -> str:
    """Untrusted text as literal Markdown (GitHub flavour), safe inside a table cell.

    Markdown punctuation is backslash-escaped first, then HTML is neutralised with entities
    (no raw tags reach the sanitizer; the entities' own ``&#;`` are not escaped again), ``@``
    is followed by a zero-width space so a tag value cannot ping people, control and bidi
    characters are dropped, and newlines collapse to spaces so a cell cannot break the table.
    """
    s = " ".join(_MD_CONTROL.sub(" ", str(text if text is not None else "")).split())
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return _MD_ENTITY_RE.sub(lambda m: _MD_ENTITIES[m.group(0)], s)


def md_code(text: Any, in_table: bool = True) -> str:
    """Untrusted text as inline code: backticks inside are fenced with longer runs.

    In a GFM table a ``|`` ends the cell even inside code, so it is escaped there.
    """
    s = " ".join(str(text if text is not None else "").split())
    if in_table:
        s = s.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_fence(text: Any, indent: str = "") -> list[str]:
    """Untrusted text as a fenced code block (literal on GitHub); the fence is longer than
    any backtick run inside, so the text cannot close it."""
    body = str(text if text is not None else "").replace("\r\n", "\n").replace("\r", "\n")
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [indent + fence] + [indent + line for line in body.split("\n")] + [indent + fence]
