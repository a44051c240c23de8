"""When Teams refuses a scheduled post because of how planbot is set up, tell the admins what to fix.

A 403 (planbot not installed for a person, removed from a team, blocked) or a 404 (a channel gone) is
logged every time and sent to every admin, in their personal chat with planbot, at most once a day
per conversation and answer, worded by the core (``commands.setup_fixes``) with Teams' terms: "planbot
is not installed for Jo Haynes: add it to the app setup policy for action leads in …". A 1:1 chat
that was deleted (404) is not an admin's problem: the next message creates a new chat. The runtime's
one set-up alert (``bot.setup_alerts``) delivers it; Teams only sends each message
(``TeamsNotifier.tell_admin``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import setup_alerts
from bot.teams.delivery import Unreachable
from bot.teams.identity import PLATFORM_NAME
from commands.ports import TEAMS, Recipient
from commands.setup_fixes import (
    SetupProblem,
    SetupTerms,
    instruction,
    not_installed_for,
    removed_from,
)

if TYPE_CHECKING:
    from bot.teams.notifier import TeamsNotifier

TEAMS_TERMS = SetupTerms(
    platform=PLATFORM_NAME,
    invite="the team's ⋯ menu → Manage team → Apps → Get more apps → planbot",
    permissions="the Teams admin center (Teams apps → Setup policies)",
    reinstall=(
        "check PLANBOT_TEAMS_APP_ID, PLANBOT_TEAMS_APP_PASSWORD and PLANBOT_TEAMS_TENANT_ID, then restart planbot"
    ),
    unsubscribe="@planbot plan admin unsubscribe, typed in the channel",
)

logger = logging.getLogger(__name__)


def channel_fix(refusal: Unreachable, channel: str) -> str:
    """What an admin must do when Teams refused a post to a channel."""
    where = f"the Teams channel {channel}"
    if refusal.status == 404:
        return instruction(SetupProblem.CHANNEL_NOT_FOUND, TEAMS_TERMS, where, refusal.code)
    return removed_from(where, TEAMS_TERMS)


def person_fix(refusal: Unreachable, recipient: Recipient) -> str | None:
    """What an admin must do when Teams refused a message to a person; ``None`` for a deleted chat,
    which the next message replaces with a new one."""
    return None if refusal.status == 404 else not_installed_for(recipient.name, TEAMS_TERMS)


def alert_admins(notifier: TeamsNotifier, target: str, refusal: Unreachable, fix: str) -> None:
    """Log the fix and message it to the admins once a day for this conversation and answer."""
    logger.warning("Teams refused a post to %s (%s %s). %s", target, refusal.status, refusal.code, fix)
    setup_alerts.alert_admins(notifier, TEAMS, f"{target}:{refusal.status}", fix)
