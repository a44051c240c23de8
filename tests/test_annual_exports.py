"""The annual report and the theme deep dive in every file format, written by the appendix's writers,
and ``planbot report annual`` / ``planbot report theme`` refusing clearly and writing nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from support.annual_support import AFTER_YEAR, DURING_Q4_CUT_OFF, RESTRICTED, RESTRICTED_TOO, YEAR, play_year
from support.cli_support import play_on, row_counts
from support.panel_support import EMAIL, plan_people, text_of

from bot.cli import main
from bot.exports import EXPORT_FORMATS, write_panel
from bot.exports.annual_tables import NOT_FROZEN
from bot.exports.palette import STATUS_STYLES
from commands.annual import build_annual
from commands.deep_dive import build_deep_dive
from commands.periods import Quarter
from commands.report_builders import quarterly_summary
from storage.models import Plan
from storage.repository import PlanRepository

Q3 = Quarter(2018, 3)


@pytest.fixture
def played(repo: PlanRepository, plan: Plan) -> Plan:
    play_year(repo)
    return plan


def annual_file(repo, tmp_path: Path, fmt: str, public: bool = False, now=AFTER_YEAR) -> Path:
    report = build_annual(repo, YEAR, now, public)
    path = tmp_path / f"annual-{report.audience}-{now:%m}.{fmt}"
    write_panel(report, fmt, path)
    return path


def dive_file(repo, tmp_path: Path, fmt: str, public: bool = False) -> Path:
    dive = build_deep_dive(repo, "Victims", Q3, AFTER_YEAR, public)
    path = tmp_path / f"dive-{dive.audience}.{fmt}"
    write_panel(dive, fmt, path)
    return path


class TestAnnualFiles:
    def test_word_document_with_the_year_side_by_side(self, repo, played, tmp_path):
        document = Document(str(annual_file(repo, tmp_path, "docx")))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        actions = next(t for t in document.tables if t.rows[0].cells[4].text == "Start of year")
        v9 = next(row for row in actions.rows if row.cells[0].text == "V9")
        page = document.sections[0]

        assert "Delivery of the Police and Crime Plan: annual report, 2018/19" == headings[0]
        assert [
            "The year's quarters", "Summary by theme", "Actions over the year", "Completed in the year",
            "Strategic measures", "Re-profiles and closures", "Exceptions carried forward",
        ] == headings[1:]  # fmt: skip
        assert ["● Green", "▲ Amber", "↓ Deteriorating", "● Green", "▲ Amber", "■ Red", "▲ Amber"] == [
            c.text for c in v9.cells[4:11]
        ]
        assert [STATUS_STYLES["R"].fill[1:]] == v9.cells[9]._tc.xpath("./w:tcPr/w:shd/@w:fill")
        assert (297, 210) == (round(page.page_width.mm), round(page.page_height.mm))
        assert "annual report" in document.core_properties.keywords

    def test_a_quarter_not_frozen_is_said_so_in_every_format(self, repo, played, tmp_path):
        for fmt in EXPORT_FORMATS:
            text = text_of(annual_file(repo, tmp_path, fmt, now=DURING_Q4_CUT_OFF)).replace("\\", "")

            assert NOT_FROZEN in text, fmt
            if fmt != "csv":
                assert "Not frozen yet, so not reported: 2018/19 Q4 (cut-off 12 Apr 2019)" in text, fmt

    def test_workbook_counts_are_numbers_matching_the_quarterly_summaries(self, repo, played, tmp_path):
        book = load_workbook(annual_file(repo, tmp_path, "xlsx"))
        quarters = book["The year's quarters"]
        headers = [c.value for c in quarters[1]]
        reds = [row[headers.index("■ Red")].value for row in quarters.iter_rows(min_row=2)]

        assert [
            next(c.count for c in quarterly_summary(repo, Quarter(YEAR, n), AFTER_YEAR).totals if c.status == "R")
            for n in (1, 2, 3, 4)
        ] == reds
        assert "Actions over the year" in book.sheetnames
        assert "Delivery of the Police and Crime Plan: annual report, 2018/19" == book.properties.title

    def test_csv_has_one_row_per_action_with_its_four_quarters(self, repo, played, tmp_path):
        rows = list(csv.reader(io.StringIO(annual_file(repo, tmp_path, "csv").read_text(encoding="utf-8-sig"))))
        by_id = {row[0]: row for row in rows[1:]}

        assert ["2018/19 Q1", "2018/19 Q2", "2018/19 Q3", "2018/19 Q4"] == rows[0][7:11]
        assert len(build_annual(repo, YEAR, AFTER_YEAR, False).actions) == len(rows) - 1
        assert ["▲ Amber", "■ Red", "■ Red", "✔ Blue (complete)"] == by_id["T2"][7:11]


class TestDeepDiveFiles:
    def test_every_update_and_the_last_four_quarters(self, repo, played, tmp_path):
        document = Document(str(dive_file(repo, tmp_path, "docx")))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        updates = next(t for t in document.tables if t.rows[0].cells[3].text == "Who")

        assert "Delivery of the Police and Crime Plan: Victims in depth, 2018/19 Q3" == headings[0]
        assert ["Summary", "Actions", "Updates this quarter", "Strategic measures", "Re-profiles", "Delegations"] == (
            headings[1:]
        )
        assert ["Kate Ross, Delegate for V9", "■ Red"] == [
            updates.rows[1].cells[3].text,
            updates.rows[3].cells[4].text,
        ]
        assert 5 == len(updates.rows)

    def test_html_is_one_accessible_page(self, repo, played, tmp_path):
        page = dive_file(repo, tmp_path, "html").read_text(encoding="utf-8")

        assert '<html lang="en-GB">' in page
        assert page.count("<table>") == page.count("<caption>")
        assert '<th scope="col">2017/18 Q4</th>' in page
        assert '<td class="status-r">■ Red</td>' in page


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
@pytest.mark.parametrize("which", ["annual", "theme"])
def test_public_versions_hold_no_personal_data(repo, played, tmp_path, sample_plan_path, fmt, which):
    """The quarterly appendix's checks, on both new documents, in every format."""
    names, emails = plan_people(sample_plan_path)
    if which == "annual":
        internal = text_of(annual_file(repo, tmp_path, fmt, now=DURING_Q4_CUT_OFF))
        public = text_of(annual_file(repo, tmp_path, fmt, public=True, now=DURING_Q4_CUT_OFF))
        withheld = "2 restricted commentaries withheld"
    else:
        internal, public = text_of(dive_file(repo, tmp_path, fmt)), text_of(dive_file(repo, tmp_path, fmt, True))
        withheld = "1 restricted commentary withheld"

    assert "Ollie Kerr" in internal and RESTRICTED in internal
    assert [] == [name for name in names if name.lower() in public.lower()]
    assert [] == [email for email in emails if email in public.lower()]
    assert [] == EMAIL.findall(public)
    assert RESTRICTED not in public and RESTRICTED_TOO not in public
    assert "Restricted commentary withheld" in public
    if fmt != "csv":
        assert withheld in public


