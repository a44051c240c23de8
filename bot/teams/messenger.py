"""Direct messages on Teams: planbot writing to a person first (an admin change's notice).

Teams only lets a bot message someone in a 1:1 chat where planbot is installed for them
(teams-platform.md §6): the chat the person already has with planbot is continued from its stored
reference (``TeamsConversation``, kept from every activity); failing that a 1:1 chat is created
from their Entra object id, which works where a Teams admin pre-installed planbot for them. Errors
raised inside the SDK's callback never reach the caller, so the callback keeps them and they are
raised outside it; a refusal (not installed, blocked) is logged and answered ``False`` so the asker
is told who was not reached.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError, ClientResponseError
from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext

from bot.container import Container
from bot.teams.cards import text_card
from bot.teams.outgoing import card_activity
from commands.model import Notice
from commands.ports import TEAMS
from storage.models import TeamsConversation

CHANNEL = "msteams"
BOT_FRAMEWORK_AUDIENCE = "https://api.botframework.com"
SEND_SECONDS = 20.0

logger = logging.getLogger(__name__)


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
        with self.container.unit_of_work() as repo:
            chat = repo.teams_personal_chat(notice.person_id)
            object_id = repo.external_ids(TEAMS, [notice.person_id]).get(notice.person_id)
        card = text_card(notice.text)
        if chat is not None:
            send = self._continue(chat, card)
        elif object_id is not None:
            send = self._create(object_id, card)
        else:
            logger.info("Person %s has never used planbot on Teams; cannot message them there", notice.person_id)
            return False
        try:
            created = asyncio.run_coroutine_threadsafe(send, self.loop).result(timeout=SEND_SECONDS)
        except (ClientError, TimeoutError) as error:
            status = error.status if isinstance(error, ClientResponseError) else type(error).__name__
            logger.warning("Could not message person %s on Teams (%s)", notice.person_id, status)
            return False
        if created is not None:
            self._remember(created, notice.person_id)
        return True

    async def replace(self, chat: TeamsConversation, update: Activity) -> None:
        """Edit a message planbot sent in ``chat`` (``update.id`` names it), from outside that conversation."""

        async def edit(context: TurnContext) -> None:
            await context.update_activity(update)

        await self.adapter.continue_conversation(self.app_id, _continuation(chat, self.app_id), edit)

    async def _continue(self, chat: TeamsConversation, card: dict[str, Any]) -> str | None:
        activity = _continuation(chat, self.app_id)
        await _raising(lambda callback: self.adapter.continue_conversation(self.app_id, activity, callback), card)
        return None

    async def _create(self, object_id: str, card: dict[str, Any]) -> str | None:
        """Open a 1:1 chat with the person and send ``card`` there; answers the new chat's id."""
        parameters = ConversationParameters(
            is_group=False,
            members=[ChannelAccount(id=object_id)],
            tenant_id=self.tenant_id,
            agent=ChannelAccount(id=f"28:{self.app_id}"),
        )
        created: list[str] = []

        def start(callback: Callable[[TurnContext], Awaitable[None]]) -> Awaitable[Any]:
            async def noting(context: TurnContext) -> None:
                created.append(str(context.activity.conversation.id))
                await callback(context)

            return self.adapter.create_conversation(
                self.app_id, CHANNEL, self.service_url, BOT_FRAMEWORK_AUDIENCE, parameters, noting
            )

        await _raising(start, card)
        return created[0] if created else None

    def _remember(self, conversation_id: str, person_id: int) -> None:
        with self.container.unit_of_work() as repo:
            repo.remember_teams_conversation(
                TeamsConversation(
                    conversation_id=conversation_id,
                    kind="personal",
                    service_url=self.service_url,
                    tenant_id=self.tenant_id,
                    person_id=person_id,
                    seen_at=self.container.clock(),
                )
            )


async def _raising(
    start: Callable[[Callable[[TurnContext], Awaitable[None]]], Awaitable[Any]], card: dict[str, Any]
) -> None:
    """Run a proactive turn that sends ``card``, raising here what the send raised inside it."""
    failures: list[BaseException] = []

    async def send(context: TurnContext) -> None:
        try:
            await context.send_activity(card_activity(card))
        except Exception as error:
            failures.append(error)

    await start(send)
    if failures:
        raise failures[0]


def _continuation(chat: TeamsConversation, app_id: str) -> Activity:
    """The activity that continues ``chat`` from its stored reference."""
    reference = ConversationReference(
        channel_id=CHANNEL,
        service_url=chat.service_url,
        conversation=ConversationAccount(id=chat.conversation_id, tenant_id=chat.tenant_id),
        agent=ChannelAccount(id=f"28:{app_id}"),
    )
    activity = reference.get_continuation_activity()
    activity.id = None  # a new message, not a reply to the random id the SDK sets
    return activity
