"""Markdown (GitHub flavour) from untrusted text: literal, in one line, pinging nobody.

The one Markdown escaper of costopt: the reports, the gate's summary and the PR comment use it.
``md_escape`` for text and table cells, ``md_code`` for inline code, ``md_fence`` for code
blocks (apply commands). Control and bidi characters never reach the output: dropped in text,
shown escaped (``\\x1b``) in code.
"""

from __future__ import annotations

import re
from typing import Any

from costopt.sanitize import CONTROL, visible

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")
# "@" keeps its look but is followed by a zero-width space, so GitHub/GitLab never turn a tag
# value such as @org/team into a mention (an entity for "@" alone is decoded back before that).
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "@": "@&#8203;"}
_MD_ENTITY_RE = re.compile(r"[<>&@]")


def _text(text: Any) -> str:
    return str(text if text is not None else "")


def md_escape(text: Any) -> str:
    """Untrusted text as literal Markdown, safe inside a table cell.

    Markdown punctuation is backslash-escaped first, then HTML is neutralised with entities
    (no raw tags reach the sanitizer; the entities' own ``&#;`` are not escaped again), ``@``
    is followed by a zero-width space so a tag value cannot ping people, control and bidi
    characters are dropped, and newlines collapse to spaces so a cell cannot break the table.
    """
    s = " ".join(CONTROL.sub(" ", _text(text)).split())
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return _MD_ENTITY_RE.sub(lambda m: _MD_ENTITIES[m.group(0)], s)


def md_code(text: Any, in_table: bool = True) -> str:
    """Untrusted text as inline code: backticks inside are fenced with longer runs, controls
    shown escaped. In a GFM table a ``|`` ends the cell even inside code, so it is escaped there.
    """
    s = " ".join(CONTROL.sub(lambda m: " " if m.group(0) in "\t\n\r" else visible(m), _text(text)).split())
    if in_table:
        s = s.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_fence(text: Any, indent: str = "") -> list[str]:
    """Untrusted text as a fenced code block (literal on GitHub); the fence is longer than
    any backtick run inside, so the text cannot close it; controls other than newlines are
    shown escaped."""
    body = _text(text).replace("\r\n", "\n").replace("\r", "\n")
    body = CONTROL.sub(lambda m: m.group(0) if m.group(0) in "\n\t" else visible(m), body)
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [indent + fence] + [indent + line for line in body.split("\n")] + [indent + fence]