@pytest.fixture
def database(imported_db_url: str) -> str:
    """The sample plan imported through the command line, with 2018/19 played."""
    play_on(imported_db_url, play_year)
    return imported_db_url


class TestCommandLine:
    @pytest.mark.parametrize("fmt", EXPORT_FORMATS)
    def test_writes_the_annual_report(self, database, tmp_path, capsys, fmt):
        output = tmp_path / f"annual.{fmt}"

        code = main(["report", "annual", "--year", "2018/19", "--format", fmt, "--public", "--output", str(output),
                     "--as-of", "2019-05-01"])  # fmt: skip

        assert 0 == code
        assert output.stat().st_size > 0
        out = " ".join(capsys.readouterr().out.split())
        assert "Wrote the public annual report for 2018/19 (April 2018–March 2019)" in out
        assert "0 restricted commentaries withheld" in out, "by the year end every restricted reason was superseded"

    def test_writes_the_deep_dive(self, database, tmp_path, capsys):
        output = tmp_path / "victims.docx"

        assert 0 == main(["report", "theme", "Victims", "--quarter", "2018/19 Q3", "--output", str(output),
                          "--as-of", "2019-05-01"])  # fmt: skip

        assert "Wrote the internal Victims deep dive for 2018/19 Q3" in " ".join(capsys.readouterr().out.split())
        assert "Kate Ross" in text_of(output)

    @pytest.mark.parametrize(
        ("command", "message"),
        [
            (["theme", "Nowhere", "--quarter", "2018/19 Q3"], 'There is no theme "Nowhere" in PCP 2017-20.'),
            (["annual", "--year", "2019/20"], "No quarter of 2019/20 is frozen yet"),
            (["annual", "--year", "2015/16"], "2015/16 ended before the plan began"),
            (["annual", "--year", "2018/20"], '"2018/20" is not a financial year: it runs April to March'),
            (["annual", "--year", "soon"], '"soon" is not a financial year.'),
            (["annual"], "Say which financial year with --year"),
            (["annual", "--quarter", "2018/19 Q3"], "give --year, not --quarter"),
            (["theme"], "Say which theme to look at in depth"),
            (["theme", "Victims", "--quarter", "2018/19 Q9"], '"2018/19 Q9" is not a quarter.'),
        ],
    )
    def test_bad_input_is_refused_clearly_and_writes_nothing(self, database, tmp_path, capsys, command, message):
        before_files, before_rows = set(tmp_path.iterdir()), row_counts(database)

        code = main(["report", *command, "--output", str(tmp_path / "out.docx"), "--as-of", "2019-05-01"])

        assert 2 == code
        assert message in " ".join(capsys.readouterr().err.split())
        assert before_files == set(tmp_path.iterdir())
        assert before_rows == row_counts(database)
