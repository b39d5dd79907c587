"""The package's module-level import graph has no cycles (a cycle makes import order matter and
modules impossible to read alone). Imports under ``if TYPE_CHECKING:`` and inside functions are
not module-level and are left out; function-level imports are counted against a budget."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "costopt"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(node: ast.ImportFrom, here: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = here.split(".") if is_package else here.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def module_imports(path: Path, known: set[str]) -> set[str]:
    here = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body:  # module level only
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ([node] if not isinstance(node, (ast.If, ast.Try)) else list(ast.walk(node))):
            names: list[str] = []
            if isinstance(sub, ast.Import):
                names = [a.name for a in sub.names]
            elif isinstance(sub, ast.ImportFrom):
                base = _resolve(sub, here, path.name == "__init__.py")
                names = [f"{base}.{a.name}" for a in sub.names] + [base]
            for name in names:
                while name and name not in known:
                    name = name.rpartition(".")[0]
                if name and name != here:
                    out.add(name)
    return out


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    known = set(files)
    return {name: module_imports(path, known) for name, path in files.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            # importing a package runs its __init__, which is part of the edge
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_oracle_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles():
    edges = graph()
    # a package's own __init__ re-exporting its submodules is not a cycle with them
    edges = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in edges.items()}
    assert find_cycle(edges) is None


def test_no_module_over_400_lines():
    long = {str(p.relative_to(ROOT.parent)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


UNCOMMENTED_ALLOWED: set[str] = set()


def uncommented_function_imports(source: str) -> list[int]:
    """Lines of imports inside functions with no comment (on the line or the line above) saying why."""
    lines = source.splitlines()
    found = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(func):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                here = " ".join(lines[node.lineno - 1:node.end_lineno])
                up = node.lineno - 2  # a comment may head a block of imports
                while up >= 0 and lines[up].strip().startswith(("import ", "from ")) and "#" not in lines[up]:
                    up -= 1
                above = lines[up] if up >= 0 else ""
                if "#" not in here and "#" not in above:
                    found.append(node.lineno)
    return found


def test_the_oracle_finds_an_uncommented_function_import():
    assert uncommented_function_imports("def f():\n    import json\n") == [2]
    assert uncommented_function_imports("def f():\n    import boto3  # the 'aws' extra\n") == []
    assert uncommented_function_imports("import json\n") == []
    assert uncommented_function_imports("def f():\n    # heavy\n    import a\n    import b\n") == []


def test_function_level_imports_say_why():
    """Only optional extras and heavy modules are imported inside functions, each with a comment."""
    found = {str(p.relative_to(ROOT.parent)): lines for p in ROOT.rglob("*.py")
             if (lines := uncommented_function_imports(p.read_text(encoding="utf-8")))}
    assert set(found) <= UNCOMMENTED_ALLOWED, found
