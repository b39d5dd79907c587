"""The CI files validate against the schemas CI systems are checked with (check-jsonschema's
vendored SchemaStore copies, offline: the network guard fails any fetch), and a broken copy does
not, so the validation is known to bite. GitLab's schema accepts anything under a hidden key
(``.costopt-weekly``), so the template's job is validated as the visible job `extends:` makes of
it. The CodeBuild buildspec has no vendored schema: its
required keys (AWS's buildspec reference, version 0.2) are checked on the parsed YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from check_jsonschema import main as check_jsonschema
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
VALIDATED = [
    ("vendor.github-workflows", "examples/github-actions/costopt-weekly.yml"),
    ("vendor.github-actions", "action.yml"),
    ("vendor.gitlab-ci", "examples/gitlab/costopt.gitlab-ci.yml"),  # as the extended job, see below
    ("vendor.gitlab-ci", "examples/gitlab/example.gitlab-ci.yml"),
]
BREAKS = {  # one mistake per schema that its CI system rejects
    "vendor.github-workflows": ("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"),
    "vendor.github-actions": ("using: composite", "using: compose"),
    "vendor.gitlab-ci": ("when: always", "when: sometimes"),
    "vendor.gitlab-ci/example": ("extends:", "extend:"),
}
TEMPLATE_JOB = ".costopt-weekly"


def validate(schema: str, path: Path):
    return CliRunner().invoke(check_jsonschema, ["--builtin-schema", schema, str(path)])


def as_checked(name: str, text: str, tmp_path: Path) -> Path:
    """The file to validate: the GitLab template's hidden job as the job that extends it."""
    path = tmp_path / Path(name).name
    if name.endswith("costopt.gitlab-ci.yml"):
        template = yaml.safe_load(text)
        assert list(template) == [TEMPLATE_JOB]
        text = yaml.safe_dump({"costopt-weekly": template[TEMPLATE_JOB]})
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("schema, name", VALIDATED)
def test_the_file_validates_offline(schema, name, tmp_path):
    result = validate(schema, as_checked(name, (ROOT / name).read_text(encoding="utf-8"), tmp_path))
    assert result.exit_code == 0, result.output
    assert "validation done" in result.output


@pytest.mark.parametrize("schema, name", VALIDATED)
def test_a_broken_copy_fails(schema, name, tmp_path):
    old, new = BREAKS.get(f"{schema}/example" if name.endswith("example.gitlab-ci.yml") else schema)
    text = (ROOT / name).read_text(encoding="utf-8")
    assert old in text
    assert validate(schema, as_checked(name, text.replace(old, new, 1), tmp_path)).exit_code == 1


def test_the_codebuild_buildspec_has_the_keys_codebuild_reads():
    spec = yaml.safe_load((ROOT / "examples" / "aws-codebuild" / "buildspec.yml").read_text(encoding="utf-8"))
    assert spec["version"] == 0.2
    assert set(spec) <= {"version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts", "cache"}
    assert set(spec["phases"]) <= {"install", "pre_build", "build", "post_build"}
    assert all(isinstance(c, str) for phase in spec["phases"].values() for c in phase["commands"])
    assert all(isinstance(v, str) for v in spec["env"]["variables"].values())
    [(group, report)] = spec["reports"].items()
    assert report["file-format"] in ("JUNITXML", "CUCUMBERJSON", "NUNITXML", "NUNIT3XML", "TESTNGXML",
                                     "VISUALSTUDIOTRX")
    assert report["files"] and report["base-directory"] == spec["artifacts"]["base-directory"]
    assert spec["artifacts"]["files"]
