"""Run planbot's real waitress server on a free local port in a thread, and stop it cleanly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import App
from waitress import wasyncore

from bot.http_server import Router, WsgiApp, create_http_server
from bot.slack.runner import EVENTS_PATH, slack_route
from support.slash import SIGNING_SECRET

STOP_SECONDS = 10.0


@contextmanager
def serving(app: App) -> Iterator[str]:
    """Serve ``app`` exactly as ``planbot serve --http`` does, on 127.0.0.1; yields the events URL.

    On the way out the server stops and the app's background work is waited for, so nothing from
    this test still writes to the database or calls Slack while the next one starts.
    """
    try:
        with serving_routes(slack_route(app, SIGNING_SECRET)) as base_url:
            yield f"{base_url}{EVENTS_PATH}"
    finally:
        finish_work(app)


@contextmanager
def serving_routes(routes: dict[str, WsgiApp] | Router) -> Iterator[str]:
    """Serve ``routes`` on planbot's waitress server, as ``planbot serve --http`` does; yields its base URL."""
    server = create_http_server(routes, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Let the request threads finish what they are servicing first: each task ends by waking the
        # loop through its trigger, which must still be open then (closing first made a late task
        # log "Bad file descriptor" at ERROR). Then close every socket from waitress's own loop
        # thread, so its poll never sees a closed descriptor.
        server.task_dispatcher.shutdown()
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        except OSError:
            # The trigger's descriptor was already closed under it (seen once, in a full run);
            # close from here, and the loop ends on its next pass with nothing left to watch.
            wasyncore.close_all(server._map)
        thread.join(timeout=STOP_SECONDS)
        assert not thread.is_alive(), "waitress did not stop"


def finish_work(app: App) -> None:
    """Wait (a bounded time) for the lazy listeners still running on the app's pool."""
    closer = threading.Thread(target=app.listener_runner.listener_executor.shutdown, name="finish-work", daemon=True)
    closer.start()
    closer.join(timeout=STOP_SECONDS)
    assert not closer.is_alive(), "background work did not finish"
