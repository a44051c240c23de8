"""The appendix as an Excel workbook: a cover sheet, then one sheet per section, as data.

Officers sort, filter and sum the actions without rebuilding the spreadsheet the bot replaced, so
dates are dates, counts are numbers (a count's change on last quarter in its own column), every
table sheet has a frozen header row and an auto filter, and status cells are shaded in the
palette's colour beside their shape and word. Text is stored as text: commentary starting with "="
is never run as a formula, and shows no guard character.

openpyxl (write-only) builds the workbook, its styles, the cover and each sheet's header row; each
table's other rows are left as one marked row and written as SpreadsheetML in its place as the
package is copied to its file (``streamed``), the way ``docx_writer`` writes Word's tables. Building
an openpyxl cell for each of a 10,000-action appendix's 120,000 values (binding the value, looking
its style up, writing it through lxml) took most of the export's time; a row written as text costs
a few string joins, and memory holds one batch of rows at a time.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Iterator, Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.exports.column_widths import character_widths
from bot.exports.palette import STATUS_STYLES
from bot.exports.streamed import copy_with_tables, new_marker, xml_text
from bot.exports.tables import CountCell, Paper, Section, StatusCell

_WIDEST = 60
DATE_FORMAT = "d mmm yyyy"
CHANGE_SUFFIX = " change"
# Cell styles registered once per workbook: openpyxl's cells name them, the streamed rows give
# their index in the workbook's cell formats.
TEXT, HEADER, TITLE, DATE = "planbot text", "planbot heading", "planbot title", "planbot date"
# Excel's limit on the characters in a cell (openpyxl cuts longer text to it too).
CELL_LIMIT = 32767

Value = str | int | dt.date | None


def write_xlsx(paper: Paper, path: Path) -> None:
    book = Workbook(write_only=True)
    book.properties.title = paper.title
    book.properties.subject = paper.subject
    book.properties.creator = book.properties.lastModifiedBy = paper.author
    book.properties.keywords = paper.keywords
    book.properties.language = "en-GB"
    styles = _styles()
    for style in styles:
        book.add_named_style(style)
    cover = book.create_sheet("Cover")
    _cover(cover, paper)
    # Each style's index in the workbook's cell formats, as the streamed rows name it.
    style_ids = {style.name: _cell(cover, None, style.name).style_id for style in styles}
    tables: dict[str, Section] = {}
    for section in paper.sections:
        marker = _sheet(book.create_sheet(section.title), section)
        if marker is not None:
            tables[marker] = section
    built = io.BytesIO()
    book.save(built)
    copy_with_tables(built, path, "row", tables, lambda section: _rows(section, style_ids))


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


def _sheet(sheet: WriteOnlyWorksheet, section: Section) -> str | None:
    """The sheet's widths, frozen header, filter and header row; the marker its rows replace
    (``None``: the section is empty and says so)."""
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
        return None
    marker = new_marker("rows")
    sheet.append([marker])
    return marker


def _rows(section: Section, style_ids: Mapping[str, int]) -> Iterator[str]:
    """The section's rows from the second on, each one ``<row>`` of SpreadsheetML; each value with
    the style it is shown in (a count is two values: the count and its change)."""
    text, date = style_ids[TEXT], style_ids[DATE]
    status = {code: style_ids[_status_style(code)] for code in STATUS_STYLES}
    letters = [get_column_letter(column + 1) for column in range(2 * len(section.headers))]
    for number, row in enumerate(section.rows, start=2):
        out = [f'<row r="{number}">']
        column = 0
        for cell in row:
            style: int = text
            value: Value
            if isinstance(cell, CountCell):
                out.append(_xml_cell(f"{letters[column]}{number}", text, cell.count))
                column += 1
                value = cell.change
            elif isinstance(cell, StatusCell):
                value, style = cell.text, status.get(cell.code, text)
            else:
                value = cell
                if isinstance(cell, dt.date):
                    style = date
            out.append(_xml_cell(f"{letters[column]}{number}", style, value))
            column += 1
        out.append("</row>")
        yield "".join(out)


def _xml_cell(reference: str, style: int, value: Value) -> str:
    """One ``<c>`` as openpyxl writes it: text inline and never a formula, numbers and dates
    (Excel's day numbers, shown through the date style) as numbers."""
    if isinstance(value, str):
        if not value:
            return f'<c r="{reference}" s="{style}" t="inlineStr"/>'
        text = value[:CELL_LIMIT]
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{reference}" s="{style}" t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c>'
    if value is None:
        return f'<c r="{reference}" s="{style}" t="n"/>'
    number = _day_number(value) if isinstance(value, dt.date) else str(value)
    return f'<c r="{reference}" s="{style}" t="n"><v>{number}</v></c>'


@functools.lru_cache(maxsize=4096)
def _day_number(day: dt.date) -> str:
    """A date as Excel stores it (days since its epoch), worked out once per date in a table."""
    return str(safe_string(to_excel(day)))


def _cell(sheet: WriteOnlyWorksheet, value: str | int | dt.date | None, style: str = TEXT) -> WriteOnlyCell:
    """A styled cell; text is stored as text whatever it starts with (no formula, no apostrophe)."""
    out = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        out.data_type = "s"
    out.style = style
    return out
