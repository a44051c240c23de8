"""Word and Excel tables written directly as XML: the same documents as before, at a cost per row
that does not grow with the table.

``tests/data/paper-before.*`` are ``support.sample_paper``'s paper as the writers wrote it before
(python-docx and openpyxl building each table's rows); today's writers must give the same text,
table structure and formatting, read back the way Word's and Excel's readers read them.
"""

from __future__ import annotations

import dataclasses
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from lxml import etree
from openpyxl import load_workbook
from openpyxl.cell import cell as openpyxl_cell
from support.sample_paper import CHARTS, sample_paper

from bot.exports.docx_writer import write_docx
from bot.exports.tables import Paper
from bot.exports.xlsx_writer import write_xlsx

BEFORE = Path(__file__).resolve().parent / "data"


def _canonical(element: etree._Element | None) -> str:
    return "" if element is None else etree.tostring(element, method="c14n").decode()


def word_structure(path: Path) -> list[tuple[Any, ...]]:
    """The body in reading order: each paragraph's style and text; each table's properties, grid,
    and every row's properties and cells (properties, run properties, text)."""
    body = Document(str(path)).element.body
    out: list[tuple[Any, ...]] = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(("paragraph", child.style, "".join(child.itertext())))
        elif child.tag == qn("w:tbl"):
            rows = [
                (
                    _canonical(tr.find(qn("w:trPr"))),
                    [
                        (
                            _canonical(tc.find(qn("w:tcPr"))),
                            [_canonical(r) for r in tc.iter(qn("w:rPr"))],
                            [_canonical(d) for d in tc.iter(qn("wp:docPr"), qn("wp:extent"))],
                            "".join(tc.itertext()),
                        )
                        for tc in tr.iterchildren(qn("w:tc"))
                    ],
                )
                for tr in child.iterchildren(qn("w:tr"))
            ]
            out.append(("table", _canonical(child.tblPr), _canonical(child.tblGrid), rows))
        else:
            out.append((child.tag, _canonical(child)))
    return out


class TestWordAsBefore:
    def test_same_text_tables_and_cell_formatting(self, tmp_path):
        path = tmp_path / "paper.docx"
        write_docx(sample_paper(), path, CHARTS)

        before, after = word_structure(BEFORE / "paper-before.docx"), word_structure(path)
        assert len(before) == len(after)
        for old, new in zip(before, after, strict=True):
            assert old == new
        assert 3 == sum(1 for part in after if part[0] == "table"), "the charts' table and two tables with rows"

    def test_same_package_styles_and_body_markup(self, tmp_path):
        path = tmp_path / "paper.docx"
        write_docx(sample_paper(), path, CHARTS)

        with zipfile.ZipFile(BEFORE / "paper-before.docx") as old, zipfile.ZipFile(path) as new:
            assert old.namelist() == new.namelist()
            for name in ("word/document.xml", "word/styles.xml", "docProps/app.xml", "[Content_Types].xml"):
                assert _c14n(old.read(name)) == _c14n(new.read(name)), name


