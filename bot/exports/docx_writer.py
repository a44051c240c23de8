"""The appendix as a Word document, the form Panel papers are circulated in.

A4 landscape (the actions table is wide), headings in Word's own Heading styles (so the navigation
pane, a table of contents and screen readers see the structure), tables whose header row repeats
on every page and whose rows never split across pages, column widths worked out from what each
column holds, status cells shaded in the palette's colour while still carrying shape and word, and
the document's properties saying what it is and who produced it, not what template it came from.

python-docx builds everything but the tables. Each table is left as a marked paragraph and its
WordprocessingML is streamed, row by row, into ``word/document.xml`` as the package is copied to
its file: python-docx's ``Table.add_row`` re-reads the whole table for every row (a 10,000-action
appendix took half a minute), and even a table built as one XML tree held every cell in memory.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from bot.exports.charts import Chart
from bot.exports.column_widths import column_widths
from bot.exports.palette import STATUS_STYLES
from bot.exports.tables import Paper, Section, StatusCell
from bot.exports.text_width import FONT

TABLE_STYLE = "Table Grid"
LANGUAGE = "en-GB"
PAGE_WIDTH, PAGE_HEIGHT = Cm(29.7), Cm(21.0)
MARGIN = Cm(1.5)
FONT_SIZE = Pt(9)
TABLE_POINTS = 8
# Two charts side by side fill the page's width less a gutter, low enough to share the first page.
CHART_WIDTH, CHART_HEIGHT = Cm(12.9), Cm(7.5)
_TWIPS_PER_EMU = 1 / 635
PROPERTY_LIMIT = 255
_BODY = "word/document.xml"
# The paragraph python-docx writes for a table's marker (the marker is a fresh UUID per table).
_MARKED = re.compile(r"<w:p>(?:(?!</w:p>).)*?(?P<marker>planbot-table-[0-9a-f]{32})(?:(?!</w:p>).)*?</w:p>", re.S)
_APP_PROPERTIES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>planbot</Application><DocSecurity>0</DocSecurity></Properties>"
)


def write_docx(paper: Paper, path: Path, charts: Sequence[Chart] = ()) -> None:
    document = Document()
    _page(document)
    _properties(document, paper)
    document.add_heading(paper.title, level=1)
    for label, text in paper.cover:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(text)
    if charts:
        document.add_heading("Charts", level=2)
        _charts(document, charts)
    tables: dict[str, Section] = {}
    for section in paper.sections:
        document.add_heading(section.title, level=2)
        document.add_paragraph(section.caption, style="Caption").paragraph_format.keep_with_next = True
        if section.rows:
            marker = f"planbot-table-{uuid.uuid4().hex}"
            document.add_paragraph(marker)
            tables[marker] = section
        else:
            document.add_paragraph(section.empty)
    built = io.BytesIO()
    document.save(built)
    _write_with_tables(built, path, tables)


def _write_with_tables(built: io.BytesIO, path: Path, tables: dict[str, Section]) -> None:
    """Copy the package to ``path``, each marked paragraph of ``word/document.xml`` replaced by its table."""
    usable = int((PAGE_WIDTH - 2 * MARGIN) * _TWIPS_PER_EMU)
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != _BODY:
                target.writestr(item, source.read(item.filename))
                continue
            body = source.read(item.filename).decode("utf-8")
            entry = zipfile.ZipInfo(_BODY, date_time=item.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with target.open(entry, "w") as out:
                start = 0
                for marked in _MARKED.finditer(body):
                    out.write(body[start : marked.start()].encode("utf-8"))
                    for piece in _table(tables[marked["marker"]], usable):
                        out.write(piece.encode("utf-8"))
                    start = marked.end()
                out.write(body[start:].encode("utf-8"))


def _page(document: DocumentObject) -> None:
    page = document.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, MARGIN)
    document.styles["Normal"].font.size = FONT_SIZE
    # The template's proofing language is US English; a British paper is checked as British.
    for lang in document.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)
    # One font everywhere, the one the column widths are measured in (the template's theme fonts
    # would win over a plain font name, so they go).
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        for name in list(fonts.attrib):
            if name.endswith("Theme"):
                del fonts.attrib[name]
        for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(script), FONT)


def _properties(document: DocumentObject, paper: Paper) -> None:
    """What File > Info shows: this paper's title and author, made now, in British English; none
    of the template's own (created 2013, "generated by python-docx", a Mac Word, a blank thumbnail)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props = document.core_properties
    props.title = _fits(paper.title)
    props.subject = _fits(paper.subject)
    props.author = props.last_modified_by = _fits(paper.author)
    props.comments = _fits(paper.comments)
    props.keywords = _fits(paper.keywords)
    props.category = _fits(paper.category)
    props.language = LANGUAGE
    props.created = props.modified = now
    props.last_printed = now
    props.revision = 1
    package = document.part.package
    for part in package.iter_parts():
        if part.partname == "/docProps/app.xml":
            part._blob = _APP_PROPERTIES.encode("utf-8")  # a generic part: its bytes are what is saved
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            package.rels.pop(rel_id)


