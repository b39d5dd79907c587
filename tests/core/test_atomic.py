"""Atomic writes: whole files or nothing, with ordinary permissions."""

import os
import stat

import pytest

from costopt.atomic import write_atomic


def test_writes_text_and_bytes(tmp_path):
    write_atomic(tmp_path / "a" / "x.txt", "héllo")
    write_atomic(tmp_path / "y.bin", b"\x00\x01")
    assert (tmp_path / "a" / "x.txt").read_text(encoding="utf-8") == "héllo"
    assert (tmp_path / "y.bin").read_bytes() == b"\x00\x01"


def test_file_mode_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "r.html", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_failure_leaves_no_temp_file_and_keeps_the_old_content(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # not str or bytes
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