def _c14n(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


def workbook_structure(path: Path) -> dict[str, Any]:
    """Every sheet as Excel shows it: frozen panes, filter, column widths, and each cell's value,
    type, named style, number format, font, fill and alignment; and the workbook's properties."""
    book = load_workbook(path)
    props = book.properties
    sheets = {}
    for sheet in book.worksheets:
        cells = [
            (
                c.coordinate,
                c.value,
                c.data_type,
                c.style,
                c.number_format,
                (c.font.b, c.font.sz, c.font.color.rgb if c.font.color else None),
                (c.fill.fill_type, c.fill.fgColor.rgb),
                (c.alignment.wrap_text, c.alignment.vertical),
                c.quotePrefix,
            )
            for row in sheet.iter_rows()
            for c in row
        ]
        widths = {key: d.width for key, d in sheet.column_dimensions.items()}
        sheets[sheet.title] = (sheet.freeze_panes, sheet.auto_filter.ref, widths, sheet.max_row, cells)
    return {
        "properties": (props.title, props.subject, props.creator, props.keywords, props.language),
        "sheets": sheets,
    }


def test_workbook_same_cells_styles_and_sheets_as_before(tmp_path):
    path = tmp_path / "paper.xlsx"
    write_xlsx(sample_paper(), path)

    before, after = workbook_structure(BEFORE / "paper-before.xlsx"), workbook_structure(path)
    assert before["properties"] == after["properties"]
    assert list(before["sheets"]) == list(after["sheets"])
    for title, old in before["sheets"].items():
        assert old[:4] == after["sheets"][title][:4], title
        for old_cell, new_cell in zip(old[4], after["sheets"][title][4], strict=True):
            assert old_cell == new_cell, title


def test_text_that_looks_like_a_table_marker_is_printed_as_typed(tmp_path):
    """Tables hold their place with a marker; a cover or a heading holding a lookalike stays text."""
    lookalike = "planbot-table-" + "0" * 32
    paper = dataclasses.replace(sample_paper(), cover=(("Plan", lookalike),))
    docx, xlsx = tmp_path / "paper.docx", tmp_path / "paper.xlsx"
    write_docx(paper, docx)
    write_xlsx(dataclasses.replace(paper, cover=(("Plan", lookalike.replace("table", "rows")),)), xlsx)

    assert "Plan: " + lookalike in [p.text for p in Document(str(docx)).paragraphs]
    assert lookalike.replace("table", "rows") == load_workbook(xlsx)["Cover"]["B2"].value


def paper_of_rows(rows: int) -> Paper:
    """The sample paper with its actions table repeated to ``rows`` rows (the same row again and
    again, so every row costs exactly what the others do)."""
    paper = sample_paper()
    actions = paper.sections[1]
    longer = dataclasses.replace(actions, rows=(actions.rows[4],) * rows)
    return dataclasses.replace(paper, sections=(paper.sections[0], longer, paper.sections[2]), table=longer)


@contextmanager
def counting(owner: type, names: tuple[str, ...], counts: Counter[str]) -> Iterator[None]:
    """Count calls of ``owner``'s methods ``names`` while the block runs."""
    originals = {name: getattr(owner, name) for name in names}

    def counted(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return original(*args, **kwargs)

        return call

    try:
        for name, original in originals.items():
            setattr(owner, name, counted(name, original))
        yield
    finally:
        for name, original in originals.items():
            setattr(owner, name, original)


LOOKUPS = ("xpath", "find", "findall", "iterchildren", "iter")


def test_word_tables_make_no_element_lookups_per_row(tmp_path):
    """python-docx's ``Table.add_row`` looks the table's rows up again for every row added (its time
    per row grew from 2 µs at 100 rows to 797 µs at 10,000): the lookups python-docx's elements make
    must be the same for a table of 30 rows and of many."""
    counts: dict[int, Counter[str]] = {}
    for size in (30, 3000):
        counts[size] = Counter()
        with counting(BaseOxmlElement, LOOKUPS, counts[size]):
            write_docx(paper_of_rows(size), tmp_path / f"{size}.docx", CHARTS)

    assert counts[30] == counts[3000]
    assert 3001 == len(Document(str(tmp_path / "3000.docx")).tables[2].rows)


def test_excel_rows_build_no_cell_objects(tmp_path):
    """openpyxl built (and styled) an object per value: the cells it builds must not grow with the rows."""
    counts: dict[int, Counter[str]] = {}
    for size in (30, 3000):
        counts[size] = Counter()
        with counting(openpyxl_cell.Cell, ("__init__",), counts[size]):
            write_xlsx(paper_of_rows(size), tmp_path / f"{size}.xlsx")

    assert counts[30] == counts[3000]
    assert 3001 == load_workbook(tmp_path / "3000.xlsx")["Actions"].max_row


def python_calls(work: Callable[[], None]) -> int:
    """Python function calls (and generator resumptions) made by ``work``: its work counted, not timed."""
    calls = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_each_row_costs_the_same_at_any_size(tmp_path, fmt):
    """The work the 1,000 rows after the first 1,000 add is what the next 1,000 add (within 2%):
    the cost per row does not grow with the table."""
    calls = {}
    for size in (1000, 2000, 3000):
        paper, path = paper_of_rows(size), tmp_path / f"{size}.{fmt}"
        if fmt == "docx":
            calls[size] = python_calls(lambda: write_docx(paper, path, CHARTS))  # noqa: B023 (called at once)
        else:
            calls[size] = python_calls(lambda: write_xlsx(paper, path))  # noqa: B023 (called at once)
    first, second = calls[2000] - calls[1000], calls[3000] - calls[2000]

    assert first > 1000, "each row is some work"
    assert abs(second - first) <= 0.02 * first, calls
