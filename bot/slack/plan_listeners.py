"""``/plan``, mentions and direct messages: acknowledge at once, then answer with a report.

Reports take longer than Slack's 3-second acknowledgement allows on a big plan, so each listener only
acknowledges and the work runs as a bolt lazy listener. ``/plan`` answers the asker privately through
``response_url`` (as much of the report as one message holds); a mention is answered in its thread with
the core's channel summary (everyone there reads it), and a direct message in the conversation with the
whole report, each as a headline with the rest threaded under it; ``/plan report`` uploads a file
(``panel_upload``). People mentioned in an admin command (``assign "Head of Criminal Justice" @jo``) are
turned into their emails before the core sees the text, and the people a change affects are told by
direct message. Unexpected failures go to the app's one error handler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.container import Container
from bot.slack.identity import resolve_actor, resolve_mentions
from bot.slack.notifier import SlackNotifier
from bot.slack.panel_upload import send_panel
from bot.slack.render import render_text
from bot.slack.replays import first_time
from bot.slack.report_messages import first_message, render_report
from bot.slack.translate import PLATFORM, PLATFORM_NAME, to_invocation, unescape
from commands.errors import UserError
from commands.model import Invocation, Notice, Reply
from commands.notices import tell_people as notify
from commands.panel import PanelOrder
from commands.plan_dispatch import PlanAnswer, handle_plan
from commands.ports import Recipient
from commands.rag_scheme import plan_scheme

logger = logging.getLogger(__name__)


def register_plan(app: App, container: Container) -> None:
    """Attach ``/plan``, ``app_mention`` and direct-message listeners to ``app``."""

    def answer_plan(command: dict[str, str], client: WebClient, respond: Respond) -> None:
        if first_time(container, command):
            answer_plan_command(container, command, client, respond)

    def answer_event(body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if first_time(container, body):
            answer_question(container, event, client, context.bot_user_id)

    app.command("/plan")(ack=_acknowledge, lazy=[answer_plan])
    app.event("app_mention")(ack=_acknowledge, lazy=[answer_event])
    app.event("message", matchers=[_is_direct_question])(ack=_acknowledge, lazy=[answer_event])


def answer_plan_command(container: Container, command: Mapping[str, str], client: WebClient, respond: Respond) -> None:
    """Build the report ``/plan …`` asks for and show it to the asker only."""
    try:
        actor = resolve_actor(container, client, command["user_id"])
        invocation = to_invocation(command, actor)
        invocation = replace(invocation, text=resolve_mentions(container, client, invocation.text))
    except UserError as refusal:
        blocks, text = render_text(refusal.reply_text())
        respond(text=text, blocks=blocks, response_type="ephemeral")
        return
    with container.unit_of_work() as repo:
        scheme = plan_scheme(repo)
        answer = handle_plan(invocation, repo, container.clock(), container.settings.report_channels, scheme)
    answer = tell_people(SlackNotifier(client, container, scheme), answer)
    if isinstance(answer, PanelOrder):
        send_panel(container, client, command["channel_id"], answer, _ephemeral(respond), command["user_id"])
        return
    message = first_message(render_report(answer, scheme))
    respond(text=message.text, blocks=message.blocks, response_type="ephemeral")


def answer_question(
    container: Container, event: Mapping[str, Any], client: WebClient, bot_user_id: str | None = None
) -> None:
    """Answer a mention in its thread, or a direct message in the conversation."""
    channel = event["channel"]
    thread = (event.get("thread_ts") or event["ts"]) if event.get("type") == "app_mention" else None
    notifier = SlackNotifier(client, container)
    try:
        actor = resolve_actor(container, client, event["user"])
        text = resolve_mentions(container, client, unescape(event.get("text", "")).strip(), bot_user_id)
    except UserError as refusal:
        notifier.post_report(channel, Reply(text=refusal.reply_text(), ok=False), thread)
        return
    invocation = Invocation(
        actor=actor,
        text=text,
        platform=PLATFORM,
        channel=channel,
        source_ref=f"{PLATFORM}:{channel}:{event['ts']}",
        private=event.get("channel_type") == "im",
    )
    with container.unit_of_work() as repo:
        answer = handle_plan(invocation, repo, container.clock(), container.settings.report_channels, plan_scheme(repo))
    answer = tell_people(notifier, answer)
    if isinstance(answer, PanelOrder):

        def say(text: str) -> None:
            notifier.post_report(channel, Reply(text=text), thread)

        send_panel(container, client, channel, answer, say, event["user"], thread)
        return
    notifier.post_report(channel, answer, thread, whole=invocation.private)


def tell_people(notifier: SlackNotifier, answer: PlanAnswer) -> PlanAnswer:
    """Send an admin change's notices by direct message (``commands.notices`` words the rest)."""

    def send(notice: Notice) -> bool:
        try:
            notifier.send_direct(Recipient(notice.person_id, notice.email, notice.name), Reply(text=notice.text))
        except SlackApiError as error:
            logger.warning("Could not tell %s about a change: %s", notice.email, error.response.get("error"))
            return False
        return True

    return notify(answer, send, PLATFORM_NAME)


def _ephemeral(respond: Respond) -> Callable[[str], None]:
    """Tell the asker only, as every /plan answer does."""

    def tell(text: str) -> None:
        blocks, fallback = render_text(text)
        respond(text=fallback, blocks=blocks, response_type="ephemeral")

    return tell


def _acknowledge(ack: Ack) -> None:
    ack()


def _is_direct_question(event: Mapping[str, Any]) -> bool:
    """A person's new message in a direct conversation with planbot (not an edit, a join or a bot's post)."""
    return event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")
