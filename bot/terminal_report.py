"""Neutral report layouts (``commands.layout``) as rich renderables for the terminal.

The words, order and grouping come from the core (``commands.report_layout``, and for a long report
its short version, ``commands.channel_layout``); this module only paints them: a status is its word in
its colour (colour only ever adds to the word), headings are bold, and at a terminal wide enough for
every column a table of at most ``GRID_ROWS`` rows is a grid. Otherwise (80 columns, output piped to a
file or a log, or a table of thousands of rows) each row is written as one line with its reason
beneath, exactly as Slack shows it, so no column is ever dropped or cut away, and grep finds a row.

Lines are written as rich segments and wrapped here, at spaces, to the width printed at: rich's own
``Text`` wrapping and a grid's column measuring cost seconds over a 3,000-action quarterly summary
(``docs/benchmarks.md``), and this costs a few hundredths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text

from bot.console_render import NOT_REPORTED_STYLE, STATUS_COLOURS
from commands.channel_layout import TERMINAL_CUT, channel_layout, long_report, terminal_detail_text
from commands.layout import Block, Emphasis, Kind, Layout, Line, Note, Run, Status, Strong, Table, row_line
from commands.measures import MeasureRecorded
from commands.report_layout import report_layout
from commands.rules import DEFAULT_SCHEME, RagScheme
from commands.text import safe_copy

# The narrowest each kind of column may be before the table stops being readable.
MIN_WIDTHS = {
    Kind.ID: 6,
    Kind.STATUS: len("Not yet reported"),
    Kind.SHORT: 12,
    Kind.NUMBER: 7,
    Kind.ASIDE: 12,
    Kind.TITLE: 16,
    Kind.LONG: 24,
}
MAX_SHORT = 30
GROWING = (Kind.TITLE, Kind.LONG)
BORDER_PER_COLUMN = 3
DETAIL_INDENT = "      "
GRID_ROWS = 200
"""A bigger table is written as lines at any width: a grid measures every cell of every row."""
_TOKEN = re.compile(r"\S+\s*|\s+")
_BOLD, _ITALIC, _DIM = Style(bold=True), Style(italic=True), Style(dim=True)
_SECTION = Style(bold=True, underline=True)
_NEWLINE = Segment.line()

Piece = tuple[str, Style | None]


def render_report(content: object, scheme: RagScheme = DEFAULT_SCHEME, *, every_action: bool = True) -> RenderableType:
    """Any report the core builds (summary, overdue, digest, quarterly summary, history).

    Args:
        every_action: the whole report however long (``--all``); else a long report
            (``commands.channel_layout.long_report``) is its summary and the exceptions that matter most.
    """
    if every_action or not long_report(content):
        return LayoutView(report_layout(content, scheme))
    return LayoutView(channel_layout(content, scheme, TERMINAL_CUT, detail=terminal_detail_text(content)))


class LayoutView:
    """A layout that lays its tables out for the width it is printed at. Its stored text is made safe
    for a terminal first (``commands.text.safe_copy``: no escape sequence, no carriage return), so a
    long report's short version cleans only the text it shows."""

    def __init__(self, layout: Layout) -> None:
        self.layout = safe_copy(layout)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        grid = width if console.is_terminal else 0
        yield from _segments([(self.layout.heading, _BOLD)], width)
        yield from _blocks(self.layout.headline, width, grid)
        for section in self.layout.sections:
            yield Segment.line()
            yield from _segments([(section.title, _SECTION)], width)
            yield from _blocks(section.blocks, width, grid)


def _blocks(blocks: tuple[Block, ...], width: int, grid: int) -> Iterator[Segment | RenderableType]:
    for block in blocks:
        match block:
            case Table():
                if len(block.rows) <= GRID_ROWS and fits(block, grid):
                    yield _grid(block)
                    continue
                if block.title:
                    yield from _segments([(block.title, _ITALIC)], width)
                for row in block.rows:
                    yield from _line_segments(row_line(block, row), width)
            case Note():
                yield from _segments([(block.text, _DIM)], width)
            case Line():
                yield from _line_segments(block, width)


