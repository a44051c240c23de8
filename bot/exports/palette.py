"""The colours statuses are drawn and shaded in, shared by the charts, Word and Excel.

Fills come from Paul Tol's colour-blind-safe "muted" palette and step clearly in lightness, so a
greyscale print still tells them apart; colour only ever repeats the shape and word beside it.
Kept apart from the chart code so the document writers need not import matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StatusStyle:
    """How one status is drawn: ``fill``, a ``hatch`` pattern unique to it, and ``ink`` (hatch lines,
    outline and numbers) chosen to stand out on that fill."""

    fill: str
    hatch: str
    ink: str


# Keyed by RAG scheme code; None is "not yet reported". Greyscale levels run 51, 81, 134, 199, 226, 255.
STATUS_STYLES: dict[str | None, StatusStyle] = {
    "R": StatusStyle("#CC6677", "xx", "#000000"),  # Tol muted rose
    "A": StatusStyle("#DDCC77", "//", "#000000"),  # Tol muted sand
    "Y": StatusStyle("#F5E98A", "oo", "#000000"),  # pale yellow (grey 226), for a plan whose key has yellow
    "G": StatusStyle("#117733", "\\\\", "#FFFFFF"),  # Tol muted green
    "B": StatusStyle("#332288", "..", "#FFFFFF"),  # Tol muted indigo
    None: StatusStyle("#FFFFFF", "", "#000000"),  # white, outlined
}
