"""Helpers for the Teams card tests: the Adaptive Card 1.5 schema, what a card shows, and big reports.

The schema is Microsoft's own, ``schemas/1.5.0/adaptive-card.json`` from github.com/microsoft/AdaptiveCards
(snapshot at commit 644d933e185a8482c4dcf4c375d177aac37fd095; the file last changed in 93695cf2df11,
2021-11-15; MIT licence), kept unchanged in ``tests/teams/schemas/adaptive-card-1.5.json``. It is a
draft-06 schema and compiles under ``jsonschema`` as it is.

Reports are built straight from ``commands.report_model`` values (no database), so a 3,000-action
digest and quarterly summary take milliseconds; their titles, owners, theme names and reasons carry
the text a careless or hostile person might type.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from markdown_it import MarkdownIt

from commands.periods import Quarter
from commands.report_model import (
    ActionRow,
    ColourCount,
    Digest,
    ExceptionItem,
    ExceptionKind,
    QuarterlySummary,
    ThemeBlock,
)
from commands.rules import Direction

SCHEMA = Path(__file__).resolve().parent.parent / "teams" / "schemas" / "adaptive-card-1.5.json"
HOSTILE_TEXTS = (
    "[click](https://evil.example)",
    "**bold**",
    "<at>Jo</at>",
    "@channel",
    "<b>html</b>",
    "1. item",
    "- item",
    "# heading",
    "`code`",
    "https://evil.example/path",
    "www.evil.example",
    "_under_ ~~struck~~",
    "&amp; &lt;",
    "![img](https://evil.example/x.png)",
    "> quoted",
)
STATUS_CYCLE = ("R", "A", "G", "B", None, "A")


@cache
def validator() -> jsonschema.Draft6Validator:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema)


def schema_problems(card: dict[str, Any]) -> list[str]:
    """Every way the card breaks the Adaptive Card 1.5 schema, or more than the version it claims."""
    problems = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator().iter_errors(card)]
    if card.get("version") != "1.5":
        problems.append(f"version {card.get('version')!r}")
    return problems


def sent_bytes(card: dict[str, Any]) -> int:
    """The card's JSON as a client library could send it: UTF-8, or with non-ASCII escaped (the bigger)."""
    return max(len(json.dumps(card, ensure_ascii=flag).encode()) for flag in (True, False))


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in the card, depth first, in document order."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def text_blocks(card: dict[str, Any]) -> list[str]:
    return [node["text"] for node in walk(card) if node.get("type") == "TextBlock"]


def text_runs(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in walk(card) if node.get("type") == "TextRun"]


_MARKDOWN = MarkdownIt("commonmark").enable(["strikethrough", "table"])
_ONLY_PARAGRAPHS = re.compile(r"</?p>|\n")


def markdown_html(text: str) -> str:
    """What a Markdown renderer makes of a TextBlock's text (CommonMark with raw HTML on, plus GFM's
    strikethrough and tables)."""
    return _MARKDOWN.render(text)


def markup_in(text: str) -> list[str]:
    """Everything in a TextBlock's text that would render as more than plain paragraphs: tags from
    Markdown or raw HTML, and bare web addresses a renderer would link by itself."""
    rendered = _ONLY_PARAGRAPHS.sub("", markdown_html(text))
    found = re.findall(r"<[a-zA-Z/][^>]*>", rendered)
    found += re.findall(r"(?<!\\)://|(?<![\\\w])www\.", text)
    return found


def shown_text(card: dict[str, Any]) -> str:
    """The words a person reads on the card: TextBlocks as rendered Markdown, RichTextBlocks' runs as they are,
    choice titles, labels and input values."""
    pieces = []
    for node in walk(card):
        kind = node.get("type")
        if kind == "TextBlock":
            pieces.append(html.unescape(re.sub(r"<[^>]+>", "", markdown_html(node["text"]))).strip())
        elif kind == "RichTextBlock":
            pieces.append("".join(run["text"] for run in node["inlines"]))
        elif kind is None and "title" in node and "value" in node:
            pieces.append(node["title"])
        if isinstance(node.get("label"), str):
            pieces.append(node["label"])
        if kind == "Input.Text" and node.get("value"):
            pieces.append(node["value"])
    return "\n".join(pieces)


