"""JSON text safe to print: C1 and bidi control characters inside strings as ``\\uXXXX`` escapes.

``json.dumps(..., ensure_ascii=False)`` escapes C0 controls but writes U+0080..U+009F (C1:
U+009B is a CSI that some terminals act on), the bidi overrides and U+2028/U+2029 as they are.
They can only occur inside JSON strings, where ``\\uXXXX`` is the same character: the document
means the same and shows nothing it should not.
"""

from __future__ import annotations

import re

_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_text(document: str) -> str:
    """``document`` (JSON) with C1, DEL, line-separator and bidi characters escaped."""
    return _RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)
