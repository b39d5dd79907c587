"""Audits of the same estate at the same pinned time are the same bytes, whatever the process's
hash seed or how its threads interleave (a set, protobuf-map or parallel-aggregation order must
never reach an output)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_demo_audits_run_side_by_side_are_the_same_bytes(tmp_path):
    runs = []
    for seed in ("1", "4242", "77"):  # started together: each one's threads compete with the others'
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "XDG_DATA_HOME": str(tmp_path / f"xdg-{seed}")}
        runs.append((out, subprocess.Popen(
            [sys.executable, "-m", "costopt", "audit", "--demo", "--quiet", "--no-history",
             "--as-of", "2026-12-03T13:00", "--out", str(out)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)))
    for _, process in runs:
        _, err = process.communicate(timeout=900)
        assert process.returncode == 0, err[-2000:]
    for name in ("audit.json", "report.md", "report.html"):
        first, *others = ((out / name).read_bytes() for out, _ in runs)
        assert all(other == first for other in others), name
