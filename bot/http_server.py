"""planbot's one HTTP server: every configured platform's endpoint and the health check, on one port.

``planbot serve --http`` answers Slack at ``/slack/events`` and Teams at ``/api/messages`` side by
side (a force running both needs one address, one certificate and one load-balancer rule), and
``/healthz`` stays outside every platform's authentication so a load balancer can ask. Each
platform's handler checks its own callers before anything is parsed (``bot.slack.http_gate``,
``bot.teams.gateway``); a path no platform serves is a 404.

The port opens before the database answers (``Router``): while planbot waits for it at start,
``/healthz`` says "not ready" with 503, so a load balancer holds traffic back and an orchestrator
does not restart a process that is only waiting, and a platform's request is answered 503 with
``Retry-After`` (both Slack and Teams send it again) rather than refused at the socket.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

HEALTH_PATH = "/healthz"
HTTP_THREADS = 8
RETRY_AFTER_SECONDS = 5
"""What a platform is told to wait before sending again while planbot is not ready."""

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Router:
    """The server's routes, filled in once planbot is ready to answer on them.

    Until ``open`` is called, every request is answered 503 with why (``not_ready``).
    """

    def __init__(self, not_ready: str) -> None:
        self.not_ready: str | None = not_ready
        self.routes: Mapping[str, WsgiApp] = {}

    @classmethod
    def ready(cls, routes: Mapping[str, WsgiApp]) -> Router:
        """A router answering on ``routes`` from the start."""
        router = cls("")
        router.open(routes)
        return router

    def open(self, routes: Mapping[str, WsgiApp]) -> None:
        """Answer on ``routes`` from now on (and ``/healthz`` with 200)."""
        self.routes = dict(routes)
        self.not_ready = None


def make_wsgi_app(router: Router) -> WsgiApp:
    """The WSGI application: each platform's handler at its path, and the health check."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        waiting = router.not_ready
        if environ.get("REQUEST_METHOD") == "GET" and path == HEALTH_PATH:
            if waiting is not None:
                text = f"not ready: {waiting}\n".encode()
                return _answer(start_response, "503 Service Unavailable", text, "text/plain")
            return _answer(start_response, "200 OK", b"ok\n", "text/plain")
        if waiting is not None:
            body = json.dumps({"error": f"not ready: {waiting}"}).encode()
            extra = [("Retry-After", str(RETRY_AFTER_SECONDS))]
            return _answer(start_response, "503 Service Unavailable", body, "application/json", extra)
        handler = router.routes.get(path or "")
        if handler is None:
            body = json.dumps({"error": "not found"}).encode()
            return _answer(start_response, "404 Not Found", body, "application/json")
        return handler(environ, start_response)

    return wsgi


def _answer(
    start_response: Callable[..., Any],
    status: str,
    body: bytes,
    content_type: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    headers = [("Content-Type", f"{content_type}; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(status, headers + (extra or []))
    return [body]


def create_http_server(
    routes: Mapping[str, WsgiApp] | Router, host: str, port: int
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for ``routes``, bound but not yet running (port 0 picks a free port)."""
    router = routes if isinstance(routes, Router) else Router.ready(routes)
    return create_server(make_wsgi_app(router), host=host, port=port, threads=HTTP_THREADS)
