"""The core's replies, reports and home page as Adaptive Cards (version 1.5) for Teams.

Pure functions: the adapter sends what they return, each card as an attachment of
``CARD_CONTENT_TYPE``. Every word comes from ``commands``; this module only maps the neutral layouts
(``commands.layout``, ``commands.home``) onto card elements, with a shape symbol and the word beside
every status and all user text inert (``card_parts``). A report that does not fit one card of
``MAX_CARD_BYTES`` becomes a first card (heading and headline) and then its sections packed into as
few cards as hold them, a section's title repeated on each card it continues onto: the Teams
counterpart of Slack's thread replies. Nothing is dropped; where one card must hold everything (a
reply, the home card) what did not fit is counted in the core's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.teams.card_parts import (
    CARD_CONTENT_TYPE,
    CARD_VERSION,
    MAX_CARD_BYTES,
    WARNING_SIGN,
    card,
    card_bytes,
    element_bytes,
    escape_markdown,
    rich_block,
    runs,
    text_block,
)
from bot.teams.dialog import update_button
from commands.channel_layout import CHANNEL_MESSAGES, CUTS, channel_layout, shortens
from commands.command_words import BARE, speaking
from commands.home import HomeLayout, more_text
from commands.layout import (
    Block,
    Emphasis,
    Inline,
    Layout,
    Line,
    Note,
    Status,
    Table,
    more_parts_text,
    row_line,
    status_cell,
)
from commands.model import Line as ReplyLine
from commands.model import Reply
from commands.report_layout import report_layout
from commands.rules import DEFAULT_SCHEME, RagScheme

__all__ = [
    "CARD_CONTENT_TYPE",
    "CARD_VERSION",
    "MAX_CARD_BYTES",
    "PLATFORM_NAME",
    "PREVIEW_DIGEST",
    "card_bytes",
    "channel_cards",
    "escape_markdown",
    "first_card",
    "home_card",
    "layout_cards",
    "reply_card",
    "report_cards",
    "text_card",
]

PLATFORM_NAME = "Teams"
COMMAND_WORDS = BARE
"""Teams has no slash commands: people type ``rag V9 green`` (planbot reads ``/rag`` too, but shows this)."""
PREVIEW_DIGEST = "planbot.preview_digest"
"""Data key of the home card's "Preview digest" button (an ``Action.Submit`` the adapter answers)."""

Element = dict[str, Any]
Group = list[Element]
"""Elements that stay on one card together (a row and its reason)."""


def text_card(text: str, *, refused: bool = False) -> dict[str, Any]:
    """A plain core sentence (a notice, a refusal, "I couldn't message X"), one TextBlock per line.

    A refusal sits in an attention-styled container led by a warning sign, so it looks unlike an answer.
    """
    lines = [line for line in text.splitlines() if line.strip()] or [text.strip() or "…"]
    groups = [[text_block(line, spacing="Small" if index else "Default")] for index, line in enumerate(lines)]
    return _single_card(groups, refused=refused)


def reply_card(reply: Reply, scheme: RagScheme = DEFAULT_SCHEME, *, update_button: bool = False) -> dict[str, Any]:
    """A core reply: its text, or its titled sections with each status as symbol and word.

    Args:
        reply: what the core answered (plain, unescaped text).
        scheme: words and shapes for the statuses.
        update_button: add the button that opens the update dialog (e.g. under ``rag mine``).
    """
    actions = [_update_action()] if update_button else []
    if not reply.sections:
        return _with_actions(text_card(reply.text, refused=not reply.ok), actions)
    groups: list[Group] = []
    for section in reply.sections:
        if section.title:
            groups.append([_title(section.title)])
        groups += [[rich_block(runs(_reply_pieces(line, scheme)))] for line in section.lines if line.text]
    return _single_card(groups, refused=not reply.ok, actions=actions)


def report_cards(content: object, scheme: RagScheme = DEFAULT_SCHEME) -> list[dict[str, Any]]:
    """Cards for anything the core hands a notifier or a command: a report or a reply (a reminder, with
    its buttons, is ``reminder_cards.reminder_card``).

    Raises:
        TypeError: ``content`` is not something planbot knows how to show.
    """
    match content:
        case Reply():
            return [reply_card(content, scheme)]
    try:
        layout = report_layout(content, scheme)
    except TypeError:
        raise TypeError(f"planbot cannot show a {type(content).__name__} in Teams") from None
    return layout_cards(layout)


