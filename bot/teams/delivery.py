"""One Teams post delivered from a worker thread, with Teams' failures handled as Teams reports them.

planbot's scheduler and the turns' notices run on threads; the SDK runs on the gateway's event loop,
so each send is a proactive turn (``continue_conversation`` / ``create_conversation``) run there
and waited for here. The SDK neither retries nor paces (teams-platform.md §6), and errors raised
inside a proactive turn's callback never reach the caller (§10: they go to the adapter's error
handler), so the callback keeps them and they are raised here, where each answer is handled:

- **429** waits ``Retry-After`` and sends the same activity again, on a budget of its own
  (Teams asked to slow down; nothing was posted);
- **412** and **502–504** are retried with exponential backoff and jitter on another budget;
- **403** (not installed, removed, blocked, disabled by an admin) and **404** (the chat was deleted)
  are never retried: ``Unreachable`` is raised, and the caller marks the stored reference inactive;
- an answer slower than ``ANSWER_SECONDS`` is not taken as lost: the request in flight is waited on
  (up to ``LOST_SECONDS``) and its activity id kept, rather than sending a second copy that could
  land beside the first. The Bot Connector cannot be asked what a conversation holds, so a
  connection that breaks after Teams accepted a post is the one case that can show it twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import ClientConnectorError, ClientResponseError
from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext

from bot.teams.outgoing import card_activity
from commands.ports import Undeliverable
from storage.models import TeamsConversation

CHANNEL = "msteams"
BOT_FRAMEWORK_AUDIENCE = "https://api.botframework.com"
RATE_LIMIT_RETRIES = 5
"""429s in a row before a post counts as failed: each waits as long as Teams asks."""
FAULT_RETRIES = 3
"""412s and 502–504s in a row before a post counts as failed."""
FAULT_BACKOFF_SECONDS = (1.0, 2.0, 4.0)
"""The waits after each such answer, each stretched by up to half again at random (jitter)."""
RETRIED = frozenset({412, 502, 503, 504})
UNREACHABLE = frozenset({403, 404})
ANSWER_SECONDS = 20.0
"""How long a send waits before saying its answer is slow (it keeps waiting on the same request)."""
LOST_SECONDS = 120.0
"""How long a send waits in all before it gives up on the answer (the request is then cancelled)."""
CONVERSATION_GAP_SECONDS = 0.15
"""The least time between two sends to one conversation from this process: Teams allows a bot 7 a
second there. Channel reports are paced more slowly, across processes, by the delivery engine; this
keeps a pass of direct messages (several nudges to one person, one after another) within the limit."""

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Place:
    """A Teams conversation to post in, as its stored reference gives it (any process may post there)."""

    conversation_id: str
    service_url: str
    tenant_id: str

    @classmethod
    def of(cls, row: TeamsConversation) -> Place:
        return cls(row.conversation_id, row.service_url, row.tenant_id)

    def thread(self, root: str) -> Place:
        """The thread under the channel post ``root``: replies go there as new activities."""
        return Place(f"{self.conversation_id};messageid={root}", self.service_url, self.tenant_id)

    def continuation(self, app_id: str) -> Activity:
        """The activity that continues this conversation with a new message (no reply-to id)."""
        reference = ConversationReference(
            channel_id=CHANNEL,
            service_url=self.service_url,
            conversation=ConversationAccount(id=self.conversation_id, tenant_id=self.tenant_id),
            agent=ChannelAccount(id=f"28:{app_id}"),
        )
        activity = reference.get_continuation_activity()
        activity.id = None  # a new message, not a reply to the random id the SDK sets
        return activity


class Unreachable(Undeliverable):
    """Teams answered 403 or 404: planbot is not installed, was removed or blocked, or the chat is gone.

    Retrying cannot help; ``status`` and ``code`` (Teams' error code, e.g. ``BotNotInConversationRoster``)
    say which, for the admins' instruction.
    """

    def __init__(self, status: int, code: str, conversation_id: str) -> None:
        super().__init__(f"Teams answered {status} {code or ''} for conversation {conversation_id}".strip())
        self.status = status
        self.code = code
        self.conversation_id = conversation_id


class AnswerLost(OSError):
    """Teams did not answer a send within ``LOST_SECONDS``: it may or may not be in the conversation."""


class TeamsPoster:
    """Sends cards on the SDK's loop from any thread and answers with the activity ids Teams gives.

    ``wait`` is how retries sleep and ``jitter`` stretches each backoff (tests make both instant).
    """

    def __init__(
        self,
        adapter: ChannelServiceAdapter,
        app_id: str,
        loop: asyncio.AbstractEventLoop,
        *,
        wait: Callable[[float], None] = time.sleep,
        backoff: tuple[float, ...] = FAULT_BACKOFF_SECONDS,
        jitter: Callable[[], float] = random.random,
        answer_seconds: float = ANSWER_SECONDS,
        lost_seconds: float = LOST_SECONDS,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.loop = loop
        self.wait = wait
        self.backoff = backoff
        self.jitter = jitter
        self.answer_seconds = answer_seconds
        self.lost_seconds = lost_seconds
        self._last: dict[str, float] = {}
        self._pace_lock = threading.Lock()

    def post(self, place: Place, card: dict[str, Any]) -> str:
        """Post ``card`` as a new message in ``place``; answers its activity id.

        Raises:
            Unreachable: Teams answered 403 or 404.
            ClientResponseError: another refusal, or 429/412/5xx past their budgets.
            AnswerLost: no answer at all.
        """
        return self._deliver(lambda: self._continue(place, card), place.conversation_id)

    def open_chat(self, object_id: str, service_url: str, tenant_id: str, card: dict[str, Any]) -> tuple[str, str]:
        """Create a 1:1 chat with the person whose Entra object id is ``object_id`` (never an email: Teams
        cannot start a chat from one) and post ``card`` in it; answers the chat's id and the card's.

        Raises:
            Unreachable: planbot is not installed for the person (403), as for ``post``.
        """
        return self._deliver(lambda: self._create(object_id, service_url, tenant_id, card), f"1:1 with {object_id}")

    async def edit(self, place: Place, update: Activity) -> None:
        """Replace a message planbot sent in ``place`` (``update.id`` names it), on the loop."""

        async def edit(context: TurnContext) -> None:
            await context.update_activity(update)

        await self.adapter.continue_conversation(self.app_id, place.continuation(self.app_id), edit)

    def _deliver(self, send: Callable[[], Coroutine[Any, Any, T]], where: str) -> T:
        rate_limits, faults = RATE_LIMIT_RETRIES, FAULT_RETRIES
        while True:
            try:
                return self._paced(send, where)
            except ClientResponseError as error:
                if error.status in UNREACHABLE:
                    raise Unreachable(error.status, error_code(error), where) from error
                if error.status == 429 and rate_limits > 0:
                    rate_limits -= 1
                    delay = retry_after(error)
                    logger.warning("Teams throttled a post to %s; sending it again after %.1f s", where, delay)
                    self.wait(delay)
                    continue
                if error.status not in RETRIED or faults == 0:
                    raise
                reason: Exception = error
            except ClientConnectorError as error:  # never connected: nothing was sent
                if faults == 0:
                    raise
                reason = error
            faults -= 1
            delay = self.backoff[min(FAULT_RETRIES - faults - 1, len(self.backoff) - 1)] * (1 + self.jitter() / 2)
            logger.warning("Teams did not take a post to %s (%s); trying again in %.1f s", where, reason, delay)
            self.wait(delay)

    def _pace(self, where: str) -> None:
        """Wait until ``CONVERSATION_GAP_SECONDS`` have passed since Teams answered this process's last
        send to ``where`` (timed from the answer: Teams counts arrivals, and a slow request would
        otherwise shorten the gap)."""
        with self._pace_lock:
            last = self._last.get(_conversation(where))
        if last is not None and (wait := last + CONVERSATION_GAP_SECONDS - time.monotonic()) > 0:
            time.sleep(wait)

    def _answered(self, where: str) -> None:
        with self._pace_lock:
            self._last[_conversation(where)] = time.monotonic()

    def _paced(self, send: Callable[[], Coroutine[Any, Any, T]], where: str) -> T:
        self._pace(where)
        try:
            return self._wait_for(send(), where)
        finally:
            self._answered(where)

    def _wait_for(self, coroutine: Coroutine[Any, Any, T], where: str) -> T:
        """The send's result; a slow answer is waited on (the same request), never sent twice."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout=self.answer_seconds)
        except TimeoutError:
            logger.warning(
                "Teams has not answered a post to %s after %.0f s; waiting for that answer, not sending again",
                where,
                self.answer_seconds,
            )
        try:
            return future.result(timeout=max(self.lost_seconds - self.answer_seconds, 0.0))
        except TimeoutError:
            future.cancel()
            raise AnswerLost(f"Teams did not answer a post to {where} within {self.lost_seconds:.0f} s") from None

    async def _continue(self, place: Place, card: dict[str, Any]) -> str:
        sent = await _raising(
            lambda callback: self.adapter.continue_conversation(self.app_id, place.continuation(self.app_id), callback),
            card,
        )
        return sent.id

    async def _create(self, object_id: str, service_url: str, tenant_id: str, card: dict[str, Any]) -> tuple[str, str]:
        parameters = ConversationParameters(
            is_group=False,
            members=[ChannelAccount(id=object_id)],
            tenant_id=tenant_id,
            agent=ChannelAccount(id=f"28:{self.app_id}"),
        )

        def start(callback: Callable[[TurnContext], Awaitable[None]]) -> Awaitable[Any]:
            return self.adapter.create_conversation(
                self.app_id, CHANNEL, service_url, BOT_FRAMEWORK_AUDIENCE, parameters, callback
            )

        sent = await _raising(start, card)
        return sent.conversation_id, sent.id


@dataclass
class _Sent:
    """Where a proactive turn's card went and the activity id Teams gave it (kept to reply or edit)."""

    conversation_id: str = ""
    id: str = ""


async def _raising(
    start: Callable[[Callable[[TurnContext], Awaitable[None]]], Awaitable[Any]], card: dict[str, Any]
) -> _Sent:
    """Run a proactive turn that sends ``card``, raising here what the send raised inside it (the SDK
    would hand it to the adapter's error handler instead), and answering where it went and its id."""
    failures: list[BaseException] = []
    sent = _Sent()

    async def send(context: TurnContext) -> None:
        try:
            sent.conversation_id = str(context.activity.conversation.id)
            answer = await context.send_activity(card_activity(card))
            sent.id = str(answer.id) if answer is not None and answer.id else ""
        except Exception as error:
            failures.append(error)

    await start(send)
    if failures:
        raise failures[0]
    return sent


def _conversation(where: str) -> str:
    """The conversation a send goes to, a channel thread counted as its channel."""
    return where.split(";messageid=", 1)[0]


def error_code(error: ClientResponseError) -> str:
    """Teams' error code from the answer's body (``{"error": {"code": …}}``), empty when it gave none."""
    try:
        body = json.loads(error.message)
    except (TypeError, ValueError):
        return ""
    found = body.get("error") if isinstance(body, dict) else None
    return str(found.get("code") or "") if isinstance(found, dict) else ""


def retry_after(error: ClientResponseError) -> float:
    """Seconds Teams asked to wait (``Retry-After``), 1 when it did not say."""
    try:
        return max(float((error.headers or {}).get("Retry-After", 1)), 0.0)
    except (TypeError, ValueError):
        return 1.0
