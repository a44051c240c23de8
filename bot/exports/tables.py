"""The documents' sections as plain tables of typed cells, laid out once for every file format.

Each writer (docx, xlsx, csv, html, md) only decides how a ``Paper`` and its ``Section`` tables
look, so a column or a wording changes in one place. A status is always a symbol and its word, and
direction of travel an arrow and its word, so nothing depends on colour: the papers are printed in
black and white. This module lays out the quarterly appendix; ``annual_tables`` and
``deep_dive_tables`` lay out the annual report and the theme deep dive as ``Paper`` too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from commands.layout import Shape
from commands.layout import status_cell as layout_status
from commands.panel import PanelAction, PanelReport
from commands.priority import PRIORITY_LABEL, priority_cell
from commands.report_layout import NO_MEASURES, by_objective
from commands.report_model import ActionRow, ColourCount, MeasureRow
from commands.rules import DEFAULT_SCHEME, RagScheme, show_date

WITHHELD = "Restricted commentary withheld"
OBJECTIVE_HEADER = "Objective"
NOT_REPORTED_MEANING = "No update yet; shown as a gap, never as green."
# The glyph printed for each of the core's status shapes, so colours are told apart in black and white.
GLYPHS = {Shape.SQUARE: "■", Shape.TRIANGLE: "▲", Shape.CIRCLE: "●", Shape.TICK: "✔", Shape.RING: "○"}


@dataclass(frozen=True, slots=True)
class StatusCell:
    """A status as every format shows it (``text``: shape and word) with the scheme ``code`` kept,
    so Word, Excel and HTML can shade the cell without reading the word back."""

    code: str | None
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class CountCell:
    """A count of actions and its change on last quarter (``None``: nothing to compare with), kept
    apart so a spreadsheet can sum them; text formats show "3 (+1)"."""

    count: int
    change: int | None

    def __str__(self) -> str:
        if self.change is None:
            return str(self.count)
        return f"{self.count} ({self.change:+d})" if self.change else f"{self.count} (no change)"


Cell = str | int | dt.date | StatusCell | CountCell


def cell_text(cell: Cell) -> str:
    """How a cell reads in the text formats (CSV, Markdown, HTML, the width estimates)."""
    return show_date(cell) if isinstance(cell, dt.date) else str(cell)


@dataclass(frozen=True)
class Section:
    """One table: ``key`` identifies it (an HTML id), ``title`` is its heading or sheet name (at most
    31 characters, Excel's limit), ``caption`` says what the table holds; ``rows`` are typed cells
    whose first cell identifies the row (a row header for screen readers)."""

    key: str
    title: str
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str = "None this quarter."

    @cached_property
    def text_rows(self) -> tuple[tuple[str, ...], ...]:
        """The rows as the text formats print them, worked out once per section."""
        return tuple(tuple(cell_text(c) for c in row) for row in self.rows)


@dataclass(frozen=True)
class Paper:
    """A document as the writers take it: ``cover`` holds its labelled facts (to, from, date,
    purpose…), ``sections`` its tables in reading order, ``table`` the one table its CSV holds
    (one row per action); the rest are the file's own properties and its footer line."""

    title: str
    cover: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    table: Section
    subject: str
    keywords: str
    author: str
    comments: str
    footer: str
    category: str = "Police and Crime Panel paper"


def footer_line(plan_name: str, period: str, author_role: str, audience: str) -> str:
    """ "PCP 2017-20. 2018/19 Q3 (October–December 2018). Produced by planbot for the … ; public version." """
    return f"{plan_name}. {period}. Produced by planbot for the {author_role}; {audience} version."


def panel_paper(panel: PanelReport) -> Paper:
    """The quarterly appendix as the writers lay it out."""
    all_sections = sections(panel)
    return Paper(
        title=panel.title,
        cover=cover_lines(panel),
        sections=all_sections,
        table=all_sections[1],
        subject=f"{panel.plan_name}: delivery in {panel.quarter.label} ({panel.audience} version)",
        keywords=f"Police and Crime Plan; {panel.quarter.label}; RAG",
        author=panel.author_role,
        comments=panel.purpose,
        footer=footer_line(panel.plan_name, panel.period, panel.author_role, panel.audience),
    )


def status_text(code: str | None, scheme: RagScheme = DEFAULT_SCHEME) -> str:
    """ "■ Red", "✔ Blue (complete)", "○ Not yet reported": a shape and the word, never colour alone."""
    cell = layout_status(code, scheme)
    return f"{GLYPHS[cell.shape]} {cell.word}"


def status_cell(code: str | None, scheme: RagScheme = DEFAULT_SCHEME) -> StatusCell:
    return StatusCell(code, status_text(code, scheme))


def key_section(scheme: RagScheme) -> Section:
    """The plan's colour key, as the papers end: each status's symbol and word, and what it means."""
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (status_cell(s.code, scheme), s.definition) for s in sorted(scheme.statuses, key=lambda s: -s.rank)
    )
    return Section(
        "key",
        "Key",
        "Key: what each status means",
        ("Status", "Meaning"),
        (*rows, (status_cell(None, scheme), NOT_REPORTED_MEANING)),
    )


