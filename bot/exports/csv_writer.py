"""The appendix's actions table as CSV: one row per action, for analysts' own spreadsheets."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.exports.tables import ACTION_HEADERS, action_cells, cell_text
from commands.panel import PanelReport

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_csv(panel: PanelReport, path: Path) -> None:
    """UTF-8 with a byte-order mark so Excel reads the arrows and symbols; one header row."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(ACTION_HEADERS)
        writer.writerows([_inert(cell_text(cell)) for cell in action_cells(line)] for line in panel.actions)


def _inert(cell: str) -> str:
    """A quote before text a spreadsheet would run as a formula (typed commentary may start with "=")."""
    return f"'{cell}" if cell[:1] in _FORMULA_STARTS else cell
