"""Slack's interactive surfaces: the Home tab, the update modal, and the buttons on reminders.

Listeners stay thin: identify the person, hand the core plain values, render its answer. The
modal's submission is handled inside its acknowledgement because Slack reads validation errors
(``response_action: errors``) and the confirmation (``response_action: update``) from the
acknowledgement itself; it is a few queries. Everything else acknowledges at once and works
afterwards as a lazy listener, opening a modal with the click's ``trigger_id`` (valid 3 seconds)
straight away. Failures go to the app's one error handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.container import Container
from bot.slack.home import PREVIEW_DIGEST_ACTION, UPDATE_ACTION, home_view_blocks
from bot.slack.identity import resolve_actor
from bot.slack.notifier import SlackNotifier
from bot.slack.render import render_reply, render_text
from bot.slack.report_messages import STILL_ACTION
from bot.slack.report_messages import UPDATE_ACTION as REMINDER_UPDATE_ACTION
from bot.slack.translate import PLATFORM
from bot.slack.update_modal import CALLBACK_ID, action_options, form_from_state, update_modal
from commands.errors import UserError
from commands.home import digest_preview, home_view
from commands.model import Actor, Invocation, Reply
from commands.ports import Recipient
from commands.rag_scheme import plan_scheme
from commands.reconfirm import ReconfirmRequest, reconfirm
from commands.rules import DEFAULT_SCHEME, RagScheme, london_date
from commands.update_form import (
    DONE_LABEL,
    REFUSED_TITLE,
    SAVED_TITLE,
    FormField,
    authorise_form,
    submit_update_form,
    update_choices,
)


def register_interactions(app: App, container: Container) -> None:
    """Attach the Home tab, the update modal (its submission and action search) and the reminder buttons."""

    def publish_home(event: dict[str, Any], client: WebClient) -> None:
        show_home(container, client, event["user"])

    def open_for_action(body: dict[str, Any], client: WebClient) -> None:
        code = body["actions"][0]["value"]
        open_update_modal(container, client, body["user"]["id"], body["trigger_id"], code)

    def still(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        keep_status(container, client, body, respond)

    def preview(body: dict[str, Any], client: WebClient) -> None:
        send_digest_preview(container, client, body["user"]["id"])

    def submit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        submit_update(container, ack, body, client)

    def search(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        search_actions(container, ack, body, client)

    app.event("app_home_opened", matchers=[_home_tab])(ack=_acknowledge, lazy=[publish_home])
    app.event("app_home_opened")(_acknowledge)  # the Messages tab: acknowledged, nothing to draw
    app.action(UPDATE_ACTION)(ack=_acknowledge, lazy=[open_for_action])
    app.action(REMINDER_UPDATE_ACTION)(ack=_acknowledge, lazy=[open_for_action])
    app.action(STILL_ACTION)(ack=_acknowledge, lazy=[still])
    app.action(PREVIEW_DIGEST_ACTION)(ack=_acknowledge, lazy=[preview])
    app.view(CALLBACK_ID)(submit)
    app.options(FormField.ACTION.value)(search)


def show_home(container: Container, client: WebClient, user_id: str) -> None:
    """Publish the person's Home tab (a short note instead when planbot cannot tell who they are)."""
    try:
        actor = resolve_actor(container, client, user_id)
    except UserError as refusal:
        blocks, _ = render_text(refusal.reply_text())
        client.views_publish(user_id=user_id, view={"type": "home", "blocks": [b.to_dict() for b in blocks]})
        return
    with container.unit_of_work() as repo:
        scheme = plan_scheme(repo)
        view = home_view(actor, repo, container.clock(), scheme)
    client.views_publish(user_id=user_id, view=home_view_blocks(view, scheme))


