"""Reports and replies as Slack messages that Slack accepts, however big the plan.

A report that fits one message is sent as one. A bigger one (a 300-action digest or quarterly
summary) becomes a headline message (counts by colour per theme, direction of travel) and thread
replies under it, one or more per theme: each message keeps within 50 blocks, 3,000 characters per
section, 150 per header, and about 12,000 characters in all (Slack answers ``msg_blocks_too_long``
beyond roughly that, though no limit is documented). Every message has its fallback ``text``.
Reports are laid out in ``commands.report_layout`` and escaped in ``layout_mrkdwn``; core replies go
through ``render.render_reply``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.slack.layout_mrkdwn import Outline, outline
from bot.slack.limits import MAX_BLOCKS, MAX_BUTTON_TEXT, MAX_FALLBACK_TEXT, MAX_HEADER_TEXT
from bot.slack.render import ELLIPSIS, clip, escape, pack_sections, render_reply
from commands.channel_layout import CHANNEL_MESSAGES, CUTS, channel_layout, shortens
from commands.layout import more_in_thread
from commands.model import Reply
from commands.nudges import UPDATE_BUTTON, DirectMessage, still_label
from commands.report_layout import report_layout
from commands.rules import DEFAULT_SCHEME, RagScheme

MESSAGE_TEXT_BUDGET = 12_000
STILL_ACTION = "reminder_still"
UPDATE_ACTION = "reminder_update"


@dataclass(frozen=True)
class Message:
    """One chat.postMessage or response_url payload: the blocks and their fallback text."""

    blocks: list[Block]
    text: str


def render_report(content: object, scheme: RagScheme = DEFAULT_SCHEME) -> list[Message]:
    """Messages for anything the core hands a notifier or a listener; the first is the headline.

    Raises:
        TypeError: ``content`` is not a report or reply planbot knows how to show.
    """
    match content:
        case Reply():
            return [Message(*render_reply(content, scheme))]
        case DirectMessage(reply=reply):
            blocks, text = render_reply(reply, scheme)
            buttons = reminder_buttons(content, scheme)
            return [Message([*blocks[: MAX_BLOCKS - len(buttons)], *buttons], text)]
    try:
        layout = report_layout(content, scheme)
    except TypeError:
        raise TypeError(f"planbot cannot show a {type(content).__name__} in Slack") from None
    return layout_messages(outline(layout))


def render_channel_report(content: object, scheme: RagScheme = DEFAULT_SCHEME) -> list[Message]:
    """Messages for a report posted where a whole channel reads it: the core's channel summary
    (``commands.channel_layout``) at the longest cut that fits ``CHANNEL_MESSAGES`` messages, thread
    replies included. Anything else is rendered as ``render_report`` does, kept to the same budget.
    """
    if not shortens(content):
        messages = render_report(content, scheme)
        return messages if len(messages) <= CHANNEL_MESSAGES else [first_message(messages)]
    for cut in CUTS:
        messages = layout_messages(outline(channel_layout(content, scheme, cut)))
        if len(messages) <= CHANNEL_MESSAGES:
            return messages
    return [first_message(messages)]


def reminder_buttons(message: DirectMessage, scheme: RagScheme = DEFAULT_SCHEME) -> list[Block]:
    """ "Still <colour>" (when the action has a colour to keep) and "Update…" under a one-action reminder.

    "Still" carries the reminder's key and the colour it offers, so a click acts once per reminder
    (``commands.reconfirm``); "Update…" carries the action id and opens the update modal.
    """
    if message.action_code is None:
        return []
    buttons = []
    if message.status is not None:
        label = still_label(scheme.label(message.status))
        value = f"{message.period_key}|{message.status}"
        buttons.append(ButtonElement(text=clip(label, MAX_BUTTON_TEXT), action_id=STILL_ACTION, value=value))
    buttons.append(ButtonElement(text=UPDATE_BUTTON, action_id=UPDATE_ACTION, value=message.action_code))
    return [ActionsBlock(elements=buttons)]


def layout_messages(layout: Outline) -> list[Message]:
    """One message when everything fits; otherwise the headline, then each part as its own thread reply(s)."""
    header = HeaderBlock(text=PlainTextObject(text=clip(escape(layout.header), MAX_HEADER_TEXT)))
    headline: list[Block] = [header, *pack_sections(layout.headline)]
    bodies = [pack_sections([f"*{part.title}*", *part.lines]) for part in layout.parts]
    whole = headline + [block for body in bodies for block in body]
    if _fits(whole):
        return [_message(whole)]
    return [_message(headline), *(message for body in bodies for message in _split(body))]


def first_message(messages: Sequence[Message]) -> Message:
    """As much of a report as one message holds, saying so when some was left out (an ephemeral answer
    has no thread to carry the rest)."""
    note = more_in_thread()
    blocks = list(messages[0].blocks)
    shown = 1
    for message in messages[1:]:
        if not _fits([*blocks, *message.blocks, _note(note)]):
            break
        blocks += message.blocks
        shown += 1
    if shown < len(messages):
        blocks.append(_note(note))
    return _message(blocks)


def _split(blocks: Sequence[Block]) -> list[Message]:
    """Consecutive blocks grouped into as few messages as the limits allow."""
    messages: list[Message] = []
    current: list[Block] = []
    for block in blocks:
        if current and not _fits([*current, block]):
            messages.append(_message(current))
            current = []
        current.append(block)
    if current:
        messages.append(_message(current))
    return messages


def _fits(blocks: Sequence[Block]) -> bool:
    return len(blocks) <= MAX_BLOCKS and sum(len(_text(b)) for b in blocks) <= MESSAGE_TEXT_BUDGET


def _message(blocks: Sequence[Block]) -> Message:
    """The blocks with their fallback: the same escaped words, so notifications read like the message."""
    text = "\n".join(_text(block) for block in blocks).strip()
    return Message(list(blocks), clip(text, MAX_FALLBACK_TEXT) or ELLIPSIS)


def _text(block: Block) -> str:
    if isinstance(block, SectionBlock | HeaderBlock) and block.text is not None:
        return block.text.text
    if isinstance(block, ContextBlock):
        return " ".join(getattr(element, "text", "") for element in block.elements)
    return ""


def _note(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=f"{ELLIPSIS} {escape(text)}")])