def sections(panel: PanelReport) -> tuple[Section, ...]:
    """Every table of the appendix, in the order the paper prints them."""
    return (summary_section(panel), actions_section(panel), *detail_sections(panel), key_section(panel.scheme))


def summary_section(panel: PanelReport) -> Section:
    """Counts by colour per theme with the change on last quarter, and the whole plan."""
    headers = ("Theme", "SRO", *(status_text(c.status, panel.scheme) for c in panel.totals), "Closed")
    rows: list[tuple[Cell, ...]] = []
    for b in panel.themes:
        rows.append((f"{b.code} {b.name}", b.sro_role, *(_count(c) for c in b.counts), b.closed))
        for objective, group in by_objective(b.rows):
            if objective:
                rows.append((f"{b.code} · {objective}", "", *(_status_count(c.status, group) for c in b.counts), ""))
    closed = sum(b.closed for b in panel.themes)
    rows.append(("Whole plan", "", *(_count(c) for c in panel.totals), closed))
    flagged = [a.row for a in panel.actions if a.row.priority]
    if flagged:
        rows.append((PRIORITY_LABEL, "", *(_status_count(c.status, flagged) for c in panel.totals), ""))
    caption = f"Actions by status and theme, {panel.quarter.label} (change on {panel.quarter.previous().label})"
    return Section("summary", "Summary by theme", caption, headers, tuple(rows))


ACTION_HEADERS = (
    "Action",
    "Priority",
    "Title",
    "Theme",
    "Owner",
    "SRO",
    "Status this quarter",
    "Status last quarter",
    "Direction of travel",
    "Commentary",
    "Due",
    "Re-profiled to",
)


def has_objectives(rows: Iterable[ActionRow]) -> bool:
    """Whether any of these actions is under an objective: only then do the papers show the column."""
    return any(row.objective for row in rows)


def with_objective(headers: tuple[str, ...], after: str, objectives: bool) -> tuple[str, ...]:
    """``headers`` with "Objective" after the column ``after`` when ``objectives``, else as they are."""
    if not objectives:
        return headers
    at = headers.index(after) + 1
    return (*headers[:at], OBJECTIVE_HEADER, *headers[at:])


def action_cells(line: PanelAction, scheme: RagScheme = DEFAULT_SCHEME, objectives: bool = False) -> tuple[Cell, ...]:
    """One action as every format writes it (the CSV's row, the actions table's row); with its
    objective after its theme where the plan has objectives."""
    row = line.row
    return (
        row.code,
        priority_cell(row.priority),
        row.title,
        row.theme_code,
        *((row.objective,) if objectives else ()),
        line.owner,
        line.sro_role,
        status_cell(row.status, scheme),
        status_cell(row.previous, scheme),
        str(row.direction) if row.direction is not None else "",
        WITHHELD if line.withheld else row.reason,
        row.baseline_due,
        line.reprofile,
    )


def actions_section(panel: PanelReport) -> Section:
    caption = f"Actions to deliver the Police and Crime Plan: status, {panel.quarter.label}"
    objectives = has_objectives(line.row for line in panel.actions)
    rows = tuple(action_cells(a, panel.scheme, objectives) for a in panel.actions)
    return Section("actions", "Actions", caption, with_objective(ACTION_HEADERS, "Theme", objectives), rows)


