"""A local stand-in for the GitHub REST endpoints of issue comments, as documented at
https://docs.github.com/en/rest/issues/comments (pull requests are issues there):

- GET   /repos/{owner}/{repo}/issues/{number}/comments?per_page=&page=  (Link header, rel="next"/"last")
- POST  /repos/{owner}/{repo}/issues/{number}/comments        {"body"} -> 201, the comment
- PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}     {"body"} -> 200, the comment

It checks the token (401 "Bad credentials"), requires a User-Agent (GitHub answers 403 without
one), caps per_page at 100 (default 30) and records every request.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ISSUE_COMMENTS = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
ONE_COMMENT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")


@dataclass
class FakeGitHub:
    token: str = "ghs_test"
    repository: str = "acme/ml-platform"
    pulls: set[int] = field(default_factory=lambda: {7})
    comments: list[dict] = field(default_factory=list)  # each: id, issue, body, user
    requests: list[tuple[str, str]] = field(default_factory=list)
    read_only: bool = False
    next_id: int = 1000
    base_url: str = ""

    def add(self, issue: int, body: str, user: str = "someone") -> dict:
        self.next_id += 1
        comment = {"id": self.next_id, "issue": issue, "body": body, "user": user}
        self.comments.append(comment)
        return comment

    def view(self, comment: dict) -> dict:
        return {"id": comment["id"], "body": comment["body"], "user": {"login": comment["user"]},
                "html_url": f"https://github.com/{self.repository}/pull/{comment['issue']}#issuecomment-{comment['id']}"}


def _handler(gh: FakeGitHub):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def _send(self, status: int, payload, headers: dict | None = None):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _guard(self) -> bool:
            gh.requests.append((self.command, self.path))
            if not self.headers.get("User-Agent"):
                self._send(403, {"message": "Request forbidden by administrative rules. Please make sure your "
                                            "request has a User-Agent header"})
                return False
            if self.headers.get("Authorization") not in (f"Bearer {gh.token}", f"token {gh.token}"):
                self._send(401, {"message": "Bad credentials"})
                return False
            return True

        def _body(self) -> dict:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

        def do_GET(self):
            if not self._guard():
                return
            url = urlsplit(self.path)
            m = ISSUE_COMMENTS.match(url.path)
            if not m or m.group(1) != gh.repository or int(m.group(2)) not in gh.pulls:
                return self._send(404, {"message": "Not Found"})
            query = parse_qs(url.query)
            per_page = min(int(query.get("per_page", ["30"])[0]), 100)
            page = int(query.get("page", ["1"])[0])
            mine = [c for c in gh.comments if c["issue"] == int(m.group(2))]
            last = max(1, -(-len(mine) // per_page))
            links = []
            if page < last:
                links.append(f'<{gh.base_url}{url.path}?per_page={per_page}&page={page + 1}>; rel="next"')
                links.append(f'<{gh.base_url}{url.path}?per_page={per_page}&page={last}>; rel="last"')
            chunk = mine[(page - 1) * per_page: page * per_page]
            self._send(200, [gh.view(c) for c in chunk], {"Link": ", ".join(links)} if links else None)

        def do_POST(self):
            if not self._guard():
                return
            m = ISSUE_COMMENTS.match(urlsplit(self.path).path)
            if not m or m.group(1) != gh.repository or int(m.group(2)) not in gh.pulls:
                return self._send(404, {"message": "Not Found"})
            if gh.read_only:
                return self._send(403, {"message": "Resource not accessible by integration"})
            body = self._body().get("body")
            if not isinstance(body, str) or len(body) > 65536:
                return self._send(422, {"message": "Validation Failed"})
            self._send(201, gh.view(gh.add(int(m.group(2)), body, "github-actions[bot]")))

        def do_PATCH(self):
            if not self._guard():
                return
            m = ONE_COMMENT.match(urlsplit(self.path).path)
            found = [c for c in gh.comments if m and c["id"] == int(m.group(2))]
            if not found:
                return self._send(404, {"message": "Not Found"})
            body = self._body().get("body")
            if not isinstance(body, str) or len(body) > 65536:
                return self._send(422, {"message": "Validation Failed"})
            found[0]["body"] = body
            self._send(200, gh.view(found[0]))

    return Handler


class Server:
    """``with Server(FakeGitHub()) as gh:`` serves it on 127.0.0.1; ``gh.base_url`` is its API URL."""

    def __init__(self, gh: FakeGitHub):
        self.gh = gh
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gh))
        gh.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeGitHub:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self.gh

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
