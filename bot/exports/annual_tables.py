"""The annual report laid out as a ``Paper``: the same typed tables every writer already draws.

The order is the one an annual report is read in: the year's quarters and what each rests on, the
themes at the year end beside the start, every action's four quarters side by side, what was
completed, the strategic measures year on year, the re-profiles and closures approved, and the
exceptions carried into the next year.
"""

from __future__ import annotations

from bot.exports.tables import (
    GLYPHS,
    WITHHELD,
    Cell,
    CountCell,
    Paper,
    Section,
    StatusCell,
    footer_line,
    has_objectives,
    status_cell,
    status_text,
    with_objective,
)
from commands.annual import AnnualAction, AnnualReport, YearMeasure
from commands.layout import Shape
from commands.periods import year_quarters
from commands.report_model import ColourCount, QuarterStatus, Standing
from commands.rules import DEFAULT_SCHEME, RagScheme

NOT_FROZEN = f"{GLYPHS[Shape.RING]} Not frozen yet"
BEFORE_PLAN = "Before the plan"


def quarter_cell(found: QuarterStatus, scheme: RagScheme = DEFAULT_SCHEME) -> Cell:
    """A quarter's status: shape and word when frozen, "(provisional)" when read live, and plainly
    "Not frozen yet" or "Before the plan" otherwise, so nothing is filled in."""
    if found.standing is Standing.FROZEN:
        return status_cell(found.status, scheme)
    if found.standing is Standing.PROVISIONAL:
        return StatusCell(found.status, f"{status_text(found.status, scheme)} (provisional)")
    return NOT_FROZEN if found.standing is Standing.NOT_FROZEN else BEFORE_PLAN


def annual_paper(report: AnnualReport) -> Paper:
    """The annual report as the writers lay it out; its CSV is the actions over the year."""
    actions = actions_section(report)
    return Paper(
        title=report.title,
        cover=cover_lines(report),
        sections=(
            quarters_section(report),
            summary_section(report),
            actions,
            completed_section(report),
            measures_section(report),
            changes_section(report),
            carried_section(report),
        ),
        table=actions,
        subject=f"{report.plan_name}: delivery in {report.year_label} ({report.audience} version)",
        keywords=f"Police and Crime Plan; annual report; {report.year_label}; RAG",
        author=report.author_role,
        comments=report.purpose,
        footer=footer_line(report.plan_name, report.period, report.author_role, report.audience),
        category="Police and Crime Commissioner's annual report",
    )


def cover_lines(report: AnnualReport) -> tuple[tuple[str, str], ...]:
    lines = [
        ("Plan", report.plan_name),
        ("Period", report.period),
        ("Author", report.author_role),
        ("Date", f"{report.as_of.day} {report.as_of:%b %Y}"),
        ("Version", report.audience.capitalize()),
        ("Basis", report.basis),
        ("Purpose", report.purpose),
        ("Recommendation", report.recommendation),
    ]
    if report.public:
        lines.append(("Withheld", f"Role titles only; {report.withheld_sentence}."))
    return tuple(lines)


def _status_headers(scheme: RagScheme) -> tuple[str, ...]:
    return (*(status_text(s.code, scheme) for s in scheme.statuses), status_text(None, scheme))


def quarters_section(report: AnnualReport) -> Section:
    """What each quarter's quarterly summary said: the figures the rest of the report adds up."""
    rows: list[tuple[Cell, ...]] = []
    for q in report.quarters:
        if q.standing is Standing.FROZEN:
            counts: tuple[Cell, ...] = tuple(c.count for c in q.totals)
            rows.append((q.quarter.label, q.note, *counts, q.completed, q.exceptions, q.changes))
        else:
            blank = ("",) * (len(_status_headers(report.scheme)) + 3)
            rows.append((q.quarter.label, q.note, *blank))
    return Section(
        "quarters",
        "The year's quarters",
        f"The quarters of {report.year_label}: what each quarterly summary reported at its cut-off",
        ("Quarter", "Basis", *_status_headers(report.scheme), "Completed", "Exceptions", "Changes to the plan"),
        tuple(rows),
    )


def summary_section(report: AnnualReport) -> Section:
    """Each theme at the year end, with the change since the start of the year."""
    headers = (
        "Theme",
        "SRO",
        *(status_text(c.status, report.scheme) for c in report.totals),
        "Completed",
        "Re-profiled",
        "Closed",
    )
    rows: list[tuple[Cell, ...]] = [
        (f"{t.code} {t.name}", t.sro_role, *(_count(c) for c in t.counts), t.completed, t.reprofiled, t.closed)
        for t in report.themes
    ]
    rows.append(
        (
            "Whole plan",
            "",
            *(_count(c) for c in report.totals),
            sum(t.completed for t in report.themes),
            sum(t.reprofiled for t in report.themes),
            sum(t.closed for t in report.themes),
        )
    )
    caption = (
        f"Open actions by status and theme at {_end(report)} (change since the start of the year, "
        f"{report.start_quarter.label}); actions completed, re-profiled and closed in {report.year_label}"
    )
    return Section("summary", "Summary by theme", caption, headers, tuple(rows))


