"""Shell words for apply commands: a value from data is one quoted word, a command is one line.

Why: resource names, tags and ids come from the cloud, where anyone in the organisation can
set them. An apply command is pasted into a terminal; a name such as ``x; rm -rf ~`` or one
with a newline must stay one argument of the command it belongs to. :func:`arg` quotes with
:func:`shlex.quote` (POSIX single quotes); a value holding control, line-separator or bidi
characters is written as a bash ``$'...'`` word with those characters escaped (``\\n``,
``\\x1b``, ``\\u202e``), so the command stays on one line and shows what it will pass.
Placeholders for values costopt cannot know (``<zone in us-east-1>``) are quoted the same way:
unquoted, ``<`` and ``>`` would be redirections.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def arg(value: Any) -> str:
    """``value`` as exactly one shell word on one line."""
    text = str(value)
    if not _CONTROL.search(text):
        return shlex.quote(text)
    body = "".join("\\\\" if ch == "\\" else "\\'" if ch == "'" else _escape(ch) if _CONTROL.match(ch) else ch
                   for ch in text)
    return f"$'{body}'"


def comment(text: Any) -> str:
    """Prose after a command (``# ...``), on one line: control characters shown escaped."""
    return "# " + _CONTROL.sub(lambda m: _escape(m.group(0)), str(text))
