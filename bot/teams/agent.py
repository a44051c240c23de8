"""planbot's Teams agent: each activity translated for the core, answered, and drawn as Adaptive Cards.

In a personal chat people type what they would type in Slack (``rag V9 red …``, ``plan summary``,
plain questions, ``home``); in a channel or group chat the same after an @mention of planbot, which
the SDK strips, and the answer goes in the thread. Which command a line is for is the core's rule
(``commands.chat_routing``); so are every refusal and every word. The core is synchronous and talks
to the database, so each turn's work runs on a worker thread while the event loop keeps serving;
roster lookups cross back to the loop (``identity.RosterProfiles``). The update form is a Teams
dialog (``task/fetch`` → ``task/submit``) on the same validation as Slack's modal. A reminder's
"Still <colour>" is a Universal Action (``adaptiveCard/action``) on the core's re-confirmation, and a
Panel file is offered by file consent card (``fileConsent/invoke``, ``bot.teams.files``). Unexpected
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

from aiohttp import ClientError
from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import (
    AgentApplication,
    ChannelServiceAdapter,
    ConnectorClientBase,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.authorization import Connections

from bot.container import Container
from bot.teams import cards, dialog, files
from bot.teams.identity import PLATFORM_NAME, RosterProfiles, replace_mentions, resolve_sender, tenant_of
from bot.teams.messenger import Messenger
from bot.teams.outgoing import card_activity
from bot.teams.reminder_cards import answered_card, still_request
from bot.teams.roster import TeamRosters, status_of
from commands.chat_routing import PLAN, RAG, only_looks, route_line
from commands.command_words import speaking
from commands.errors import APOLOGY, OLD_BUTTON, UnknownPerson, UserError
from commands.home import home_layout, home_view
from commands.layout import more_in_thread
from commands.model import Actor, Invocation, Reply
from commands.notices import tell_people
from commands.panel import PanelOrder
from commands.panel_orders import (
    declined_text,
    not_offered_text,
    offered_privately_text,
    order_panel,
    upload_failed_text,
)
from commands.plan_dispatch import handle_plan
from commands.ports import TEAMS
from commands.rag import handle_rag
from commands.rag_scheme import plan_scheme
from commands.reconfirm import ReconfirmRequest, reconfirm
from commands.rules import london_date
from commands.update_form import OPEN_FORM_TEXT, UpdateForm, submit_update_form, update_choices
from storage.models import TeamsConversation

HOME = "home"
CARD_ACTION = "adaptiveCard/action"
"""The invoke of a Universal Action (``Action.Execute``): a reminder's "Still <colour>"."""
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
    offer: FileOffer | None = None


@dataclass(frozen=True)
class FileOffer:
    """A Panel file's consent card, sent after the cards: here, or (asked in a channel) in the asker's
    personal chat, ``told`` being the channel's answer then and ``unreached`` its answer if Teams refuses."""

    activity: Activity
    elsewhere: files.PersonalChat | None = None
    person_id: int = NOBODY
    told: str = ""
    unreached: str = ""


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


