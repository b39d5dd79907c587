"""The audit.json `costopt audit --provider X` writes for one request: collect, build_audit and the
JSON report, as the CLI runs them (the adapters' options point them at the local fakes)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from costopt.collect import collect
from costopt.config import Settings
from costopt.pipeline import AuditRequest, build_audit
from costopt.progress import QUIET
from costopt.reports.write import write_reports


def audit_json(request: AuditRequest, now: datetime, out: Path) -> dict[str, Any]:
    """Run ``request`` with default settings and return the audit.json it writes under ``out``."""
    settings = Settings()
    audit = build_audit(collect(request, settings, QUIET), settings, progress=QUIET, now=now)
    write_reports(audit, out, ["json"])
    return json.loads((out / "audit.json").read_text())
