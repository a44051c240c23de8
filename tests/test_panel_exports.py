"""The Panel appendix in every file format, read back the way its readers' tools read it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from support.big_plan import load_big_plan
from support.panel_support import (
    AFTER_Q3_CUT_OFF,
    EMAIL,
    Q3,
    RESTRICTED,
    RESTRICTED_TOO,
    plan_people,
    play_quarter,
    text_of,
)
from support.report_support import london, report

from bot.demo import run_demo
from bot.exports import EXPORT_FORMATS, draw_charts, write_panel
from bot.exports.palette import STATUS_STYLES
from bot.exports.tables import ACTION_HEADERS
from bot.exports.text_width import text_width
from commands.panel import PanelReport, build_panel
from storage.db import make_engine, session_scope
from storage.models import Plan
from storage.repository import PlanRepository

# CI installs LibreOffice and sets this, so the page-count check fails rather than skips there.
REQUIRE_OFFICE = os.environ.get("PLANBOT_REQUIRE_OFFICE") == "1"
FORMULA = '=HYPERLINK("https://evil.example","click")'


@pytest.fixture
def played(repo: PlanRepository, plan: Plan) -> Plan:
    play_quarter(repo)
    report(repo, "C1", "A", london(2018, 11, 1), FORMULA)
    return plan


def written(repo: PlanRepository, tmp_path: Path, fmt: str, public: bool = False, charts: bool = False) -> Path:
    panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public)
    path = tmp_path / f"panel-{panel.audience}.{fmt}"
    write_panel(panel, fmt, path, draw_charts(repo, panel, AFTER_Q3_CUT_OFF) if charts else ())
    return path


def rows_by_id(table) -> dict[str, list[str]]:
    return {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}


class TestDocx:
    def test_actions_table_matches_the_panel(self, repo, played, tmp_path):
        document = Document(str(written(repo, tmp_path, "docx", charts=True)))
        actions = next(t for t in document.tables if t.rows[0].cells[0].text == "Action" and len(t.columns) == 12)

        assert list(ACTION_HEADERS) == [c.text for c in actions.rows[0].cells]
        v9 = dict(zip(ACTION_HEADERS, rows_by_id(actions)["V9"], strict=True))
        assert ("■ Red", "● Green", "↓ Deteriorating") == (
            v9["Status this quarter"],
            v9["Status last quarter"],
            v9["Direction of travel"],
        )
        assert "Head of Criminal Justice (Ollie Kerr)" == v9["Owner"]
        assert "Deputy Chief Constable" == v9["SRO"]
        assert "Yes" == v9["Priority"], "V9 is a priority action in the sample plan"
        assert "" == dict(zip(ACTION_HEADERS, rows_by_id(actions)["V2"], strict=True))["Priority"]
        o7 = dict(zip(ACTION_HEADERS, rows_by_id(actions)["O7"], strict=True))
        assert "31 Mar 2019 (was 31 Dec 2018; approved: BCB 20/11/2018)" == o7["Re-profiled to"]
        assert 34 == len(actions.rows) - 1

    def test_real_headings_table_style_repeated_header_and_described_charts(self, repo, played, tmp_path):
        document = Document(str(written(repo, tmp_path, "docx", charts=True)))

        headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
        assert ("Heading 1", "Delivery of the Police and Crime Plan: quarterly report, 2018/19 Q3") == headings[0]
        assert {"Heading 2"} == {style for style, _ in headings[1:]}
        charts, *tables = document.tables
        assert 2 == len(charts._tbl.xpath(".//pic:pic")), "the two charts sit side by side in one row"
        assert all(t.style.name == "Table Grid" for t in tables)
        assert all(t.rows[0]._tr.trPr.xpath("./w:tblHeader") for t in tables)
        assert 2 == len(document.inline_shapes)
        assert all(s._inline.docPr.get("descr") for s in document.inline_shapes)

    def test_cover_invites_the_panel_to_note(self, repo, played, tmp_path):
        text = text_of(written(repo, tmp_path, "docx"))

        assert "Author: OPCC Chief Executive" in text
        assert "Recommendation: The Panel is invited to note" in text
        assert "Period: 2018/19 Q3 (October–December 2018)" in text


def actions_table(document):
    return next(t for t in document.tables if len(t.columns) == len(ACTION_HEADERS))


def grid_widths(table) -> list[int]:
    return [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iterchildren(qn("w:gridCol"))]


class TestDocxAsPublished:
    def test_a4_landscape_with_columns_sized_to_their_text(self, repo, played, tmp_path):
        document = Document(str(written(repo, tmp_path, "docx")))
        page = document.sections[0]
        widths = dict(zip(ACTION_HEADERS, grid_widths(actions_table(document)), strict=True))

        assert (297, 210) == (round(page.page_width.mm), round(page.page_height.mm))
        assert widths["Title"] > 2 * widths["Action"]
        assert widths["Commentary"] > widths["Due"]
        assert len(set(widths.values())) > 5, "columns differ in width"
        usable = (page.page_width - page.left_margin - page.right_margin) / 635
        assert abs(usable - sum(widths.values())) < 20, "the table spans the page"

    def test_no_word_is_wider_than_its_column(self, repo, played, tmp_path):
        """Titles broke mid-word ("Commissio n") when every column was 2.3 cm. (A pasted formula
        or address longer than any word may wrap.)"""
        document = Document(str(written(repo, tmp_path, "docx")))
        for table in document.tables:
            for row in table.rows:
                for cell, width in zip(row.cells, grid_widths(table), strict=True):
                    words = [w for w in cell.text.split() if len(w) <= 20]
                    longest = max((text_width(w, 8, bold=True) for w in words), default=0)
                    assert longest * 20 < width, (cell.text, width)

    def test_status_cells_shaded_and_still_worded(self, repo, played, tmp_path):
        table = actions_table(Document(str(written(repo, tmp_path, "docx"))))
        v9 = next(row for row in table.rows if row.cells[0].text == "V9")
        status = v9.cells[ACTION_HEADERS.index("Status this quarter")]
        fills = status._tc.xpath("./w:tcPr/w:shd/@w:fill")

        assert "■ Red" == status.text
        assert [STATUS_STYLES["R"].fill[1:]] == fills
        column = ACTION_HEADERS.index("Status this quarter")
        unreported = next(row for row in table.rows if row.cells[column].text.startswith("○"))
        assert [] == unreported.cells[column]._tc.xpath("./w:tcPr/w:shd"), "not yet reported is left white"

    def test_properties_say_what_the_paper_is(self, repo, played, tmp_path):
        path = written(repo, tmp_path, "docx")
        props = Document(str(path)).core_properties
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            app = package.read("docProps/app.xml").decode()
            styles = package.read("word/styles.xml").decode()

        assert "Delivery of the Police and Crime Plan: quarterly report, 2018/19 Q3" == props.title
        assert "OPCC Chief Executive" == props.author == props.last_modified_by
        assert "en-GB" == props.language
        assert dt.datetime.now(dt.UTC) - props.created < dt.timedelta(minutes=5)
        assert props.created == props.modified
        assert "python-docx" not in props.comments
        assert "2018/19 Q3" in props.subject
        assert "<Application>planbot</Application>" in app and "Macintosh" not in app
        assert not [name for name in names if "thumbnail" in name]
        assert 'w:lang w:val="en-GB"' in styles and 'w:val="en-US"' not in styles

    @pytest.mark.skipif(shutil.which("soffice") is None and not REQUIRE_OFFICE, reason="LibreOffice is not installed")
    def test_the_demo_appendix_prints_on_at_most_eight_a4_pages(self, tmp_path, capsys):
        """What a Panel officer gets after File > Print: LibreOffice lays the Word file out."""
        database = tmp_path / "planbot-demo.db"
        assert 0 == run_demo(database)
        capsys.readouterr()
        engine = make_engine(f"sqlite:///{database}")
        try:
            with session_scope(engine) as session:
                repo = PlanRepository(session)
                panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False)
                assert 34 == len(panel.actions)
                path = tmp_path / "appendix.docx"
                write_panel(panel, "docx", path, draw_charts(repo, panel, AFTER_Q3_CUT_OFF))
        finally:
            engine.dispose()

        pdf = printed(path)

        assert 1 <= pages(pdf) <= 8
        assert [b"[0 0 842 595]"] == sorted(set(re.findall(rb"\[0 0 8\d\d 5\d\d\]", _rounded(pdf))))


def printed(docx: Path) -> bytes:
    """The document as LibreOffice prints it to PDF (its own profile, so runs never share one)."""
    profile = docx.parent / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(docx.parent), str(docx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return docx.with_suffix(".pdf").read_bytes()


def pages(pdf: bytes) -> int:
    """Page objects in a PDF as LibreOffice writes it (plain objects, no object streams)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def _rounded(pdf: bytes) -> bytes:
    """MediaBoxes with their sizes rounded to whole points ("841.89" -> "842")."""
    return re.sub(
        rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]",
        lambda m: b"[0 0 %d %d]" % (round(float(m[1])), round(float(m[2]))),
        pdf,
    )


