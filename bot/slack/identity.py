"""Slack user ids to the people the plan knows: matched by email once, then remembered.

Plans name people by email, Slack by user id. The first command someone types costs one
``users.info`` call (it needs the ``users:read.email`` scope); the match is then kept in
``PlatformIdentity`` so later commands make no Slack call at all. Someone whose email the plan does
not know still gets a ``Person`` row: they hold no role, so they can read the plan but not update it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError

from bot.container import Container
from commands.errors import UnknownPerson
from commands.model import Actor
from storage.models import Person, PlatformIdentity
from storage.repository import PlanRepository

PLATFORM = "slack"
NO_EMAIL = (
    "I couldn't read your email address from Slack, so I can't tell which plan roles you hold. "
    "Ask an admin to check planbot has the users:read.email scope."
)
MENTION = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)(?:\|(?P<label>[^>]*))?>")
# users.info errors that mean "this user has no readable email"; anything else is an outage.
_NO_PROFILE_ERRORS = frozenset({"missing_scope", "user_not_found", "user_not_visible"})

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackProfile:
    """What ``users.info`` tells us about someone."""

    email: str
    name: str


def resolve_actor(container: Container, client: WebClient, user_id: str) -> Actor:
    """The person behind a Slack user id, asking Slack only the first time.

    Args:
        container: gives the units of work (lookup and remembering are separate, short transactions,
            so no database transaction stays open while Slack answers).
        client: a Web API client with the bot token.
        user_id: the Slack user id (``U…``/``W…``) from the payload.

    Returns:
        The actor the core should act for.

    Raises:
        UnknownPerson: Slack gave no email for the user (a bot, or the scope is missing).
    """
    with container.unit_of_work() as repo:
        person = _remembered(repo, user_id)
    if person is None:
        person = _remember(container, user_id, fetch_profile(client, user_id))
    assert person.id is not None  # read from the table
    return Actor(person_id=person.id, name=person.name, email=person.email, is_admin=person.is_admin)


def resolve_mentions(container: Container, client: WebClient, text: str, bot_user_id: str | None = None) -> str:
    """The text with each mention of a person (``<@U123|jo>``) replaced by their email, which is how
    the core knows people; a mention of planbot itself is left for the grammar to drop.

    Raises:
        UnknownPerson: Slack gave no email for someone mentioned.
    """

    def email(match: re.Match[str]) -> str:
        if match["id"] == bot_user_id:
            return match[0]
        try:
            return resolve_actor(container, client, match["id"]).email
        except UnknownPerson as error:
            who = f"@{match['label']}" if match["label"] else "someone you mentioned"
            raise UnknownPerson(
                f"I couldn't read {who}'s email from Slack, so I can't tell who they are in the plan."
            ) from error

    return MENTION.sub(email, text)


def fetch_profile(client: WebClient, user_id: str) -> SlackProfile:
    """Email and name from ``users.info``.

    Raises:
        UnknownPerson: no email came back; the reply tells the user what an admin must check.
    """
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        code = error.response.get("error")
        if code not in _NO_PROFILE_ERRORS:
            raise
        logger.warning("users.info for %s failed with %s; cannot match them to the plan", user_id, code)
        raise UnknownPerson(NO_EMAIL) from error
    profile = user.get("profile") or {}
    email = (profile.get("email") or "").strip().lower()
    if not email or user.get("is_bot"):
        raise UnknownPerson(NO_EMAIL)
    name = profile.get("real_name") or profile.get("display_name") or user.get("name") or email
    return SlackProfile(email=email, name=name[:200])


def _remembered(repo: PlanRepository, user_id: str) -> Person | None:
    identity = repo.identity(PLATFORM, user_id)
    return None if identity is None else repo.person(identity.person_id)


def _remember(container: Container, user_id: str, profile: SlackProfile) -> Person:
    """Link the Slack user to the person with their email, creating a viewer when the plan lacks them.

    Two first commands from the same person can race (a double-typed command); the loser's insert
    breaks a unique constraint, and the winner's link is the answer.
    """
    try:
        with container.unit_of_work() as repo:
            return _link(repo, user_id, profile, container.clock())
    except IntegrityError:
        with container.unit_of_work() as repo:
            person = _remembered(repo, user_id)
        if person is None:
            raise
        return person


def _link(repo: PlanRepository, user_id: str, profile: SlackProfile, now: dt.datetime) -> Person:
    person = repo.person_by_email(profile.email)
    if person is None:
        person = Person(email=profile.email, name=profile.name)
        repo.add(person)
        logger.info("Slack user %s is not in the plan; added them as a viewer", user_id)
    assert person.id is not None  # flushed by repo.add or loaded from the table
    repo.add(
        PlatformIdentity(
            platform=PLATFORM, external_id=user_id, person_id=person.id, display_name=profile.name, seen_at=now
        )
    )
    return person
