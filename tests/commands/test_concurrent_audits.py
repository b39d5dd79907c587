"""Two `costopt audit` processes started together on the same history both land: the same
--as-of gives both the same one-second file name (the name that used to collide), so each round
is the worst case (four report formats written between reading the history and saving to it widen the race); every round keeps two loadable audits, an index with both and no temp file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

from tests.gate.test_gate_cli import focus_csv

ROUNDS = 4


def test_two_audit_processes_on_one_history_keep_both(tmp_path):
    bill = focus_csv(tmp_path / "focus.csv", start=date(2026, 10, 1))
    env = dict(os.environ, HOME=str(tmp_path))
    for n in range(ROUNDS):
        history = tmp_path / f"history-{n}"
        procs = [subprocess.Popen([sys.executable, "-m", "costopt", "audit", "--source", str(bill), "-q",
                                   "--as-of", "2026-11-05", "--history", str(history), "--history-scope", "bill",
                                   "--out", str(tmp_path / f"out-{n}-{i}"), "--format", "json,html,md,csv"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(2)]
        for p in procs:
            _, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
        names = sorted(p.name for p in (history / "bill").iterdir())
        audits = [name for name in names if name.startswith("audit-")]
        assert audits == ["audit-20261105T000000Z-1.json", "audit-20261105T000000Z.json"], names
        assert not [name for name in names if name.endswith(".tmp") or name.startswith(".")], names
        # the index is a cache that two writers can race on; it is checked against the files on
        # every read and rebuilt when one is missing, so the listing always has both
        listed = subprocess.run([sys.executable, "-m", "costopt", "history", "list", "--history", str(history),
                                 "--format", "json"], env=env, capture_output=True, text=True, timeout=120)
        assert sorted(r["file"] for r in json.loads(listed.stdout)) == audits, listed.stderr
        index = json.loads((history / "bill" / "index.json").read_text())
        assert sorted(r["file"] for r in index["entries"]) == audits
