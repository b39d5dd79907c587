"""Find the line of a key in TOML text, including keys inside inline tables and ``[[arrays]]``.

``ConfigSource.line_of`` finds ``key = ...`` lines under a ``[table]`` header; budgets are
usually written as inline tables (``month = { warn = 1, fail = 2 }``) or as an array of
tables (``[[budgets]]``), so the budgets parser uses this locator to point an error at the
exact line. It is a best-effort scan (no second TOML parser): it returns the line of the
deepest part of the key path it can find, or None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_PART = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_ASSIGN = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_PART = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)')


def split_key(dotted: str) -> tuple[str, ...]:
    """``a."b.c".d`` -> ("a", "b.c", "d")."""
    return tuple(a or b or c for a, b, c in _PART.findall(dotted))


def _inline_key(line: str, key: str, start: int) -> bool:
    """Whether ``key = `` appears in ``line`` after column ``start`` (inside an inline table)."""
    quoted = re.escape(key)
    pattern = re.compile(rf'(?:^|[\s{{,])(?:"{quoted}"|\'{quoted}\'|{quoted})\s*=')
    return pattern.search(line, start) is not None


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """Line number (1-based) of ``path`` in ``text``; list indices are ints (``[[x]]`` items)."""
    target = tuple(str(p) for p in path)
    if not text or not target:
        return None
    counts: dict[tuple[str, ...], int] = {}
    current: tuple[str, ...] = ()
    best: tuple[int, int] | None = None  # (depth matched, line)

    def consider(depth: int, number: int) -> None:
        nonlocal best
        if best is None or depth > best[0]:
            best = (depth, number)

    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = split_key(header.group(2))
            if header.group(1) == "[[":
                index = counts.get(name, -1) + 1
                counts[name] = index
                current = name + (str(index),)
            else:
                current = _resolve_arrays(name, counts)
            if target[: len(current)] == current:
                consider(len(current), number)
            elif current[: len(target)] == target:  # the header defines the key itself
                consider(len(target), number)
            continue
        assign = _ASSIGN.match(line)
        if not assign:
            continue
        full = current + split_key(assign.group(1))
        if full[: len(target)] == target:  # a dotted key defines it
            consider(len(target), number)
            continue
        if target[: len(full)] != full:
            continue
        depth = len(full)
        # Keys further down the path may sit in an inline table on the same line.
        rest = target[depth:]
        column = assign.end()
        for key in rest:
            if not _inline_key(line, key, column):
                break
            depth += 1
        consider(depth, number)
    return best[1] if best else None


def _resolve_arrays(name: tuple[str, ...], counts: dict[tuple[str, ...], int]) -> tuple[str, ...]:
    """``[budgets.x]`` after ``[[budgets]]`` belongs to the last ``budgets`` item."""
    out: tuple[str, ...] = ()
    for part in name:
        out = out + (part,)
        if out in counts:
            out = out + (str(counts[out]),)
    return out
