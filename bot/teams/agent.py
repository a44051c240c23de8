"""planbot's Teams agent: each activity translated for the core, answered, and drawn as Adaptive Cards.

In a personal chat people type what they would type in Slack (``rag V9 red …``, ``plan summary``,
plain questions, ``home``); in a channel or group chat the same after an @mention of planbot, which
the SDK strips, and the answer goes in the thread. Which command a line is for is the core's rule
(``commands.chat_routing``); so are every refusal and every word. The core is synchronous and talks
to the database, so each turn's work runs on a worker thread while the event loop keeps serving;
roster lookups cross back to the loop (``identity.RosterProfiles``). The update form is a Teams
dialog (``task/fetch`` → ``task/submit``) on the same validation as Slack's modal. Unexpected
failures are logged with what was asked (never the text) and answered with planbot's apology,
replacing the SDK's default handler, which would post the exception into the chat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import (
    AgentApplication,
    ConnectorClientBase,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.authorization import Connections

from bot.container import Container
from bot.teams import cards, dialog
from bot.teams.identity import PLATFORM_NAME, RosterProfiles, replace_mentions, resolve_sender, tenant_of
from bot.teams.messenger import Messenger
from bot.teams.outgoing import card_activity
from commands.chat_routing import PLAN, RAG, only_looks, route_line
from commands.errors import APOLOGY, UnknownPerson, UserError
from commands.home import home_layout, home_view
from commands.layout import MORE_IN_THREAD
from commands.model import Actor, Invocation, Reply
from commands.notices import tell_people
from commands.panel import PanelOrder
from commands.panel_orders import panel_elsewhere_text
from commands.plan_command import handle_plan
from commands.ports import TEAMS
from commands.rag import handle_rag
from commands.rag_scheme import plan_scheme
from commands.rules import london_date
from commands.update_form import OPEN_FORM_TEXT, UpdateForm, submit_update_form, update_choices
from storage.models import TeamsConversation

HOME = "home"
PERSONAL = "personal"
TEAMS_WORDS = frozenset({HOME})
MAX_ANSWER_CARDS = 5
NOBODY = 0
"""The person id of an onlooker: no row has it, so they hold no role and are not an admin."""
WORKERS = 4
"""Turns worked on at once: each mostly waits on the database or on Teams, not on the processor."""
T = TypeVar("T")
DIGEST_PREVIEW = "digest"
"""What the home card's "Preview digest" button asks, as if typed after ``plan``."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """The cards answering a message, in order; ``keeps_home`` when the last is the person's dashboard
    (its id is kept, to edit it later); ``home`` the dashboard to edit in place."""

    cards: list[dict[str, Any]]
    keeps_home: bool = False
    home: HomeCard | None = None


@dataclass(frozen=True)
class HomeCard:
    """A person's dashboard card drawn afresh, to replace the one last sent in their 1:1 chat."""

    chat: TeamsConversation
    activity_id: str
    card: dict[str, Any]


@dataclass(frozen=True)
class Turn:
    """What the core needs from one activity, read on the event loop before the work moves to a thread."""

    activity: Activity
    roster: RosterProfiles
    messenger: Messenger

    @property
    def personal(self) -> bool:
        """A one-to-one chat with planbot: only the person reads the answer."""
        return (self.activity.conversation.conversation_type or PERSONAL) == PERSONAL

    @property
    def place(self) -> str:
        """Where the activity was sent: the channel for a channel thread, else the conversation."""
        data = self.activity.channel_data if isinstance(self.activity.channel_data, dict) else {}
        channel = data.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else None
        return str(channel_id or self.activity.conversation.id)

    @property
    def conversation_id(self) -> str:
        """The conversation without a channel thread's ``;messageid=…``: the channel, chat or 1:1 chat."""
        return str(self.activity.conversation.id).split(";messageid=", 1)[0]

    def conversation(self, actor: Actor | None, now: dt.datetime) -> TeamsConversation:
        """The row that lets any planbot process post here later."""
        return TeamsConversation(
            conversation_id=self.conversation_id,
            kind=self.activity.conversation.conversation_type or PERSONAL,
            service_url=self.activity.service_url or "",
            tenant_id=tenant_of(self.activity) or "",
            person_id=actor.person_id if actor is not None and self.personal else None,
            seen_at=now,
        )

    def invocation(self, actor: Actor, text: str) -> Invocation:
        return Invocation(
            actor=actor,
            text=text,
            platform=TEAMS,
            channel=self.place,
            source_ref=f"{TEAMS}:{self.activity.conversation.id}:{self.activity.id or ''}"[:200],
            private=self.personal,
            shared=not self.personal,
        )


