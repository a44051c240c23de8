"""Neutral report layouts (``commands.layout``) as rich renderables for the terminal.

The words, order and grouping come from the core (``commands.report_layout``); this module only
paints them: a status is its word in its colour (colour only ever adds to the word), headings are
bold, and at a terminal wide enough for every column a table is a grid. Otherwise (80 columns, or
output piped to a file or a log) each row is written as one line with its reason beneath, exactly
as Slack shows it, so no column is ever dropped or cut away, and grep finds a whole row.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table as RichTable
from rich.text import Text

from bot.console_render import STATUS_COLOURS, status_text
from commands.layout import Block, Emphasis, Kind, Layout, Line, Note, Run, Status, Strong, Table, row_line
from commands.measures import MeasureRecorded
from commands.report_layout import report_layout
from commands.rules import DEFAULT_SCHEME, RagScheme

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


def render_report(content: object, scheme: RagScheme = DEFAULT_SCHEME) -> RenderableType:
    """Any report the core builds (summary, overdue, digest, quarterly summary, history)."""
    return LayoutView(report_layout(content, scheme))


class LayoutView:
    """A layout that lays its tables out for the width it is printed at."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width if console.is_terminal else 0
        yield Text(self.layout.heading, style="bold")
        yield from _blocks(self.layout.headline, width)
        for section in self.layout.sections:
            yield Text()
            yield Text(section.title, style="bold underline")
            yield from _blocks(section.blocks, width)


def _blocks(blocks: tuple[Block, ...], width: int) -> Iterator[RenderableType]:
    for block in blocks:
        match block:
            case Table():
                yield _table(block, width)
            case Note():
                yield Text(block.text, style="dim")
            case Line():
                yield line_text(block)


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


def _table(table: Table, width: int) -> RenderableType:
    if not fits(table, width):
        title = [Text(table.title, style="italic")] if table.title else []
        return Group(*title, *(line_text(row_line(table, row)) for row in table.rows))
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
        rich.add_row(*(status_text(c.code) if isinstance(c, Status) else Text(c) for c in row))
    return rich


def _width(cell: str | Status) -> int:
    return len(cell.word if isinstance(cell, Status) else cell)


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
