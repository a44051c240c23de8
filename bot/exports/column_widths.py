"""Column widths from what each column holds, for the formats that fix them (Word, Excel).

Equal columns broke titles mid-word ("Commissio n") and gave an action's id as much room as its
commentary. Every column gets at least the room its longest word needs in print, so no word is
broken, and what is left of the page goes to the columns with the most text (title, commentary).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.exports.tables import Cell, Section
from bot.exports.text_width import text_width

TWIPS_PER_POINT = 20
# The cell's inner margins (0.19 cm each side in Word's default), in twips, with a little slack.
CELL_PADDING = 260
# A word longer than this many points (a pasted address) wraps rather than taking the page.
LONGEST_UNBROKEN = 120.0
# An average letter's width in ems (Arial's lower case), and how many of a column's longest texts
# are measured letter by letter to find its longest line.
_AVERAGE_LETTER = 0.5
_MEASURED = 5


def column_widths(section: Section, usable: int, points: float) -> list[int]:
    """Widths in twips summing to ``usable`` for text at ``points`` (headers bold).

    Each column first gets its longest word (a date is one word); the rest of the page goes to the
    columns by how much text they carry on average, none past what its longest line needs."""
    columns = [_Column.of(h, cells, texts, points) for h, cells, texts in _columns(section)]
    least = [c.least for c in columns]
    if sum(least) >= usable:
        return _share(least, usable)
    most = [max(c.least, c.most) for c in columns]
    widths = list(least)
    growing = [i for i, w in enumerate(widths) if w < most[i]]
    while growing and (room := usable - sum(widths)) > len(growing):
        total = sum(columns[i].appetite for i in growing)
        for i in growing:
            widths[i] = min(most[i], widths[i] + room * columns[i].appetite // total)
        growing = [i for i in growing if widths[i] < most[i]]
    if (room := usable - sum(widths)) > 0:
        widths = [w + share for w, share in zip(widths, _share(widths, room), strict=True)]
    widths[-1] += usable - sum(widths)
    return widths


@dataclass(frozen=True)
class _Column:
    """What one column needs, in twips: ``least`` (its longest word), ``most`` (its longest line)
    and ``appetite`` (its average text), from its header and cells."""

    least: int
    most: int
    appetite: int

    @classmethod
    def of(cls, header: str, cells: Sequence[Cell], texts: Sequence[str], points: float) -> _Column:
        words = {w for t in texts for w in t.split()}
        unbroken = [text_width(t, points) for c, t in zip(cells, texts, strict=True) if isinstance(c, dt.date)]
        longest_word = max(
            [_word_width(w, points, True) for w in header.split()]
            + [_word_width(w, points, False) for w in words]
            + unbroken
        )
        # The longest line is measured on the few longest texts; the average by characters.
        longest_texts = heapq.nlargest(_MEASURED, (line for t in texts for line in t.splitlines()), key=len)
        longest_line = max([text_width(t, points) for t in longest_texts], default=0.0)
        mean = sum(map(len, texts)) / max(1, len(texts)) * points * _AVERAGE_LETTER
        return cls(_twips(longest_word) + CELL_PADDING, _twips(longest_line) + CELL_PADDING, _twips(mean) + 1)


def _columns(section: Section) -> Iterator[tuple[str, tuple[Cell, ...], tuple[str, ...]]]:
    return zip(section.headers, zip(*section.rows, strict=True), zip(*section.text_rows, strict=True), strict=True)


def character_widths(section: Section, widest: int) -> list[int]:
    """Excel column widths (in characters): each column's longest line, at most ``widest``."""
    columns = zip(section.headers, *section.text_rows, strict=True)
    return [min(widest, max(map(_longest_line, texts)) + 2) for texts in columns]


def _twips(points: float) -> int:
    return int(points * TWIPS_PER_POINT + 0.5)


def _word_width(word: str, points: float, bold: bool) -> float:
    return min(LONGEST_UNBROKEN, text_width(word, points, bold))


def _longest_line(text: str) -> int:
    return max(map(len, text.splitlines()), default=0)


def _share(weights: Sequence[int], usable: int) -> list[int]:
    """``usable`` split in proportion to ``weights`` (too many columns for the page: some wrap)."""
    total = sum(weights)
    widths = [w * usable // total for w in weights]
    widths[-1] += usable - sum(widths)
    return widths