class TestXlsx:
    def test_one_sheet_per_section_filtered_and_frozen(self, repo, played, tmp_path):
        book = load_workbook(written(repo, tmp_path, "xlsx"))

        sheets = ["Cover", "Summary by theme", "Actions", "Exceptions", "Completed this quarter",
                  "Key activities next quarter", "Changes to the plan", "Strategic measures", "Key"]  # fmt: skip
        assert sheets == book.sheetnames
        for sheet in book.worksheets[1:]:
            assert "B2" == sheet.freeze_panes, sheet.title
            assert sheet.auto_filter.ref.startswith("A1:"), sheet.title
            assert sheet.column_dimensions["A"].width > 0

    def test_actions_sheet_contents_and_formulas_kept_as_text(self, repo, played, tmp_path):
        sheet = load_workbook(written(repo, tmp_path, "xlsx"))["Actions"]
        rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}

        assert list(ACTION_HEADERS) == [c.value for c in sheet[1]]
        assert 35 == sheet.max_row
        assert ["V9", "Yes", "■ Red", "● Green", "↓ Deteriorating"] == [rows["V9"][i].value for i in (0, 1, 6, 7, 8)]
        assert (FORMULA, "s") == (rows["C1"][9].value, rows["C1"][9].data_type)
        assert "A1:L35" == sheet.auto_filter.ref

    def test_exceptions_sheet_says_why(self, repo, played, tmp_path):
        sheet = load_workbook(written(repo, tmp_path, "xlsx"))["Exceptions"]
        why = {row[0].value: row[2].value for row in sheet.iter_rows(min_row=2)}

        assert "red, deteriorating, overdue" == why["V9"]