def build_agent(
    container: Container, connections: Connections, app_id: str, adapter: ChannelServiceAdapter
) -> AgentApplication[TurnState]:
    """The agent application with planbot's routes; every route has a handler, so Teams never sees 501.
    Team rosters are read beside ``adapter``'s turns (``roster.TeamRosters``), on the turns' worker pool."""
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
    app.invoke(CARD_ACTION)(bot.on_card_action)
    app.invoke("fileConsent/invoke")(bot.on_file_consent)
    app.invoke()(bot.on_other_invoke)
    app.error(bot.on_error)
    adapter.use(TeamRosters(container, bot.work))
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
        """Run ``function`` (the core's synchronous work) on planbot's own pool, off the event loop, the
        core writing commands as Teams people type them."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, partial(_in_teams_words, function, *args))

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        turn = self.turn(context)
        answer = await self.work(self.answer_message, turn)
        sent = None
        for card in answer.cards:
            sent = await context.send_activity(card_activity(card))
        if answer.keeps_home and sent is not None and sent.id:
            await self.work(self.keep_home, turn, sent.id)
        await self.refresh(context, turn, answer.home)
        if answer.offer is not None:
            await self.offer(context, turn, answer.offer)

    async def offer(self, context: TurnContext, turn: Turn, offer: FileOffer) -> None:
        """Send a file's consent card here, or in the asker's personal chat with the channel told so."""
        if offer.elsewhere is None:
            await context.send_activity(offer.activity)
            return
        told = offer.told
        try:
            opened = await files.send_privately(context.adapter, self.app_id, offer.elsewhere, offer.activity)
        except ClientError as error:
            logger.warning("Could not offer a Panel file in a personal chat on Teams (%s)", status_of(error))
            told = offer.unreached
        else:
            if opened is not None:
                await self.work(self.remember_chat, offer.elsewhere, opened, offer.person_id)
        await context.send_activity(card_activity(cards.text_card(told)))

    def remember_chat(self, where: files.PersonalChat, conversation_id: str, person_id: int) -> None:
        """Keep a personal chat planbot just opened, for the next message to the person."""
        with self.container.unit_of_work() as repo:
            repo.remember_teams_conversation(
                TeamsConversation(
                    conversation_id=conversation_id,
                    kind=PERSONAL,
                    service_url=where.service_url,
                    tenant_id=where.tenant_id,
                    person_id=person_id,
                    seen_at=self.container.clock(),
                )
            )

    async def on_card_action(self, context: TurnContext, state: TurnState) -> None:
        """A Universal Action (``Action.Execute``): "Still <colour>" on a reminder. The answer replaces
        the card for the person who clicked; a stored re-confirmation also edits the message, so everyone
        in the conversation sees it was done. Any other verb is answered with the core's sentence."""
        turn = self.turn(context)
        value = context.activity.value if isinstance(context.activity.value, dict) else {}
        action = value.get("action")
        request = still_request(action.get("verb"), action.get("data")) if isinstance(action, dict) else None
        if request is None:
            logger.info("Answered a Teams card action with a verb planbot does not know")
            await _answer_invoke(context, _card_message(OLD_BUTTON))
            return
        card, stored, home = await self.work(self.keep_status, turn, request)
        if stored and context.activity.reply_to_id:
            update = card_activity(card)
            update.id = context.activity.reply_to_id
            await context.update_activity(update)
        await self.refresh(context, turn, home)
        await _answer_invoke(context, {"statusCode": 200, "type": cards.CARD_CONTENT_TYPE, "value": card})

    def keep_status(self, turn: Turn, request: ReconfirmRequest) -> tuple[dict[str, Any], bool, HomeCard | None]:
        """Re-confirm the reminder's colour for whoever clicked (the core's rules, as Slack's button):
        the card answering the click, whether an update was stored, and the clicker's refreshed dashboard."""
        try:
            actor = self.sender(turn)
        except UserError as refusal:
            return answered_card(Reply(text=refusal.reply_text(), ok=False), request.action_id), False, None
        with self.container.unit_of_work() as repo:
            scheme = plan_scheme(repo)
            chat = repo.teams_personal_chat(actor.person_id)
            reply = reconfirm(request, turn.invocation(actor, ""), repo, self.container.clock(), scheme)
        home = self.refreshed_home(actor, chat) if reply.stored else None
        return answered_card(reply, request.action_id, scheme), reply.stored, home

    async def on_file_consent(self, context: TurnContext, state: TurnState) -> None:
        """The person's answer to a file consent card: accepted, the file is built for them, uploaded to
        the session Teams opened and shown as a file card; declined, they are told it was not sent."""
        turn = self.turn(context)
        value = context.activity.value if isinstance(context.activity.value, dict) else {}
        offered = files.offered_order(value.get("context"))
        upload_info = value.get("uploadInfo")
        if offered is None:
            answer = card_activity(cards.text_card(OLD_BUTTON, refused=True))
        elif value.get("action") == files.ACCEPT and isinstance(upload_info, dict):
            answer = await self.work(self.deliver_file, turn, offered, upload_info)
        else:
            answer = card_activity(cards.text_card(declined_text(offered.name)))
        await context.send_activity(answer)
        await _answer_invoke(context, None)

    def deliver_file(self, turn: Turn, offered: files.OfferedOrder, upload_info: dict[str, Any]) -> Activity:
        """Build the offered file for whoever accepted (the version the core allows them) and upload it;
        the file card, or why not."""
        try:
            actor = self.sender(turn)
            invocation = turn.invocation(actor, "")
            with self.container.unit_of_work() as repo:
                order = order_panel(
                    invocation,
                    repo,
                    offered.quarter,
                    offered.fmt,
                    offered.public,
                    report=offered.report,
                    theme=offered.theme,
                    now=self.container.clock(),
                    to_asker=True,
                )
            built = files.build_file(self.container, order)
        except UserError as refusal:
            return card_activity(cards.text_card(refusal.reply_text(), refused=True))
        try:
            files.upload(upload_info, built.data)
        except files.UploadFailed as failure:
            logger.warning("Teams' upload session refused a Panel file (%s)", failure)
            return card_activity(cards.text_card(upload_failed_text(offered.name, PLATFORM_NAME), refused=True))
        return files.file_info_activity(upload_info)

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
        if context.activity.type == ActivityTypes.invoke and context.activity.name == CARD_ACTION:
            await _answer_invoke(context, _card_message(APOLOGY))
        elif context.activity.type == ActivityTypes.invoke:
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
            return self.plan(turn, actor, DIGEST_PREVIEW)
        routed = route_line(text, TEAMS_WORDS)
        if routed.command == HOME:
            return Answer([self.home(actor)], keeps_home=turn.personal)
        if routed.command == PLAN:
            return self.plan(turn, actor, routed.text)
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
            chat = repo.teams_personal_chat(actor.person_id)
            reply = handle_rag(turn.invocation(actor, text), repo, self.container.clock(), scheme)
        reply = tell_people(reply, turn.messenger, PLATFORM_NAME)
        home = self.refreshed_home(actor, chat) if reply.stored else None
        return Answer([cards.reply_card(reply, scheme)], home=home)

    def keep_home(self, turn: Turn, activity_id: str) -> None:
        """Remember the dashboard card just sent, to edit it after the person's next updates."""
        with self.container.unit_of_work() as repo:
            row = repo.teams_conversation(turn.conversation_id)
            if row is not None:
                row.home_activity_id = activity_id
                repo.add(row)

    def refreshed_home(self, actor: Actor, chat: TeamsConversation | None) -> HomeCard | None:
        """The person's dashboard card drawn afresh (after the update's unit of work, so it shows the
        update), if ``chat``, their 1:1 chat with planbot, holds one. The chat is read in the update's
        own unit of work, before its writes (one unit fewer per update, and SQLite's write lock held
        no longer)."""
        if chat is None or chat.home_activity_id is None:
            return None
        return HomeCard(chat, chat.home_activity_id, self.home(actor))

    def plan(self, turn: Turn, actor: Actor, text: str) -> Answer:
        invocation = turn.invocation(actor, text)
        with self.container.unit_of_work() as repo:
            scheme = plan_scheme(repo)
            answer = handle_plan(
                invocation,
                repo,
                self.container.clock(),
                self.container.settings.report_channels,
                scheme,
                files_to_asker=True,
            )
        answer = tell_people(answer, turn.messenger, PLATFORM_NAME)
        match answer:
            case Reply():
                return Answer([cards.reply_card(answer, scheme)])
            case PanelOrder():
                return self.panel(turn, actor, answer)
            case _ if not turn.personal:
                # Everyone in a channel or group chat reads the answer: the core's short channel version.
                return Answer(cards.channel_cards(answer, scheme))
            case _:
                return Answer(_within_reach(cards.report_cards(answer, scheme)))

    def panel(self, turn: Turn, actor: Actor, order: PanelOrder) -> Answer:
        """A Panel file offered by consent card: in this personal chat, or (asked in a channel, where no
        bot may post a file) in the asker's personal chat, the channel told so. Built first, so the offer
        shows its size and a refusal is told at once."""
        try:
            built = files.build_file(self.container, order)
        except UserError as refusal:
            return Answer([cards.text_card(refusal.reply_text(), refused=True)])
        consent = files.consent_activity(order, built)
        note = [cards.text_card(order.note)] if order.note else []
        if turn.personal:
            return Answer(note, offer=FileOffer(consent))
        with self.container.unit_of_work() as repo:
            chat = repo.teams_personal_chat(actor.person_id)
        sender = turn.activity.from_property
        where = files.PersonalChat(
            chat, sender.aad_object_id or "", turn.activity.service_url or "", tenant_of(turn.activity) or ""
        )
        told = offered_privately_text(order, actor.name or actor.email, PLATFORM_NAME)
        if order.note:
            told = f"{order.note}\n{told}"
        unreached = not_offered_text(actor.name or actor.email, PLATFORM_NAME)
        return Answer([], offer=FileOffer(consent, where, actor.person_id, told, unreached))

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
            chat = repo.teams_personal_chat(actor.person_id)
            result = None if errors else submit_update_form(form, invocation, repo, self.container.clock(), scheme)
            choices = update_choices(actor, repo, london_date(self.container.clock()))
        if result is not None and not result.errors and result.reply is not None:
            return None, (result.reply, self.refreshed_home(actor, chat))
        errors = errors or (result.errors if result else {})
        return dialog.update_dialog(choices, values=form, errors=errors, scheme=scheme), None


def _in_teams_words(function: Callable[..., T], *args: Any) -> T:
    with speaking(cards.COMMAND_WORDS):
        return function(*args)


def _within_reach(report: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A report as an answer: whole when it is a few cards; else as much as one card holds, and how to
    ask for less (Teams allows a bot 60 messages in 30 seconds in a conversation, and a reader fewer)."""
    if len(report) <= MAX_ANSWER_CARDS:
        return report
    return [cards.first_card(report, more_in_thread())]


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


def _card_message(text: str) -> dict[str, Any]:
    """A Universal Action's answer that shows a message instead of a new card."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}


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
