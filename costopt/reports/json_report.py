"""JSON reporter: the Audit itself, schema-versioned (see costopt/schemas/audit.schema.json),
with C1 and bidi characters in strings written as ``\\u`` escapes (costopt.sanitize.json_text)."""

from __future__ import annotations

from typing import Any

from costopt.audit_io import audit_to_json
from costopt.model import Audit
from costopt.sanitize.json_text import json_text


def render(audit: Audit, **_: Any) -> str:
    return json_text(audit_to_json(audit))
