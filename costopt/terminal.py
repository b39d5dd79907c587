"""Terminal output: colour on a TTY, plain text in pipes; ``NO_COLOR`` and ``--no-color`` turn it off.

Why: a FAIL that is red is seen; escape codes in a CI log or a file are noise. click already
strips styles when the stream is not a terminal; this module adds the two switches people expect
(https://no-color.org and a flag) and the colours of the gate's statuses.
"""

from __future__ import annotations

import os
import re

import click

from costopt.sanitize import CONTROL, visible


def safe(text: object) -> str:
    """Text that came from data, for the terminal: control and bidi characters shown escaped
    (``\\x1b``, ``\\u202e``), so a tag or resource name cannot recolour, move or reorder the output."""
    return CONTROL.sub(visible, str(text))


STATUS_COLOURS = {"PASS": "green", "WARN": "yellow", "FAIL": "red", "SKIPPED": "bright_black"}
_STATUS_RE = re.compile(r"\b(PASS|WARN|FAIL|SKIPPED)\b")


def colour() -> bool | None:
    """False when switched off, else None: click colours only when the stream is a terminal."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    if root is not None and isinstance(root.obj, dict) and root.obj.get("no_color"):
        return False
    if os.environ.get("NO_COLOR"):
        return False
    return None


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    click.echo(text, err=err, nl=nl, color=colour())


def statuses(text: str) -> str:
    """The gate's PASS/WARN/FAIL/SKIPPED words in their colours (stripped again off a terminal)."""
    return _STATUS_RE.sub(lambda m: click.style(m.group(1), fg=STATUS_COLOURS[m.group(1)], bold=True), text)


def bold(text: str) -> str:
    return click.style(text, bold=True)
