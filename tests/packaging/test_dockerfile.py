"""The Dockerfile follows the rules of issue 16: two stages, bases pinned by digest, only the project
wheel (with the cloud extras) installed in a final stage without build tools, a non-root user,
`costopt` as entrypoint, history and reports under a volume, no secrets; `.dockerignore` keeps
the build context to what the wheel needs. (No container engine here: the install steps
themselves run in tests/packaging/test_install_steps.py.)"""

from __future__ import annotations

import re
import shlex

import pytest

from tests.packaging.dockerfile import ROOT, build_context, exec_form, ignore_patterns, ignored, instructions, stages

TEXT = (ROOT / "Dockerfile").read_text(encoding="utf-8")
STAGES = stages(TEXT)
FINAL = STAGES[-1]
DIGEST = re.compile(r"^[a-z0-9._/-]+:[\w.-]+@sha256:[0-9a-f]{64}$")
BUILD_TOOLS = ("apt-get", "apt ", "apk ", "gcc", "g++", "build-essential", "make ", "cmake", "rustc", "cargo",
               "pip wheel", "python -m build", "setup.py")
SECRET_NAME = re.compile(r"(SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|ACCESS_KEY|API_KEY)", re.I)


def test_multi_stage_with_every_base_pinned_by_digest():
    assert len(STAGES) >= 2
    for stage in STAGES:
        assert DIGEST.match(stage.image), f"FROM {stage.image} is not pinned by digest"
    assert FINAL.image == ("python:3.11-slim-bookworm@sha256:"
                           "b18992999dbe963a45a8a4da40ac2b1975be1a776d939d098c647482bcad5cba")
    assert "docker buildx imagetools inspect python:3.11-slim-bookworm" in TEXT  # how to refresh the pin


def test_the_builder_builds_the_project_wheel_from_the_context():
    [builder] = [s for s in STAGES[:-1] if s.name == "builder"]
    assert any(shlex.split(c)[:2] == ["pip", "wheel"] and "--no-deps" in c and shlex.split(c)[-1] == "."
               for c in builder.all("RUN"))
    assert builder.all("COPY") and all(c.split()[0] == "." for c in builder.all("COPY"))


def test_the_final_stage_installs_only_the_wheel_with_the_cloud_extras():
    runs = FINAL.all("RUN")
    installs = [r for r in runs if "pip install" in r]
    assert len(installs) == 1
    [install] = installs
    assert "from=builder" in install  # the wheel comes from the builder stage ...
    words = shlex.split(re.sub(r"--mount=\S+", "", install))
    targets = [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    # ... by its file (never the name looked up on the index), with the extras the examples need
    assert targets == ["$(ls /wheels/costopt_ml-*.whl)[aws,gcp,azure]"]
    assert "--only-binary=:all:" in words  # a dependency without a wheel fails instead of compiling
    assert not any(c.split()[0] == "." or c.split()[0].startswith("/src") for c in FINAL.all("COPY")), \
        "the final stage copies sources"


@pytest.mark.parametrize("tool", BUILD_TOOLS)
def test_no_build_tools_in_the_final_stage(tool):
    assert not any(tool in run for run in FINAL.all("RUN"))


def test_runs_as_a_non_root_user_created_in_the_image():
    keywords = [i.keyword for i in FINAL.instructions]
    last_user = max(n for n, k in enumerate(keywords) if k == "USER")
    assert "RUN" not in keywords[last_user:], "RUN after USER would run as that user; USER goes last"
    user = FINAL.instructions[last_user].args.split(":")[0]
    assert user not in ("root", "0")
    assert any(f"--uid {user}" in run for run in FINAL.all("RUN")), "the USER's uid is created with useradd"


def test_costopt_is_the_entrypoint_in_exec_form():
    [entrypoint] = FINAL.all("ENTRYPOINT")
    assert exec_form(entrypoint) == ["costopt"]


def env_of(stage) -> dict[str, str]:
    env = {}
    for args in stage.all("ENV"):
        for word in shlex.split(args):
            key, _, value = word.partition("=")
            env[key] = value
    return env


def test_history_cache_and_reports_live_under_the_volume():
    [volume] = FINAL.all("VOLUME")
    [data] = exec_form(volume)
    env = env_of(FINAL)
    # costopt keeps history under $XDG_DATA_HOME/costopt/history, the catalog under $XDG_CACHE_HOME,
    # and writes reports relative to the working directory.
    for path in (env["XDG_DATA_HOME"], env["XDG_CACHE_HOME"], FINAL.all("WORKDIR")[-1]):
        assert path == data or path.startswith(data + "/")


def test_no_secrets_in_the_image():
    for stage in STAGES:
        for args in stage.all("ENV") + stage.all("ARG"):
            for word in shlex.split(args):
                assert not SECRET_NAME.search(word.partition("=")[0]), f"secret-like variable in the image: {word}"
    patterns = ignore_patterns()
    for path in (".git", ".venv", ".env", "costopt/.env", "tests/x.py", "costopt/__pycache__/cli.cpython-311.pyc"):
        assert ignored(path, patterns), f"{path} would be sent to the build"


def test_the_build_context_holds_what_the_wheel_needs_and_nothing_else(tmp_path):
    context = build_context(tmp_path)
    top = sorted(p.name for p in context.iterdir())
    assert top == ["README.md", "costopt", "pyproject.toml"]
    assert (context / "costopt" / "cli.py").is_file()
    assert list((context / "costopt").rglob("*.json")), "package data (schemas, catalog) is in the context"


def test_the_parser_reads_continuations_and_comments():
    text = "FROM a@sha256:1 AS b\n# a comment\nRUN one \\\n  # inside\n    two\nUSER 1\n"
    assert [(i.keyword, i.args) for i in instructions(text)] == [("FROM", "a@sha256:1 AS b"), ("RUN", "one two"),
                                                                ("USER", "1")]