def column_widths(table: Table) -> list[int]:
    """How wide each column must be: short values whole (up to ``MAX_SHORT``), text at its minimum."""
    widths = []
    for index, column in enumerate(table.columns):
        least = max(MIN_WIDTHS[column.kind], len(column.label))
        if column.kind not in GROWING:
            longest = max((_width(row[index]) for row in table.rows), default=0)
            least = max(least, min(longest, MAX_SHORT))
        widths.append(least)
    return widths


def fits(table: Table, width: int) -> bool:
    """Whether every column of ``table`` has room at ``width`` characters (0: lines, never a grid)."""
    return sum(column_widths(table)) + BORDER_PER_COLUMN * len(table.columns) + 1 <= width


def _grid(table: Table) -> RenderableType:
    rich = RichTable(title=table.title or None, title_justify="left", title_style="italic", expand=True)
    for column, least in zip(table.columns, column_widths(table), strict=True):
        rich.add_column(
            column.label,
            justify="right" if column.kind is Kind.NUMBER else "left",
            overflow="fold",
            ratio=1 if column.kind in GROWING else None,
            min_width=least,
            width=None if column.kind in GROWING else least,
        )
    for row in table.rows:
        rich.add_row(*(Text(c.word, style=_status_style(c.code)) if isinstance(c, Status) else Text(c) for c in row))
    return rich


def _width(cell: str | Status) -> int:
    return len(cell.word if isinstance(cell, Status) else cell)


def _line_segments(line: Line, width: int) -> list[Segment]:
    """A line as wrapped segments, with its detail (a reason) on the next line, indented."""
    segments = _segments(_pieces(line.runs), width)
    if line.detail:
        segments += _segments(_pieces(line.detail), width, DETAIL_INDENT)
    return segments


def _pieces(runs: Run) -> list[Piece]:
    pieces: list[Piece] = []
    for piece in runs:
        match piece:
            case Strong():
                pieces.append((piece.text, _BOLD))
            case Emphasis():
                pieces.append((piece.text, _ITALIC))
            case Status():
                pieces.append((piece.word, _status_style(piece.code)))
            case str():
                pieces.append((piece, None))
    return pieces


def _status_style(code: str | None) -> Style:
    colour = STATUS_COLOURS.get(code or "")
    return Style.parse(f"bold {colour}" if colour else NOT_REPORTED_STYLE)


def _wrapped(pieces: Iterable[Piece], width: int, indent: str = "") -> Iterator[Segment]:
    """Styled pieces as lines of at most ``width`` cells, each ended by a line break: broken at spaces
    (the spaces at a break dropped), a word longer than a line folded, a line break in the text kept.
    Only the first line carries ``indent``."""
    width = max(width, 1)
    line: list[Segment] = [Segment(indent)] if indent else []
    used, words, wrapped = _cells(indent), False, False

    def finish() -> Iterator[Segment]:
        while line and not line[-1].text.rstrip():
            line.pop()
        if line:
            last = line.pop()
            line.append(Segment(last.text.rstrip(), last.style))
        yield from line
        yield Segment.line()

    for text, style in pieces:
        for number, paragraph in enumerate(text.replace("\t", " ").split("\n")):
            if number:
                yield from finish()
                line, used, words, wrapped = [], 0, False, False
            for token in _TOKEN.findall(paragraph):
                word = token.rstrip()
                if not word:
                    if not (wrapped and not words):
                        line.append(Segment(token, style))
                        used += _cells(token)
                    continue
                size = _cells(word)
                if words and used + size > width:
                    yield from finish()
                    line, used, words, wrapped = [], 0, False, True
                while used + size > width:
                    head = chop_cells(word, width - used)[0] if width > used else ""
                    line.append(Segment(head, style))
                    yield from finish()
                    line, used, words, wrapped = [], 0, False, True
                    word, token = word[len(head) :], token[len(head) :]
                    size = _cells(word)
                line.append(Segment(token, style))
                used += _cells(token)
                words = True
    yield from finish()


