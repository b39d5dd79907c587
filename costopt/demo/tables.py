"""The demo estates' price tables, read from ``tables.toml`` beside this module.

Data, not code: the AWS Cost Explorer lines, the Azure retail VM prices and the GCP catalog SKUs
of the demo are rows of one TOML file (columns named in its comments), so a price changes there.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def _tables() -> dict[str, Any]:
    return tomllib.loads(resources.files("costopt.demo").joinpath("tables.toml").read_text(encoding="utf-8"))


def table(name: str) -> list[tuple[Any, ...]]:
    """The rows of table ``name`` as tuples (a KeyError names an unknown table)."""
    return [tuple(row) for row in _tables()[name]]
