"""The appendix's sections as plain tables of text, laid out once for every file format.

Each writer (docx, xlsx, csv, html, md) only decides how a ``Section`` looks, so a column or a
wording changes in one place. A status is always a symbol and its word, and direction of travel
an arrow and its word, so nothing depends on colour: the papers are printed in black and white.
"""

from __future__ import annotations

from dataclasses import dataclass

from commands.panel import PanelAction, PanelReport
from commands.report_model import ActionRow, ColourCount, MeasureRow
from commands.rules import DEFAULT_SCHEME, NOT_REPORTED, RagScheme, show_date

WITHHELD = "Restricted commentary withheld"
# Shapes that tell the colours apart in black and white, by rank (worst first); complete is a tick.
_SHAPES = ("■", "▲", "●")
_COMPLETE, _NOT_REPORTED = "✔", "○"


@dataclass(frozen=True)
class Section:
    """One table: ``key`` identifies it (an HTML id), ``title`` is its heading or sheet name (at most
    31 characters, Excel's limit), ``caption`` says what the table holds; ``rows`` are cells of text
    whose first cell identifies the row (a row header for screen readers)."""

    key: str
    title: str
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "None this quarter."


def status_text(code: str | None, scheme: RagScheme = DEFAULT_SCHEME) -> str:
    """ "■ Red", "✔ Blue (complete)", "○ Not yet reported": a shape and the word, never colour alone."""
    if code is None:
        return f"{_NOT_REPORTED} {NOT_REPORTED}"
    status = scheme.status(code)
    shape = _COMPLETE if status.completes else _SHAPES[min(status.rank, len(_SHAPES) - 1)]
    return f"{shape} {status.label}"


def sections(panel: PanelReport) -> tuple[Section, ...]:
    """Every table of the appendix, in the order the paper prints them."""
    return (summary_section(panel), actions_section(panel), *detail_sections(panel))


def summary_section(panel: PanelReport) -> Section:
    """Counts by colour per theme with the change on last quarter, and the whole plan."""
    headers = ("Theme", "SRO", *(status_text(c.status) for c in panel.totals), "Closed")
    rows = [(f"{b.code} {b.name}", b.sro_role, *(_count(c) for c in b.counts), str(b.closed)) for b in panel.themes]
    closed = sum(b.closed for b in panel.themes)
    rows.append(("Whole plan", "", *(_count(c) for c in panel.totals), str(closed)))
    caption = f"Actions by status and theme, {panel.quarter.label} (change on {panel.quarter.previous().label})"
    return Section("summary", "Summary by theme", caption, headers, tuple(rows))


ACTION_HEADERS = (
    "Action",
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


def action_cells(line: PanelAction) -> tuple[str, ...]:
    """One action as every format writes it (the CSV's row, the actions table's row)."""
    row = line.row
    return (
        row.code,
        row.title,
        row.theme_code,
        line.owner,
        line.sro_role,
        status_text(row.status),
        status_text(row.previous),
        str(row.direction) if row.direction is not None else "",
        WITHHELD if line.withheld else row.reason,
        show_date(row.baseline_due),
        line.reprofile,
    )


def actions_section(panel: PanelReport) -> Section:
    caption = f"Actions to deliver the Police and Crime Plan: status, {panel.quarter.label}"
    return Section("actions", "Actions", caption, ACTION_HEADERS, tuple(action_cells(a) for a in panel.actions))


def detail_sections(panel: PanelReport) -> tuple[Section, ...]:
    """Exceptions, completions, changes to the plan and strategic measures."""
    withheld = {a.row.code for a in panel.actions if a.withheld}
    exceptions = tuple(
        (
            i.row.code,
            i.row.title,
            ", ".join(kind.value for kind in i.kinds),
            i.row.owner_role,
            status_text(i.row.status),
            status_text(i.row.previous),
            str(i.row.direction) if i.row.direction is not None else "",
            _commentary(i.row, withheld),
            show_date(i.row.due),
        )
        for i in panel.exceptions
    )
    completed = tuple((r.code, r.title, r.owner_role, _commentary(r, withheld)) for r in panel.completed)
    changes = tuple(
        (c.action_code, c.title, c.change, c.detail, c.approval, show_date(c.at.date())) for c in panel.changes
    )
    measures = tuple(_measure(m) for m in panel.measures if m.value is not None or m.previous is not None)
    return (
        Section(
            "exceptions",
            "Exceptions",
            f"Exceptions: red, deteriorating, overdue, re-profiled or not reported, {panel.quarter.label}",
            ("Action", "Title", "Why", "Owner", "Status", "Last quarter", "Direction of travel", "Commentary", "Due"),
            exceptions,
        ),
        Section(
            "completed",
            "Completed this quarter",
            f"Actions completed in {panel.quarter.label}",
            ("Action", "Title", "Owner", "Commentary"),
            completed,
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
            empty="No values recorded for these quarters.",
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
    if panel.public:
        lines.append(("Withheld", f"Role titles only; {panel.withheld_sentence}."))
    return tuple(lines)


def _commentary(row: ActionRow, withheld: set[str]) -> str:
    return WITHHELD if row.code in withheld else row.reason


def _measure(m: MeasureRow) -> tuple[str, ...]:
    def value(v: float | None) -> str:
        return "" if v is None else f"{v:g}{m.unit if m.unit == '%' else ''}"

    return (m.action_code, m.name, value(m.value), value(m.previous), str(m.trend) if m.trend else "No comparison")


def _count(count: ColourCount) -> str:
    if count.change is None:
        return str(count.count)
    return f"{count.count} ({count.change:+d})" if count.change else f"{count.count} (no change)"
