"""Formatting shared by the reporters and the gate: money, percentages, short text, safe JSON.

``money`` is the one money formatter (reports, gate table, gate Markdown, JUnit). Every string
that came from a cloud or a billing file is untrusted: HTML escaping is Jinja2's autoescape,
``safe_json`` covers data handed to JavaScript inside ``<script type="application/json">`` (no
``</script>`` break-out), and the other sinks have their sanitiser in :mod:`costopt.sanitize`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from costopt.sanitize.json_text import json_text

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

_JSON_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")
_CODE_UNSAFE = re.compile(r"[^A-Za-z0-9]")


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
    return json_text(_JSON_UNSAFE_RE.sub(lambda m: _JSON_UNSAFE[m.group(0)], text))


def money(amount: float | None, currency: str = "USD", decimals: int = 0) -> str:
    """``$12,345`` for known symbols, ``12,345 CHF`` otherwise; ``n/a`` for None. The one money
    formatter: reports, gate and JUnit. A currency code is shown with letters and digits only
    (it comes from billing data and lands in Markdown, HTML and terminals)."""
    if amount is None or (isinstance(amount, float) and not math.isfinite(amount)):
        return "n/a"
    sign = "-" if amount < 0 else ""
    body = f"{abs(amount):,.{decimals}f}"
    symbol = CURRENCY_SYMBOLS.get(currency or "")
    code = _CODE_UNSAFE.sub("", str(currency or ""))[:8]  # a currency code from data: letters and digits only
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {code}".rstrip()


def figure(value: float, unit: str, decimals: int = 2) -> str:
    """A gate/budget figure in its unit: ``+12.5%`` for growth, money for a currency, and a
    per-period currency (``USD/month``) as ``$100.00/month``."""
    if unit == "%":
        return f"{value:+.1f}%"
    currency, _, per = unit.partition("/")
    return money(value, currency, decimals) + (f"/{_CODE_UNSAFE.sub('', per)}" if per else "")


def pct(share: float | None, decimals: int = 1, signed: bool = False) -> str:
    """A fraction (0.125) as ``12.5%``; ``n/a`` for None."""
    if share is None or (isinstance(share, float) and not math.isfinite(share)):
        return "n/a"
    return f"{share * 100:+.{decimals}f}%" if signed else f"{share * 100:.{decimals}f}%"


def short_text(text: Any, limit: int = 80) -> str:
    """One line, at most ``limit`` characters (an ellipsis marks the cut)."""
    s = " ".join(str(text if text is not None else "").split())
    return s if len(s) <= limit else s[: max(limit - 1, 1)] + "…"
