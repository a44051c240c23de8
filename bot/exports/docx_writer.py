"""The appendix as a Word document, the form Panel papers are circulated in.

Headings use Word's own Heading 1 and Heading 2 styles (so the navigation pane and screen readers
see the structure), tables use a built-in table style with the header row repeated on every page,
and charts carry their alt text. Landscape, because the actions table is wide.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

from bot.exports.charts import Chart
from bot.exports.tables import Section, cover_lines, sections
from commands.panel import PanelReport

TABLE_STYLE = "Table Grid"


def write_docx(panel: PanelReport, path: Path, charts: Sequence[Chart] = ()) -> None:
    document = Document()
    page = document.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = page.page_height, page.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Cm(1.5))
    document.core_properties.title = panel.title
    document.core_properties.author = panel.author_role
    document.core_properties.language = "en-GB"
    document.styles["Normal"].font.size = Pt(9)

    document.add_heading(panel.title, level=1)
    for label, text in cover_lines(panel):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(text)
    if charts:
        document.add_heading("Charts", level=2)
        for chart in charts:
            document.add_picture(io.BytesIO(chart.png), width=Cm(16))
            _alt_text(document.inline_shapes[-1]._inline, chart)
            document.add_paragraph(chart.title, style="Caption")
    for section in sections(panel):
        document.add_heading(section.title, level=2)
        document.add_paragraph(section.caption, style="Caption")
        if section.rows:
            _table(document.add_table(rows=1, cols=len(section.headers), style=TABLE_STYLE), section)
        else:
            document.add_paragraph(section.empty)
    document.save(str(path))


def _table(table: Table, section: Section) -> None:
    for cell, header in zip(table.rows[0].cells, section.headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(header).bold = True
    _repeat_header(table)
    for row in section.rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def _repeat_header(table: Table) -> None:
    """Mark the first row as a header row: Word repeats it on every page and announces it as headers."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _alt_text(inline: object, chart: Chart) -> None:
    """Word reads alt text from the picture's ``descr`` (and title) attributes."""
    doc_pr = inline.docPr  # type: ignore[attr-defined]
    doc_pr.set("descr", chart.alt)
    doc_pr.set("title", chart.title)
