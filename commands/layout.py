"""The neutral layout every report is written in once, for every platform to draw.

The core decides the words, the order and the grouping; a renderer (Slack Block Kit, the rich
terminal, later Teams Adaptive Cards) only maps these plain frozen values onto its medium. So a
heading, a table column or a "none" reads the same everywhere, and a new platform writes no
wording of its own. A status is a ``Status`` cell (code, word, shape) so that each medium can pick
its own symbol for the code (Slack an emoji, a paper a shape) while the word always shows.
Text here is plain and unescaped: escaping belongs to the medium that needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from commands.command_words import command_words
from commands.rules import DEFAULT_SCHEME, RagScheme


class Shape(Enum):
    """A colour-free mark for a status, by rank (worst first), so print and screen readers lose nothing."""

    SQUARE = "square"
    TRIANGLE = "triangle"
    CIRCLE = "circle"
    TICK = "tick"
    RING = "ring"


_BY_RANK = (Shape.SQUARE, Shape.TRIANGLE, Shape.CIRCLE)


@dataclass(frozen=True)
class Status:
    """A status cell: the scheme ``code`` (``None``: not yet reported), its ``word`` and its ``shape``."""

    code: str | None
    word: str
    shape: Shape


def status_cell(code: str | None, scheme: RagScheme = DEFAULT_SCHEME) -> Status:
    """The cell for a stored status, worded by the deployment's scheme."""
    if code is None:
        return Status(None, scheme.label(None), Shape.RING)
    status = scheme.status(code)
    shape = Shape.TICK if status.completes else _BY_RANK[min(status.rank, len(_BY_RANK) - 1)]
    return Status(code, status.label, shape)


@dataclass(frozen=True)
class Strong:
    """Words that carry the line (an action code, a theme): bold where the medium has bold."""

    text: str


@dataclass(frozen=True)
class Emphasis:
    """A label or an aside (a group title, why an action is an exception): italic where possible."""

    text: str


Inline = str | Strong | Emphasis | Status
Run = tuple[Inline, ...]


@dataclass(frozen=True)
class Line:
    """One line of inline pieces; ``detail`` is a second, indented line that belongs to it (a reason)."""

    runs: Run
    detail: Run = ()


class Kind(Enum):
    """What a column holds, so a medium can size it: short values keep their width, text gives way."""

    ID = "id"
    STATUS = "status"
    SHORT = "short"
    NUMBER = "number"
    ASIDE = "aside"
    TITLE = "title"
    LONG = "long"


@dataclass(frozen=True)
class Column:
    """A table column: its header ``label``, its ``kind``, and ``inline``, how a cell reads when the
    row is written as one line (``"due {}"``) rather than under a header."""

    label: str
    kind: Kind = Kind.SHORT
    inline: str = "{}"


Cell = str | Status


@dataclass(frozen=True)
class Table:
    """Rows under column headers; ``title`` names the group (empty when the section title says it)."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Note:
    """A remark about the layout itself (what was left out, where to find more)."""

    text: str


Block = Line | Table | Note


@dataclass(frozen=True)
class Section:
    """A titled part; on Slack a big report sends each section as its own thread reply."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Layout:
    """A whole report: its ``heading``, the ``headline`` that stands alone, then its sections."""

    heading: str
    headline: tuple[Block, ...]
    sections: tuple[Section, ...]


def row_line(table: Table, row: Sequence[Cell]) -> Line:
    """A table row written as one line, for media too narrow for columns (Slack, a narrow terminal).

    ``*V9* Red · ↓ Deteriorating · due 31 Dec 2018 · Owner — Title`` with the long cells (a reason)
    on the detail line: every cell that has a value appears, none is dropped.
    """
    runs: list[Inline] = []
    detail: list[Inline] = []
    title: list[Inline] = []
    for column, cell in zip(table.columns, row, strict=True):
        if cell == "":
            continue
        if column.kind is Kind.ID:
            runs.append(Strong(column.inline.format(cell)))
        elif column.kind is Kind.LONG:
            detail.extend([" · ", *_inline(column, cell)] if detail else _inline(column, cell))
        elif column.kind is Kind.TITLE:
            title.extend(_inline(column, cell))
        else:
            if runs:
                runs.append(" " if len(runs) == 1 and isinstance(runs[0], Strong) else " · ")
            runs.extend(_inline(column, cell))
    if title:
        runs.extend([" — ", *title])
    return Line(tuple(runs), tuple(detail))


def _inline(column: Column, cell: Cell) -> list[Inline]:
    """The cell inside its column's inline wording ("due {}"), kept as a ``Status`` when it is one."""
    if isinstance(cell, Status):
        before, _, after = column.inline.partition("{}")
        return [piece for piece in (before, cell, after) if piece != ""]
    text = column.inline.format(cell)
    return [Emphasis(text)] if column.kind is Kind.ASIDE else [text]


def plain(runs: Run) -> str:
    """Inline pieces as plain words (a status as its word): what a text-only medium and tests read."""
    return "".join(piece if isinstance(piece, str) else _text(piece) for piece in runs)


def _text(piece: Strong | Emphasis | Status) -> str:
    return piece.word if isinstance(piece, Status) else piece.text


def more_in_thread() -> str:
    """Under a report cut to one message: how to ask for less of it."""
    return (
        f"The rest did not fit in one message; ask for one theme ({command_words().plan} summary THEME) for its detail."
    )


def more_parts_text(hidden: int, platform: str) -> str:
    """The last line of a message a platform had to cut: how many parts were left out."""
    return f"{hidden} more parts did not fit in one {platform} message."
