"""planbot's one HTTP server: every configured platform's endpoint and the health check, on one port.

``planbot serve --http`` answers Slack at ``/slack/events`` and Teams at ``/api/messages`` side by
side (a force running both needs one address, one certificate and one load-balancer rule), and
``/healthz`` stays outside every platform's authentication so a load balancer can ask. Each
platform's handler checks its own callers before anything is parsed (``bot.slack.http_gate``,
``bot.teams.gateway``); a path no platform serves is a 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

HEALTH_PATH = "/healthz"
HTTP_THREADS = 8

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_wsgi_app(routes: Mapping[str, WsgiApp]) -> WsgiApp:
    """The WSGI application: each platform's handler at its path, and the health check."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if environ.get("REQUEST_METHOD") == "GET" and path == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        handler = routes.get(path or "")
        if handler is None:
            body = json.dumps({"error": "not found"}).encode()
            start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return handler(environ, start_response)

    return wsgi


def create_http_server(routes: Mapping[str, WsgiApp], host: str, port: int) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for ``routes``, bound but not yet running (port 0 picks a free port)."""
    return create_server(make_wsgi_app(routes), host=host, port=port, threads=HTTP_THREADS)