def _segments(pieces: Iterable[Piece], width: int, indent: str = "") -> list[Segment]:
    """Styled pieces as lines of at most ``width`` cells, broken at spaces (see ``_wrapped``).

    The usual line (one cell per character, no line break or tab in it) is broken with ``str.rfind``
    over the whole line and cut into segments along the pieces, rather than word by word."""
    listed = [(indent, None), *pieces] if indent else list(pieces)
    full = "".join(text for text, _ in listed)
    if "\n" in full or "\t" in full or not _narrow(full):
        return list(_wrapped(listed[1:] if indent else listed, width, indent))
    width = max(width, 1)
    segments: list[Segment] = []
    add = segments.append
    index, start = 0, 0  # the piece that holds ``start``, and where that piece starts in ``full``
    for begin, end in _breaks(full, width, len(indent)):
        while start + len(listed[index][0]) <= begin and index < len(listed) - 1:
            start += len(listed[index][0])
            index = index + 1
        at, piece, offset = begin, index, start
        while at < end:
            text, style = listed[piece]
            stop = min(end, offset + len(text))
            if stop > at:
                add(Segment(text[at - offset : stop - offset], style))
                at = stop
            if at < end:
                offset += len(text)
                piece += 1
        add(_NEWLINE)
    return segments


def _breaks(text: str, width: int, keep: int) -> Iterator[tuple[int, int]]:
    """Where ``text`` (one cell per character) is cut into lines of at most ``width``: at the last space
    that fits (never inside the first ``keep`` characters, an indent), else after ``width`` characters;
    the spaces at a cut belong to neither line."""
    end = len(text.rstrip(" "))
    position = 0
    while True:
        if end - position <= width:
            yield position, end
            return
        cut = text.rfind(" ", position + max(keep, 1), position + width + 1)
        if cut > position:
            stop = cut
            while stop > position and text[stop - 1] == " ":
                stop -= 1
            yield position, stop
            position = cut
        else:
            yield position, position + width
            position += width
        while position < end and text[position] == " ":
            position += 1
        keep = 0


_NARROW: set[str] = set()
"""Characters seen that take one cell; a line made only of them needs no measuring."""


def _narrow(text: str) -> bool:
    """Whether every character of ``text`` takes exactly one cell."""
    unseen = set(text).difference(_NARROW)
    for char in unseen:
        if cell_len(char) != 1:
            return False
        _NARROW.add(char)
    return True


def _cells(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def line_text(line: Line) -> Text:
    """A line, with its detail (a reason) indented beneath it."""
    text = runs_text(line.runs)
    if line.detail:
        text.append("\n" + DETAIL_INDENT)
        text.append_text(runs_text(line.detail))
    return text


def runs_text(runs: Run) -> Text:
    text = Text()
    for piece in runs:
        match piece:
            case Strong():
                text.append(piece.text, style="bold")
            case Emphasis():
                text.append(piece.text, style="italic")
            case Status():
                colour = STATUS_COLOURS.get(piece.code or "")
                text.append(piece.word, style=f"bold {colour}" if colour else "italic")
            case str():
                text.append(piece)
    return text


def render_measure_recorded(recorded: MeasureRecorded) -> Text:
    unit = recorded.unit if recorded.unit in ("", "%") else f" {recorded.unit}"
    was = f" (was {recorded.replaced:g}{unit})" if recorded.replaced is not None else ""
    return Text(
        f"{recorded.action_code} {recorded.measure}, {recorded.quarter.label}: {recorded.value:g}{unit}{was}",
        style="green",
    )