class TestXlsxAsData:
    def test_dates_are_dates_and_counts_numbers(self, repo, played, tmp_path):
        book = load_workbook(written(repo, tmp_path, "xlsx"))
        actions = book["Actions"]
        due = actions.cell(row=2, column=ACTION_HEADERS.index("Due") + 1)
        summary = book["Summary by theme"]
        headers = [c.value for c in summary[1]]
        whole_plan = next(row for row in summary.iter_rows(min_row=2) if row[0].value == "Whole plan")
        red, red_change = (whole_plan[headers.index(h)].value for h in ("■ Red", "■ Red change"))

        assert isinstance(due.value, dt.datetime) and "d mmm yyyy" == due.number_format
        assert isinstance(red, int) and isinstance(red_change, int)
        assert sum(row[headers.index("■ Red")].value for row in summary.iter_rows(min_row=2, max_row=5)) == red
        assert isinstance(whole_plan[headers.index("Closed")].value, int)

    def test_status_shaded_title_set_formula_inert_without_apostrophe(self, repo, played, tmp_path):
        book = load_workbook(written(repo, tmp_path, "xlsx"))
        rows = {row[0].value: row for row in book["Actions"].iter_rows(min_row=2)}
        status = rows["V9"][ACTION_HEADERS.index("Status this quarter")]
        commentary = rows["C1"][ACTION_HEADERS.index("Commentary")]

        assert "Delivery of the Police and Crime Plan: quarterly report, 2018/19 Q3" == book.properties.title
        assert "■ Red" == status.value
        assert status.fill.fgColor.rgb.endswith(STATUS_STYLES["R"].fill[1:])
        assert (FORMULA, "s", False) == (commentary.value, commentary.data_type, commentary.quotePrefix)


