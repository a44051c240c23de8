"""A small ``Paper`` holding every kind of cell the writers handle, built by hand so it does not
change when a report's layout in ``commands`` does.

``tests/data/paper-before.docx`` and ``paper-before.xlsx`` are this paper as the writers of commit
eb98b36 wrote it (Word's rows built cell by cell in Python, Excel's through an openpyxl cell object
per value), produced by ``PYTHONPATH=<that commit's tree> python tests/support/sample_paper.py
tests/data``. ``tests/test_linear_exports.py`` compares today's writers against them cell by cell.
"""

from __future__ import annotations

import datetime as dt
import struct
import sys
import zlib
from pathlib import Path

from bot.exports.charts import Chart
from bot.exports.tables import CountCell, Paper, Section, StatusCell

ACTION_HEADERS = ("Action", "Title", "Status", "Last quarter", "Commentary", "Due", "Owner")


def tiny_png(width: int, height: int, grey: int) -> bytes:
    """A plain grey PNG, written without matplotlib so the stored documents never depend on it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([grey]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


CHARTS = (
    Chart(tiny_png(40, 20, 90), "Statuses by theme: Victims 2 red, 1 green.", "Actions by status in each theme"),
    Chart(tiny_png(30, 30, 180), "Share by quarter: Q3 50% red.", "Share of actions by status per quarter"),
)


def _actions() -> tuple[tuple[object, ...], ...]:
    statuses = ("R", "A", "G", "B", None, "X")
    rows = []
    for number in range(1, 13):
        code = statuses[number % len(statuses)]
        rows.append(
            (
                f"V{number}",
                f"Deliver workstream {number}: improve outcomes for victims & witnesses <Team>",
                StatusCell(code, f"■ {code or 'Not yet reported'}"),
                StatusCell(statuses[(number + 1) % len(statuses)], "● Earlier"),
                ("Line one of the commentary\nline two, after a break" if number % 3 == 0 else "")
                + (" leading and trailing spaces " if number % 4 == 0 else "")
                + ('=HYPERLINK("https://evil.example","click")' if number == 5 else "")
                + (" Supercalifragilisticexpialidocious-partnership-agreement" if number == 7 else ""),
                dt.date(2018, 12, 31) + dt.timedelta(days=30 * number),
                "Head of Criminal Justice (Ollie Kerr)" if number % 2 else "",
            )
        )
    return tuple(rows)


def sample_paper() -> Paper:
    summary = Section(
        "summary",
        "Summary by theme",
        "Actions by status and theme, 2018/19 Q3 (change on 2018/19 Q2)",
        ("Theme", "SRO", "■ Red", "▲ Amber", "Closed"),
        (
            ("V Victims", "Deputy Chief Constable", CountCell(3, 1), CountCell(2, 0), 1),
            ("O Offenders", "Director of Justice", CountCell(0, -2), CountCell(5, None), 0),
            ("Whole plan", "", CountCell(3, -1), CountCell(7, None), 1),
        ),
    )
    actions = Section(
        "actions", "Actions", "Actions to deliver the plan: status, 2018/19 Q3", ACTION_HEADERS, _actions()
    )
    empty = Section("changes", "Changes to the plan", "Changes to the plan in 2018/19 Q3", ("Action", "Change"), ())
    return Paper(
        title="Delivery of the Police and Crime Plan: quarterly report, 2018/19 Q3",
        cover=(
            ("Plan", "PCP 2017-20 & <partners>"),
            ("Period", "2018/19 Q3 (October–December 2018)"),
            ("Purpose", "To report progress " * 20),
        ),
        sections=(summary, actions, empty),
        table=actions,
        subject="PCP 2017-20: delivery in 2018/19 Q3 (internal version)",
        keywords="Police and Crime Plan; 2018/19 Q3; RAG",
        author="OPCC Chief Executive",
        comments="The Panel is invited to note progress.",
        footer="PCP 2017-20. 2018/19 Q3. Produced by planbot for the OPCC Chief Executive; internal version.",
    )


if __name__ == "__main__":
    from bot.exports.docx_writer import write_docx
    from bot.exports.xlsx_writer import write_xlsx

    folder = Path(sys.argv[1])
    write_docx(sample_paper(), folder / "paper-before.docx", CHARTS)
    write_xlsx(sample_paper(), folder / "paper-before.xlsx")
