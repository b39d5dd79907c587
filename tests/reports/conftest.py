"""Golden-file helper: set COSTOPT_UPDATE_GOLDEN=1 to rewrite tests/reports/golden/*."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def golden():
    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("COSTOPT_UPDATE_GOLDEN"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        assert path.exists(), f"golden file {path} missing; run with COSTOPT_UPDATE_GOLDEN=1 to create it"
        expected = path.read_bytes().decode("utf-8")
        assert text == expected, f"{name} differs from the golden file (COSTOPT_UPDATE_GOLDEN=1 to accept)"
    return check