def channel_cards(content: object, scheme: RagScheme = DEFAULT_SCHEME) -> list[dict[str, Any]]:
    """Cards for a report everyone in a channel or group chat reads: the core's channel summary
    (``commands.channel_layout``) at the longest cut that fits ``CHANNEL_MESSAGES`` cards. Anything
    else is drawn as ``report_cards`` does, kept to the same budget. The pointer to the full detail names
    the command as Teams people type it, whether the agent answers or the scheduler posts."""
    with speaking(COMMAND_WORDS):
        return _channel_cards(content, scheme)


def _channel_cards(content: object, scheme: RagScheme) -> list[dict[str, Any]]:
    if not shortens(content):
        drawn = report_cards(content, scheme)
        return drawn if len(drawn) <= CHANNEL_MESSAGES else [first_card(drawn)]
    for cut in CUTS:
        drawn = layout_cards(channel_layout(content, scheme, cut, files=False))
        if len(drawn) <= CHANNEL_MESSAGES:
            return drawn
    return [first_card(drawn)]


def layout_cards(layout: Layout) -> list[dict[str, Any]]:
    """One card when the whole report fits; else the heading and headline first, then the sections packed.

    Every card is at most ``MAX_CARD_BYTES``; every line of the layout is on one of them.
    """
    heading = text_block(layout.heading, size="Large", weight="Bolder")
    headline = [group for block in layout.headline for group in _block_groups(block)]
    sections = [
        (_title(section.title), [group for block in section.blocks for group in _block_groups(block)])
        for section in layout.sections
    ]
    everything = [[heading], *headline, *(group for title, groups in sections for group in [[title], *groups])]
    whole = card(_flat(everything))
    if card_bytes(whole) <= MAX_CARD_BYTES:
        return [whole]
    return [card(body) for body in _pack([(heading, headline)]) + _pack(sections)]


def first_card(cards: Sequence[dict[str, Any]], note: str | None = None) -> dict[str, Any]:
    """As much of a split report as one card holds, ending with the core's note when some was left out
    (for an answer that cannot be followed by more messages). ``note`` defaults to how many cards."""
    body = list(cards[0]["body"])
    shown = 1
    for following in cards[1:]:
        note_block = _note_block(note or more_parts_text(len(cards) - shown - 1, PLATFORM_NAME))
        if card_bytes(card([*body, *following["body"], note_block])) > MAX_CARD_BYTES:
            break
        body += following["body"]
        shown += 1
    if shown < len(cards):
        body.append(_note_block(note or more_parts_text(len(cards) - shown, PLATFORM_NAME)))
    return card(body)