def detail_sections(panel: PanelReport) -> tuple[Section, ...]:
    """Exceptions, completions, changes to the plan and strategic measures."""
    withheld = {a.row.code for a in panel.actions if a.withheld}
    exceptions = tuple(
        (
            i.row.code,
            i.row.title,
            ", ".join(kind.value for kind in i.kinds),
            i.row.owner_role,
            status_cell(i.row.status, panel.scheme),
            status_cell(i.row.previous, panel.scheme),
            str(i.row.direction) if i.row.direction is not None else "",
            _commentary(i.row, withheld),
            _withheld(i.row.mitigation, i.row, withheld),
            i.row.due,
        )
        for i in panel.exceptions
    )
    completed = tuple(
        (r.code, r.title, r.owner_role, _commentary(r, withheld), _withheld(r.outcome, r, withheld))
        for r in panel.completed
    )
    following = panel.quarter.next().label
    upcoming = tuple(
        (r.code, r.title, r.owner_role, status_cell(r.status, panel.scheme), r.due, _commentary(r, withheld))
        for r in panel.next_quarter
    )
    changes = tuple((c.action_code, c.title, c.change, c.detail, c.approval, c.at.date()) for c in panel.changes)
    measures = tuple(_measure(m) for m in panel.measures if m.value is not None or m.previous is not None)
    return (
        Section(
            "exceptions",
            "Exceptions",
            f"Exceptions: red, deteriorating, overdue, re-profiled or not reported, {panel.quarter.label}",
            (
                "Action",
                "Title",
                "Why",
                "Owner",
                "Status",
                "Last quarter",
                "Direction of travel",
                "Commentary",
                "Mitigation",
                "Due",
            ),
            exceptions,
        ),
        Section(
            "completed",
            "Completed this quarter",
            f"Actions completed in {panel.quarter.label}",
            ("Action", "Title", "Owner", "Commentary", "Outcome"),
            completed,
        ),
        Section(
            "next-quarter",
            "Key activities next quarter",
            f"Key activities next quarter: open actions due in {following}",
            ("Action", "Title", "Owner", "Status", "Due", "Commentary"),
            upcoming,
            empty=f"No open actions are due in {following}.",
        ),
        Section(
            "changes",
            "Changes to the plan",
            f"Changes to the plan in {panel.quarter.label}",
            ("Action", "Title", "Change", "Detail", "Approval", "Date"),
            changes,
        ),
        Section(
            "measures",
            "Strategic measures",
            f"Strategic measures, {panel.quarter.label} against {panel.quarter.previous().label}",
            ("Action", "Measure", "This quarter", "Last quarter", "Better or worse"),
            measures,
            empty=NO_MEASURES,
        ),
    )


def cover_lines(panel: PanelReport) -> tuple[tuple[str, str], ...]:
    """The cover's labelled facts, as the seeds' papers open: to, from, date, period, purpose, recommendation."""
    lines = [
        ("Plan", panel.plan_name),
        ("Period", panel.period),
        ("Author", panel.author_role),
        ("Date", show_date(panel.as_of)),
        ("Version", panel.audience.capitalize()),
        ("Basis", panel.basis),
        ("Purpose", panel.purpose),
        ("Recommendation", panel.recommendation),
    ]
    if panel.priority:
        lines.append((PRIORITY_LABEL, panel.priority))
    if panel.public:
        lines.append(("Withheld", f"Role titles only; {panel.withheld_sentence}."))
    return tuple(lines)


def _commentary(row: ActionRow, withheld: set[str]) -> str:
    return WITHHELD if row.code in withheld else row.reason


def _withheld(text: str, row: ActionRow, withheld: set[str]) -> str:
    """A mitigation or outcome as the audience may read it: withheld with the restricted reason."""
    return WITHHELD if row.code in withheld else text


def _measure(m: MeasureRow) -> tuple[str, ...]:
    def value(v: float | None) -> str:
        return "" if v is None else f"{v:g}{m.unit if m.unit == '%' else ''}"

    return (m.action_code, m.name, value(m.value), value(m.previous), str(m.trend) if m.trend else "No comparison")


def _count(count: ColourCount) -> CountCell:
    return CountCell(count.count, count.change)


def _status_count(status: str | None, rows: list[ActionRow]) -> CountCell:
    """How many of ``rows`` (the priority actions, or an objective's) stand at ``status``, and the change
    on last quarter."""
    now = sum(1 for row in rows if row.status == status)
    return CountCell(now, now - sum(1 for row in rows if row.previous == status))
