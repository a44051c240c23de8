"""Starting planbot against Slack: ``planbot run`` (Socket Mode), and Slack's part of ``planbot serve --http``.

Socket Mode needs no public URL (the usual case inside a police network); HTTP mode suits large
installs behind a load balancer. Both refuse to start, with a message saying what to set and what
to try instead, when the tokens they need are missing.
"""

from __future__ import annotations

import sys

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from waitress.server import BaseWSGIServer, MultiSocketServer

from bot import http_server
from bot.config import Settings
from bot.http_server import WsgiApp
from bot.process import begin, open_runtime
from bot.runtime import Runtime, interrupt_on_sigterm
from bot.slack.app import build_app
from bot.slack.http_gate import VerifyingRequestHandler
from bot.slack.notifier import SlackNotifier
from commands.ports import SLACK

EVENTS_PATH = "/slack/events"
ALTERNATIVES = (
    "Without Slack credentials you can still try planbot:\n"
    "  planbot console   type /rag commands locally as someone from the plan\n"
    "  planbot demo      load the sample plan and simulate a quarter of updates\n"
    "See docs/slack-setup.md for creating the Slack app and finding its tokens."
)


def run(settings: Settings, scheduler: bool = True) -> int:
    """``planbot run``: connect to Slack over Socket Mode and serve until interrupted; the
    scheduler runs beside it unless ``scheduler`` is false (``--no-scheduler``).

    Returns:
        The exit code: 2 when a token is missing, 1 when Slack rejects one or the database stays
        unreachable, 0 after Ctrl+C or SIGTERM.
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
    started = _start_app(settings, scheduler)
    if started is None:
        return 1
    app, runtime = started
    handler = build_socket_mode_handler(app, settings)
    try:
        handler.start()
    except KeyboardInterrupt:
        handler.close()
    finally:
        runtime.stop()
    return 0


def missing_for_http(settings: Settings) -> str | None:
    """Why Slack cannot be served over HTTP with these settings, or ``None`` when it can."""
    missing = _missing(settings, "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")
    if not missing:
        return None
    return (
        f"planbot serve --http answers Slack's signed requests and needs {_names(missing)} (not set).\n"
        "Set SLACK_SIGNING_SECRET (Basic Information → App Credentials) and SLACK_BOT_TOKEN (xoxb-…) "
        "in the environment or in .env.\n"
        "No public URL? Socket Mode needs none: planbot run (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN).\n"
        f"{ALTERNATIVES}"
    )


def slack_wanted(settings: Settings) -> bool:
    """Whether the settings mean to serve Slack (any of its credentials is set)."""
    return bool(settings.slack_bot_token or settings.slack_signing_secret or settings.slack_app_token)


def build_socket_mode_handler(app: App, settings: Settings) -> SocketModeHandler:
    """The Socket Mode connection; ``apps.connections.open`` goes through the app's client (so to
    ``SLACK_API_URL`` when set) with the app-level token, every other call with the bot token."""
    return SocketModeHandler(app, app_token=settings.slack_app_token, web_client=app.client)


def slack_route(app: App, signing_secret: str) -> dict[str, WsgiApp]:
    """Slack's endpoint on planbot's HTTP server: the signature is checked before anything is parsed."""
    return {EVENTS_PATH: VerifyingRequestHandler(app, signing_secret, EVENTS_PATH)}


def create_http_server(app: App, host: str, port: int, signing_secret: str) -> BaseWSGIServer | MultiSocketServer:
    """A server answering Slack alone (and the health check), as tests and benchmarks of Slack use it."""
    return http_server.create_http_server(slack_route(app, signing_secret), host, port)


def start_slack(runtime: Runtime) -> App | None:
    """Build the app on ``runtime`` and register Slack's notifier; a token Slack rejects is reported, not raised."""
    try:
        app = build_app(runtime.container)
    except BoltError as error:
        print(f"Slack did not accept SLACK_BOT_TOKEN: {error}", file=sys.stderr)
        return None
    runtime.add_platform(SLACK, SlackNotifier(app.client, runtime.container))
    return app


def _start_app(settings: Settings, scheduler: bool) -> tuple[App, Runtime] | None:
    """Open the runtime, build the app and register Slack's notifier, then begin (scheduler and signals)."""
    interrupt_on_sigterm()
    runtime = open_runtime(settings)
    if runtime is None:
        return None
    app = start_slack(runtime)
    if app is None:
        return None
    begin(runtime, scheduler)
    return app, runtime


def _missing(settings: Settings, *names: str) -> list[str]:
    return [name for name in names if not getattr(settings, name.lower())]


def _names(names: list[str]) -> str:
    return " and ".join(names)


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2
