"""The appendix as Markdown, for pasting into a wiki page or a pull request of the published paper."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.exports.picture import Chart
from bot.exports.tables import Paper, Section


def write_md(paper: Paper, path: Path, charts: Sequence[Chart] = ()) -> None:
    """Charts are left out: Markdown has no self-contained image; their alt text says what they show."""
    lines = [f"# {_cell(paper.title)}", ""]
    lines += [f"- **{label}:** {_cell(text)}" for label, text in paper.cover]
    for chart in charts:
        lines += ["", f"*{_cell(chart.title)}:* {_cell(chart.alt)}"]
    for section in paper.sections:
        lines += ["", *_table(section)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _table(section: Section) -> list[str]:
    lines = [f"## {_cell(section.title)}", "", f"*{_cell(section.caption)}*", ""]
    if not section.rows:
        return [*lines, section.empty]
    lines.append("| " + " | ".join(_cell(h) for h in section.headers) + " |")
    lines.append("|" + "|".join(" --- " for _ in section.headers) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in section.text_rows]
    return lines


def _cell(text: str) -> str:
    """Pipes and line breaks would end a table cell early; markup characters would change the text."""
    escaped = "".join(f"\\{c}" if c in "\\`*_[]<>|#" else c for c in text)
    return " ".join(escaped.split())
