"""A played quarter for the Panel appendix tests: 2018/19 Q2 and Q3 reported on the sample plan,
a re-profile, a restricted commentary, a name and an email typed into commentary, and measures."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from commands.measures import record_measure_value
from commands.periods import Quarter
from storage.repository import PlanRepository
from support.plan_files import sample_doc
from support.report_support import london, report, reprofile

Q2, Q3 = Quarter(2018, 2), Quarter(2018, 3)
AFTER_Q3_CUT_OFF = london(2019, 1, 16, 9, 0)
V9_TRIALS = "Ineffective trials caused by prosecution witness issues"
RESTRICTED = "400 cases waiting; named suspect under investigation"
RESTRICTED_TOO = "Supplier in administration, commercially confidential"


def play_quarter(repo: PlanRepository) -> None:
    """V9 green then red, V4 red then amber (restricted) then green, O4 completed, T2 amber
    (restricted) then green after quarter end, O7 re-profiled, and V9's measure in both quarters."""
    report(repo, "V9", "G", london(2018, 9, 3))
    report(repo, "V4", "R", london(2018, 9, 10), "400 risk assessments waiting")
    report(repo, "T2", "A", london(2018, 10, 5), RESTRICTED_TOO).restricted = True
    report(repo, "V9", "R", london(2018, 11, 12), "CJS review will not report before March; ask Ollie Kerr")
    report(repo, "V4", "A", london(2018, 11, 2), "Backlog down to 120")
    report(repo, "V4", "A", london(2018, 12, 17), RESTRICTED).restricted = True
    report(repo, "O4", "B", london(2018, 11, 14), "Programme commissioned; contact raj.singh@example.org")
    report(repo, "T2", "A", london(2019, 1, 10), RESTRICTED_TOO).restricted = True
    reprofile(repo, "O7", dt.date(2019, 3, 31), london(2018, 11, 20), "BCB 20/11/2018")
    for quarter, value in ((Q2, "20"), (Q3, "15%")):
        record_measure_value(
            repo,
            action_code="V9",
            measure_name=V9_TRIALS,
            value_text=value,
            quarter=quarter,
            actor="analyst@example.org",
            now=AFTER_Q3_CUT_OFF,
        )
    repo.session.flush()


def plan_people(plan_file: Path) -> tuple[set[str], set[str]]:
    """Every person's name and email in a plan file, as the public version must never show them."""
    people = sample_doc(plan_file)["people"]
    return {p["name"] for p in people}, {p["email"].lower() for p in people}


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def text_of(path: Path) -> str:
    """What a reader of a written file sees, as text (Word's paragraphs and cells, Excel's cells)."""
    if path.suffix == ".docx":
        document = Document(str(path))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        return "\n".join(str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value)
    return path.read_text(encoding="utf-8-sig")
