"""Starting planbot against Slack: ``planbot run`` (Socket Mode) and ``planbot serve --http``.

Socket Mode needs no public URL (the usual case inside a police network); HTTP mode suits large
installs behind a load balancer. Both refuse to start, with a message saying what to set and what
to try instead, when the tokens they need are missing.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

from bot.config import Settings
from bot.container import Container
from bot.scheduler import start_scheduler_thread
from bot.slack.app import build_app
from bot.slack.http_gate import VerifyingRequestHandler
from bot.slack.notifier import SlackNotifier

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
HTTP_THREADS = 8
ALTERNATIVES = (
    "Without Slack credentials you can still try planbot:\n"
    "  planbot console   type /rag commands locally as someone from the plan\n"
    "  planbot demo      load the sample plan and simulate a quarter of updates\n"
    "See docs/slack-setup.md for creating the Slack app and finding its tokens."
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def run(settings: Settings, scheduler: bool = True) -> int:
    """``planbot run``: connect to Slack over Socket Mode and serve until interrupted; the
    scheduler runs beside it unless ``scheduler`` is false (``--no-scheduler``).

    Returns:
        The exit code: 2 when a token is missing, 1 when Slack rejects one, 0 after Ctrl+C.
    """
    missing = _missing(settings, "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    if missing:
        return _refuse(
            f"planbot run connects to Slack in Socket Mode and needs {_names(missing)} (not set).\n"
            "Set SLACK_BOT_TOKEN (xoxb-…) and SLACK_APP_TOKEN (xapp-…, with connections:write) in the "
            "environment or in .env.\n"
            "No app-level token? Let Slack call you instead: planbot serve --http "
            "(needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET).\n"
            f"{ALTERNATIVES}"
        )
    app = _start_app(settings, scheduler)
    if app is None:
        return 1
    handler = build_socket_mode_handler(app, settings)
    try:
        handler.start()
    except KeyboardInterrupt:
        handler.close()
    return 0


def serve_http(settings: Settings, host: str, port: int, scheduler: bool = True) -> int:
    """``planbot serve --http``: answer Slack's signed HTTP requests at ``/slack/events``, with the
    scheduler beside it unless ``scheduler`` is false (``--no-scheduler``).

    Returns:
        The exit code: 2 when a secret is missing, 1 when Slack rejects the token, 0 after Ctrl+C.
    """
    missing = _missing(settings, "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")
    if missing:
        return _refuse(
            f"planbot serve --http answers Slack's signed requests and needs {_names(missing)} (not set).\n"
            "Set SLACK_SIGNING_SECRET (Basic Information → App Credentials) and SLACK_BOT_TOKEN (xoxb-…) "
            "in the environment or in .env.\n"
            "No public URL? Socket Mode needs none: planbot run (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN).\n"
            f"{ALTERNATIVES}"
        )
    app = _start_app(settings, scheduler)
    if app is None:
        return 1
    server = create_http_server(app, host, port, settings.slack_signing_secret or "")
    print(f"planbot is serving Slack at http://{host}:{port}{EVENTS_PATH} (health check: {HEALTH_PATH})")
    try:
        server.run()
    except KeyboardInterrupt:
        server.close()
    return 0


def build_socket_mode_handler(app: App, settings: Settings) -> SocketModeHandler:
    """The Socket Mode connection; ``apps.connections.open`` goes through the app's client (so to
    ``SLACK_API_URL`` when set) with the app-level token, every other call with the bot token."""
    return SocketModeHandler(app, app_token=settings.slack_app_token, web_client=app.client)


def make_wsgi_app(app: App, signing_secret: str) -> WsgiApp:
    """The WSGI application: Slack's requests at ``/slack/events`` (signature checked before anything
    is parsed, see ``http_gate``), a health check for load balancers."""
    slack = VerifyingRequestHandler(app, signing_secret, EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return wsgi


def create_http_server(app: App, host: str, port: int, signing_secret: str) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for the app, bound but not yet running (port 0 picks a free port)."""
    return create_server(make_wsgi_app(app, signing_secret), host=host, port=port, threads=HTTP_THREADS)


def _start_app(settings: Settings, scheduler: bool) -> App | None:
    """Open the database, build the app and (when ``scheduler``) start the scheduler beside it:
    scheduled reports and nudges go out through the app's client. A token Slack rejects is
    reported, not raised."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    container = Container.open(settings)
    try:
        app = build_app(container)
    except BoltError as error:
        print(f"Slack did not accept SLACK_BOT_TOKEN: {error}", file=sys.stderr)
        return None
    if scheduler:
        start_scheduler_thread(container, SlackNotifier(app.client, container))
    # Everything built so far lives as long as the process. Freezing it keeps the collector's full
    # passes short, so a busy moment's garbage never stalls an acknowledgement for tens of milliseconds.
    gc.freeze()
    return app


def _missing(settings: Settings, *names: str) -> list[str]:
    return [name for name in names if not getattr(settings, name.lower())]


def _names(names: list[str]) -> str:
    return " and ".join(names)


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2
