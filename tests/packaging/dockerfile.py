"""A small Dockerfile reader for the packaging tests: instructions per stage, and the build context
that `.dockerignore` leaves (Docker's pattern rules, for the patterns this repository uses)."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, ...
    args: str     # the rest of the logical line, continuations joined


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [i.args for i in self.instructions if i.keyword == keyword]


def instructions(text: str) -> list[Instruction]:
    """Logical lines: comments and parser directives dropped, backslash continuations joined."""
    out, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        logical = (pending + line).strip()
        pending = ""
        if logical:
            keyword, _, args = logical.partition(" ")
            out.append(Instruction(keyword.upper(), args.strip()))
    return out


def stages(text: str) -> list[Stage]:
    result: list[Stage] = []
    for ins in instructions(text):
        if ins.keyword == "FROM":
            words = ins.args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            result.append(Stage(words[0], name))
        elif result:
            result[-1].instructions.append(ins)
    return result


def exec_form(args: str) -> list[str] | None:
    """The JSON-array (exec) form of ENTRYPOINT/CMD/VOLUME, or None for the shell form."""
    try:
        value = json.loads(args)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def ignore_patterns(root: Path = ROOT) -> list[str]:
    lines = (root / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [ln.strip().rstrip("/") for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def ignored(relative: str, patterns: list[str]) -> bool:
    """Docker's rule: a pattern matches the path or one of its parent folders; ``**`` any depth."""
    if any(p.startswith("!") for p in patterns):
        raise AssertionError("exceptions (!) in .dockerignore are not modelled by this test helper")
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        if pattern.startswith("**/"):
            tail = pattern[3:]
            if any(fnmatch.fnmatchcase(part, tail) for part in parts):
                return True
        elif any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            return True
    return False


def build_context(dest: Path, root: Path = ROOT) -> Path:
    """Copy what `docker build` would send (the checkout minus .dockerignore) to ``dest``."""
    patterns = ignore_patterns(root)
    for folder, dirs, files in os.walk(root):
        here = Path(folder).relative_to(root).as_posix()
        prefix = "" if here == "." else here + "/"
        dirs[:] = [d for d in dirs if not ignored(prefix + d, patterns)]
        for name in files:
            if not ignored(prefix + name, patterns):
                target = dest / (prefix + name)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(folder) / name, target)
    return dest
