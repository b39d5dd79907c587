"""Write files so that a reader never sees half of one: temp file in the same folder, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically (same-directory temp file + os.replace)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; reports are ordinary files
        with os.fdopen(fd, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": ""})) as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all_atomic(files: dict[str | os.PathLike, str | bytes]) -> list[Path]:
    """Render-then-write: callers build every output first, so a failure writes nothing."""
    return [write_atomic(p, d) for p, d in files.items()]


def ensure_writable_dir(path: str | os.PathLike) -> Path:
    """Prove a file can be written in ``path`` (creating it to try), and leave no trace: folders
    this check created are removed again, so a run that fails later has written nothing."""
    folder = Path(path)
    created = []
    for parent in [folder, *folder.parents]:
        if parent.exists():
            break
        created.append(parent)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        fd, probe = tempfile.mkstemp(prefix=".costopt-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    finally:
        for made in created:  # deepest first
            made.rmdir()
    return folder
