"""Shell words for apply commands: a value from data is one quoted word, a command is one line.

Why: resource names, tags and ids come from the cloud, where anyone in the organisation can
set them. An apply command is pasted into a terminal; a name such as ``x; rm -rf ~`` or one
with a newline must stay one argument of the command it belongs to. :func:`arg` quotes with
:func:`shlex.quote` (POSIX single quotes); a value holding control, line-separator or bidi
characters is written as a bash ``$'...'`` word with those characters escaped (``\\n``,
``\\x1b``, ``\\u202e``), so the command stays on one line and shows what it will pass.
Placeholders for values costopt cannot know (``<zone in us-east-1>``) are quoted the same way:
unquoted, ``<`` and ``>`` would be redirections.

Apply modules keep one table of command templates per action, keyed by provider (or
``provider/kind``); :func:`for_resource` picks the template and :func:`command` fills every
``{field}`` with one quoted word.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

from costopt.model import Resource

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


def command(template: str, **values: Any) -> str:
    """``template`` with every ``{field}`` as ``values[field]`` quoted by :func:`arg`.

    The field ``{note}`` is prose: it becomes a :func:`comment`, so it must end the template.
    """
    return template.format_map({key: comment(value) if key == "note" else arg(value) for key, value in values.items()})


def resource_words(r: Resource) -> dict[str, str]:
    """The values of ``r`` that apply templates name (unquoted: :func:`command` quotes them).

    ``name`` is the resource name or else its id; ``short_name`` the name or else the id's last
    path segment; ``zone`` a placeholder when the inventory did not read one.
    """
    return {"id": r.id, "name": r.name or r.id, "short_name": r.name or r.id.rsplit("/", 1)[-1],
            "region": r.region, "account": r.account, "type": r.type,
            "zone": r.attributes.get("zone") or f"<zone in {r.region}>"}


def pick(templates: Mapping[str, str], r: Resource) -> str | None:
    """The key of ``r``'s template: ``provider/kind``, else ``provider``, else ``*`` (None: no entry)."""
    return next((key for key in (f"{r.provider}/{r.kind}", r.provider, "*") if key in templates), None)


def for_resource(templates: Mapping[str, str], r: Resource, **values: Any) -> str:
    """The command of ``templates`` for ``r``, filled with :func:`resource_words` and ``values``."""
    key = pick(templates, r)
    if key is None:
        raise KeyError(f"no apply template for {r.provider}/{r.kind}")
    return command(templates[key], **{**resource_words(r), **values})