def _fits(text: str) -> str:
    """A property as Word holds it: at most 255 characters (a long plan name makes a long purpose)."""
    return text if len(text) <= PROPERTY_LIMIT else text[: PROPERTY_LIMIT - 1] + "…"


def _charts(document: DocumentObject, charts: Sequence[Chart]) -> None:
    """The charts side by side in a borderless table (one page row instead of two), each with its
    alt text and a caption under it."""
    layout = document.add_table(rows=2, cols=len(charts))
    for index, chart in enumerate(charts):
        image = Image.from_blob(chart.png)
        width = min(CHART_WIDTH, int(CHART_HEIGHT * image.px_width / image.px_height))
        picture = layout.cell(0, index).paragraphs[0].add_run().add_picture(io.BytesIO(chart.png), width=width)
        doc_pr = picture._inline.docPr
        doc_pr.set("descr", chart.alt)
        doc_pr.set("title", chart.title)
        layout.cell(1, index).paragraphs[0].text = chart.title
        layout.cell(1, index).paragraphs[0].style = document.styles["Caption"]


def _table(section: Section, usable_twips: int) -> Iterator[str]:
    """The section's ``w:tbl``, a row at a time."""
    widths = column_widths(section, usable_twips, TABLE_POINTS)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    yield (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{TABLE_STYLE.replace(" ", "")}"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        f'<w:tblLook w:val="04A0" w:firstRow="1" w:firstColumn="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
    )
    yield _row(section.headers, None, widths, header=True)
    for cells, texts in zip(section.rows, section.text_rows, strict=True):
        yield _row(texts, cells, widths)
    yield "</w:tbl>"


def _row(texts: Sequence[str], cells: Sequence[object] | None, widths: Sequence[int], header: bool = False) -> str:
    """One ``w:tr``: the header repeats on every page; no row breaks across a page."""
    properties = "<w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if header else "") + "</w:trPr>"
    out = [f"<w:tr>{properties}"]
    for index, (text, width) in enumerate(zip(texts, widths, strict=True)):
        cell = cells[index] if cells is not None else None
        shading, colour = "", ""
        if isinstance(cell, StatusCell):
            style = STATUS_STYLES.get(cell.code)
            if style is not None and cell.code is not None:
                shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{style.fill[1:]}"/>'
                colour = f'<w:color w:val="{style.ink[1:]}"/>'
        bold = "<w:b/>" if header else ""
        run_properties = f'<w:rPr>{bold}{colour}<w:sz w:val="{TABLE_POINTS * 2}"/></w:rPr>'
        out.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>'
            f'<w:p><w:r>{run_properties}<w:t xml:space="preserve">{_text(text)}</w:t></w:r></w:p></w:tc>'
        )
    out.append("</w:tr>")
    return "".join(out)


def _text(text: str) -> str:
    """Escaped run text, with line breaks kept as Word line breaks."""
    return escape(text).replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
