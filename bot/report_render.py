"""Governance reports (``commands.report_model``) as rich renderables for the terminal.

Like the rest of the console, a status is always its word and colour only adds to it; direction of
travel and measure trends are arrow and word together; "Not yet reported" is shown, never hidden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.console_render import status_text
from commands.measures import MeasureRecorded
from commands.report_model import (
    ActionRow,
    ColourCount,
    Digest,
    MeasureRow,
    OverdueList,
    QuarterlySummary,
    ReprofileRequest,
    Summary,
    ThemeBlock,
)
from commands.rules import london_date, show_date


def render_summary(summary: Summary) -> RenderableType:
    """Counts by theme, each theme's actions, then the exceptions with their reasons."""
    scope = summary.theme or "whole plan"
    heading = Text(f"{summary.plan_name}: summary of {scope} as of {_day(summary.as_of)}", style="bold")
    parts: list[RenderableType] = [heading, _counts_table(summary.themes, summary.totals, "Status by theme")]
    parts += [_rows_table(f"{b.code} {b.name} (SRO: {b.sro_role})", b.rows) for b in summary.themes]
    parts.append(_rows_table("Exceptions: red, deteriorating or overdue", summary.exceptions, reasons=True))
    return Group(*parts)


def render_overdue(overdue: OverdueList) -> RenderableType:
    title = f"{overdue.plan_name}: {len(overdue.rows)} overdue action(s) as of {_day(overdue.as_of)}, oldest first"
    return _rows_table(title, overdue.rows, days=True)


def render_digest(digest: Digest) -> RenderableType:
    """The weekly digest, section by section; empty sections say so rather than vanish."""
    since, until = _day(digest.since), _day(digest.until)
    heading = Text(f"{digest.plan_name}: weekly digest, {since} to {until}", style="bold")
    return Group(
        heading,
        Text(f"{digest.update_count} update(s) to {len(digest.updated)} action(s)."),
        _rows_table("Colour changes", digest.changes, reasons=True),
        _rows_table("New reds", digest.new_reds, reasons=True),
        _rows_table("Overdue", digest.overdue, days=True),
        _rows_table(f"Due in the next {digest.due_soon_days} days", digest.due_soon),
        _rows_table("Not yet reported", digest.not_reported),
        _requests_table(digest.reprofile_requests),
    )


def _requests_table(requests: Sequence[ReprofileRequest]) -> RenderableType:
    """Owners' requests for a new due date that no admin has answered yet (``/plan admin reprofile``)."""
    title = "Re-profile requests awaiting approval"
    if not requests:
        return Text.assemble((title, "bold"), ": none")
    table = Table(title=title, title_justify="left", expand=True)
    for column in ("Action", "Due", "Proposed", "Asked by", "On"):
        table.add_column(column, no_wrap=True)
    table.add_column("Reason", overflow="fold", ratio=1, min_width=20)
    for request in requests:
        table.add_row(
            request.code,
            show_date(request.due),
            show_date(request.proposed_due),
            request.requested_by,
            _day(request.requested_at),
            f"{request.reason} (restricted)" if request.restricted and request.reason else request.reason,
        )
    return table


def render_quarterly(summary: QuarterlySummary) -> RenderableType:
    """The quarterly summary in the order a Panel paper takes it."""
    state = "PROVISIONAL: the cut-off has not passed" if summary.provisional else "frozen"
    heading = Text.assemble(
        (f"{summary.plan_name}: quarterly summary {summary.quarter.label} ({summary.quarter.months})", "bold"),
        f"\nCut-off {show_date(summary.cut_off)}; snapshot {state}; compared with {summary.quarter.previous().label}.",
    )
    exceptions = Table(title="Exceptions", title_justify="left", expand=True)
    exceptions.add_column("Action", no_wrap=True, min_width=6)
    exceptions.add_column("Status", no_wrap=True, min_width=len("Not yet reported"))
    exceptions.add_column("Direction", no_wrap=True, min_width=len("↓ Deteriorating"))
    exceptions.add_column("Why", overflow="fold", max_width=16)
    exceptions.add_column("Reason", overflow="fold", ratio=1, min_width=20)
    for item in summary.exceptions:
        row = item.row
        why = ", ".join(kind.value for kind in item.kinds)
        exceptions.add_row(row.code, status_text(row.status), _direction(row), why, _reason(row))
    return Group(
        heading,
        _counts_table(summary.themes, summary.totals, "Status by theme, change on last quarter"),
        _rows_table("Direction of travel", [r for b in summary.themes for r in b.rows]),
        exceptions,
        _rows_table("Completed this quarter", summary.completed),
        _rows_table("Progress this quarter", summary.progress, reasons=True),
        _rows_table(f"Key activities next quarter (due in {summary.quarter.next().label})", summary.next_quarter),
        _measures_table(summary.measures),
        _changes_table(summary),
    )


