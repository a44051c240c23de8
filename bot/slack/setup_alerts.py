"""When Slack refuses a post because of how planbot is set up, tell the admins exactly what to fix.

Each such refusal (``not_in_channel``, ``channel_not_found``, ``missing_scope``, a dead token) is
mapped to the core's ``SetupProblem`` and worded by ``commands.setup_fixes`` with Slack's terms
("Invite @planbot to #pcp-coordination: open the channel and type /invite @planbot"), logged as a
warning every time, and sent to every admin by direct message at most once a day per channel and
error, by the runtime's one set-up alert (``bot.setup_alerts``); Slack only sends each message
(``SlackNotifier.tell_admin``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import setup_alerts
from bot.slack.translate import COMMAND_WORDS, PLATFORM, PLATFORM_NAME
from commands.setup_fixes import SetupProblem, SetupTerms
from commands.setup_fixes import instruction as setup_instruction

if TYPE_CHECKING:
    from bot.slack.notifier import SlackNotifier

CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})
SLACK_TERMS = SetupTerms(
    platform=PLATFORM_NAME,
    invite="/invite @planbot",
    permissions="the app settings (OAuth & Permissions → Bot Token Scopes)",
    reinstall="reinstall the app (Install App), put the new bot token (xoxb-…) in SLACK_BOT_TOKEN and restart planbot",
    unsubscribe=f"{COMMAND_WORDS.plan} admin unsubscribe",
)
_PROBLEMS = {
    "not_in_channel": SetupProblem.NOT_IN_CHANNEL,
    "channel_not_found": SetupProblem.CHANNEL_NOT_FOUND,
    "is_archived": SetupProblem.ARCHIVED,
    "missing_scope": SetupProblem.MISSING_PERMISSION,
    **dict.fromkeys(TOKEN_ERRORS, SetupProblem.CREDENTIALS_REJECTED),
}

logger = logging.getLogger(__name__)


def instruction(code: str, where: str, needed: str | None = None) -> str | None:
    """What a person must do about a Slack error code, or ``None`` when it is not a set-up problem.

    Args:
        code: Slack's ``error`` field.
        where: the channel as people know it ("#pcp-coordination").
        needed: the ``needed`` field of a ``missing_scope`` error (the scope to add).
    """
    problem = _PROBLEMS.get(code)
    if problem is None:
        return None
    return setup_instruction(
        problem, SLACK_TERMS, where, needed if problem is SetupProblem.MISSING_PERMISSION else code
    )


def channel_name(client: WebClient, channel: str | None) -> str:
    """A channel as people know it: "#name" from conversations.info, else its id as given."""
    if not channel or channel.startswith("#"):
        return channel or "the channel"
    try:
        return f"#{client.conversations_info(channel=channel)['channel']['name']}"
    except SlackApiError:
        return f"channel {channel}"


def alert_admins(notifier: SlackNotifier, error: SlackApiError, channel: str | None) -> str | None:
    """Log the fix for a set-up error and message it to the admins once a day; other errors pass by.

    Args:
        notifier: posts the direct messages and gives the container (clock, units of work).
        error: what Slack answered.
        channel: where planbot tried to post.

    Returns:
        The instruction, or ``None`` when the error is not about set-up.
    """
    code = str(error.response.get("error") or "")
    if code not in CHANNEL_ERRORS | TOKEN_ERRORS | {"missing_scope"}:
        return None
    where = channel_name(notifier.client, channel) if code in CHANNEL_ERRORS else (channel or "the channel")
    text = instruction(code, where, error.response.get("needed"))
    assert text is not None  # every code above has an instruction
    logger.warning("Slack refused a post to %s (%s). %s", channel, code, text)
    direct = bool(channel and channel.startswith("D"))  # a person's own DM: told in their reply instead
    if code in TOKEN_ERRORS or direct:
        return text  # with a dead token no message can be sent at all; the log is the alert
    setup_alerts.alert_admins(notifier, PLATFORM, f"{channel or '-'}:{code}", text)
    return text
