"""Panel documents written to files: docx, xlsx, csv, html and md, one module per format.

``write_panel`` is the one entry point the console and Slack use, for the quarterly appendix, the
annual report and the theme deep dive alike; each is built once in the core (``commands.panel``,
``commands.annual``, ``commands.deep_dive``), laid out as a ``Paper`` of tables here
(``tables``, ``annual_tables``, ``deep_dive_tables``) and written by the same writers. Each writer
(python-docx, openpyxl) is imported when a file is written, not when this package is, and the
charts' matplotlib only when a chart must be drawn (a frozen quarter's are drawn once and kept,
``kept_charts``): a report in the terminal, a Slack process that never writes a file, or a
second export of a frozen quarter does not pay for them.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Sequence
from pathlib import Path

from bot.exports.annual_tables import annual_paper
from bot.exports.deep_dive_tables import deep_dive_paper
from bot.exports.kept_charts import appendix_charts, draw_charts
from bot.exports.picture import Chart
from bot.exports.tables import Paper, panel_paper
from commands.annual import AnnualReport
from commands.panel import ANNUAL, EXPORT_FORMATS, THEME, PanelOrder, PanelReport
from commands.panel_orders import PanelDocument
from commands.text import safe_copy
from storage.repository import PlanRepository

__all__ = [
    "EXPORT_FORMATS",
    "Paper",
    "appendix_charts",
    "draw_charts",
    "file_name",
    "paper_of",
    "write_panel",
    "write_panel_file",
]

IMAGE_FORMATS = ("docx", "html", "md")

DESCRIPTIONS = {
    "docx": "a Word document",
    "xlsx": "an Excel workbook",
    "csv": "a CSV file (one row per action)",
    "html": "a web page",
    "md": "a Markdown file",
}


def paper_of(document: PanelDocument) -> Paper:
    """Any Panel document laid out as the writers take it."""
    if isinstance(document, PanelReport):
        return panel_paper(document)
    if isinstance(document, AnnualReport):
        return annual_paper(document)
    return deep_dive_paper(document)


def write_panel(panel: PanelDocument, fmt: str, path: Path, charts: Sequence[Chart] = ()) -> None:
    """Write a Panel document (the appendix, the annual report or a deep dive) to ``path`` in
    ``fmt``; charts go into the formats that can hold images.

    Raises:
        ValueError: ``fmt`` is not one of ``EXPORT_FORMATS`` (callers check what people type first).
    """
    # Stored text made safe again (``commands.text``): an old row with ESC or NUL must not stop
    # Word or Excel, whose XML cannot hold them, nor reach a reader raw.
    paper = paper_of(safe_copy(panel))
    if fmt == "docx":
        from bot.exports.docx_writer import write_docx

        write_docx(paper, path, charts)
    elif fmt == "html":
        from bot.exports.html_writer import write_html

        write_html(paper, path, charts)
    elif fmt == "md":
        from bot.exports.md_writer import write_md

        write_md(paper, path, charts)
    elif fmt == "xlsx":
        from bot.exports.xlsx_writer import write_xlsx

        write_xlsx(paper, path)
    elif fmt == "csv":
        from bot.exports.csv_writer import write_csv

        write_csv(paper, path)
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


def write_panel_file(repo: PlanRepository, panel: PanelDocument, fmt: str, path: Path, now: dt.datetime) -> None:
    """``commands.panel_orders.PanelWriter``: the appendix's charts for the formats that hold images
    (a frozen quarter's kept ones once drawn, ``kept_charts``), the file written beside ``path`` under
    a temporary name and renamed into place, so a failure never leaves half a document where the
    paper is expected. The file gets the usual permissions under the umask (0644 under 022), so
    colleagues on a shared folder can open it (mkstemp's 0600 hid it)."""
    charts = appendix_charts(repo, panel, now) if fmt in IMAGE_FORMATS and isinstance(panel, PanelReport) else ()
    temporary = path.parent / f".planbot-{uuid.uuid4().hex}.{fmt}"
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        write_panel(panel, fmt, Path(temporary), charts)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def file_name(order: PanelOrder) -> str:
    """ "panel-report-2018-19-Q3-public.docx", "annual-report-2018-19-internal.docx",
    "deep-dive-victims-2018-19-Q3-public.docx": sortable, and says which version it is."""
    year = order.quarter.financial_year.replace("/", "-")
    audience = "public" if order.public else "internal"
    if order.report == ANNUAL:
        return f"annual-report-{year}-{audience}.{order.fmt}"
    if order.report == THEME:
        theme = "-".join("".join(c if c.isalnum() else " " for c in order.theme.lower()).split()) or "theme"
        return f"deep-dive-{theme}-{year}-Q{order.quarter.number}-{audience}.{order.fmt}"
    return f"panel-report-{year}-Q{order.quarter.number}-{audience}.{order.fmt}"
