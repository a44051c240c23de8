"""Scheduled posts to Teams: the scheduler's ``Notifier`` (and ``PostsInParts``) for the ``teams`` platform.

A report posted to a channel is the core's channel summary drawn as cards (``cards.channel_cards``,
the layout Slack posts), each within 28 KB: the first card a new post in the channel (continuing the
conversation without a reply-to id, so a new thread), the rest replies in that thread. The delivery
engine makes each card a step of its own, paced per conversation across processes, so a resumed
report continues at the first card not yet recorded (in the same thread: its root's id is kept). A
direct message goes to the person's 1:1 chat (``messenger.PersonalChats``). Each send goes through
``delivery.TeamsPoster`` (429, 412, 5xx retried; a slow answer waited on, not sent twice); a channel
or chat Teams refuses (403, 404) is marked inactive, never retried, and the admins are told what to
fix once a day (``setup_alerts``).
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import ClientError

from bot.container import Container
from bot.teams.cards import COMMAND_WORDS, channel_cards
from bot.teams.delivery import AnswerLost, Place, TeamsPoster, Unreachable
from bot.teams.messenger import PersonalChats, direct_cards, mark_inactive
from bot.teams.setup_alerts import alert_admins, channel_fix, person_fix
from commands.model import Reply
from commands.ports import Recipient, Undeliverable
from commands.rules import RagScheme

logger = logging.getLogger(__name__)


class NotInChannel(Unreachable):
    """planbot has no active reference for the channel: it was never added there, or was removed."""

    def __init__(self, channel: str) -> None:
        super().__init__(403, "NoConversationReference", channel)


class TeamsNotifier:
    """Posts reports to Teams channels and messages to people, for the scheduler."""

    words = COMMAND_WORDS

    def __init__(
        self, poster: TeamsPoster, container: Container, tenant_id: str, scheme: RagScheme | None = None
    ) -> None:
        self.poster = poster
        self.container = container
        self._scheme = scheme
        self.chats = PersonalChats(poster, container, tenant_id)

    @property
    def scheme(self) -> RagScheme:
        """The colours cards are drawn in: the one given, or the current plan's (read per post, as on Slack)."""
        return self._scheme or self.container.scheme()

    def parts(self, content: object) -> list[object]:
        """The report's channel summary as cards: the first a new post, each other a reply in its thread."""
        return list(channel_cards(content, self.scheme))

    def post_part(self, channel: str, part: object, key: str, thread: str | None, resuming: bool) -> str:
        """Post one card of a report (in ``thread``, the first card's id, when given); answers its id.
        The delivery engine paces these per conversation across processes, so no pacing here."""
        assert isinstance(part, dict)
        place = self._channel(channel)
        if resuming:
            logger.warning(
                "Resuming %s: the card may already be in the channel, unrecorded (Teams cannot be asked); sending it",
                key,
            )
        try:
            return self.poster.post(place.thread(thread) if thread else place, part)
        except Unreachable as refusal:
            mark_inactive(self.container, channel)
            alert_admins(self, channel, refusal, channel_fix(refusal, channel))
            raise

    def post_to_channel(self, channel: str, content: object, key: str | None = None, resuming: bool = False) -> str:
        """Post the whole report: its first card, then the others in that card's thread."""
        first, *rest = self.parts(content)
        root = self.post_part(channel, first, f"{key or ''}#0", None, resuming)
        for place, card in enumerate(rest, start=1):
            self.post_part(channel, card, f"{key or ''}#{place}", root, resuming)
        return root

    def send_direct(self, recipient: Recipient, content: object, key: str | None = None, resuming: bool = False) -> str:
        """Send ``content`` to the person's 1:1 chat with planbot (created by Entra object id if need be)."""
        try:
            return self.chats.send(recipient.person_id, self.direct_cards(content))
        except Unreachable as refusal:
            fix = person_fix(refusal, recipient)
            if fix is not None:
                alert_admins(self, f"person:{recipient.person_id}", refusal, fix)
            raise

    def tell_admin(self, admin: Recipient, text: str) -> str | None:
        """Send an admin a set-up alert (``bot.setup_alerts``); ``None`` when Teams could not."""
        try:
            return self.send_direct(admin, Reply(text=text))
        except (Undeliverable, ClientError, AnswerLost) as failure:
            logger.warning("Could not tell admin %s on Teams: %s", admin.email, failure)
            return None

    def direct_cards(self, content: object) -> list[dict[str, Any]]:
        return direct_cards(content, self.scheme)

    def _channel(self, channel: str) -> Place:
        """The channel's stored reference (its service URL and tenant), kept from the activities it sent.

        Raises:
            NotInChannel: none is stored, or Teams refused planbot there since.
        """
        with self.container.unit_of_work() as repo:
            row = repo.teams_conversation(channel)
            place = Place.of(row) if row is not None and row.active else None
        if place is None:
            refusal = NotInChannel(channel)
            alert_admins(self, channel, refusal, channel_fix(refusal, channel))
            raise refusal
        return place
