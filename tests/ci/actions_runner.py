"""Just enough of a GitHub Actions runner to run a composite action's `run:` steps locally.

Expressions ``${{ ... }}`` are read with the contexts GitHub documents (inputs, github, runner,
steps.<id>.outputs, env), the operators ==, !=, &&, ||, ! and parentheses, string literals and
the status functions always()/success()/failure(). Steps run with ``bash --noprofile --norc -eo
pipefail`` (GitHub's `shell: bash`), with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH and
GITHUB_ENV files; `uses:` steps are not run, the caller gets them resolved to check them.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)
TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<call>[a-z]+)\(\)"
                   r"|(?P<ref>[A-Za-z_][\w.-]*))")


@dataclass
class StepResult:
    id: str
    name: str
    ran: bool
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    uses: str = ""
    with_: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    action: dict
    inputs: dict[str, str]
    github: dict[str, str]
    workspace: Path
    temp: Path
    env: dict[str, str]
    steps: dict[str, StepResult] = field(default_factory=dict)
    failed: bool = False

    def context(self, name: str) -> str:
        head, _, rest = name.partition(".")
        if head == "inputs":
            return self.inputs.get(rest, "")
        if head == "github":
            return self.github.get(rest, "")
        if head == "runner" and rest == "temp":
            return str(self.temp)
        if head == "steps":
            step, _, output = rest.partition(".outputs.")
            found = self.steps.get(step)
            return found.outputs.get(output, "") if found else ""
        raise KeyError(f"context not modelled: {name}")

    def evaluate(self, expression: str):
        """The value of one expression (strings compare case-insensitively, as in GitHub)."""
        python, pos = [], 0
        while pos < len(expression):
            m = TOKEN.match(expression, pos)
            if not m or m.end() == pos:
                raise ValueError(f"cannot read expression at {expression[pos:]!r}")
            pos = m.end()
            if m.group("str") is not None:
                python.append(repr(m.group("str")[1:-1].replace("''", "'").lower()))
            elif m.group("op"):
                python.append({"&&": " and ", "||": " or ", "!": " not "}.get(m.group("op"), m.group("op")))
            elif m.group("call"):
                python.append(repr({"always": True, "success": not self.failed, "failure": self.failed}[m.group("call")]))
            else:
                python.append(repr(self.context(m.group("ref")).lower()) if m.group("ref") not in ("true", "false")
                              else m.group("ref").capitalize())
        return eval("".join(python), {"__builtins__": {}})  # noqa: S307 - tokens above only

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: str(self.context(m.group(1).strip())), str(text))

    def condition(self, step: dict) -> bool:
        expr = str(step.get("if", "success()"))
        expr = EXPRESSION.sub(lambda m: m.group(1), expr)
        if not re.search(r"\b(always|success|failure)\(\)", expr):
            expr = f"success() && ({expr})"
        return bool(self.evaluate(expr))


def run_action(action: dict, *, inputs: dict[str, str], github: dict[str, str], workspace: Path, temp: Path,
               env: dict[str, str], skip: tuple[str, ...] = ()) -> Run:
    """Run the composite action's steps in order; steps whose id is in ``skip`` are not run."""
    values = {k: str(v.get("default", "")) for k, v in action.get("inputs", {}).items()}
    run = Run(action, values, github, workspace, temp, env)
    for key, value in inputs.items():
        values[key] = value
    for key, spec in action.get("inputs", {}).items():  # defaults may be expressions (github.token)
        if key not in inputs:
            values[key] = run.substitute(str(spec.get("default", "")))
    for n, step in enumerate(action["runs"]["steps"]):
        sid = step.get("id", f"step{n}")
        result = StepResult(sid, step.get("name", step.get("uses", sid)), ran=False)
        run.steps[sid] = result
        if not run.condition(step) or sid in skip:
            continue
        if "uses" in step:
            result.uses = step["uses"]
            result.with_ = {k: run.substitute(v) for k, v in step.get("with", {}).items()}
            continue
        _run_shell(run, step, result)
        if result.returncode != 0:
            run.failed = True
    return run


def _run_shell(run: Run, step: dict, result: StepResult) -> None:
    assert step.get("shell") == "bash", "composite run steps must name their shell"
    files = {name: run.temp / f"{result.id}-{name}" for name in ("output", "path", "env")}
    for path in files.values():
        path.write_text("")
    summary = run.temp / "step-summary.md"
    env = dict(run.env)
    env.update({k: run.substitute(v) for k, v in step.get("env", {}).items()})
    env.update(GITHUB_OUTPUT=str(files["output"]), GITHUB_PATH=str(files["path"]), GITHUB_ENV=str(files["env"]),
               GITHUB_STEP_SUMMARY=str(summary), RUNNER_TEMP=str(run.temp), GITHUB_WORKSPACE=str(run.workspace),
               GITHUB_ACTION_PATH=run.github.get("action_path", ""))
    script = run.temp / f"{result.id}.sh"
    script.write_text(run.substitute(step["run"]))
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=run.workspace,
                          env=env, capture_output=True, text=True, timeout=600)
    result.ran, result.returncode, result.stdout, result.stderr = True, done.returncode, done.stdout, done.stderr
    for line in files["output"].read_text().splitlines():
        key, _, value = line.partition("=")
        result.outputs[key] = value
    extra_path = [p for p in files["path"].read_text().splitlines() if p]
    if extra_path:
        run.env["PATH"] = os.pathsep.join([*reversed(extra_path), run.env["PATH"]])
