"""The Panel appendix written to files: docx, xlsx, csv, html and md, one module per format.

``write_panel`` is the one entry point the console and Slack use; the content itself is built once
in ``commands.panel`` and laid out as tables in ``bot.exports.tables``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.exports.csv_writer import write_csv
from bot.exports.docx_writer import write_docx
from bot.exports.html_writer import write_html
from bot.exports.md_writer import write_md
from bot.exports.tables import Chart
from bot.exports.xlsx_writer import write_xlsx
from commands.panel import EXPORT_FORMATS, PanelReport

__all__ = ["EXPORT_FORMATS", "Chart", "file_name", "write_panel"]

DESCRIPTIONS = {
    "docx": "Word document",
    "xlsx": "Excel workbook",
    "csv": "CSV file (one row per action)",
    "html": "web page",
    "md": "Markdown file",
}


def write_panel(panel: PanelReport, fmt: str, path: Path, charts: Sequence[Chart] = ()) -> None:
    """Write the appendix to ``path`` in ``fmt``; charts go into the formats that can hold images.

    Raises:
        ValueError: ``fmt`` is not one of ``EXPORT_FORMATS`` (callers check what people type first).
    """
    if fmt == "docx":
        write_docx(panel, path, charts)
    elif fmt == "html":
        write_html(panel, path, charts)
    elif fmt == "md":
        write_md(panel, path, charts)
    elif fmt == "xlsx":
        write_xlsx(panel, path)
    elif fmt == "csv":
        write_csv(panel, path)
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


def file_name(panel: PanelReport, fmt: str) -> str:
    """ "panel-report-2018-19-Q3-public.docx": sortable, and says which version it is."""
    year = panel.quarter.financial_year.replace("/", "-")
    return f"panel-report-{year}-Q{panel.quarter.number}-{panel.audience}.{fmt}"