def home_card(layout: HomeLayout) -> dict[str, Any]:
    """The personal-chat dashboard: your actions (most urgent first) with an Update button each, then the
    plan by theme with direction of travel; admins also get "Preview digest". Teams has no Home tab.

    Your actions take the room the rest leaves; those that do not fit are counted with the core's note.
    """
    heading = text_block(layout.heading, size="Large", weight="Bolder")
    if layout.notice is not None:
        return card([heading, text_block(layout.notice)])
    top: Group = [heading, _title(layout.own.title)]
    top += [element for block in layout.own.blocks for group in _block_groups(block) for element in group]
    themes: list[Group] = [[_title(layout.themes_title)]]
    themes += [[element for line in theme for element in _line_elements(line)] for theme in layout.themes]
    actions = []
    if layout.preview_label is not None:
        actions.append({"type": "Action.Submit", "title": layout.preview_label, "data": {PREVIEW_DIGEST: True}})
    fixed = card_bytes(card(top, actions))
    room = MAX_CARD_BYTES - fixed - element_bytes(_note_block(more_text(len(layout.items))))
    kept_themes, hidden_themes = _fill(themes, room // 2 if layout.items else room)
    room -= _size(kept_themes)
    items: list[Group] = []
    for item in layout.items:
        group = [*_line_elements(item.line), _button_set(update_button(item.code, title=layout.update_label))]
        if _size([*items, group]) > room:
            break
        items.append(group)
    body = [*top, *_flat(items)]
    if len(items) < len(layout.items):
        body.append(_note_block(more_text(len(layout.items) - len(items))))
    body += _flat(kept_themes)
    if hidden_themes:
        body.append(_note_block(more_parts_text(hidden_themes, PLATFORM_NAME)))
    return card(body, actions)


def _reply_pieces(line: ReplyLine, scheme: RagScheme) -> list[Inline]:
    """A reply line with its status symbol beside its colour word (both in front when the text has none)."""
    if line.status is None:
        return [line.text]
    status = status_cell(line.status, scheme)
    for word in (status.word, status.word.split(" ")[0]):
        at = line.text.find(word)
        if at >= 0:
            shown = Status(status.code, word, status.shape)
            return [line.text[:at], shown, line.text[at + len(word) :]]
    return [status, " · ", line.text]


def _block_groups(block: Block) -> list[Group]:
    match block:
        case Table():
            title = [[_rich([Emphasis(block.title)])]] if block.title else []
            return title + [_line_elements(row_line(block, row)) for row in block.rows]
        case Note():
            return [[_note_block(block.text)]]
        case Line():
            return [_line_elements(block)] if block.runs or block.detail else []


def _line_elements(line: Line) -> Group:
    """A line, and its detail (a reason) in subtle text just under it."""
    elements = [_rich(line.runs)] if line.runs else []
    if line.detail:
        elements.append(rich_block(runs(line.detail, subtle=True), spacing="None"))
    return elements


def _rich(pieces: Sequence[Inline]) -> Element:
    return rich_block(runs(pieces))


def _title(text: str) -> Element:
    return text_block(text, weight="Bolder", size="Medium", separator=True)


def _note_block(text: str) -> Element:
    return rich_block(runs([Emphasis(f"… {text}")], subtle=True))


def _update_action(action_code: str | None = None) -> Element:
    return update_button(action_code)


def _button_set(action: Element) -> Element:
    return {"type": "ActionSet", "actions": [action], "spacing": "Small"}


def _single_card(groups: list[Group], *, refused: bool, actions: Sequence[Element] = ()) -> dict[str, Any]:
    """All the groups on one card, as many as fit, the rest counted in the core's words."""
    if refused and groups and groups[0]:
        first = groups[0][0]
        if first["type"] == "TextBlock":
            first.update(text=f"{WARNING_SIGN} {first['text']}", weight="Bolder")
        else:
            first["inlines"].insert(0, {"type": "TextRun", "text": f"{WARNING_SIGN} ", "weight": "Bolder"})
    note = _note_block(more_parts_text(len(groups), PLATFORM_NAME))
    room = MAX_CARD_BYTES - card_bytes(card([{"type": "Container", "items": []}], actions)) - element_bytes(note)
    kept, hidden = _fill(groups, room)
    body = _flat(kept)
    if hidden:
        body.append(_note_block(more_parts_text(hidden, PLATFORM_NAME)))
    if refused:
        body = [{"type": "Container", "style": "attention", "items": body}]
    return card(body, actions)


def _with_actions(content: dict[str, Any], actions: Sequence[Element]) -> dict[str, Any]:
    if actions:
        content["actions"] = [*content.get("actions", []), *actions]
    return content


def _fill(groups: Sequence[Group], room: int) -> tuple[list[Group], int]:
    """The leading groups that fit in ``room`` bytes, and how many did not."""
    kept: list[Group] = []
    used = 0
    for group in groups:
        size = _size([group])
        if used + size > room:
            break
        kept.append(group)
        used += size
    return kept, len(groups) - len(kept)


def _pack(parts: Sequence[tuple[Element, Sequence[Group]]]) -> list[list[Element]]:
    """Titled parts packed in order into card bodies; a part continued on a new card repeats its title."""
    base = card_bytes(card([]))
    bodies: list[list[Element]] = []
    body: list[Element] = []
    size = base
    for title, groups in parts:
        title_size = element_bytes(title)
        titled = False
        for group in groups or [[]]:
            need = _size([group]) + (0 if titled else title_size)
            if body and size + need > MAX_CARD_BYTES:
                bodies.append(body)
                body, size, titled = [], base, False
                need = _size([group]) + title_size
            if not titled:
                body.append(title)
                titled = True
            body += group
            size += need
    if body:
        bodies.append(body)
    return bodies


def _size(groups: Sequence[Group]) -> int:
    return sum(element_bytes(element) for group in groups for element in group)


def _flat(groups: Sequence[Group]) -> list[Element]:
    return [element for group in groups for element in group]
