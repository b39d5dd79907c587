"""The CI examples: every costopt command in them parses with the real CLI (flags, choices, types),
after the example's own variables are filled in; their gate step runs; the GitHub workflow passes
real inputs to the Action; and nothing in them installs a package we do not publish."""

from __future__ import annotations

import re
import shlex
import shutil
from datetime import date
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from costopt.audit_io import audit_to_json
from costopt.cli import cli
from tests.gate.spend import make_audit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CI_FILES = ["gitlab/costopt.gitlab-ci.yml", "Jenkinsfile", "aws-codebuild/buildspec.yml"]
SHELL_KEYS = ("run", "script", "commands")  # GitHub, GitLab, CodeBuild
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def _walk(node, key, found, want):
    if key in want:
        found.append((key, node))
    elif isinstance(node, dict):
        for k, value in node.items():
            _walk(value, str(k), found, want)
    elif isinstance(node, list):
        for value in node:
            _walk(value, key, found, want)


def variables_of(path: Path) -> dict[str, str]:
    """The variables the example itself sets (GitLab/CodeBuild `variables`, Jenkins `environment`)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yml", ".yaml"):
        found: list = []
        _walk(yaml.safe_load(text), "", found, ("variables",))
        return {k: str(v) for _, block in found if isinstance(block, dict) for k, v in block.items()}
    return dict(re.findall(r"^\s*(\w+)\s*=\s*'([^']*)'", text, flags=re.M))


def commands_in(path: Path) -> list[list[str]]:
    """Every `costopt ...` / `python -m costopt ...` command line in a CI file, variables filled in."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yml", ".yaml"):
        found: list = []
        _walk(yaml.safe_load(text), "", found, SHELL_KEYS)
        lines = [ln for _, node in found for text in (node if isinstance(node, list) else [node])
                 if isinstance(text, str) for ln in text.splitlines()]
    else:
        lines = re.findall(r"sh\s+'([^']*)'", text)
    variables = variables_of(path)
    out = []
    for line in lines:
        line = VARIABLE.sub(lambda m: variables.get(m.group(1) or m.group(2), m.group(0)), line)
        words = shlex.split(line, comments=True)
        if words[:3] == ["python", "-m", "costopt"]:
            out.append(words[3:])
        elif words[:1] == ["costopt"]:
            out.append(words[1:])
    return out


def parses(words: list[str]) -> None:
    """Parse a costopt command line with the real CLI (unknown flags, bad choices and types raise)."""
    with click.Context(cli) as ctx:
        command: click.Command = cli
        while isinstance(command, click.Group):
            name, words = words[0], words[1:]
            command = command.get_command(ctx, name)
            assert command is not None, f"no command {name!r}"
        command.make_context(f"costopt {command.name}", list(words), parent=ctx)


@pytest.mark.parametrize("name", CI_FILES)
def test_examples_run_a_weekly_audit_and_the_gate(name):
    commands = commands_in(EXAMPLES / name)
    assert [c[0] for c in commands] == ["audit", "gate"]
    for words in commands:
        assert not any("$" in w for w in words), f"{name}: a variable the example does not set: {words}"
        parses(words)
    audit = commands[0]
    assert audit[audit.index("--history") + 1].startswith("s3://"), "history must be kept where it survives"
    text = (EXAMPLES / name).read_text()
    assert "schedule" in text or "cron" in text


def test_an_unknown_flag_does_not_parse():
    with pytest.raises(click.UsageError):
        parses(["audit", "--regionz", "us-east-1"])
    with pytest.raises(click.BadParameter):
        parses(["gate", "--format", "text"])


