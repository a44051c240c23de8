"""Slack's side of identity linking: ``users.info`` as the core's profile lookup, and Slack's mentions.

The matching by email, the remembering and every word people read live in ``commands.identity``;
this module only reads a Slack profile and names Slack's mention syntax.
"""

from __future__ import annotations

import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.container import Container
from bot.slack.translate import PLATFORM, PLATFORM_NAME
from commands.identity import Identities, Profile
from commands.model import Actor

EMAIL_PERMISSION = "the users:read.email scope"
MENTION = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)(?:\|(?P<label>[^>]*))?>")
# users.info errors that mean "this user has no readable email"; anything else is an outage.
_NO_PROFILE_ERRORS = frozenset({"missing_scope", "user_not_found", "user_not_visible"})

logger = logging.getLogger(__name__)


class SlackProfiles:
    """``users.info`` (it needs the ``users:read.email`` scope) as a ``ProfileLookup``."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def profile(self, external_id: str) -> Profile | None:
        try:
            user = self.client.users_info(user=external_id)["user"]
        except SlackApiError as error:
            code = error.response.get("error")
            if code not in _NO_PROFILE_ERRORS:
                raise
            logger.warning("users.info for %s failed with %s; cannot match them to the plan", external_id, code)
            return None
        profile = user.get("profile") or {}
        email = profile.get("email") or ""
        if not email.strip() or user.get("is_bot"):
            return None
        return Profile(
            email=email, name=profile.get("real_name") or profile.get("display_name") or user.get("name") or email
        )


def identities(container: Container, client: WebClient) -> Identities:
    """Identity linking for Slack users, through the container's units of work."""
    return Identities(
        PLATFORM, PLATFORM_NAME, EMAIL_PERMISSION, SlackProfiles(client), container.unit_of_work, container.clock
    )


def resolve_actor(container: Container, client: WebClient, user_id: str) -> Actor:
    """The person behind a Slack user id (``U…``/``W…``), asking Slack only the first time.

    Raises:
        UnknownPerson: Slack gave no email for the user (a bot, or the scope is missing).
    """
    return identities(container, client).actor(user_id)


def resolve_mentions(container: Container, client: WebClient, text: str, bot_user_id: str | None = None) -> str:
    """The text with each mention of a person (``<@U123|jo>``) replaced by their email; a mention of
    planbot itself is left for the grammar to drop.

    Raises:
        UnknownPerson: Slack gave no email for someone mentioned.
    """
    return identities(container, client).replace_mentions(text, MENTION, bot_user_id)