def test_csv_has_one_row_per_action(repo, played, tmp_path):
    rows = list(csv.reader(io.StringIO(written(repo, tmp_path, "csv").read_text(encoding="utf-8-sig"))))

    assert list(ACTION_HEADERS) == rows[0]
    assert 34 == len(rows) - 1
    by_id = {row[0]: row for row in rows[1:]}
    assert ["Yes", "■ Red", "● Green", "↓ Deteriorating"] == [by_id["V9"][1], *by_id["V9"][6:9]]
    assert f"'{FORMULA}" == by_id["C1"][9]


class TestHtml:
    def test_self_contained_and_accessible(self, repo, played, tmp_path):
        page = written(repo, tmp_path, "html", charts=True).read_text(encoding="utf-8")

        assert '<html lang="en-GB">' in page
        for landmark in ("<header>", "<main>", "<footer>"):
            assert landmark in page
        assert page.count("<table>") == page.count("<caption>") == 8  # the seven tables and the key
        assert '<th scope="col">Direction of travel</th>' in page
        assert '<th scope="row">V9</th>' in page
        assert "@media print" in page
        assert "<link" not in page and 'src="http' not in page
        assert 2 == page.count('<img src="data:image/png;base64,')
        assert 'alt=""' not in page

    def test_status_is_symbol_and_word(self, repo, played, tmp_path):
        page = written(repo, tmp_path, "html").read_text(encoding="utf-8")

        assert '<td class="status-r">■ Red</td>' in page
        assert "<td>↓ Deteriorating</td>" in page
        assert "○ Not yet reported" in page


def test_markdown_tables(repo, played, tmp_path):
    text = written(repo, tmp_path, "md").read_text(encoding="utf-8")

    assert text.startswith("# Delivery of the Police and Crime Plan: quarterly report, 2018/19 Q3\n")
    assert "| " + " | ".join(ACTION_HEADERS) + " |" in text
    assert "| V9 | Ensure that when Criminal Justice System processes" in text


@pytest.mark.parametrize("fmt", [f for f in EXPORT_FORMATS if f != "csv"])
def test_key_activities_next_quarter_list_the_open_actions_due_then(repo, played, tmp_path, fmt):
    """Devon and Cornwall's public reports are "progress this quarter, key activities next quarter"."""
    panel = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public=False)
    due = {line.row.code for line in panel.actions if Q3.next().start <= line.row.due <= Q3.next().end}
    text = text_of(written(repo, tmp_path, fmt))

    assert due and due == {row.code for row in panel.next_quarter}
    if fmt == "xlsx":
        sheet = load_workbook(written(repo, tmp_path, fmt))["Key activities next quarter"]
        assert due == {row[0].value for row in sheet.iter_rows(min_row=2)}
    else:
        assert "Key activities next quarter: open actions due in 2018/19 Q4" in text.replace("\\", "")


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_public_version_has_no_personal_data_and_withholds_restricted(repo, played, tmp_path, sample_plan_path, fmt):
    names, emails = plan_people(sample_plan_path)
    internal = text_of(written(repo, tmp_path, fmt, public=False))
    public = text_of(written(repo, tmp_path, fmt, public=True))

    assert "Ollie Kerr" in internal and RESTRICTED in internal
    assert [] == [name for name in names if name.lower() in public.lower()]
    assert [] == [email for email in emails if email in public.lower()]
    assert [] == EMAIL.findall(public)
    assert RESTRICTED not in public and RESTRICTED_TOO not in public
    if fmt != "csv":
        assert "2 restricted commentaries withheld" in public
    assert "Restricted commentary withheld" in public


def test_a_300_action_plan_renders_in_every_format(repo: PlanRepository, tmp_path: Path):
    load_big_plan(repo, london(2018, 10, 1))
    for public in (False, True):
        panel: PanelReport = build_panel(repo, Q3, AFTER_Q3_CUT_OFF, public)
        charts = draw_charts(repo, panel, AFTER_Q3_CUT_OFF)
        assert 300 == len(panel.actions)
        for fmt in EXPORT_FORMATS:
            path = tmp_path / f"big-{panel.audience}.{fmt}"
            write_panel(panel, fmt, path, charts)
            assert path.stat().st_size > 0
        assert 301 == load_workbook(tmp_path / f"big-{panel.audience}.xlsx")["Actions"].max_row
        document = Document(str(tmp_path / f"big-{panel.audience}.docx"))
        assert 301 == len(next(t for t in document.tables if len(t.columns) == len(ACTION_HEADERS)).rows)
