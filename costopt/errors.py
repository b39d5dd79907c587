"""Errors that reach the user as one clear line and exit code 2.

Raise :class:`InputError` for anything the user can fix (a file, a column, a config key);
the CLI prints ``costopt: error: <message>`` and exits 2, with a traceback only under --debug.
"""

from __future__ import annotations

from pathlib import Path


class CostoptError(Exception):
    """Base of every error costopt reports to the user."""

    exit_code = 2


class InputError(CostoptError):
    """Bad input: names the file (and row/column/key) and what was expected."""

    def __init__(self, message: str, *, path: str | None = None, row: int | None = None,
                 column: str | None = None, key: str | None = None, line: int | None = None):
        where = []
        if path:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column!r}")
        if key:
            where.append(f"key {key!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.path, self.row, self.column, self.key, self.line = path, row, column, key, line


class ConfigError(InputError):
    """A bad costopt.toml / [tool.costopt] entry."""


class ProviderError(CostoptError):
    """A provider could not be used at all (e.g. no credentials): says which and how to fix it."""


def read_input_file(path: str | Path, missing: str, *, encoding: str = "utf-8") -> str:
    """The text of a file the user named; a missing file or one that is not text is an InputError
    naming the file (``missing`` says what to pass instead)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(missing, path=str(p))
    try:
        return p.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=str(p)) from None
