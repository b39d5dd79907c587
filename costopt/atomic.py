"""Write files so that a reader never sees half of one: temp file in the same folder, then rename.

Temp files are named ``.<target>.<pid>.<random>.tmp``. A run killed mid-write (``kill -9``, power
loss) leaves its temp file behind; the next run that writes to the folder removes it
(:func:`sweep_stale`): any such file whose writing process is gone, or that is older than an hour
(no write takes that long; this also covers writers on another host sharing the folder).

Several outputs are written all or nothing (:func:`stage_all`): every temp file is written first
(a full disk fails here, and the temps are removed), and only then renamed over the targets, which
needs no space. The previous outputs therefore stay intact until every new one is on disk.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from costopt.errors import InputError

STALE_AFTER_S = 3600.0
_TEMP = re.compile(r"^\..+?\.(?:(?P<pid>\d+)\.)?[A-Za-z0-9_]{8}\.tmp$")
_PROBE = re.compile(r"^\.costopt-probe\.(?:(?P<pid>\d+)\.)?[A-Za-z0-9_]{8}$")


def temp_file(folder: Path, name: str) -> tuple[int, str]:
    """A new temp file for ``folder/name`` (fd, path), tagged with this process id."""
    return tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=".tmp", dir=folder)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def sweep_stale(folder: str | os.PathLike, *, now: float | None = None) -> list[Path]:
    """Remove temp files a killed run left in ``folder`` (see the module docstring); returns them."""
    base = Path(folder)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    now = time.time() if now is None else now
    for entry in entries:
        m = _TEMP.match(entry.name) or _PROBE.match(entry.name)
        if m is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
            dead = m.group("pid") is not None and not _alive(int(m.group("pid")))
            if old or dead:
                os.unlink(entry.path)
                removed.append(base / entry.name)
        except OSError:
            continue  # gone meanwhile, or not ours to remove (read-only): leave it
    return removed


@dataclass
class Staged:
    """Temp files written in full and waiting to be renamed over their targets."""

    moves: list[tuple[str, Path]] = field(default_factory=list)

    def commit(self) -> list[Path]:
        """Rename every temp over its target (no space needed); returns the targets."""
        done = []
        for tmp, target in self.moves:
            os.replace(tmp, target)
            done.append(target)
        self.moves = []
        return done

    def discard(self) -> None:
        for tmp, _ in self.moves:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        self.moves = []


def _stage_one(target: Path, data: str | bytes) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(data, (str, bytes)):
        raise TypeError(f"expected str or bytes to write, got {type(data).__name__}")
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = temp_file(target.parent, target.name)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; reports are ordinary files
        with os.fdopen(fd, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": ""})) as fh:
            fh.write(data)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return tmp


def stage_all(files: Mapping[str | os.PathLike, str | bytes]) -> Staged:
    """Write every file's temp (all or none: a failure removes those already written)."""
    staged = Staged()
    folders = {Path(p).parent for p in files}
    for folder in folders:
        sweep_stale(folder)
    target = None
    try:
        for path, data in files.items():
            target = Path(path)
            staged.moves.append((_stage_one(target, data), target))
    except BaseException as exc:
        staged.discard()
        if isinstance(exc, OSError):
            exc.costopt_target = target  # type: ignore[attr-defined]  # the output, not its temp name
        raise
    return staged


def write_outputs(files: Mapping[str | os.PathLike, str | bytes]) -> list[Path]:
    """:func:`write_all_atomic` for a command's output files; an OS error (no space, read-only,
    permission) is one InputError naming the output, and none of the files is replaced."""
    try:
        return write_all_atomic(files)
    except OSError as exc:
        target = getattr(exc, "costopt_target", None) or next(iter(files), "")
        raise InputError(f"cannot write the output ({exc.strerror or exc})", path=str(target)) from None


def write_atomic(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically (same-directory temp file + os.replace)."""
    [target] = stage_all({path: data}).commit()
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all_atomic(files: Mapping[str | os.PathLike, str | bytes]) -> list[Path]:
    """Every file or none: all temps are written before the first rename (see the module docstring)."""
    return stage_all(files).commit()


def ensure_writable_dir(path: str | os.PathLike) -> Path:
    """Prove a file can be written in ``path`` (creating it to try), and leave no trace: folders
    this check created are removed again, so a run that fails later has written nothing. Temp
    files a killed run left there are removed first."""
    folder = Path(path)
    created = []
    for parent in [folder, *folder.parents]:
        if parent.exists():
            break
        created.append(parent)
    folder.mkdir(parents=True, exist_ok=True)
    sweep_stale(folder)
    try:
        fd, probe = tempfile.mkstemp(prefix=f".costopt-probe.{os.getpid()}.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    finally:
        for made in created:  # deepest first
            made.rmdir()
    return folder


__all__ = ["Staged", "ensure_writable_dir", "stage_all", "sweep_stale", "temp_file", "write_all_atomic",
           "write_atomic", "write_outputs"]
