"""Dorset's colour key (domain brief §3.3) as a plan file's ``rag_scheme``, in YAML and in CSV.

Blue = completed with no ongoing monitoring, Green = completed, Yellow = in progress, Red = progress
has been challenging. The labels carry the meaning so a test can tell them from the default words.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from support.plan_files import sample_doc, write_doc

LABELS = {
    "R": "Red (challenging)",
    "Y": "Yellow (in progress)",
    "G": "Green (completed)",
    "B": "Blue (no monitoring)",
}
DEFINITIONS = {
    "R": "Progress has been challenging.",
    "Y": "In progress.",
    "G": "Completed.",
    "B": "Completed and needing no ongoing monitoring.",
}
ORDER = ["R", "Y", "G", "B"]


def dorset_scheme() -> dict[str, Any]:
    """The ``rag_scheme`` section, colours listed best first as Dorset's key prints them."""
    return {
        "order": list(ORDER),
        "colours": [
            {
                "code": "B",
                "label": LABELS["B"],
                "definition": DEFINITIONS["B"],
                "words": ["blue", "🔵"],
                "completes": True,
                "outcome": "asked",
            },
            {
                "code": "G",
                "label": LABELS["G"],
                "definition": DEFINITIONS["G"],
                "words": ["green", "completed", "🟢"],
                "completes": True,
                "outcome": "asked",
            },
            {"code": "Y", "label": LABELS["Y"], "definition": DEFINITIONS["Y"], "words": ["yellow", "progress", "🟡"]},
            {
                "code": "R",
                "label": LABELS["R"],
                "definition": DEFINITIONS["R"],
                "words": ["red", "🔴"],
                "reason_required": True,
                "mitigation": "required",
            },
        ],
    }


def dorset_yaml(sample_plan_path: Path, folder: Path, scheme: dict[str, Any] | None = None) -> Path:
    """The sample plan with Dorset's key (or ``scheme``) as its ``rag_scheme``, written to ``folder``."""
    doc = sample_doc(sample_plan_path)
    doc["rag_scheme"] = dorset_scheme() if scheme is None else scheme
    return write_doc(doc, folder / "dorset-plan.yaml")


def scheme_csv(colours: list[dict[str, Any]]) -> str:
    """A colour key as a spreadsheet keeps it: one row per colour, several words separated by ";"."""
    out = io.StringIO()
    columns = ["code", "label", "definition", "words", "reason_required", "completes", "mitigation", "outcome"]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for colour in colours:
        cells = {**colour, "words": ";".join(colour.get("words", []))}
        writer.writerow(["yes" if cells.get(c) is True else cells.get(c, "") for c in columns])
    return out.getvalue()
