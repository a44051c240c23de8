"""A document's main table as CSV (the actions, one row each), for analysts' own spreadsheets."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.exports.tables import Paper, cell_text

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_csv(paper: Paper, path: Path) -> None:
    """UTF-8 with a byte-order mark so Excel reads the arrows and symbols; one header row."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(paper.table.headers)
        writer.writerows([_inert(cell_text(cell)) for cell in row] for row in paper.table.rows)


def _inert(cell: str) -> str:
    """A quote before text a spreadsheet would run as a formula (typed commentary may start with "=")."""
    return f"'{cell}" if cell[:1] in _FORMULA_STARTS else cell
