"""`costopt ci comment`: one PR comment, created once and then updated in place, found by the
hidden marker across pages of comments; against a local server speaking GitHub's REST API."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from costopt.ci.github_comment import MARKER, MAX_BODY
from costopt.cli import cli
from tests.ci.github_server import FakeGitHub, Server


@pytest.fixture
def github():
    with Server(FakeGitHub()) as gh:
        yield gh


def event(tmp_path, payload) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return str(path)


def run(gh, tmp_path, markdown: str, *args, payload=None, **env):
    md = tmp_path / "gate.md"
    md.write_text(markdown)
    environ = {"GITHUB_API_URL": gh.base_url, "GITHUB_REPOSITORY": gh.repository, "GITHUB_TOKEN": gh.token,
               "GITHUB_EVENT_NAME": "pull_request",
               "GITHUB_EVENT_PATH": event(tmp_path, payload if payload is not None else
                                          {"action": "synchronize", "number": 7, "pull_request": {"number": 7}}),
               "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "4242"}
    environ.update(env)
    return CliRunner().invoke(cli, ["ci", "comment", "--markdown", str(md), *args], env=environ)


def ours(gh):
    return [c for c in gh.comments if c["body"].startswith(MARKER)]


def test_first_run_creates_then_every_run_updates_the_same_comment(github, tmp_path):
    github.add(7, "LGTM")
    first = run(github, tmp_path, "## costopt budget gate\n\n| FAIL | total |\n")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("created comment ")
    [comment] = ours(github)
    assert "| FAIL | total |" in comment["body"]
    assert "https://github.com/acme/ml-platform/actions/runs/4242" in comment["body"]
    for n in range(2):
        again = run(github, tmp_path, f"## costopt budget gate\n\nrun {n}: all PASS\n")
        assert again.exit_code == 0, again.output
        assert again.output.startswith(f"updated comment {comment['id']} on acme/ml-platform#7")
    [comment] = ours(github)
    assert "run 1: all PASS" in comment["body"] and "FAIL" not in comment["body"]
    assert [c["body"] for c in github.comments if c is not comment] == ["LGTM"]
    assert [m for m, _ in github.requests].count("POST") == 1


def test_the_marked_comment_is_found_on_a_later_page(github, tmp_path):
    for n in range(230):
        github.add(7, f"review comment {n}")
    github.comments.insert(215, {"id": 1, "issue": 7, "body": MARKER + "\nold summary", "user": "github-actions[bot]"})
    github.add(7, "> " + MARKER + "\n> quoted by a reviewer")  # a quote is not our comment
    result = run(github, tmp_path, "new summary")
    assert result.exit_code == 0, result.output
    assert github.comments[215]["body"].startswith(MARKER + "\nnew summary")
    assert len(ours(github)) == 1
    gets = [path for method, path in github.requests if method == "GET"]
    assert len(gets) == 3 and all("per_page=100" in p for p in gets)  # pages of 100 followed by Link
    assert ("PATCH", "/repos/acme/ml-platform/issues/comments/1") in github.requests


def test_comments_on_other_pull_requests_are_left_alone(github, tmp_path):
    github.pulls.add(8)
    other = github.add(8, MARKER + "\nsummary of PR 8")
    result = run(github, tmp_path, "summary of PR 7")
    assert result.exit_code == 0 and result.output.startswith("created")
    assert other["body"] == MARKER + "\nsummary of PR 8"


def test_pr_number_from_an_issue_comment_event_or_the_flag(github, tmp_path):
    github.pulls.add(9)
    payload = {"issue": {"number": 9, "pull_request": {"url": "..."}}, "comment": {"body": "/costopt"}}
    assert "acme/ml-platform#9" in run(github, tmp_path, "x", payload=payload).output
    github.pulls.add(11)
    assert "acme/ml-platform#11" in run(github, tmp_path, "x", "--pr", "11").output


def test_a_body_over_githubs_limit_is_cut_with_a_note(github, tmp_path):
    result = run(github, tmp_path, "| row |\n" * 20000)
    assert result.exit_code == 0, result.output
    [comment] = ours(github)
    assert len(comment["body"]) <= MAX_BODY
    assert "truncated" in comment["body"] and comment["body"].startswith(MARKER + "\n| row |")


@pytest.mark.parametrize("case, expected", [
    ("bad token", "answered 401 Bad credentials (the token is invalid"),
    ("read-only token", "answered 403 Resource not accessible by integration (the token needs pull-requests: write"),
    ("unknown PR", "answered 404 Not Found"),
    ("schedule event", "no pull request in this schedule event"),
    ("no token", "key 'GITHUB_TOKEN': is not set"),
])
def test_failures_are_one_line_and_exit_2(github, tmp_path, case, expected):
    env, args, payload = {}, [], None
    if case == "bad token":
        env["GITHUB_TOKEN"] = "wrong"
    elif case == "read-only token":
        github.read_only = True
    elif case == "unknown PR":
        args = ["--pr", "99"]
    elif case == "schedule event":
        env["GITHUB_EVENT_NAME"] = "schedule"
        payload = {"schedule": "0 6 * * 1"}
    elif case == "no token":
        env["GITHUB_TOKEN"] = ""
    result = run(github, tmp_path, "summary", *args, payload=payload, **env)
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("costopt: error:") and expected in line, line
    assert ours(github) == []


def test_unreachable_api_is_one_line(tmp_path):
    gh = FakeGitHub(base_url="http://127.0.0.1:9")  # nothing listens on the discard port
    result = run(gh, tmp_path, "summary")
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert "GitHub API: GET http://127.0.0.1:9/repos/acme/ml-platform/issues/7/comments failed" in line
