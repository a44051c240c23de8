"""Neutral report layouts (``commands.layout``) as escaped Slack mrkdwn: a header, headline lines
and titled parts, which ``bot.slack.report_messages`` packs into messages and thread replies.

Nothing here chooses a word: the core lays each report out once. This module only maps pieces to
mrkdwn (bold, italic, a status as its colour emoji beside its word) and writes each table row as
one line, as Slack has no tables. Every piece of text from the plan or from people is escaped
here with ``render.escape``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack.render import escape, status_emoji
from commands.layout import Block, Emphasis, Layout, Line, Note, Run, Status, Strong, Table, row_line

DETAIL_INDENT = "\n      "


@dataclass(frozen=True)
class Part:
    """A titled run of escaped mrkdwn lines; a thread reply (or several, when long)."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Outline:
    """A report in Slack's terms: ``header`` is plain (escaped when laid out), the rest escaped mrkdwn."""

    header: str
    headline: tuple[str, ...]
    parts: tuple[Part, ...]


def outline(layout: Layout) -> Outline:
    """The layout's heading, headline and sections as Slack lines."""
    headline = tuple(text for block in layout.headline for text in block_lines(block))
    parts = tuple(
        Part(escape(section.title), tuple(text for block in section.blocks for text in block_lines(block)))
        for section in layout.sections
    )
    return Outline(layout.heading, headline, parts)


def block_lines(block: Block) -> list[str]:
    """A block as mrkdwn lines: a table's title in italics, then one line per row."""
    match block:
        case Table():
            title = [f"_{escape(block.title)}_"] if block.title else []
            return title + [line_text(row_line(block, row)) for row in block.rows]
        case Note():
            return [f"_{escape(block.text)}_"]
        case Line():
            return [line_text(block)]


def line_text(line: Line) -> str:
    """One line, with its detail (a reason) indented beneath it."""
    text = mrkdwn(line.runs)
    return f"{text}{DETAIL_INDENT}{mrkdwn(line.detail)}" if line.detail else text


def mrkdwn(runs: Run) -> str:
    """Inline pieces as escaped mrkdwn."""
    return "".join(_piece(piece) for piece in runs)


def _piece(piece: str | Strong | Emphasis | Status) -> str:
    match piece:
        case Strong():
            return f"*{escape(piece.text)}*"
        case Emphasis():
            return f"_{escape(piece.text)}_"
        case Status():
            return f"{status_emoji(piece)} {escape(piece.word)}"
    return escape(piece)