@pytest.mark.parametrize("name", CI_FILES)
def test_example_gate_step_runs(name, tmp_path, monkeypatch):
    [gate] = [c for c in commands_in(EXAMPLES / name) if c[0] == "gate"]
    monkeypatch.chdir(tmp_path)
    audit_path = tmp_path / gate[gate.index("--audit") + 1]
    audit_path.parent.mkdir(parents=True, exist_ok=True)
    spend = make_audit(date(2026, 10, 19), date(2026, 11, 23), lambda d: 1000.0)
    audit_path.write_text(audit_to_json(spend))
    shutil.copy(EXAMPLES / "budgets.toml", tmp_path / "budgets.toml")
    result = CliRunner().invoke(cli, gate, env={"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")})
    assert result.exit_code in (0, 1), result.output
    assert (tmp_path / gate[gate.index("--junit") + 1]).read_text().count("<testcase ") >= 10
    assert (tmp_path / gate[gate.index("--markdown") + 1]).is_file()


def test_the_github_workflow_passes_real_inputs_to_the_action():
    workflow = yaml.safe_load((EXAMPLES / "github-actions" / "costopt-weekly.yml").read_text(encoding="utf-8"))
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    [ours] = [s for s in steps if re.fullmatch(r"[\w.-]+/costopt@[\w.-]+", s.get("uses", ""))]
    assert set(ours["with"]) <= set(action["inputs"])
    assert str(ours["with"]["history"]).startswith("s3://")
    parses(["audit", "--provider", ours["with"]["providers"], *shlex.split(ours["with"]["args"])])
    assert not any("run" in s for s in steps), "the Action installs and runs costopt"
    assert workflow[True]["schedule"] if True in workflow else workflow["on"]["schedule"]  # YAML 1.1 reads `on` as True


INSTALL = re.compile(r"\bpip3?[\"']?\s+install\b(?P<rest>[^\n;&|#]*)")


def images_in(path: Path) -> list[str]:
    """The container images a CI file runs (YAML `image:` keys, Jenkins `docker { image '...' }`)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yml", ".yaml"):
        found: list = []
        _walk(yaml.safe_load(text), "", found, ("image",))
        return [node["name"] if isinstance(node, dict) else node for _, node in found]
    return re.findall(r"\bimage\s+'([^']+)'", text)


def index_installs(text: str) -> list[str]:
    """What `pip install` lines would fetch by name from a package index (not a local path)."""
    names = []
    for m in INSTALL.finditer(text):
        rest = re.sub(r"\$\{\{.*?\}\}", "$EXPR", m.group("rest"))  # a GitHub expression is one word
        words = [w.strip("'\"") for w in rest.split()]  # quotes of the shell or of a Jenkins sh '...'
        targets = [w for w in words if w and not w.startswith("-")]
        names += [t for t in targets if not t.startswith((".", "/", "$"))] or ([] if targets else [m.group(0)])
    return names


def test_the_install_check_catches_an_install_by_name():
    assert index_installs('    - pip install "costopt[aws]"\n') == ["costopt[aws]"]
    assert index_installs("sh 'pip install --user costopt-ml'") == ["costopt-ml"]
    assert index_installs('"$RUNNER_TEMP/v/bin/pip" install --quiet "${{ github.action_path }}[$extras]"') == []
    assert index_installs("python -m venv .venv && .venv/bin/pip install '.[aws]'") == []


@pytest.mark.parametrize("path", sorted(p for p in EXAMPLES.rglob("*") if p.is_file()) + [ROOT / "action.yml"],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_nothing_is_installed_from_an_index_under_our_name(path):
    """Every pip install installs a local path (a checkout, the action's folder), never a name:
    `costopt` on the index is somebody else's, and costopt-ml is not published yet. Every image
    a CI file runs is costopt's own, built from the Dockerfile."""
    assert index_installs(path.read_text(encoding="utf-8")) == []
    if path.suffix in (".yml", ".yaml") or path.name == "Jenkinsfile":
        for image in images_in(path):
            assert image.endswith("/costopt:TAG"), f"{path.name}: runs image {image}, not costopt's own"


def test_the_container_examples_run_costopts_image():
    for name in ("gitlab/costopt.gitlab-ci.yml", "Jenkinsfile"):
        assert images_in(EXAMPLES / name) == ["ghcr.io/OWNER/costopt:TAG"]
