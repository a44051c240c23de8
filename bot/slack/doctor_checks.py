"""``planbot doctor``'s Slack checks: the tokens, the scopes granted against manifest.yml, and
planbot's membership of every channel it posts to.

Each check asks Slack the question the bot will depend on (``auth.test`` for the bot token, the
``x-oauth-scopes`` header of that answer for the scopes, ``conversations.info`` for each channel,
``apps.connections.open`` for the app-level token) and words the answer as something to do, using
the same instructions the bot sends admins when a post fails (``setup_alerts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.health import Check, Status
from bot.slack.app import build_client
from bot.slack.setup_alerts import instruction
from bot.slack.translate import PLATFORM_NAME
from commands.rules import word_list
from commands.setup_fixes import platform_answered

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
REINSTALL = "then reinstall the app (Install App) and put the new bot token in SLACK_BOT_TOKEN"


def slack_checks(settings: Settings, channels: Mapping[str, list[str]]) -> list[Check]:
    """Every Slack check, in the order a person would fix them.

    Args:
        settings: the tokens and ``SLACK_API_URL``.
        channels: each channel planbot posts to, with what it sends there ("the weekly digest").
    """
    checks = [_mode(settings)]
    if not settings.slack_bot_token:
        return [
            Check(
                "Bot token",
                Status.FIX,
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from the app's "
                "OAuth & Permissions page into the environment or .env.",
            ),
            *checks,
        ]
    client = build_client(settings, settings.slack_bot_token)
    try:
        answer = client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error"))
        return [
            Check("Bot token (auth.test)", Status.FIX, instruction(code, "") or platform_answered(PLATFORM_NAME, code)),
            *checks,
        ]
    except OSError as error:
        url = settings.slack_api_url or WebClient.BASE_URL
        return [Check("Slack Web API", Status.FIX, f"Could not reach {url}: {error}."), *checks]
    checks.insert(0, Check("Bot token (auth.test)", Status.OK, f"workspace {answer['team']}, bot @{answer['user']}"))
    checks.insert(1, _scopes(answer.headers))
    if settings.slack_app_token:
        checks.append(_app_token(client, settings.slack_app_token))
    checks += [_channel(client, channel, jobs) for channel, jobs in channels.items()]
    return checks


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes manifest.yml asks for."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"])


def _scopes(headers: Mapping[str, object]) -> Check:
    granted_header = next((str(v) for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
    if granted_header is None:
        return Check("Scopes", Status.WARN, "Slack did not say which scopes the token has; compare them by hand.")
    if not MANIFEST.exists():
        return Check("Scopes", Status.WARN, f"{MANIFEST} is missing, so the granted scopes cannot be compared.")
    granted = {scope.strip() for scope in granted_header.split(",")}
    missing = [scope for scope in manifest_scopes() if scope not in granted]
    if missing:
        return Check(
            "Scopes",
            Status.FIX,
            f"The token lacks {word_list(missing, 'and')}: add them under OAuth & Permissions → Bot Token Scopes "
            f"(or re-create the app from manifest.yml), {REINSTALL}.",
        )
    return Check("Scopes", Status.OK, "every scope manifest.yml asks for is granted")


def _mode(settings: Settings) -> Check:
    modes = []
    if settings.slack_app_token:
        modes.append("Socket Mode (planbot run)")
    if settings.slack_signing_secret:
        modes.append("HTTP (planbot serve --http)")
    if not modes:
        return Check(
            "Connection mode",
            Status.FIX,
            "Neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET is set: set SLACK_APP_TOKEN (xapp-…, scope "
            "connections:write) for Socket Mode, or SLACK_SIGNING_SECRET (Basic Information) for HTTP mode.",
        )
    return Check("Connection mode", Status.OK, f"can run in {word_list(modes, 'or')}")


def _app_token(client: WebClient, app_token: str) -> Check:
    """The app-level token opens Socket Mode connections; asking for a connection URL proves it does."""
    try:
        client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        return Check(
            "App token (Socket Mode)",
            Status.FIX,
            f"Slack refused SLACK_APP_TOKEN ({error.response.get('error')}): create an app-level token with "
            "connections:write under Basic Information → App-Level Tokens and enable Socket Mode.",
        )
    return Check("App token (Socket Mode)", Status.OK, "Slack accepts it")


def _channel(client: WebClient, channel: str, jobs: list[str]) -> Check:
    sends = f"receives {word_list(jobs, 'and')}"
    if channel.startswith("#"):
        return Check(
            f"Channel {channel}",
            Status.WARN,
            f"{sends}; stored by name, so membership cannot be checked. Re-subscribe it picking the channel "
            "from Slack's list (/plan admin subscribe #channel …) to store its id.",
        )
    try:
        found = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as error:
        code = str(error.response.get("error"))
        fix = instruction(code, f"channel {channel}", error.response.get("needed")) or platform_answered(
            PLATFORM_NAME, code
        )
        return Check(f"Channel {channel}", Status.FIX, f"{sends}. {fix}")
    name = f"#{found.get('name', channel)}"
    if found.get("is_archived"):
        return Check(f"Channel {name}", Status.FIX, f"{sends}. {instruction('is_archived', name)}")
    if not found.get("is_member"):
        return Check(f"Channel {name}", Status.FIX, f"{sends}. {instruction('not_in_channel', name)}")
    return Check(f"Channel {name}", Status.OK, f"{sends}; planbot is a member")
