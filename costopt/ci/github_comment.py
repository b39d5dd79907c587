"""One pull-request comment per PR, created once and then updated, found by a hidden marker.

Why: a CI job that adds a comment on every push buries the conversation; like Infracost's
"update" behaviour, the comment that starts with the marker (an HTML comment, invisible when
rendered) is edited in place, and only created when the PR has none.
How: GitHub's REST API for issue comments (pull requests are issues there): list the PR's
comments page by page (``Link: rel="next"``), PATCH the first one whose body starts with the
marker, else POST a new one. The token needs ``pull-requests: write`` (or ``issues: write``).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from costopt import __version__
from costopt.errors import CostoptError, InputError

MARKER = "<!-- costopt-report -->"
MAX_BODY = 65536  # GitHub rejects comment bodies longer than this many characters
API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"
PAGE_SIZE = 100  # the largest page GitHub serves
TIMEOUT_S = 30
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
TRUNCATED = "\n\n…truncated: the full summary is in the workflow run's artifacts.\n"


class GitHubError(CostoptError):
    """The GitHub API refused a request or could not be reached."""


@dataclass(frozen=True)
class PullRequest:
    api_url: str
    repository: str  # owner/name
    number: int
    token: str


@dataclass(frozen=True)
class CommentResult:
    action: str  # "created" or "updated"
    id: int
    url: str


def pull_request_from_env(env: Mapping[str, str], number: int | None = None) -> PullRequest:
    """The PR to comment on, from the variables GitHub Actions sets (``number`` overrides the event)."""
    for key in ("GITHUB_TOKEN", "GITHUB_REPOSITORY"):
        if not env.get(key):
            raise InputError("is not set: the Action passes it (github-token input; GITHUB_REPOSITORY is set "
                             "by GitHub Actions)", key=key)
    if number is None:
        number = _pr_number(env)
    return PullRequest(env.get("GITHUB_API_URL") or DEFAULT_API_URL, env["GITHUB_REPOSITORY"], number,
                       env["GITHUB_TOKEN"])


def _pr_number(env: Mapping[str, str]) -> int:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        raise InputError("is not set: no event to take the pull request from (or pass --pr N)",
                         key="GITHUB_EVENT_PATH")
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the event: {exc}", path=path) from None
    pr = event.get("pull_request") if isinstance(event, dict) else None
    issue = event.get("issue") if isinstance(event, dict) else None
    if isinstance(pr, dict) and isinstance(pr.get("number"), int):
        return pr["number"]
    if isinstance(issue, dict) and "pull_request" in issue and isinstance(issue.get("number"), int):
        return issue["number"]  # issue_comment on a pull request
    raise InputError(f"no pull request in this {env.get('GITHUB_EVENT_NAME') or 'GitHub'} event "
                     "(expected pull_request.number); comment only on pull_request events, or pass --pr N",
                     path=path)


def comment_body(markdown: str, *, marker: str = MARKER, footer: str = "") -> str:
    """The marker, the Markdown and the footer, cut to GitHub's limit with a note when too long."""
    head, tail = marker + "\n", ("\n\n" + footer + "\n" if footer else "\n")
    body = head + markdown.rstrip("\n") + tail
    if len(body) <= MAX_BODY:
        return body
    room = MAX_BODY - len(head) - len(TRUNCATED) - len(tail)
    cut = markdown[:room]
    cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
    return head + cut + TRUNCATED + tail.lstrip("\n")


def run_footer(env: Mapping[str, str]) -> str:
    """A link to the workflow run (where the report artifact is), when GitHub Actions says which."""
    server, repo, run = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if not (server and repo and run):
        return ""
    return f"<sub>costopt {__version__} · HTML report in the artifacts of [this workflow run]({server}/{repo}/actions/runs/{run})</sub>"


def upsert_comment(pr: PullRequest, body: str, *, marker: str = MARKER) -> CommentResult:
    """Update the PR's comment that starts with ``marker``, or create it; one request per page + one."""
    base = f"{pr.api_url.rstrip('/')}/repos/{pr.repository}/issues"
    url: str | None = f"{base}/{pr.number}/comments?per_page={PAGE_SIZE}"
    while url:
        comments, headers = _call(pr, "GET", url)
        for comment in comments:
            if str(comment.get("body") or "").startswith(marker):
                updated, _ = _call(pr, "PATCH", f"{base}/comments/{comment['id']}", {"body": body})
                return CommentResult("updated", int(updated["id"]), str(updated.get("html_url", "")))
        match = _NEXT.search(headers.get("Link") or "")
        url = match.group(1) if match else None
    created, _ = _call(pr, "POST", f"{base}/{pr.number}/comments", {"body": body})
    return CommentResult("created", int(created["id"]), str(created.get("html_url", "")))


def _call(pr: PullRequest, method: str, url: str, payload: dict | None = None):
    data = json.dumps(payload).encode("utf-8") if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {pr.token}",
        "X-GitHub-Api-Version": API_VERSION,
        "User-Agent": f"costopt/{__version__}",
        **({"Content-Type": "application/json"} if data is not None else {}),
    })
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as exc:
        raise GitHubError(f"GitHub API: {method} {_path(url)} answered {exc.code} {_message(exc)}"
                          f"{_hint(exc.code)}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise GitHubError(f"GitHub API: {method} {_path(url)} failed: {reason}") from None
    except ValueError:
        raise GitHubError(f"GitHub API: {method} {_path(url)} did not answer JSON") from None


def _path(url: str) -> str:
    return urllib.parse.urlsplit(url)._replace(query="").geturl()


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read() or b"{}").get("message") or exc.reason)
    except (ValueError, AttributeError):
        return str(exc.reason)


def _hint(status: int) -> str:
    if status == 401:
        return " (the token is invalid or expired: pass the workflow's github.token)"
    if status == 403:
        return " (the token needs pull-requests: write; a PR from a fork gets a read-only token)"
    if status == 404:
        return " (check GITHUB_REPOSITORY and the PR number, and that the token can see the repository)"
    return ""
