"""The appendix as an Excel workbook: a cover sheet, then one sheet per section, as data.

Officers sort, filter and sum the actions without rebuilding the spreadsheet the bot replaced, so
dates are dates, counts are numbers (a count's change on last quarter in its own column), every
table sheet has a frozen header row and an auto filter, and status cells are shaded in the
palette's colour beside their shape and word. Text is stored as text: commentary starting with "="
is never run as a formula, and shows no guard character. Written in openpyxl's write-only mode, so
time and memory grow with the plan and no faster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.exports.column_widths import character_widths
from bot.exports.palette import STATUS_STYLES
from bot.exports.tables import Cell, CountCell, Paper, Section, StatusCell

_WIDEST = 60
DATE_FORMAT = "d mmm yyyy"
CHANGE_SUFFIX = " change"
# Cell styles registered once per workbook and named on each cell: setting a font or fill on every
# cell makes openpyxl look the style up again each time, which was most of a large export's time.
TEXT, HEADER, TITLE, DATE = "planbot text", "planbot heading", "planbot title", "planbot date"


def write_xlsx(paper: Paper, path: Path) -> None:
    book = Workbook(write_only=True)
    book.properties.title = paper.title
    book.properties.subject = paper.subject
    book.properties.creator = book.properties.lastModifiedBy = paper.author
    book.properties.keywords = paper.keywords
    book.properties.language = "en-GB"
    for style in _styles():
        book.add_named_style(style)
    _cover(book.create_sheet("Cover"), paper)
    for section in paper.sections:
        _sheet(book.create_sheet(section.title), section)
    book.save(path)


def _styles() -> list[NamedStyle]:
    wrap = Alignment(wrap_text=True, vertical="top")
    styles = [
        NamedStyle(TEXT, alignment=wrap),
        NamedStyle(HEADER, font=Font(bold=True), alignment=wrap),
        NamedStyle(TITLE, font=Font(bold=True, size=14)),
        NamedStyle(DATE, alignment=wrap, number_format=DATE_FORMAT),
    ]
    for code, look in STATUS_STYLES.items():
        if code is not None:
            fill = PatternFill("solid", fgColor=look.fill[1:])
            styles.append(NamedStyle(_status_style(code), font=Font(color=look.ink[1:]), fill=fill, alignment=wrap))
    return styles


def _status_style(code: str | None) -> str:
    return f"planbot status {code}" if code in STATUS_STYLES and code is not None else TEXT


def _cover(sheet: WriteOnlyWorksheet, paper: Paper) -> None:
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    sheet.append([_cell(sheet, paper.title, TITLE)])
    for label, text in paper.cover:
        sheet.append([_cell(sheet, label, HEADER), _cell(sheet, text)])


def _sheet(sheet: WriteOnlyWorksheet, section: Section) -> None:
    counts = {i for i, cell in enumerate(section.rows[0]) if isinstance(cell, CountCell)} if section.rows else set()
    headers = [h for i, h in enumerate(section.headers) for h in ((h, h + CHANGE_SUFFIX) if i in counts else (h,))]
    widths = character_widths(section, _WIDEST)
    for index, width in enumerate(w for i, w in enumerate(widths) for w in ((w, w) if i in counts else (w,))):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(section.rows)) + 1}"
    sheet.append([_cell(sheet, h, HEADER) for h in headers])
    if not section.rows:
        sheet.append([_cell(sheet, section.empty)])
    for row in section.rows:
        sheet.append(list(_cells(sheet, row)))


def _cells(sheet: WriteOnlyWorksheet, row: Sequence[Cell]) -> Iterator[WriteOnlyCell]:
    for cell in row:
        if isinstance(cell, CountCell):
            yield _cell(sheet, cell.count)
            yield _cell(sheet, cell.change)
        elif isinstance(cell, StatusCell):
            yield _cell(sheet, cell.text, _status_style(cell.code))
        elif isinstance(cell, dt.date):
            yield _cell(sheet, cell, DATE)
        else:
            yield _cell(sheet, cell)


def _cell(sheet: WriteOnlyWorksheet, value: str | int | dt.date | None, style: str = TEXT) -> WriteOnlyCell:
    """A styled cell; text is stored as text whatever it starts with (no formula, no apostrophe)."""
    out = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        out.data_type = "s"
    out.style = style
    return out