def render_measure_recorded(recorded: MeasureRecorded) -> Text:
    unit = recorded.unit if recorded.unit in ("", "%") else f" {recorded.unit}"
    was = f" (was {recorded.replaced:g}{unit})" if recorded.replaced is not None else ""
    return Text(
        f"{recorded.action_code} {recorded.measure}, {recorded.quarter.label}: {recorded.value:g}{unit}{was}",
        style="green",
    )


def _counts_table(blocks: Sequence[ThemeBlock], totals: Sequence[ColourCount], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Theme", no_wrap=True)
    for count in totals:
        table.add_column(status_text(count.status), justify="right")
    table.add_column("Closed", justify="right")
    for block in blocks:
        table.add_row(f"{block.code} {block.name}", *(_count(c) for c in block.counts), str(block.closed))
    table.add_section()
    closed = sum(b.closed for b in blocks)
    table.add_row("Whole plan" if len(blocks) > 1 else "Total", *(_count(c) for c in totals), str(closed), style="bold")
    return table


def _rows_table(title: str, rows: Sequence[ActionRow], *, reasons: bool = False, days: bool = False) -> RenderableType:
    """Actions one per line; direction and updated columns appear only when some row has them."""
    if not rows:
        return Text.assemble((title, "bold"), ": none")
    with_direction = any(row.direction is not None for row in rows)
    with_updated = any(row.updated_at is not None for row in rows)
    table = Table(title=title, title_justify="left", expand=True)
    # Ids, statuses, directions and dates keep their width; owner and title give way.
    table.add_column("Action", no_wrap=True, min_width=6)
    table.add_column("Status", no_wrap=True, min_width=len("Not yet reported"))
    if with_direction:
        table.add_column("Direction", no_wrap=True, min_width=len("↓ Deteriorating"))
    if with_updated:
        table.add_column("Updated", no_wrap=True, min_width=11)
    table.add_column("Due", no_wrap=True, min_width=11)
    if days:
        table.add_column("Days overdue", justify="right", no_wrap=True, min_width=4)
    else:
        table.add_column("Owner", no_wrap=True, overflow="ellipsis", max_width=24)
    if reasons:
        table.add_column("Reason", overflow="fold", ratio=1, min_width=30)
    else:
        # Titles are shortened to the terminal's width so each action stays on one line.
        table.add_column("Title", no_wrap=True, overflow="ellipsis", ratio=1, min_width=12)
    for row in rows:
        cells: list[RenderableType] = [row.code, status_text(row.status)]
        if with_direction:
            cells.append(_direction(row))
        if with_updated:
            cells.append(_day(row.updated_at) if row.updated_at else "")
        cells.append(show_date(row.due) + (" (re-profiled)" if row.reprofiled else ""))
        cells.append(str(row.days_overdue) if days else row.owner_role)
        cells.append(_reason(row) if reasons else row.title)
        table.add_row(*cells)
    return table


def _measures_table(rows: Sequence[MeasureRow]) -> RenderableType:
    recorded = [m for m in rows if m.value is not None or m.previous is not None]
    if not recorded:
        return Text.assemble(("Strategic measures", "bold"), ": no values recorded for these quarters")
    table = Table(title="Strategic measures", title_justify="left", expand=True)
    for column in ("Action", "Measure", "This quarter", "Last quarter", "Better or worse"):
        table.add_column(column, overflow="fold")
    for m in recorded:
        trend = str(m.trend) if m.trend else "no comparison"
        table.add_row(m.action_code, m.name, _value(m.value, m.unit), _value(m.previous, m.unit), trend)
    return table


def _changes_table(summary: QuarterlySummary) -> RenderableType:
    if not summary.changes:
        return Text.assemble(("Changes to the plan", "bold"), ": none")
    table = Table(title="Changes to the plan", title_justify="left", expand=True)
    for column in ("Action", "Change", "Detail", "Approval", "When"):
        table.add_column(column, overflow="fold")
    for change in summary.changes:
        table.add_row(change.action_code, change.change, change.detail, change.approval, _day(change.at))
    return table


def _count(count: ColourCount) -> str:
    if count.change is None:
        return str(count.count)
    return f"{count.count} ({count.change:+d})" if count.change else f"{count.count} (=)"


def _direction(row: ActionRow) -> str:
    return str(row.direction) if row.direction is not None else ""


def _reason(row: ActionRow) -> str:
    return f"{row.reason} (restricted)" if row.restricted and row.reason else row.reason


def _value(value: float | None, unit: str) -> str:
    return "" if value is None else f"{value:g}{unit if unit == '%' else ''}"


def _day(moment: dt.datetime) -> str:
    return show_date(london_date(moment))
