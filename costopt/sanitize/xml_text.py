"""Text for XML (JUnit) documents built with xml.etree: only characters XML 1.0 allows.

ElementTree escapes ``&``, ``<``, ``>`` and quotes, but writes any character it is given: a
control character (ESC from a tag value, NUL) makes the file not well-formed, and every JUnit
reader rejects it. :func:`xml_text` replaces each character outside XML 1.0's ``Char``
production (C0 controls except tab/LF/CR, surrogates, U+FFFE/U+FFFF) with its visible escape,
and C1/bidi controls too (they are legal but reorder or recolour what a CI page shows). No
CDATA sections are written: ElementTree escapes ``>`` in text, so a ``]]>`` from data reaches
the file as ``]]&gt;`` and cannot end anything.
"""

from __future__ import annotations

import re
from typing import Any

from costopt.sanitize import CONTROL, visible

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """``value`` as text XML 1.0 can carry (element text or attribute value)."""
    text = _ILLEGAL.sub(visible, str(value if value is not None else ""))
    return CONTROL.sub(lambda m: m.group(0) if m.group(0) in "\t\n\r" else visible(m), text)
