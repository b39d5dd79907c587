"""Render every requested report first, then write them atomically: no half-written output."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from costopt.atomic import ensure_writable_dir, stage_all
from costopt.errors import InputError
from costopt.model import Audit
from costopt.reports import FORMATS, default_filename, render


def check_formats(formats: Iterable[str]) -> None:
    """Refuse an unknown format before anything (history included) is written."""
    for fmt in formats:
        if fmt not in FORMATS:
            raise InputError(f"unknown report format {fmt!r}; expected any of: {', '.join(FORMATS)}", key="--format")


def write_reports(audit: Audit, out_dir: Path, formats: Iterable[str], *,
                  before_commit: Callable[[], None] | None = None, **options: Any) -> list[Path]:
    """Render every format, write them all to temp files, run ``before_commit`` (saving the
    history), then rename them over the previous reports. A failure anywhere before the renames
    (a full disk, a history that cannot be written) leaves the previous reports and history as
    they were."""
    formats = list(dict.fromkeys(formats))
    check_formats(formats)
    rendered: dict[str | os.PathLike[str], str | bytes] = {
        out_dir / default_filename(fmt): render(audit, fmt, **options) for fmt in formats}
    try:
        staged = stage_all(rendered)
    except OSError as exc:
        raise InputError(f"cannot write the reports ({exc.strerror or exc})", path=str(out_dir),
                         key="--out") from None
    try:
        if before_commit is not None:
            before_commit()
        return staged.commit()
    except OSError as exc:
        raise InputError(f"cannot write the reports ({exc.strerror or exc})", path=str(out_dir),
                         key="--out") from None
    finally:
        staged.discard()  # no-op after a commit


def check_out_dir(out_dir: Path) -> None:
    """Refuse an output folder that cannot be written, before anything (history included) is saved."""
    try:
        ensure_writable_dir(out_dir)
    except OSError as exc:
        raise InputError(f"cannot write the reports there ({exc.strerror or exc})", path=str(out_dir),
                         key="--out") from None