def open_update_modal(
    container: Container, client: WebClient, user_id: str, trigger_id: str, action_code: str | None = None
) -> None:
    """Open the update modal, for one action when ``action_code`` is given (an "Update" button).

    Someone who may not update that action sees why, in a modal, instead of a form they cannot submit.
    """
    try:
        actor = resolve_actor(container, client, user_id)
        with container.unit_of_work() as repo:
            today = london_date(container.clock())
            if action_code is not None:
                authorise_form(actor, action_code, repo, today)
            choices = update_choices(actor, repo, today)
            scheme = plan_scheme(repo)
    except UserError as refusal:
        client.views_open(trigger_id=trigger_id, view=_notice(REFUSED_TITLE, refusal.reply_text()))
        return
    selected = next((c for c in choices if c.code == action_code), None)
    client.views_open(trigger_id=trigger_id, view=update_modal(choices, scheme, selected=selected))


def search_actions(container: Container, ack: Ack, body: Mapping[str, Any], client: WebClient) -> None:
    """Options for the action field as the person types (only when they have over 100 actions)."""
    try:
        actor = resolve_actor(container, client, body["user"]["id"])
    except UserError:
        ack(options=[])
        return
    with container.unit_of_work() as repo:
        choices = update_choices(actor, repo, london_date(container.clock()), body.get("value", ""))
    ack(options=action_options(choices))


def submit_update(container: Container, ack: Ack, body: Mapping[str, Any], client: WebClient) -> None:
    """Store a submitted update, or send its errors back beside the fields; nothing is stored then."""
    try:
        actor = resolve_actor(container, client, body["user"]["id"])
    except UserError as refusal:
        ack(response_action="errors", errors={FormField.ACTION.value: refusal.message})
        return
    view = body["view"]
    form = form_from_state(view["state"]["values"])
    invocation = _invocation(actor, f"{PLATFORM}:view:{view.get('id', '')}")
    with container.unit_of_work() as repo:
        scheme = plan_scheme(repo)
        result = submit_update_form(form, invocation, repo, container.clock(), scheme)
    if result.reply is None:
        ack(response_action="errors", errors={str(field): message for field, message in result.errors.items()})
        return
    ack(response_action="update", view=_reply_view(SAVED_TITLE, result.reply, scheme))


def keep_status(container: Container, client: WebClient, body: Mapping[str, Any], respond: Respond) -> None:
    """Re-confirm the reminder's colour ("Still Amber") and tell the person privately what happened."""
    try:
        actor = resolve_actor(container, client, body["user"]["id"])
    except UserError as refusal:
        reply, scheme = Reply(text=refusal.reply_text(), ok=False), DEFAULT_SCHEME
    else:
        key, _, status = body["actions"][0]["value"].rpartition("|")
        channel = (body.get("channel") or {}).get("id", "")
        invocation = _invocation(actor, f"{PLATFORM}:{channel}:{body['actions'][0].get('action_ts', '')}")
        with container.unit_of_work() as repo:
            scheme = plan_scheme(repo)
            reply = reconfirm(ReconfirmRequest(key, status), invocation, repo, container.clock(), scheme)
    blocks, text = render_reply(reply, scheme)
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def send_digest_preview(container: Container, client: WebClient, user_id: str) -> None:
    """Send an admin the next weekly digest as it stands, in their direct messages with planbot."""
    actor = resolve_actor(container, client, user_id)
    with container.unit_of_work() as repo:
        preview = digest_preview(actor, repo, container.clock(), plan_scheme(repo))
    SlackNotifier(client, container).send_direct(Recipient(actor.person_id, actor.email, actor.name), preview)


def _invocation(actor: Actor, ref: str) -> Invocation:
    return Invocation(actor=actor, text="", platform=PLATFORM, source_ref=ref[:200])


def _reply_view(title: str, reply: Reply, scheme: RagScheme = DEFAULT_SCHEME) -> dict[str, Any]:
    blocks, _ = render_reply(reply, scheme)
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "close": {"type": "plain_text", "text": DONE_LABEL},
        "blocks": [block.to_dict() for block in blocks],
    }


def _notice(title: str, text: str) -> dict[str, Any]:
    return _reply_view(title, Reply(text=text, ok=False))


def _home_tab(event: Mapping[str, Any]) -> bool:
    """Slack sends app_home_opened for the Messages tab too; only the Home tab is drawn."""
    return event.get("tab") == "home"


def _acknowledge(ack: Ack) -> None:
    ack()
