"""``planbot serve --http``: every configured platform on one host and port, with the scheduler beside them.

Slack (``/slack/events``) is served when any Slack credential is set, Teams (``/api/messages``) when
``PLANBOT_TEAMS_APP_ID`` is; a Teams-only deployment needs no Slack variable and a Slack-only one no
Teams variable. Slack's Socket Mode (``planbot run``) needs no public URL but serves Slack alone:
a force on both platforms runs ``planbot serve --http``, as Teams only ever calls an HTTPS endpoint.
"""

from __future__ import annotations

import sys

from bot import http_server
from bot.config import Settings
from bot.http_server import WsgiApp
from bot.process import begin, open_runtime
from bot.slack import runner as slack
from commands.ports import TEAMS

NOTHING_TO_SERVE = (
    "planbot serve --http answers Slack, Microsoft Teams or both, and neither is configured.\n"
    "For Slack set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (docs/slack-setup.md); for Teams set "
    "PLANBOT_TEAMS_APP_ID, PLANBOT_TEAMS_APP_PASSWORD and PLANBOT_TEAMS_TENANT_ID (docs/teams-setup.md)."
)


def serve_http(settings: Settings, host: str, port: int, scheduler: bool = True) -> int:
    """Serve every configured platform until Ctrl+C or SIGTERM.

    Returns:
        The exit code: 2 when nothing is configured or a Slack secret is missing, 1 when Slack rejects
        its token or the database stays unreachable, 0 after Ctrl+C or SIGTERM.
    """
    with_slack = slack.slack_wanted(settings)
    if not with_slack and settings.teams is None:
        return _refuse(NOTHING_TO_SERVE)
    problem = slack.missing_for_http(settings) if with_slack else None
    if problem is not None:
        return _refuse(problem)
    runtime = open_runtime(settings)
    if runtime is None:
        return 1
    routes: dict[str, WsgiApp] = {}
    if with_slack:
        app = slack.start_slack(runtime)
        if app is None:
            return 1
        routes |= slack.slack_route(app, settings.slack_signing_secret or "")
    gateway = None
    if settings.teams is not None:
        from bot.teams.gateway import MESSAGES_PATH, TeamsGateway

        gateway = TeamsGateway(runtime.container, settings.teams)
        routes[MESSAGES_PATH] = gateway
        runtime.add_platform(TEAMS, gateway.notifier())
    begin(runtime, scheduler)
    server = http_server.create_http_server(routes, host, port)
    served = ", ".join(f"http://{host}:{port}{path}" for path in routes)
    print(f"planbot is serving {served} (health check: {http_server.HEALTH_PATH})")
    try:
        server.run()
    except KeyboardInterrupt:
        server.close()
    finally:
        runtime.stop()  # first: Teams posts in flight finish on the gateway's loop
        if gateway is not None:
            gateway.stop()
    return 0


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2
