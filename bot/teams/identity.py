"""Teams' side of identity linking: the conversation roster as the core's profile lookup, and mentions.

A Teams activity names its sender by a bot-scoped id (``29:…``) and their Entra object id, never an
email (teams-platform.md §5). The email comes from the roster (``GET {serviceUrl}v3/conversations/
{conversation}/members/{user}``), asked once per person: the match is remembered by the core
(``commands.identity``) under the Entra object id, so a person is the same planbot person on Teams and
on Slack when both platforms give the same email. The core's work runs on a worker thread, the SDK's
calls on the event loop; ``RosterProfiles`` carries each lookup across and waits for its answer.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import ClientResponseError
from microsoft_agents.activity import Activity
from microsoft_agents.activity.teams import TeamsChannelAccount
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.container import Container
from commands.errors import UnknownPerson
from commands.identity import Identities, Profile, ProfileLookup, no_email_text, unknown_mention_text
from commands.model import Actor
from commands.ports import TEAMS

PLATFORM_NAME = "Teams"
EMAIL_PERMISSION = "an email address for you in your organisation's directory (guests often have none)"
ROSTER_SECONDS = 10.0
# Roster answers that mean "this member has no profile planbot may read"; anything else is an outage.
_NO_MEMBER = frozenset({403, 404})

logger = logging.getLogger(__name__)


@dataclass
class RosterProfiles:
    """The conversation's roster as a ``ProfileLookup`` keyed by Entra object id, callable from a worker thread.

    Args:
        loop: the event loop the SDK's client runs on.
        client: the turn's connector client.
        conversation_id: the conversation whose roster is read.
        user_ids: each known Entra object id's bot-scoped user id (the roster is asked by the latter).
    """

    loop: asyncio.AbstractEventLoop
    client: TeamsConnectorClient
    conversation_id: str
    user_ids: dict[str, str] = field(default_factory=dict)
    _members: dict[str, TeamsChannelAccount] = field(default_factory=dict)

    def member(self, user_id: str) -> TeamsChannelAccount | None:
        """The roster entry of ``user_id`` (``29:…``), or ``None`` when the roster does not have them."""
        call = self.client.get_conversation_member(self.conversation_id, user_id)
        try:
            member = asyncio.run_coroutine_threadsafe(call, self.loop).result(timeout=ROSTER_SECONDS)
        except ClientResponseError as error:
            if error.status not in _NO_MEMBER:
                raise
            logger.warning("The Teams roster has no readable entry for %s (%s)", user_id, error.status)
            return None
        if member.aad_object_id:
            self.user_ids[member.aad_object_id] = user_id
            self._members[member.aad_object_id] = member
        return member

    def profile(self, external_id: str) -> Profile | None:
        member = self._members.get(external_id) or self.member(self.user_ids.get(external_id, external_id))
        return None if member is None else member_profile(member)


def member_profile(member: TeamsChannelAccount) -> Profile | None:
    """What a roster entry says about a person: their email (else their user principal name), or ``None``
    when it has neither (a guest, an account without a mailbox)."""
    email = (member.email or member.user_principal_name or "").strip()
    if "@" not in email:
        return None
    return Profile(email=email, name=member.name or email)


def identities(container: Container, roster: ProfileLookup) -> Identities:
    """Identity linking for Teams users, through the container's units of work."""
    return Identities(TEAMS, PLATFORM_NAME, EMAIL_PERMISSION, roster, container.unit_of_work, container.clock)


def resolve_sender(container: Container, roster: RosterProfiles, activity: Activity) -> Actor:
    """The person who sent ``activity``, asking the roster only the first time.

    Raises:
        UnknownPerson: the roster gave no email for them (a guest, an account without a mailbox).
    """
    sender = activity.from_property
    aad = sender.aad_object_id
    if not aad:
        member = roster.member(sender.id)
        aad = member.aad_object_id if member is not None else None
        if not aad:
            raise UnknownPerson(no_email_text(PLATFORM_NAME, EMAIL_PERMISSION))
    roster.user_ids.setdefault(aad, sender.id)
    return identities(container, roster).actor(aad)


def replace_mentions(container: Container, roster: RosterProfiles, activity: Activity, text: str) -> str:
    """``text`` with each mention of a person (``<at>Jo Bloggs</at>``) replaced by their email, which is
    how the core knows people. Only mentions Teams itself marked (the activity's ``mention`` entities)
    count: typed ``<at>`` text with no entity behind it is left as text.

    Raises:
        UnknownPerson: no email is known for someone mentioned.
    """
    for mentioned, mention_text in _mentions(activity).items():
        if mentioned == activity.recipient.id:
            continue
        email = _email_of(container, roster, mentioned, mention_text)
        text = text.replace(mention_text, email)
    return text


def _mentions(activity: Activity) -> Mapping[str, str]:
    """Each mentioned account's id and the text Teams put in the message for it."""
    found: dict[str, str] = {}
    for entity in activity.entities or []:
        if entity.type != "mention":
            continue
        values = entity.model_dump(by_alias=True, exclude_none=True)
        mentioned, text = (values.get("mentioned") or {}).get("id"), values.get("text")
        if mentioned and text:
            found[mentioned] = text
    return found


def _email_of(container: Container, roster: RosterProfiles, user_id: str, mention_text: str) -> str:
    label = _LABEL.sub("", mention_text).strip() or None
    member = roster.member(user_id)
    if member is None or not member.aad_object_id:
        raise UnknownPerson(unknown_mention_text(label, PLATFORM_NAME))
    try:
        return identities(container, roster).actor(member.aad_object_id).email
    except UnknownPerson as error:
        raise UnknownPerson(unknown_mention_text(label, PLATFORM_NAME)) from error


_LABEL = re.compile(r"</?at>")


def tenant_of(activity: Activity) -> str | None:
    """The tenant an activity comes from: the conversation's, else ``channelData.tenant.id``."""
    tenant = activity.conversation.tenant_id if activity.conversation else None
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    return str(tenant) if tenant else None
