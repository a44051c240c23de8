"""The Home tab: the core's home layout (``commands.home.home_layout``) as a Slack view.

A Home view holds at most 100 blocks, so the page keeps a fixed number for its headings, one per
theme, and gives the rest to the viewer's actions (already most urgent first); when they have more
than fit, the page carries the core's note on how many more there are and where to see them all.
Everything shown is escaped.
"""

from __future__ import annotations

from typing import Any

from bot.slack.layout_mrkdwn import block_lines, line_text
from bot.slack.limits import MAX_HEADER_TEXT, MAX_SECTION_TEXT, MAX_VIEW_BLOCKS
from bot.slack.render import clip, escape
from commands.home import HomeView, home_layout, more_text
from commands.layout import Block
from commands.rules import DEFAULT_SCHEME, RagScheme

UPDATE_ACTION = "home_update"
PREVIEW_DIGEST_ACTION = "home_preview_digest"
# Header, summary, divider, themes header, admin actions, the "more" note and a spare.
FIXED_BLOCKS = 7
MAX_THEMES_SHOWN = 40


def home_view_blocks(view: HomeView, scheme: RagScheme = DEFAULT_SCHEME) -> dict[str, Any]:
    """The ``views.publish`` view for one person."""
    page = home_layout(view, scheme)
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(clip(page.heading, MAX_HEADER_TEXT))}]
    if page.notice is not None:
        blocks.append(_section(escape(page.notice)))
        return {"type": "home", "blocks": blocks}
    themes = page.themes[:MAX_THEMES_SHOWN]
    room = MAX_VIEW_BLOCKS - FIXED_BLOCKS - len(themes)
    blocks.append(_section(_lines(page.own.title, page.own.blocks)))
    button = {"type": "button", "text": _plain(page.update_label), "action_id": UPDATE_ACTION}
    blocks += [
        {**_section(line_text(item.line)), "accessory": {**button, "value": item.code}} for item in page.items[:room]
    ]
    if len(page.items) > room:
        blocks.append(_context(more_text(len(page.items) - room)))
    blocks += [{"type": "divider"}, _section(f"*{escape(page.themes_title)}*")]
    blocks += [_section("\n".join(line_text(line) for line in theme)) for theme in themes]
    if page.preview_label is not None:
        preview = {"type": "button", "text": _plain(page.preview_label), "action_id": PREVIEW_DIGEST_ACTION}
        blocks.append({"type": "actions", "elements": [preview]})
    return {"type": "home", "blocks": blocks}


def _lines(title: str, blocks: tuple[Block, ...]) -> str:
    return "\n".join([f"*{escape(title)}*", *(text for block in blocks for text in block_lines(block))])


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION_TEXT), "verbatim": True}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(text)}]}


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}