def build_agent(container: Container, connections: Connections, app_id: str) -> AgentApplication[TurnState]:
    """The agent application with planbot's routes; every route has a handler, so Teams never sees 501."""
    app: AgentApplication[TurnState] = AgentApplication[TurnState](
        storage=MemoryStorage(),
        connection_manager=connections,
        start_typing_timer=False,
        remove_recipient_mention=True,
    )
    bot = TeamsBot(container, app_id)
    app.message()(bot.on_message)
    app.installation_update()(bot.on_installation)
    app.conversation_update("membersAdded")(bot.on_installation)
    app.invoke("task/fetch")(bot.on_task_fetch)
    app.invoke("task/submit")(bot.on_task_submit)
    app.invoke()(bot.on_other_invoke)
    app.error(bot.on_error)
    return app


class TeamsBot:
    """The handlers; each reaches the database only through ``container``."""

    def __init__(self, container: Container, app_id: str) -> None:
        self.container = container
        self.app_id = app_id
        # The core's work waits on the database and, on someone's first message, on a roster lookup
        # that runs on the event loop. It gets a pool of its own: on the loop's default pool it could
        # take every thread while the lookups it waits for queue behind it for the host name's
        # resolution, which aiohttp does on that same default pool (the benchmark found it).
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="planbot-teams-work")

    async def work(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function`` (the core's synchronous work) on planbot's own pool, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, partial(function, *args))

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        turn = self.turn(context)
        answer = await self.work(self.answer_message, turn)
        sent = None
        for card in answer.cards:
            sent = await context.send_activity(card_activity(card))
        if answer.keeps_home and sent is not None and sent.id:
            await self.work(self.keep_home, turn, sent.id)
        await self.refresh(context, turn, answer.home)

    async def on_task_fetch(self, context: TurnContext, state: TurnState) -> None:
        turn = self.turn(context)
        body = await self.work(self.open_form, turn, _data(context.activity))
        await _answer_invoke(context, body)

    async def on_task_submit(self, context: TurnContext, state: TurnState) -> None:
        turn = self.turn(context)
        body, stored = await self.work(self.submit_form, turn, _data(context.activity))
        if stored is not None:
            reply, home = stored
            await context.send_activity(card_activity(cards.reply_card(reply, self.container.scheme())))
            await self.refresh(context, turn, home)
        await _answer_invoke(context, body)

    async def refresh(self, context: TurnContext, turn: Turn, home: HomeCard | None) -> None:
        """Edit the person's dashboard card in place (Teams has no Home tab to redraw): within this turn
        when it is in this conversation, else in their 1:1 chat, proactively."""
        if home is None:
            return
        update = card_activity(home.card)
        update.id = home.activity_id
        if home.chat.conversation_id == turn.conversation_id:
            await context.update_activity(update)
        else:
            await turn.messenger.replace(home.chat, update)

    async def on_installation(self, context: TurnContext, state: TurnState) -> None:
        """planbot installed in (or added to) a conversation: remember it for later posts; uninstalled:
        mark it inactive, so nothing is sent where Teams would refuse it."""
        turn = self.turn(context)
        await self.work(self.installed, turn, context.activity.action != "remove")

    def installed(self, turn: Turn, present: bool) -> None:
        with self.container.unit_of_work() as repo:
            if present:
                repo.remember_teams_conversation(turn.conversation(None, self.container.clock()))
                return
            row = repo.teams_conversation(turn.conversation_id)
            if row is not None:
                row.active = False
                repo.add(row)
        logger.info("planbot was removed from Teams conversation %s", turn.conversation_id)

    async def on_other_invoke(self, context: TurnContext, state: TurnState) -> None:
        """Invokes planbot does not use (a stale card's button): answered, so Teams shows no error."""
        logger.info("Ignored a Teams invoke named %s", context.activity.name)
        await _answer_invoke(context, None)

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        log_failure(context.activity, error)
        if context.activity.type == ActivityTypes.invoke:
            await _answer_invoke(context, dialog.no_actions_task(APOLOGY))
        else:
            await context.send_activity(card_activity(cards.text_card(APOLOGY, refused=True)))

    def turn(self, context: TurnContext) -> Turn:
        """What this activity's work needs: the roster to ask, and how to message people directly."""
        loop, activity = asyncio.get_running_loop(), context.activity
        client = context.services.get(ConnectorClientBase)
        roster = RosterProfiles(loop, client, activity.conversation.id)  # type: ignore[arg-type]
        messenger = Messenger(
            context.adapter, self.app_id, self.container, loop, activity.service_url or "", tenant_of(activity) or ""
        )
        return Turn(activity, roster, messenger)

    def answer_message(self, turn: Turn) -> Answer:
        """The cards answering one typed line, in the order they are sent."""
        typed = (turn.activity.text or "").strip()
        try:
            actor = self.sender(turn)
        except UnknownPerson as refusal:
            # Someone planbot cannot identify may look, never update; they are told why when they try.
            if not only_looks(route_line(typed, TEAMS_WORDS), self.container.scheme()):
                return Answer([cards.text_card(refusal.reply_text(), refused=True)])
            actor = onlooker(turn.activity)
        try:
            text = replace_mentions(self.container, turn.roster, turn.activity, typed)
        except UserError as refusal:
            return Answer([cards.text_card(refusal.reply_text(), refused=True)])
        if _pressed(turn.activity, cards.PREVIEW_DIGEST):
            return Answer(self.plan(turn, actor, DIGEST_PREVIEW))
        routed = route_line(text, TEAMS_WORDS)
        if routed.command == HOME:
            return Answer([self.home(actor)], keeps_home=turn.personal)
        if routed.command == PLAN:
            return Answer(self.plan(turn, actor, routed.text))
        if routed.command == RAG and not routed.text:
            return Answer([cards.reply_card(Reply(text=OPEN_FORM_TEXT), update_button=True)])
        return self.rag(turn, actor, routed.text if routed.command == RAG else "help")

    def sender(self, turn: Turn) -> Actor:
        """The person behind the activity; the conversation is remembered (for replies, posts and edits
        from any process) whether or not they are in the plan.

        Raises:
            UnknownPerson: the roster gave no email for them.
        """
        try:
            actor = resolve_sender(self.container, turn.roster, turn.activity)
        except UserError:
            self.remember(turn, None)
            raise
        self.remember(turn, actor)
        return actor

    def remember(self, turn: Turn, actor: Actor | None) -> None:
        with self.container.unit_of_work() as repo:
            repo.remember_teams_conversation(turn.conversation(actor, self.container.clock()))

    def rag(self, turn: Turn, actor: Actor, text: str) -> Answer:
        with self.container.unit_of_work() as repo:
            scheme = plan_scheme(repo)
            reply = handle_rag(turn.invocation(actor, text), repo, self.container.clock(), scheme)
        reply = tell_people(reply, turn.messenger, PLATFORM_NAME)
        return Answer([cards.reply_card(reply, scheme)], home=self.refreshed_home(actor) if reply.stored else None)

    def keep_home(self, turn: Turn, activity_id: str) -> None:
        """Remember the dashboard card just sent, to edit it after the person's next updates."""
        with self.container.unit_of_work() as repo:
            row = repo.teams_conversation(turn.conversation_id)
            if row is not None:
                row.home_activity_id = activity_id
                repo.add(row)

    def refreshed_home(self, actor: Actor) -> HomeCard | None:
        """The person's dashboard card drawn afresh, if they have one in their 1:1 chat with planbot."""
        with self.container.unit_of_work() as repo:
            chat = repo.teams_personal_chat(actor.person_id)
        if chat is None or chat.home_activity_id is None:
            return None
        return HomeCard(chat, chat.home_activity_id, self.home(actor))

    def plan(self, turn: Turn, actor: Actor, text: str) -> list[dict[str, Any]]:
        invocation = turn.invocation(actor, text)
        with self.container.unit_of_work() as repo:
            scheme = plan_scheme(repo)
            answer = handle_plan(
                invocation, repo, self.container.clock(), self.container.settings.report_channels, scheme
            )
        answer = tell_people(answer, turn.messenger, PLATFORM_NAME)
        match answer:
            case Reply():
                return [cards.reply_card(answer, scheme)]
            case PanelOrder():
                return [cards.reply_card(Reply(text=panel_elsewhere_text(answer, PLATFORM_NAME)))]
            case _ if not turn.personal:
                # Everyone in a channel or group chat reads the answer: the core's short channel version.
                return cards.channel_cards(answer, scheme)
            case _:
                return _within_reach(cards.report_cards(answer, scheme))

    def home(self, actor: Actor) -> dict[str, Any]:
        with self.container.unit_of_work() as repo:
            scheme = plan_scheme(repo)
            view = home_view(actor, repo, self.container.clock(), scheme)
        return cards.home_card(home_layout(view, scheme))

    def open_form(self, turn: Turn, data: Mapping[str, Any]) -> dict[str, Any]:
        """The dialog for ``rag`` alone or an Update button, or a message when the person owns nothing."""
        try:
            actor = self.sender(turn)
        except UserError as refusal:
            return dialog.no_actions_task(refusal.reply_text())
        with self.container.unit_of_work() as repo:
            choices = update_choices(actor, repo, london_date(self.container.clock()))
            scheme = plan_scheme(repo)
        if not choices:
            with self.container.unit_of_work() as repo:
                return dialog.no_actions_task(
                    handle_rag(turn.invocation(actor, "mine"), repo, self.container.clock(), scheme).text
                )
        action = dialog.requested_action(data)
        values = UpdateForm(action_id=action, status=None) if action else None
        return dialog.update_dialog(choices, values=values, scheme=scheme)

    def submit_form(
        self, turn: Turn, data: Mapping[str, Any]
    ) -> tuple[dict[str, Any] | None, tuple[Reply, HomeCard | None] | None]:
        """Store the dialog's update (answering its reply and the person's refreshed dashboard), or show
        the dialog again with each error beside its field."""
        try:
            actor = self.sender(turn)
        except UserError as refusal:
            return dialog.no_actions_task(refusal.reply_text()), None
        form, errors = dialog.form_from_submit(data)
        invocation = turn.invocation(actor, "")
        with self.container.unit_of_work() as repo:
            scheme = plan_scheme(repo)
            result = None if errors else submit_update_form(form, invocation, repo, self.container.clock(), scheme)
            choices = update_choices(actor, repo, london_date(self.container.clock()))
        if result is not None and not result.errors and result.reply is not None:
            return None, (result.reply, self.refreshed_home(actor))
        errors = errors or (result.errors if result else {})
        return dialog.update_dialog(choices, values=form, errors=errors, scheme=scheme), None


def _within_reach(report: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A report as an answer: whole when it is a few cards; else as much as one card holds, and how to
    ask for less (Teams allows a bot 60 messages in 30 seconds in a conversation, and a reader fewer)."""
    if len(report) <= MAX_ANSWER_CARDS:
        return report
    return [cards.first_card(report, MORE_IN_THREAD)]


def onlooker(activity: Activity) -> Actor:
    """Someone planbot could not match to the plan, as the core sees them: nobody's role, no admin."""
    sender = activity.from_property
    return Actor(person_id=NOBODY, name=(sender.name if sender else "") or "", email="")


def _pressed(activity: Activity, key: str) -> bool:
    """Whether the message is a card's ``Action.Submit`` whose data holds ``key`` (Teams sends its data as
    the message's ``value``, with no text)."""
    return isinstance(activity.value, dict) and key in activity.value


def _data(activity: Activity) -> Mapping[str, Any]:
    """The card data of a dialog invoke (``value.data``), empty when it has none."""
    value = activity.value if isinstance(activity.value, dict) else {}
    data = value.get("data")
    return data if isinstance(data, dict) else {}


async def _answer_invoke(context: TurnContext, body: dict[str, Any] | None) -> None:
    await context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
    )


def log_failure(activity: Activity, error: BaseException) -> None:
    """What failed and for whom, without the text people typed (it may name victims or suspects)."""
    logger.error(
        "planbot failed handling a Teams %s%s from %s in %s",
        activity.type,
        f" ({activity.name})" if activity.name else "",
        activity.from_property.aad_object_id if activity.from_property else None,
        activity.conversation.id if activity.conversation else None,
        exc_info=error,
    )
