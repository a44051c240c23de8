"""Core replies as Slack messages: Block Kit blocks plus the fallback text Slack requires.

Everything the core says may contain what a user typed (a reason, a name), so every piece of it is
escaped (``&``, ``<``, ``>``) before it reaches Slack: an update reading ``<!channel>`` must not
ping a channel and ``<https://evil|click>`` must not become a link. Text objects are also sent
``verbatim`` so Slack does not turn bare names into mentions. Messages are kept inside Slack's
limits (50 blocks, 3,000 characters per section, 40,000 of fallback text) by packing lines into
sections and cutting what still does not fit with "…".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.slack.limits import MAX_BLOCKS, MAX_FALLBACK_TEXT, MAX_SECTION_TEXT
from bot.slack.translate import PLATFORM_NAME
from commands.layout import Shape, Status, more_parts_text, status_cell
from commands.model import Line, Reply
from commands.rules import DEFAULT_SCHEME, RagScheme

ELLIPSIS = "…"
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
# Slack's symbol for each colour a plan's scheme may use (``commands.rag_scheme.COLOURS``).
STATUS_EMOJI = {
    "R": "red_circle",
    "A": "large_orange_circle",
    "Y": "large_yellow_circle",
    "G": "large_green_circle",
    "B": "large_blue_circle",
}
SHAPE_EMOJI = {
    Shape.SQUARE: "black_medium_square",
    Shape.TRIANGLE: "small_red_triangle",
    Shape.CIRCLE: "radio_button",
    Shape.TICK: "white_check_mark",
    Shape.RING: "white_circle",
}


def escape(text: str) -> str:
    """Encode Slack's three control characters and nothing else (Slack does not decode other entities)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut escaped text to ``limit`` characters, ending with "…" and never inside an entity."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - len(ELLIPSIS)]) + ELLIPSIS


def render_reply(reply: Reply, scheme: RagScheme = DEFAULT_SCHEME) -> tuple[list[Block], str]:
    """Blocks and fallback text for a core reply.

    Args:
        reply: what the core answered; its text is plain and unescaped.
        scheme: gives each status its colour emoji.

    Returns:
        ``(blocks, text)``: the blocks Slack shows and the fallback used in notifications.
    """
    if not reply.sections:
        return render_text(reply.text)
    paragraphs: list[Block] = []
    for section in reply.sections:
        lines = [f"*{escape(section.title)}*", *(_line(line, scheme) for line in section.lines)]
        paragraphs.extend(pack_sections(lines))
    return _limited(paragraphs), fallback(reply.text)


def render_text(text: str) -> tuple[list[Block], str]:
    """Blocks and fallback for plain text from the core (an announcement, a refusal)."""
    return _limited(pack_sections(escape(line) for line in text.splitlines())), fallback(text)


def fallback(text: str) -> str:
    """The message's top-level ``text``: always present, escaped, within Slack's length."""
    return clip(escape(text.strip()) or ELLIPSIS, MAX_FALLBACK_TEXT)


def status_emoji(status: Status) -> str:
    """The ``:shortcode:`` Slack shows beside a status word."""
    name = STATUS_EMOJI.get(status.code or "") or SHAPE_EMOJI[status.shape]
    return f":{name}:"


def _line(line: Line, scheme: RagScheme) -> str:
    """One escaped line, with the colour emoji beside its colour word (both in front when it has none)."""
    text = escape(line.text)
    if line.status is None:
        return text
    status = status_cell(line.status, scheme)
    emoji = status_emoji(status)
    for word in (status.word, status.word.split(" ")[0]):
        at = text.find(word)
        if at >= 0:
            return f"{text[:at]}{emoji} {text[at:]}"
    return f"{emoji} {escape(status.word)} · {text}"


def pack_sections(lines: Iterable[str]) -> list[Block]:
    """Pack escaped lines into as few section blocks as Slack's 3,000-character limit allows."""
    texts: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, MAX_SECTION_TEXT)
        joined = f"{current}\n{line}" if current else line
        if len(joined) > MAX_SECTION_TEXT:
            texts.append(current)
            joined = line
        current = joined
    texts.append(current)
    return [SectionBlock(text=MarkdownTextObject(text=text, verbatim=True)) for text in texts if text.strip()]


def _limited(blocks: Sequence[Block]) -> list[Block]:
    """At most 50 blocks; a cut message ends by saying how much was left out."""
    if len(blocks) <= MAX_BLOCKS:
        return list(blocks)
    hidden = len(blocks) - (MAX_BLOCKS - 1)
    note = MarkdownTextObject(text=f"{ELLIPSIS} {more_parts_text(hidden, PLATFORM_NAME)}")
    return [*blocks[: MAX_BLOCKS - 1], ContextBlock(elements=[note])]
