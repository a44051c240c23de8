"""Slack listeners for /rag: acknowledge at once, then translate, ask the core, render and answer.

Slack shows the person an error if a command is not acknowledged within 3 seconds, so the
acknowledgement does nothing else; the work runs afterwards as a bolt lazy listener and answers
through the command's ``response_url``. Failures other than the user's own mistakes go to the
app's single error handler (see ``bot.slack.app``), not to a ``try`` in each listener.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.container import Container
from bot.slack.identity import resolve_actor, resolve_mentions
from bot.slack.interactions import open_update_modal, register_interactions
from bot.slack.notifier import SlackNotifier
from bot.slack.plan_listeners import register_plan, tell_people
from bot.slack.render import render_reply, render_text
from bot.slack.replays import first_time
from bot.slack.setup_alerts import alert_admins
from bot.slack.translate import to_invocation
from commands.errors import UserError
from commands.leave_grammar import names_people
from commands.notices import not_announced_in_channel, not_announced_in_direct_message
from commands.rag import handle_rag
from commands.rag_scheme import plan_scheme

# chat.postMessage errors that mean "planbot may not post here", which the person can fix.
NOT_IN_CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found"})

logger = logging.getLogger(__name__)


def register(app: App, container: Container) -> None:
    """Attach planbot's listeners (``/rag`` here; ``/plan``, mentions and DMs in ``plan_listeners``; the
    Home tab, modal and buttons in ``interactions``) to ``app``; they reach the database only through ``container``."""

    def answer_rag(command: dict[str, str], client: WebClient, respond: Respond, context: BoltContext) -> None:
        if first_time(container, command):
            answer_rag_command(container, command, client, respond, context.bot_user_id)

    app.command("/rag")(ack=acknowledge, lazy=[answer_rag])
    register_plan(app, container)
    register_interactions(app, container)


def acknowledge(ack: Ack) -> None:
    """Tell Slack the command arrived; the answer follows through ``response_url``."""
    ack()


def answer_rag_command(
    container: Container, command: Mapping[str, str], client: WebClient, respond: Respond, bot_user_id: str | None
) -> None:
    """Do what ``/rag …`` asks and answer the person privately; announce a stored update in the channel.

    ``/rag`` alone opens the update modal, at once so that its ``trigger_id`` (valid 3 seconds) still works.

    Args:
        container: the units of work and the clock.
        command: the slash-command payload.
        client: Web API client with the bot token (``users.info``, ``chat.postMessage``).
        respond: posts to the command's ``response_url``.
        bot_user_id: planbot's own user id, to name it when asking to be invited.
    """
    if not command.get("text", "").strip():
        open_update_modal(container, client, command["user_id"], command["trigger_id"])
        return
    try:
        actor = resolve_actor(container, client, command["user_id"])
        invocation = to_invocation(command, actor)
        if names_people(invocation.text):
            invocation = replace(invocation, text=resolve_mentions(container, client, invocation.text, bot_user_id))
    except UserError as refusal:
        blocks, text = render_text(refusal.reply_text())
        _send(respond, text, blocks)
        return
    with container.unit_of_work() as repo:
        scheme = plan_scheme(repo)
        reply = handle_rag(invocation, repo, container.clock(), scheme)
    reply = tell_people(SlackNotifier(client, container), reply)
    blocks, text = render_reply(reply, scheme)
    _send(respond, text, blocks)
    if reply.announcement:
        announce(container, client, respond, command, reply.announcement, bot_user_id)


def announce(
    container: Container,
    client: WebClient,
    respond: Respond,
    command: Mapping[str, str],
    text: str,
    bot_user_id: str | None,
) -> None:
    """Post a stored update where the command was typed; if planbot may not post there, tell the person
    and the admins how to fix it."""
    blocks, fallback = render_text(text)
    channel = command["channel_id"]
    try:
        client.chat_postMessage(channel=channel, text=fallback, blocks=blocks, unfurl_links=False)
    except SlackApiError as error:
        code = error.response.get("error")
        if code not in NOT_IN_CHANNEL_ERRORS:
            raise
        alert_admins(SlackNotifier(client, container), error, channel)
        _send(respond, not_announced_text(channel, bot_user_id))


def not_announced_text(channel: str, bot_user_id: str | None) -> str:
    """What the person must do so that updates typed in ``channel`` are announced there."""
    if channel.startswith("D"):
        return not_announced_in_direct_message("/rag")
    bot = f"<@{bot_user_id}>" if bot_user_id else "@planbot"
    return not_announced_in_channel(f"<#{channel}>", bot, f"/invite {bot}")


def _send(respond: Respond, text: str, blocks: list[Block] | None = None) -> None:
    """Answer only the person who typed the command; a lost answer is logged, as they cannot see it."""
    response = respond(text=text, blocks=blocks or None, response_type="ephemeral")
    if response.status_code != 200:
        logger.warning("response_url answered %s: %s", response.status_code, response.body)
