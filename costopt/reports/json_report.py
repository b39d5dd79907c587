"""JSON reporter: the Audit itself, schema-versioned (see costopt/schemas/audit.schema.json)."""

from __future__ import annotations

from typing import Any

from costopt.audit_io import audit_to_json
from costopt.model import Audit


def render(audit: Audit, **_: Any) -> str:
    return audit_to_json(audit)
