"""CSV cells that are safe to open in a spreadsheet and to print on a terminal.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab, CR or LF is prefixed with ``'``
so a spreadsheet never evaluates a cloud-supplied name as a formula (OWASP CSV injection);
control and bidi characters other than tab/CR/LF are written as visible escapes (``\\x1b``).
Numbers stay numbers (floats rounded to cents, non-finite ones empty).
"""

from __future__ import annotations

import math
from typing import Any

from costopt.sanitize import CONTROL, visible

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_KEEP = frozenset("\t\r\n")  # quoted by the csv module; a leading one is a trigger


def safe_text(value: Any) -> str:
    """One text cell: controls shown escaped, formula triggers neutralised."""
    text = CONTROL.sub(lambda m: m.group(0) if m.group(0) in _KEEP else visible(m), str(value))
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def safe_cell(value: Any, *, digits: int | None = 2) -> Any:
    """A cell for ``csv.writer``: None empty, booleans true/false, numbers as numbers, text made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return round(value, digits) if digits is not None else value
    return safe_text(value)