def _end(report: AnnualReport) -> str:
    return f"the end of {report.year_label}" if report.complete else f"{report.end_quarter.label}, the latest frozen"


def actions_headers(report: AnnualReport, objectives: bool = False) -> tuple[str, ...]:
    """The actions table's columns, with "Objective" after "Theme" where the plan has objectives."""
    end = "Year end" if report.complete else f"Latest ({report.end_quarter.label})"
    headers = (
        "Action",
        "Title",
        "Theme",
        "Owner",
        "Start of year",
        end,
        "Direction over the year",
        *(q.label for q in year_quarters(report.year)),
        "Commentary",
        "Due",
    )
    return with_objective(headers, "Theme", objectives)


def action_cells(line: AnnualAction, scheme: RagScheme = DEFAULT_SCHEME, objectives: bool = False) -> tuple[Cell, ...]:
    row = line.row
    return (
        row.code,
        row.title,
        row.theme_code,
        *((row.objective,) if objectives else ()),
        line.owner,
        status_cell(line.start, scheme),
        status_cell(row.status, scheme),
        str(line.direction) if line.direction is not None else "",
        *(quarter_cell(q, scheme) for q in line.quarters),
        WITHHELD if line.withheld else row.reason,
        row.due,
    )


def actions_section(report: AnnualReport) -> Section:
    caption = (
        f"Every open action over {report.year_label}: status at the start of the year ({report.start_quarter.label}) "
        f"beside {_end(report)}, and each quarter's frozen status"
    )
    objectives = has_objectives(line.row for line in report.actions)
    return Section(
        "actions",
        "Actions over the year",
        caption,
        actions_headers(report, objectives),
        tuple(action_cells(a, report.scheme, objectives) for a in report.actions),
    )


def completed_section(report: AnnualReport) -> Section:
    rows = tuple(
        (
            c.row.code,
            c.row.title,
            c.row.theme_code,
            c.row.owner_role,
            c.quarter.label,
            WITHHELD if c.withheld else c.row.reason,
        )
        for c in report.completed
    )
    return Section(
        "completed",
        "Completed in the year",
        f"Actions completed in {report.year_label}, with the outcome their leads reported",
        ("Action", "Title", "Theme", "Owner", "Completed in", "Outcome"),
        rows,
        empty=f"No action was completed in {report.year_label}.",
    )


def measures_section(report: AnnualReport) -> Section:
    rows = tuple(_measure(m) for m in report.measures if m.latest is not None)
    return Section(
        "measures",
        "Strategic measures",
        f"Strategic measures in each frozen quarter of {report.year_label}, the latest year on year",
        (
            "Action",
            "Measure",
            *(q.label for q in year_quarters(report.year)),
            "Compared with",
            "Then",
            "Better or worse",
        ),
        rows,
        empty=f"No strategic measure values were recorded for the frozen quarters of {report.year_label}.",
    )


def changes_section(report: AnnualReport) -> Section:
    rows = tuple(
        (c.action_code, c.title, c.change, c.detail, c.approval, c.recorded_by, c.at.date()) for c in report.changes
    )
    return Section(
        "changes",
        "Re-profiles and closures",
        f"Re-profiles and closures approved in {report.year_label}, with who approved them and where",
        ("Action", "Title", "Change", "Detail", "Approved by", "Recorded by", "Date"),
        rows,
        empty=f"No action was re-profiled or closed in {report.year_label}.",
    )


def carried_section(report: AnnualReport) -> Section:
    withheld = {a.row.code for a in report.actions if a.withheld}
    rows = tuple(
        (
            i.row.code,
            i.row.title,
            ", ".join(kind.value for kind in i.kinds),
            i.row.owner_role,
            status_cell(i.row.status, report.scheme),
            str(i.row.direction) if i.row.direction is not None else "",
            WITHHELD if i.row.code in withheld else i.row.reason,
            i.row.due,
        )
        for i in report.carried
    )
    return Section(
        "carried",
        "Exceptions carried forward",
        report.carried_note,
        ("Action", "Title", "Why", "Owner", "Status", "Direction of travel", "Commentary", "Due"),
        rows,
        empty="No exceptions.",
    )


def _measure(m: YearMeasure) -> tuple[Cell, ...]:
    def value(v: float | None) -> str:
        return "" if v is None else f"{v:g}{m.unit if m.unit == '%' else ''}"

    trend = str(m.trend) if m.trend is not None else "No comparison"
    return (m.action_code, m.name, *(value(v) for v in m.values), m.compared_with, value(m.baseline), trend)


def _count(count: ColourCount) -> CountCell:
    return CountCell(count.count, count.change)
