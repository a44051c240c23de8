"""The appendix as an Excel workbook: a cover sheet, then one sheet per section.

Each table sheet has a frozen header row, an auto filter and sensible column widths, so officers
can sort and filter the actions without rebuilding the spreadsheet the bot replaced. Every cell is
written as text, so commentary that starts with "=" is never run as a formula.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.exports.tables import Section, cover_lines, sections
from commands.panel import PanelReport

_WIDEST = 60


def write_xlsx(panel: PanelReport, path: Path) -> None:
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover.append([_text(cover, panel.title)])
    cover["A1"].font = Font(bold=True, size=14)
    for label, text in cover_lines(panel):
        cover.append([_text(cover, label), _text(cover, text)])
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 100
    for section in sections(panel):
        _sheet(book.create_sheet(section.title), section)
    book.save(path)


def _sheet(sheet: Worksheet, section: Section) -> None:
    sheet.append([_text(sheet, h) for h in section.headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in section.rows:
        sheet.append([_text(sheet, c) for c in row])
    if not section.rows:
        sheet.append([_text(sheet, section.empty)])
    last = get_column_letter(len(section.headers))
    sheet.auto_filter.ref = f"A1:{last}{max(1, len(section.rows)) + 1}"
    sheet.freeze_panes = "B2"
    for index, header in enumerate(section.headers, start=1):
        longest = max([len(header), *(len(row[index - 1]) for row in section.rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(_WIDEST, longest + 2)
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = wrap


def _text(sheet: Worksheet, value: str) -> Cell:
    """A cell holding ``value`` as text, whatever it starts with."""
    cell = Cell(sheet, value=value)
    cell.data_type = "s"
    return cell
