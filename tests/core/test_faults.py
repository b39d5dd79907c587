"""Faults on disk: a killed run's temp files are removed by the next run; a full disk or a
read-only folder is one line with exit 2 and the previous outputs and history stay as they were.

The full disk and the read-only folder are real file systems (tmpfs mounts) where the test may
mount; elsewhere the same fault is injected at the OS boundary (``os.fdopen`` of a file in that
folder returns a file whose writes fail with ENOSPC), never by replacing costopt's own functions.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from costopt.atomic import STALE_AFTER_S, sweep_stale
from costopt.cli import cli
from tests.billing.builders import FOCUS_HEADER, focus_row, write_csv

REPO = Path(__file__).resolve().parents[2]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def bill(tmp_path_factory) -> str:
    """A small FOCUS export: audits over it take a second (the demo's moto estate takes far longer)."""
    rows = [focus_row(float(d + 1), start=f"2024-09-{d + 1:02d}T00:00:00Z", end=f"2024-09-{d + 1:02d}T01:00:00Z",
                      resource=f"i-{d % 3}") for d in range(20)]
    return str(write_csv(tmp_path_factory.mktemp("bill") / "focus.csv", FOCUS_HEADER, rows))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo_audit(tmp_path_factory, bill) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert invoke("audit", "--source", bill, "-q", "--format", "json", "--no-history", "--out", str(out)).exit_code == 0
    return out / "audit.json"


def one_error_line(result) -> str:
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("costopt: error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# -- leftover temp files ---------------------------------------------------------------------------

WRITER = """
import sys
from costopt.atomic import write_atomic
write_atomic(sys.argv[1], "x" * (64 << 20))
"""


def test_temp_file_of_a_killed_run_is_removed_by_the_next_audit(tmp_path, bill):
    out = tmp_path / "out"
    out.mkdir()
    for _ in range(5):  # kill -9 while the temp file is being written
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(out / "report.html")], cwd=REPO,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        deadline = time.monotonic() + 20
        while not list(out.glob(".report.html.*.tmp")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if list(out.glob(".report.html.*.tmp")):
            break
    left = list(out.glob(".report.html.*.tmp"))
    assert left, "the writer was never caught mid-write"
    result = invoke("audit", "--source", bill, "-q", "--format", "json", "--no-history", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["audit.json"]


def test_sweep_keeps_a_live_writers_temp_and_removes_dead_or_old_ones(tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        keep = tmp_path / f".report.html.{live.pid}.abcd1234.tmp"
        gone = tmp_path / f".report.html.{dead.pid}.abcd1234.tmp"
        fresh_legacy = tmp_path / ".audit.json.zz9_ab12.tmp"      # written before temps carried a pid
        old_legacy = tmp_path / ".audit.json.yy8_ab12.tmp"
        other = tmp_path / ".hidden.tmp"                          # not costopt's naming: never touched
        for p in (keep, gone, fresh_legacy, old_legacy, other):
            p.write_text("partial")
        past = time.time() - STALE_AFTER_S - 60
        os.utime(old_legacy, (past, past))
        removed = sweep_stale(tmp_path)
        assert sorted(p.name for p in removed) == sorted([gone.name, old_legacy.name])
        assert keep.exists() and fresh_legacy.exists() and other.exists()
    finally:
        live.kill()
        live.wait()


# -- full disk and read-only folders ----------------------------------------------------------------

def _mount(target: Path, options: str) -> bool:
    if os.geteuid() != 0 or os.environ.get("COSTOPT_TEST_NO_MOUNT"):  # the latter tests the fallback
        return False
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    return done.returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


class _FullFile(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    """A folder whose file system has no space left (``fill()`` uses up what remains)."""
    folder = tmp_path / "disk"
    if _mount(folder, "size=4m"):
        def fill() -> None:
            with open(folder / "filler", "wb", buffering=0) as fh:
                try:
                    while True:
                        fh.write(b"\0" * 65536)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
        yield folder, fill
        _umount(folder)
        return
    folder.mkdir()
    real_fdopen = os.fdopen

    def fill() -> None:
        def fdopen(fd, mode="r", *args, **kwargs):
            where = os.readlink(f"/proc/self/fd/{fd}")
            if "w" in mode and where.startswith(str(folder)):
                os.close(fd)
                return io.TextIOWrapper(io.BufferedWriter(_FullFile())) if "b" not in mode else \
                    io.BufferedWriter(_FullFile())
            return real_fdopen(fd, mode, *args, **kwargs)
        monkeypatch.setattr(os, "fdopen", fdopen)
    yield folder, fill


@pytest.fixture
def read_only(tmp_path):
    folder = tmp_path / "ro"
    if _mount(folder, "ro,size=1m"):
        yield folder
        _umount(folder)
        return
    if os.geteuid() == 0:
        pytest.skip("root cannot be kept out by permissions and cannot mount a read-only tmpfs here")
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def test_full_disk_leaves_the_previous_reports_and_history_intact(full_disk, bill):
    disk, fill = full_disk
    out, hist = disk / "out", disk / "hist"
    first = invoke("audit", "--source", bill, "-q", "--format", "json,md,csv", "--out", str(out), "--history", str(hist))
    assert first.exit_code == 0, first.output
    before_out, before_hist = snapshot(out), snapshot(hist)
    fill()
    again = invoke("audit", "--source", bill, "-q", "--format", "json,md,csv", "--out", str(out), "--history", str(hist))
    line = one_error_line(again)
    assert "No space left on device" in line and str(out) in line
    assert snapshot(out) == before_out            # every previous report, byte for byte, no temp files
    assert snapshot(hist) == before_hist          # and the history did not record the failed run


def test_full_disk_for_history_only_writes_no_report(full_disk, tmp_path, bill):
    disk, fill = full_disk
    fill()
    out = tmp_path / "out"
    result = invoke("audit", "--source", bill, "-q", "--format", "json", "--out", str(out), "--history", str(disk / "h"))
    line = one_error_line(result)
    assert "cannot write the history (No space left on device)" in line
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("command", ["costs", "report", "gate"])
def test_full_disk_for_a_single_output_file(full_disk, tmp_path, command, demo_audit):
    disk, fill = full_disk
    target = disk / "result.txt"
    target.write_text("previous")
    fill()
    source = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, [focus_row(1.0)])
    args = {"costs": ["costs", "--source", str(source), "-q", "-o", str(target)],
            "report": ["report", str(demo_audit), "-o", str(target)],
            "gate": ["gate", "--audit", str(demo_audit), "--budget", "1e12", "--junit", str(target)]}[command]
    line = one_error_line(invoke(*args))
    assert "No space left on device" in line and str(target) in line
    assert target.read_text() == "previous"
    assert sorted(p.name for p in disk.iterdir() if p.name != "filler") == ["result.txt"]


@pytest.mark.parametrize("where", ["--out", "--history", "report", "costs"])
def test_read_only_destinations_are_one_line_exit_2(read_only, tmp_path, where, demo_audit, bill):
    source = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, [focus_row(1.0)])
    args = {
        "--out": ["audit", "--source", bill, "-q", "--format", "json", "--no-history", "--out", str(read_only / "out")],
        "--history": ["audit", "--source", bill, "-q", "--format", "json", "--out", str(tmp_path / "o2"),
                      "--history", str(read_only / "h")],
        "report": ["report", str(demo_audit), "-o", str(read_only / "r.md")],
        "costs": ["costs", "--source", str(source), "-q", "-o", str(read_only / "c.csv")],
    }[where]
    line = one_error_line(invoke(*args))
    assert str(read_only) in line and ("Read-only file system" in line or "Permission denied" in line)
    assert not (tmp_path / "o2").exists() or not any((tmp_path / "o2").iterdir())
    assert list(read_only.iterdir()) == []