def hostile(number: int) -> str:
    return HOSTILE_TEXTS[number % len(HOSTILE_TEXTS)]


def action_row(number: int, theme: str, *, reason_length: int = 300) -> ActionRow:
    """Action ``X<number>`` with a hostile title, owner and reason; statuses cycle through every colour."""
    status = STATUS_CYCLE[number % len(STATUS_CYCLE)]
    previous = STATUS_CYCLE[(number + 1) % len(STATUS_CYCLE)]
    direction = None if status is None else (Direction.NEW if previous is None else list(Direction)[number % 3])
    reason = "" if status is None else (f"{hostile(number)} waiting on partners; " * 20)[:reason_length]
    return ActionRow(
        code=f"X{number}",
        title=f"{hostile(number + 1)} deliver workstream {number} " + "for victims " * 8,
        theme_code=theme,
        owner_role=f"{hostile(number + 2)} Lead",
        status=status,
        previous=previous,
        direction=direction,
        reason=reason,
        restricted=number % 7 == 0,
        updated_at=dt.datetime(2018, 12, 3, 10, 0) if status else None,
        due=dt.date(2019, 1, 1) + dt.timedelta(days=number % 200),
        baseline_due=dt.date(2019, 1, 1),
        days_overdue=number % 5,
        updates=1 if status else 0,
    )


def rows(actions: int, themes: int) -> list[ActionRow]:
    per_theme = -(-actions // themes)
    return [action_row(n, f"T{n // per_theme}") for n in range(actions)]


def counts(rows: list[ActionRow]) -> tuple[ColourCount, ...]:
    return tuple(ColourCount(code, sum(1 for r in rows if r.status == code), 0) for code in STATUS_CYCLE[:5])


def big_digest(actions: int = 3000, themes: int = 30) -> Digest:
    every = rows(actions, themes)
    updated = [r for r in every if r.status is not None]
    return Digest(
        plan_name=f"Plan {hostile(3)}",
        since=dt.datetime(2018, 12, 2),
        until=dt.datetime(2018, 12, 24, 9),
        update_count=len(updated),
        updated=tuple(updated),
        changes=tuple(updated),
        new_reds=tuple(r for r in updated if r.status == "R"),
        overdue=tuple(r for r in every if r.overdue),
        due_soon=(),
        not_reported=tuple(r for r in every if r.status is None),
    )


def big_quarterly(actions: int = 3000, themes: int = 30) -> QuarterlySummary:
    every = rows(actions, themes)
    blocks = []
    for code in dict.fromkeys(r.theme_code for r in every):
        mine = [r for r in every if r.theme_code == code]
        blocks.append(
            ThemeBlock(code, f"Theme {hostile(len(blocks))}", "SRO <at>Chief</at>", counts(mine), tuple(mine))
        )
    return QuarterlySummary(
        plan_name="Plan",
        quarter=Quarter(2018, 3),
        cut_off=dt.date(2019, 1, 15),
        provisional=False,
        as_of=dt.datetime(2019, 1, 20),
        themes=tuple(blocks),
        totals=counts(every),
        exceptions=(),
        completed=tuple(r for r in every if r.status == "B"),
        progress=tuple(r for r in every if r.status is not None),
        next_quarter=(),
        measures=(),
        changes=(),
    )


def with_exceptions(summary: QuarterlySummary) -> QuarterlySummary:
    """The summary with every red, deteriorating or overdue action as an exception, as the core finds them."""
    items = []
    for block in summary.themes:
        for row in block.rows:
            kinds = [ExceptionKind.RED] if row.status == "R" else []
            kinds += [ExceptionKind.DETERIORATING] if row.direction is Direction.DETERIORATING else []
            kinds += [ExceptionKind.OVERDUE] if row.overdue else []
            if kinds:
                items.append(ExceptionItem(row, tuple(kinds)))
    return replace(summary, exceptions=tuple(items))
