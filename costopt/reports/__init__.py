"""Reporters: pure functions Audit -> str/bytes. No cloud I/O here.

``render(audit, fmt, **options)`` dispatches to the module for ``fmt``; each reporter module
exposes ``render(audit, **options) -> str``.
"""

from __future__ import annotations

import importlib
from typing import Any

from costopt.errors import InputError
from costopt.model import Audit

FORMATS = {
    "json": ("costopt.reports.json_report", "audit.json"),
    "html": ("costopt.reports.html", "report.html"),
    "md": ("costopt.reports.markdown", "report.md"),
    "csv": ("costopt.reports.csv_report", "recommendations.csv"),
    "junit": ("costopt.reports.junit", "report.junit.xml"),
}


def render(audit: Audit, fmt: str, **options: Any) -> str:
    if fmt not in FORMATS:
        raise InputError(f"unknown report format {fmt!r}; expected one of: {', '.join(FORMATS)}", key="format")
    module = importlib.import_module(FORMATS[fmt][0])
    text: str = module.render(audit, **options)
    return text


def default_filename(fmt: str) -> str:
    return FORMATS[fmt][1]
