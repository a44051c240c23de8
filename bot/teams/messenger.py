"""Direct messages on Teams: planbot writing to a person first (a nudge, a reminder, an admin change's notice).

Teams only lets a bot message someone in a 1:1 chat where planbot is installed for them
(teams-platform.md §6): the chat the person already has with planbot is continued from its stored
reference (``TeamsConversation``, kept from every activity); failing that a 1:1 chat is created
from their Entra object id (learnt from any message they sent planbot or from a team's roster,
``roster.TeamRosters``; never their email, from which Teams cannot start a chat), which works where
a Teams admin pre-installed planbot for them. A chat Teams refuses (403) or no longer has (404) is
marked inactive, so the next message creates a new one.
Every message's content becomes cards in one place, ``direct_cards``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ChannelServiceAdapter
from sqlmodel import Session, col, select

from bot.container import Container
from bot.teams.cards import report_cards
from bot.teams.delivery import AnswerLost, Place, TeamsPoster, Unreachable
from bot.teams.reminder_cards import reminder_card
from commands.model import Notice, Reply
from commands.nudges import DirectMessage
from commands.ports import TEAMS, Undeliverable
from commands.rules import DEFAULT_SCHEME, RagScheme
from storage.models import TeamsConversation

logger = logging.getLogger(__name__)


class NeverOnTeams(Undeliverable):
    """planbot has neither a chat with the person nor their Entra object id: they never wrote to it on
    Teams and are in none of its teams' rosters."""


def direct_cards(content: object, scheme: RagScheme = DEFAULT_SCHEME) -> list[dict[str, Any]]:
    """The cards a direct message is sent as: the one place a DM's content (a notice, a reminder, a
    whole report, an admin's alert) becomes Teams cards; a reminder carries its one-click buttons."""
    if isinstance(content, DirectMessage):
        return [reminder_card(content, scheme)]
    return report_cards(content, scheme)


@dataclass(frozen=True)
class PersonalChats:
    """A person's 1:1 chat with planbot: continued when stored, else created by Entra object id.

    Args:
        poster: sends on the SDK's loop, with Teams' retries.
        container: the units of work, to find and keep the person's chat.
        tenant_id: the tenant a new chat is created in.
        service_url: where a new chat is created; ``None`` for the service URL Teams last used here.
    """

    poster: TeamsPoster
    container: Container
    tenant_id: str
    service_url: str | None = None

    def send(self, person_id: int, cards: list[dict[str, Any]]) -> str:
        """Send ``cards`` to the person, in order; answers the first one's activity id.

        Raises:
            Unreachable: Teams refused (the chat is then marked inactive).
            NeverOnTeams: planbot knows no chat and no object id for the person.
        """
        with self.container.unit_of_work() as repo:
            chat = repo.teams_personal_chat(person_id)
            object_id = repo.external_ids(TEAMS, [person_id]).get(person_id)
            service_url = self.service_url or _latest_service_url(repo.session, self.tenant_id)
        first, *rest = cards
        if chat is not None:
            place = Place.of(chat)
            sent = self._post(place, first)
        elif object_id is not None and service_url:
            conversation, sent = self.poster.open_chat(object_id, service_url, self.tenant_id, first)
            place = Place(conversation, service_url, self.tenant_id)
            self._remember(place, person_id)
        else:
            raise NeverOnTeams(f"person {person_id} has never used planbot on Teams; cannot message them there")
        for card in rest:
            self._post(place, card)
        return sent

    def _post(self, place: Place, card: dict[str, Any]) -> str:
        try:
            return self.poster.post(place, card)
        except Unreachable:
            mark_inactive(self.container, place.conversation_id)
            raise

    def _remember(self, place: Place, person_id: int) -> None:
        with self.container.unit_of_work() as repo:
            repo.remember_teams_conversation(
                TeamsConversation(
                    conversation_id=place.conversation_id,
                    kind="personal",
                    service_url=place.service_url,
                    tenant_id=place.tenant_id,
                    person_id=person_id,
                    seen_at=self.container.clock(),
                )
            )


def mark_inactive(container: Container, conversation_id: str) -> None:
    """Teams refused or lost ``conversation_id``: nothing is sent there until planbot hears from it again."""
    with container.unit_of_work() as repo:
        row = repo.teams_conversation(conversation_id.split(";messageid=", 1)[0])
        if row is not None and row.active:
            row.active = False
            repo.add(row)
            logger.warning("Teams conversation %s marked inactive: Teams refused planbot there", row.conversation_id)


def _latest_service_url(session: Session, tenant_id: str) -> str | None:
    """The service URL Teams used most recently in the tenant (it is regional and may change)."""
    found = session.exec(
        select(TeamsConversation.service_url)
        .where(TeamsConversation.tenant_id == tenant_id)
        .order_by(col(TeamsConversation.seen_at).desc())
    ).first()
    return str(found) if found else None


@dataclass(frozen=True)
class Messenger:
    """Sends notices by direct message from a worker thread, on the SDK's event loop.

    Args:
        adapter: the SDK's adapter (it holds the outbound credentials).
        app_id: the bot's Entra app id.
        container: the units of work, to find the person's chat.
        loop: the event loop the adapter runs on.
        service_url: where a new 1:1 chat is created (the current turn's service URL).
        tenant_id: the tenant of the current turn.
    """

    adapter: ChannelServiceAdapter
    app_id: str
    container: Container
    loop: asyncio.AbstractEventLoop
    service_url: str
    tenant_id: str

    def __call__(self, notice: Notice) -> bool:
        """Send ``notice``; ``False`` (logged) when Teams would not let planbot reach the person."""
        chats = PersonalChats(self.poster, self.container, self.tenant_id, self.service_url)
        try:
            chats.send(notice.person_id, direct_cards(Reply(text=notice.text)))
        except (Undeliverable, ClientError, AnswerLost) as error:
            logger.warning("Could not message person %s on Teams (%s)", notice.person_id, error)
            return False
        return True

    @property
    def poster(self) -> TeamsPoster:
        return TeamsPoster(self.adapter, self.app_id, self.loop)

    async def replace(self, chat: TeamsConversation, update: Activity) -> None:
        """Edit a message planbot sent in ``chat`` (``update.id`` names it), from outside that conversation."""
        await self.poster.edit(Place.of(chat), update)
