"""planbot's HTTP server before it is ready: the port answers, the health check says why not, and
a platform's request is asked to come back rather than refused or handled half-started."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from support.serving import serving_routes

from bot.http_server import RETRY_AFTER_SECONDS, Router

PATH = "/slack/events"


class CountingHandler:
    """A platform's handler that answers 200 and counts what reached it."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.calls += 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"handled"]


def ask(url: str, body: bytes | None = None) -> tuple[int, str, str | None]:
    """(status, text, Retry-After) of a GET, or of a POST when ``body`` is given."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=5) as answer:
            return answer.status, answer.read().decode(), answer.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get("Retry-After")


def test_not_ready_until_opened_then_serving() -> None:
    """While the database is awaited: /healthz 503 with why, a platform's POST 503 with Retry-After
    and never handled; once opened: /healthz 200 and the POST reaches its handler."""
    router = Router("waiting for the database")
    handler = CountingHandler()
    with serving_routes(router) as base:
        assert (503, "not ready: waiting for the database\n", None) == ask(f"{base}/healthz")
        status, text, retry_after = ask(f"{base}{PATH}", b"command=/rag")
        assert (503, str(RETRY_AFTER_SECONDS)) == (status, retry_after)
        assert "waiting for the database" in text
        assert 0 == handler.calls

        router.open({PATH: handler})

        assert (200, "ok\n", None) == ask(f"{base}/healthz")
        assert (200, "handled") == ask(f"{base}{PATH}", b"command=/rag")[:2]
        assert (404, 1) == (ask(f"{base}/elsewhere", b"x")[0], handler.calls)
