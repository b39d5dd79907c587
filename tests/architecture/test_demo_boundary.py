"""The demo lives in ``costopt/demo/`` and the product does not lean on it: no module outside the
package imports it (at module level or inside a function) except the CLI's ``--demo`` path, and
the production adapters take no ``demo`` switch (the demo builds them pointed at its fakes)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from costopt.providers.registry import ADAPTERS
from tests.architecture.test_imports import ROOT, _resolve, module_name

DEMO = "costopt.demo"
CLI_DEMO_PATH = {"costopt.commands.audit", "costopt.commands.gate"}


def demo_imports(source: str, here: str, is_package: bool = False) -> list[str]:
    """Every import of the demo package in ``source``, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, here, is_package)
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        found += [n for n in names if n == DEMO or n.startswith(DEMO + ".")]
    return found


def test_the_oracle_sees_imports_inside_functions_and_relative_ones():
    assert demo_imports("def f():\n    from costopt.demo.collect import collect_demo\n", "costopt.x")
    assert demo_imports("from .. import demo\n", "costopt.commands.audit")
    assert demo_imports("import costopt.demo.aws\n", "costopt.x")
    assert not demo_imports("from costopt.providers import base\nimport costopt.demonstration\n", "costopt.x")


def test_only_the_cli_demo_path_imports_the_demo_package():
    importers = set()
    for path in ROOT.rglob("*.py"):
        here = module_name(path)
        if here == DEMO or here.startswith(DEMO + "."):
            continue
        if demo_imports(path.read_text(encoding="utf-8"), here, path.name == "__init__.py"):
            importers.add(here)
    assert importers == CLI_DEMO_PATH


def test_the_production_adapters_have_no_demo_switch():
    for module_path, class_name, _ in ADAPTERS.values():
        cls = getattr(importlib.import_module(module_path), class_name)
        assert "demo" not in inspect.signature(cls).parameters, class_name


def test_the_demo_files_are_all_in_the_demo_package():
    stray = [str(p.relative_to(ROOT)) for p in Path(ROOT, "providers").rglob("*")
             if "demo" in p.name or "fake" in p.name or "moto" in p.name]
    assert stray == []
