"""The pieces every planbot Adaptive Card is built from: escaped text, inline runs, statuses, the card itself.

Two ways keep what people typed inert. Text that stands alone (a heading, a core sentence, a hint) goes
in a ``TextBlock``, whose text Teams reads as Markdown, so it is escaped first (``escape_markdown``).
Lines made of pieces (an action code in bold, a status in its colour, a reason) go in a
``RichTextBlock`` of ``TextRun``s, which Adaptive Cards never read as Markdown; no ``selectAction`` is
ever put on a run, so no run is a link. Nothing here adds ``msteams.entities``, so nothing can mention
anyone. A status is always its shape symbol and its word; the colour only decorates them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from commands.layout import Emphasis, Inline, Shape, Status, Strong

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_CARD_BYTES = 28_000

SHAPE_SYMBOL = {
    Shape.SQUARE: "■",
    Shape.TRIANGLE: "▲",
    Shape.CIRCLE: "●",
    Shape.TICK: "✓",
    Shape.RING: "○",
}
# Teams' named text colours, by shape (the rank of the status), so a deployment's own scheme is coloured too.
SHAPE_COLOR = {
    Shape.SQUARE: "attention",
    Shape.TRIANGLE: "warning",
    Shape.CIRCLE: "good",
    Shape.TICK: "accent",
    Shape.RING: "default",
}
WARNING_SIGN = "⚠"

# Every ASCII character CommonMark lets a backslash escape that Teams' Markdown subset (or a fuller
# renderer) could read as markup: emphasis, code, links and images, HTML and <at> tags, entities.
_INLINE_MARKUP = re.compile(r"([\\`*_~\[\]()<>&!|{}])")
# What makes a line a heading, a quote, a list item or a rule, at the start of a line.
_LINE_START = re.compile(r"^(\s*)([#>+=-])", re.MULTILINE)
_ORDERED_ITEM = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
# Indentation at the start of a line (four spaces make a code block); Markdown drops it from a paragraph anyway.
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
# A bare web address or e-mail a renderer would turn into a link by itself (GFM autolinks).
_AUTOLINK = re.compile(r"(?i)(\w)(:)(?=//)|(\bwww)(\.)|(\w)(@)(?=\w)")


def escape_markdown(text: str) -> str:
    """``text`` (from the plan or from a person) made to show as itself in a TextBlock.

    Every Markdown punctuation character is backslash-escaped, as are the marks that start a heading,
    list or quote at the beginning of a line; a web address's ``:`` (before ``//``), ``www.`` and an
    e-mail's ``@`` are escaped too, so nothing turns into a link. Escaped text reads the same.
    """
    text = _INLINE_MARKUP.sub(r"\\\1", _INDENT.sub("", text))
    text = _LINE_START.sub(r"\1\\\2", text)
    text = _ORDERED_ITEM.sub(r"\1\\\2", text)
    return _AUTOLINK.sub(lambda m: "".join(f"\\{g}" if g in {":", ".", "@"} else g for g in m.groups() if g), text)


def card(body: Sequence[dict[str, Any]], actions: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """An Adaptive Card's content (what the adapter wraps as an attachment of ``CARD_CONTENT_TYPE``)."""
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": list(body),
    }
    if actions:
        content["actions"] = list(actions)
    return content


def card_bytes(content: dict[str, Any]) -> int:
    """The card's size as sent: its JSON in UTF-8, or with non-ASCII escaped, whichever is bigger."""
    return max(json_bytes(content, ascii_only=True), json_bytes(content, ascii_only=False))


def json_bytes(value: object, *, ascii_only: bool) -> int:
    return len(json.dumps(value, ensure_ascii=ascii_only).encode("utf-8"))


def element_bytes(element: dict[str, Any]) -> int:
    """An element's share of a card's size, as ``card_bytes`` counts it (plus the list's separator)."""
    return card_bytes(element) + len(", ")


def text_block(text: str, **style: Any) -> dict[str, Any]:
    """A wrapped TextBlock of escaped ``text``; ``style`` adds weight, size, colour, spacing…"""
    return {"type": "TextBlock", "text": escape_markdown(text), "wrap": True, **style}


def status_text(status: Status) -> str:
    """ "■ Red": the shape symbol beside the word, never the colour alone."""
    return f"{SHAPE_SYMBOL[status.shape]} {status.word}"


def status_run(status: Status) -> dict[str, Any]:
    run: dict[str, Any] = {"type": "TextRun", "text": status_text(status), "weight": "Bolder"}
    color = SHAPE_COLOR[status.shape]
    if color != "default":
        run["color"] = color
    return run


def runs(pieces: Iterable[Inline], *, subtle: bool = False) -> list[dict[str, Any]]:
    """Inline pieces as TextRuns (never Markdown), neighbouring plain words merged into one run."""
    out: list[dict[str, Any]] = []
    plain = ""
    for piece in pieces:
        if isinstance(piece, str):
            plain += piece
            continue
        if plain:
            out.append(_run(plain, subtle))
            plain = ""
        match piece:
            case Strong():
                out.append({**_run(piece.text, subtle), "weight": "Bolder"})
            case Emphasis():
                out.append({**_run(piece.text, subtle), "italic": True})
            case Status():
                out.append(status_run(piece))
    if plain:
        out.append(_run(plain, subtle))
    return [run for run in out if run["text"]]


def rich_block(inlines: list[dict[str, Any]], **style: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": inlines, **style}


def _run(text: str, subtle: bool) -> dict[str, Any]:
    run: dict[str, Any] = {"type": "TextRun", "text": text}
    if subtle:
        run["isSubtle"] = True
    return run
