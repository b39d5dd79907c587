"""A threaded HTTP server on 127.0.0.1 that passes every request to a handler function.

``handler(method, path_with_query, headers, body_bytes) -> (status, headers, body)`` where
body is bytes, str or a JSON-serialisable value. The same handler can back the ``responses``
library in tests (see :func:`as_responses_callback`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Handler = Callable[[str, str, Mapping[str, str], bytes], tuple[int, Mapping[str, str], Any]]


def encode_body(body: Any, headers: Mapping[str, str]) -> tuple[bytes, dict[str, str]]:
    out = dict(headers)
    if isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = json.dumps(body).encode()
        out.setdefault("Content-Type", "application/json")
    return data, out


class FakeHttpServer:
    """Serve ``handler`` on 127.0.0.1:<free port> in a daemon thread; use as a context manager."""

    def __init__(self, handler: Handler):
        outer_handler = handler

        class _Req(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    status, headers, payload = outer_handler(self.command, self.path, dict(self.headers), body)
                except Exception as exc:  # a bug in a fake must show up as a 500, not a hang
                    status, headers, payload = 500, {}, {"error": {"code": 500, "message": repr(exc)}}
                data, headers = encode_body(payload, headers)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

            def log_message(self, *args) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Req)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-http", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeHttpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def as_responses_callback(handler: Handler):
    """Adapt ``handler`` to a ``responses`` callback (request -> (status, headers, body))."""
    def callback(request):
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        status, headers, payload = handler(request.method, path, dict(request.headers), body)
        data, headers = encode_body(payload, headers)
        return status, headers, data

    return callback
