"""Every governance report laid out once, in the neutral layout (``commands.layout``).

Summary, overdue list, weekly digest, quarterly summary and an action's history: the headline a
reader sees first (counts by colour per theme, direction of travel), then one section per theme.
Slack sends each section as a thread reply when a report is big, the terminal prints them in turn;
both take every word from here. A status is always its word; direction of travel and measure
trends are arrow and word; "Not yet reported" is shown, never hidden; restricted reasons are
marked. Reasons and titles are cut (the full text is one ``/rag V9`` away) so 300 actions stay
readable on any medium.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from commands.layout import (
    Block,
    Cell,
    Column,
    Emphasis,
    Inline,
    Kind,
    Layout,
    Line,
    Note,
    Section,
    Strong,
    Table,
    status_cell,
)
from commands.priority import PRIORITY_COLUMN, any_priority, priority_cell, priority_line
from commands.report_inputs import colour_counts
from commands.report_model import (
    ActionHistory,
    ActionRow,
    ColourCount,
    Digest,
    ExceptionItem,
    OverdueList,
    PendingReprofileRequest,
    QuarterlySummary,
    Summary,
    ThemeBlock,
)
from commands.rules import DEFAULT_SCHEME, Direction, RagScheme, london_date, show_date

MAX_REASON = 300
MAX_TITLE = 160
ELLIPSIS = "…"
RESTRICTED = " (restricted)"
NOT_RECORDED = "not recorded"
NO_MEASURES = "No values recorded for these quarters."

ACTION = Column("Action", Kind.ID)
STATUS = Column("Status", Kind.STATUS)
DIRECTION = Column("Direction")
UPDATED = Column("Updated", inline="updated {}")
DUE = Column("Due", inline="due {}")
DAYS = Column("Days overdue", Kind.NUMBER, "{} days overdue")
WHY = Column("Why", Kind.ASIDE)
OWNER = Column("Owner")
TITLE = Column("Title", Kind.TITLE)
REASON = Column("Reason", Kind.LONG, "Reason: {}")
MITIGATION = Column("Mitigation", Kind.LONG, "Mitigation: {}")
OUTCOME = Column("Outcome", Kind.LONG, "Outcome: {}")


def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, ending in "…" when it was longer."""
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def report_layout(content: object, scheme: RagScheme = DEFAULT_SCHEME) -> Layout:
    """The layout of any report the core builds.

    Raises:
        TypeError: ``content`` is not a report.
    """
    match content:
        case Summary():
            return summary_layout(content, scheme)
        case OverdueList():
            return overdue_layout(content, scheme)
        case Digest():
            return digest_layout(content, scheme)
        case QuarterlySummary():
            return quarterly_layout(content, scheme)
        case ActionHistory():
            return history_layout(content, scheme)
    raise TypeError(f"{type(content).__name__} is not a report planbot lays out")


def actions_table(
    title: str,
    rows: Sequence[ActionRow],
    scheme: RagScheme = DEFAULT_SCHEME,
    *,
    reason: bool = False,
    days: bool = False,
    why: Sequence[str] = (),
    mitigation: bool = False,
    outcome: bool = False,
) -> Table:
    """Actions one per row: code, the priority mark (when any is a priority), status, direction
    (when any has one), due, then owner and title."""
    flagged = any_priority(rows)
    columns = [ACTION, *([PRIORITY_COLUMN] if flagged else []), STATUS]
    directed = any(row.direction is not None for row in rows)
    columns += [DIRECTION] if directed else []
    updated = any(row.updated_at is not None for row in rows)
    columns += [UPDATED] if updated else []
    columns += [DUE, *([DAYS] if days else []), *([WHY] if why else []), OWNER, TITLE]
    columns += [REASON] if reason else []
    mitigated = mitigation and any(row.mitigation for row in rows)
    delivered = outcome and any(row.outcome for row in rows)
    columns += [MITIGATION] if mitigated else []
    columns += [OUTCOME] if delivered else []
    cells: list[tuple[Cell, ...]] = []
    for index, row in enumerate(rows):
        line: list[Cell] = [row.code, *([priority_cell(row.priority)] if flagged else [])]
        line.append(status_cell(row.status, scheme))
        line += [str(row.direction) if row.direction is not None else ""] if directed else []
        line += [_day(row.updated_at) if row.updated_at else ""] if updated else []
        line.append(f"{show_date(row.due)}{' (re-profiled)' if row.reprofiled else ''}")
        line += [str(row.days_overdue) if row.days_overdue else ""] if days else []
        line += [why[index]] if why else []
        line += [row.owner_role, cut(row.title, MAX_TITLE)]
        line += [_reason(row.reason, row.restricted)] if reason else []
        line += [_reason(row.mitigation, row.restricted)] if mitigated else []
        line += [_reason(row.outcome, row.restricted)] if delivered else []
        cells.append(tuple(line))
    return Table(title, tuple(columns), tuple(cells))


def counts(values: Iterable[ColourCount], scheme: RagScheme = DEFAULT_SCHEME) -> tuple[Inline, ...]:
    """ "Red 10 (+10) · Amber 3 (=) · …": how many actions stand at each colour, and the change."""
    runs: list[Inline] = []
    for count in values:
        runs += [" · "] if runs else []
        runs += [status_cell(count.status, scheme), f" {count.count}{_change(count.change)}"]
    return tuple(runs)


def directions(rows: Iterable[ActionRow]) -> str:
    """ "↑ 2 Improving · ↓ 1 Deteriorating": how many actions travelled each way."""
    counted = Counter(row.direction for row in rows if row.direction is not None)
    return " · ".join(f"{d.arrow} {counted[d]} {d.word}" for d in Direction if counted[d])


def by_objective(rows: Sequence[ActionRow]) -> list[tuple[str, list[ActionRow]]]:
    """A theme's rows grouped by objective (portfolio area) in plan order, those under none first;
    one group, named "", for a theme without objectives."""
    groups: dict[str, list[ActionRow]] = {}
    for row in rows:
        groups.setdefault(row.objective, []).append(row)
    return sorted(groups.items(), key=lambda group: group[0] != "")


def objective_tables(
    title: str, rows: Sequence[ActionRow], table: Callable[[str, Sequence[ActionRow]], Table]
) -> list[Table]:
    """A theme's actions table, or one per objective titled with it ("Direction of travel · Mental
    health") where the plan has objectives."""
    return [
        table(" · ".join(part for part in (title, objective) if part), group) for objective, group in by_objective(rows)
    ]


def objective_lines(rows: Sequence[ActionRow], scheme: RagScheme) -> list[Line]:
    """Each objective's counts by colour ("Mental health: Red 1 · Green 2 …"); none for a theme without objectives."""
    return [
        Line((Emphasis(objective), ": ", *counts(colour_counts((r.status for r in group), None, scheme), scheme)))
        for objective, group in by_objective(rows)
        if objective
    ]


def summary_layout(summary: Summary, scheme: RagScheme = DEFAULT_SCHEME) -> Layout:
    headline = summary_headline(summary, scheme)
    sections = [
        _theme_section(block, objective_tables("", block.rows, lambda title, rows: actions_table(title, rows, scheme)))
        for block in summary.themes
    ]
    exceptions = _tables(actions_table("", summary.exceptions, scheme, reason=True, mitigation=True))
    exceptions = exceptions or [Line(("None.",))]
    sections.append(Section("Exceptions: red, deteriorating or overdue", tuple(exceptions)))
    return Layout(summary_heading(summary), headline, tuple(sections))


def summary_heading(summary: Summary) -> str:
    return f"{summary.plan_name}: summary of {summary.theme or 'whole plan'} as of {_day(summary.as_of)}"


def summary_headline(
    summary: Summary, scheme: RagScheme = DEFAULT_SCHEME, themes: int | None = None
) -> tuple[Block, ...]:
    """Each theme's counts by colour (the first ``themes`` when given), the whole plan's, and how many exceptions."""
    return (
        *theme_lines(summary.themes[:themes], scheme),
        *more_themes(len(summary.themes) - len(summary.themes[:themes])),
        whole_plan(summary.themes, summary.totals, scheme),
        *_priority([row for block in summary.themes for row in block.rows], scheme),
        Line((f"Exceptions (red, deteriorating or overdue): {len(summary.exceptions)}",)),
    )


def overdue_layout(overdue: OverdueList, scheme: RagScheme = DEFAULT_SCHEME) -> Layout:
    by_theme = _by_theme(overdue.rows)
    sections = [
        Section(f"Theme {code}", tuple(objective_tables("", rows, lambda t, r: actions_table(t, r, scheme, days=True))))
        for code, rows in by_theme.items()
    ]
    return Layout(overdue_heading(overdue), overdue_headline(overdue), tuple(sections))


def overdue_heading(overdue: OverdueList) -> str:
    return f"{overdue.plan_name}: {len(overdue.rows)} overdue action(s) as of {_day(overdue.as_of)}, oldest first"


def overdue_headline(overdue: OverdueList, themes: int | None = None) -> tuple[Block, ...]:
    """How many actions are overdue in each theme (the first ``themes`` when given)."""
    by_theme = list(_by_theme(overdue.rows).items())
    lines: list[Block] = [Line((Strong(f"Theme {code}"), f": {len(rows)} overdue")) for code, rows in by_theme[:themes]]
    lines += more_themes(len(by_theme) - len(by_theme[:themes]))
    return tuple(lines) or (Line(("No action is overdue.",)),)


def digest_layout(digest: Digest, scheme: RagScheme = DEFAULT_SCHEME) -> Layout:
    """Totals first, then one line per theme; each theme's section holds its changes, overdue and due actions."""
    headline = digest_headline(digest, scheme=scheme)
    sections = []
    for code in digest_themes(digest):
        blocks: list[Block] = _grouped("Colour changes", _of(digest.changes, code), scheme, reason=True)
        reds = [r.code for r in digest.new_reds if r.theme_code == code]
        blocks += [Line((Emphasis("New reds"), f": {', '.join(reds)}"))] if reds else []
        blocks += _grouped("Overdue", _of(digest.overdue, code), scheme, days=True)
        soon = _of(digest.due_soon, code)
        blocks += _grouped(f"Due in the next {digest.due_soon_days} days", soon, scheme)
        blocks += _grouped("Not yet reported", _of(digest.not_reported, code), scheme)
        sections.append(Section(f"Theme {code}", tuple(blocks or [Line(("Updated, no colour changed.",))])))
    if digest.reprofile_requests:
        sections.append(Section("Re-profile requests awaiting approval", (requests_table(digest.reprofile_requests),)))
    return Layout(digest_heading(digest), headline, tuple(sections))


def digest_heading(digest: Digest) -> str:
    return f"{digest.plan_name}: weekly digest, {_day(digest.since)} to {_day(digest.until)}"


def digest_themes(digest: Digest) -> list[str]:
    """The themes a digest speaks of (updated, overdue or due soon), in the order they first appear."""
    return list(dict.fromkeys(r.theme_code for r in (*digest.updated, *digest.overdue, *digest.due_soon)))


def digest_headline(digest: Digest, themes: int | None = None, scheme: RagScheme = DEFAULT_SCHEME) -> tuple[Block, ...]:
    """The digest's totals, then one line per theme (the first ``themes`` of them when given, and how
    many more there are): the same in a channel's short digest as in the whole one."""
    totals = (
        f"{digest.update_count} update(s) to {len(digest.updated)} action(s) · {len(digest.changes)} colour "
        f"change(s) · {len(digest.new_reds)} new red(s) · {len(digest.overdue)} overdue · {len(digest.due_soon)} due "
        f"in the next {digest.due_soon_days} days · {len(digest.not_reported)} not yet reported"
        f" · {len(digest.reprofile_requests)} re-profile request(s) awaiting approval"
    )
    headline: list[Block] = [*_late(digest.late), Line((totals,)), *_priority(digest.priority, scheme)]
    codes = digest_themes(digest)
    for code in codes[:themes]:
        updated = _of(digest.updated, code)
        overdue = _of(digest.overdue, code)
        travel = f" ({directions(updated)})" if updated else ""
        headline.append(Line((Strong(f"Theme {code}"), f": {len(updated)} updated{travel} · {len(overdue)} overdue")))
    headline += more_themes(len(codes) - len(codes[:themes]))
    return tuple(headline)


def more_themes(hidden: int) -> list[Block]:
    """ "and 12 more theme(s)…" under theme lines that were cut, or nothing."""
    return [Note(f"and {hidden} more theme(s); the whole plan's line counts them all.")] if hidden > 0 else []


def requests_table(requests: Sequence[PendingReprofileRequest]) -> Table:
    """Each request: the action, its due date and the one proposed, who asked, when and why."""
    columns = (
        ACTION,
        Column("Due", inline="due {}"),
        Column("Proposed", inline="proposed {}"),
        Column("Asked by", inline="by {}"),
        Column("On", inline="on {}"),
        TITLE,
        REASON,
    )
    rows = tuple(
        (
            r.code,
            show_date(r.due),
            show_date(r.proposed_due),
            r.requested_by,
            _day(r.requested_at),
            cut(r.title, MAX_TITLE),
            _reason(r.reason, r.restricted),
        )
        for r in requests
    )
    return Table("", columns, rows)


def quarterly_layout(summary: QuarterlySummary, scheme: RagScheme = DEFAULT_SCHEME) -> Layout:
    """Counts with the change on last quarter per theme up top; each theme's detail in its own section."""
    quarter = summary.quarter
    headline = quarterly_headline(summary, scheme)
    sections = []
    for block in summary.themes:
        blocks: list[Block] = [
            *objective_lines(block.rows, scheme),
            *objective_tables("Direction of travel", block.rows, lambda t, rows: actions_table(t, rows, scheme)),
        ]
        blocks += _exceptions([e for e in summary.exceptions if e.row.theme_code == block.code], scheme)
        completed = _of(summary.completed, block.code)
        blocks += _tables(actions_table("Completed this quarter", completed, scheme, reason=True, outcome=True))
        progress = _of(summary.progress, block.code)
        blocks += _tables(actions_table("Progress this quarter", progress, scheme, reason=True))
        upcoming = _of(summary.next_quarter, block.code)
        blocks += _tables(actions_table(f"Due in {quarter.next().label}", upcoming, scheme))
        sections.append(_theme_section(block, blocks))
    sections += [_measures(summary), _changes(summary)]
    return Layout(quarterly_heading(summary), headline, tuple(sections))


def quarterly_heading(summary: QuarterlySummary) -> str:
    return f"{summary.plan_name}: quarterly summary {summary.quarter.label}"


def quarterly_headline(
    summary: QuarterlySummary, scheme: RagScheme = DEFAULT_SCHEME, themes: int | None = None
) -> tuple[Block, ...]:
    """The quarter and its cut-off, each theme's counts with the change on last quarter (the first
    ``themes`` themes when given, and how many more), the whole plan's, then the totals: the same in
    a channel's short summary as in the whole one."""
    quarter = summary.quarter
    state = "PROVISIONAL: the cut-off has not passed" if summary.provisional else "frozen"
    headline: list[Block] = [
        *_late(summary.late),
        Line(
            (
                f"{quarter.months}. Cut-off {show_date(summary.cut_off)}; snapshot {state}; "
                f"compared with {quarter.previous().label}.",
            )
        ),
        *theme_lines(summary.themes[:themes], scheme),
        *more_themes(len(summary.themes) - len(summary.themes[:themes])),
        whole_plan(summary.themes, summary.totals, scheme),
        *_priority([row for block in summary.themes for row in block.rows], scheme),
        Line(
            (
                f"{len(summary.exceptions)} exception(s) · {len(summary.completed)} completed · "
                f"{len(summary.progress)} updated this quarter · {len(summary.next_quarter)} due in "
                f"{quarter.next().label}",
            )
        ),
    ]
    return tuple(headline)


def history_layout(action: ActionHistory, scheme: RagScheme = DEFAULT_SCHEME) -> Layout:
    due = f"due {show_date(action.due)}" + (f" (baseline {show_date(action.baseline_due)})" if action.changes else "")
    headline = (Line((cut(action.title, MAX_TITLE),)), Line((f"Owner: {action.owner_role} · {due}",)))
    columns = (Column("When"), STATUS, DIRECTION, Column("By"), REASON)
    entries = tuple(
        (
            _day(e.at),
            status_cell(e.status, scheme),
            str(e.direction),
            f"{e.author}{' (on the owner’s behalf)' if e.on_behalf else ''}",
            _reason(e.reason, e.restricted),
        )
        for e in action.entries
    )
    updates: tuple[Block, ...] = (Table("", columns, entries),) if entries else (Line(("Not yet reported.",)),)
    sections = [Section("Updates, oldest first", updates)]
    if action.changes:
        changes = tuple((_day(c.at), c.detail, c.approval) for c in action.changes)
        table = Table("", (Column("When"), Column("Change"), Column("Approval", inline="approved: {}")), changes)
        sections.append(Section("Re-profiles", (table,)))
    return Layout(f"History of {action.code}", headline, tuple(sections))


def _priority(rows: Sequence[ActionRow], scheme: RagScheme) -> list[Block]:
    """The priority actions' line, or nothing for a plan that flags none."""
    line = priority_line(rows, scheme)
    return [line] if line is not None else []


def _late(note: str) -> list[Block]:
    """A caught-up report says first that it is late (the scheduler sets the note)."""
    return [Note(note)] if note else []


def theme_lines(blocks: Sequence[ThemeBlock], scheme: RagScheme) -> list[Block]:
    lines: list[Block] = []
    for block in blocks:
        travel = directions(block.rows)
        detail = (travel,) if travel else ()
        runs = (Strong(f"{block.code} {block.name}"), ": ", *counts(block.counts, scheme), _closed(block.closed))
        lines.append(Line(runs, detail))
    return lines


def whole_plan(blocks: Sequence[ThemeBlock], totals: Sequence[ColourCount], scheme: RagScheme) -> Line:
    return Line((Strong("Whole plan"), ": ", *counts(totals, scheme), _closed(sum(b.closed for b in blocks))))


def _closed(count: int) -> str:
    return f" · {count} closed"


def _theme_section(block: ThemeBlock, blocks: Sequence[Block]) -> Section:
    sro = f" (SRO: {block.sro_role})" if block.sro_role else ""
    body = [b for b in blocks if not isinstance(b, Table) or b.rows]
    return Section(f"{block.code} {block.name}{sro}", tuple(body) or (Line(("No open actions.",)),))


def _tables(table: Table) -> list[Block]:
    """The table, or nothing when it has no rows (a theme's section lists only what it has)."""
    return [table] if table.rows else []


def _grouped(
    title: str, rows: Sequence[ActionRow], scheme: RagScheme, *, reason: bool = False, days: bool = False
) -> list[Block]:
    """A theme's ``title`` table, one per objective where the plan has them, or nothing without rows."""
    tables = objective_tables(title, rows, lambda t, group: actions_table(t, group, scheme, reason=reason, days=days))
    return [table for table in tables if table.rows]


def _exceptions(items: Sequence[ExceptionItem], scheme: RagScheme) -> list[Block]:
    why = [", ".join(k.value for k in i.kinds) for i in items]
    rows = [i.row for i in items]
    return _tables(actions_table("Exceptions", rows, scheme, reason=True, why=why, mitigation=True))


def _measures(summary: QuarterlySummary) -> Section:
    columns = (
        ACTION,
        Column("Measure"),
        Column("This quarter"),
        Column("Last quarter", inline="last quarter {}"),
        Column("Better or worse"),
    )
    rows = tuple(
        (m.action_code, m.name, _value(m.value, m.unit), _value(m.previous, m.unit), str(m.trend or "no comparison"))
        for m in summary.measures
        if m.value is not None or m.previous is not None
    )
    return Section("Strategic measures", (Table("", columns, rows) if rows else Line((NO_MEASURES,)),))


def _changes(summary: QuarterlySummary) -> Section:
    columns = (ACTION, Column("Change"), Column("Detail"), Column("Approval", inline="approved: {}"), Column("When"))
    rows = tuple((c.action_code, c.change, c.detail, c.approval, _day(c.at)) for c in summary.changes)
    return Section("Changes to the plan", (Table("", columns, rows) if rows else Line(("None.",)),))


def _reason(reason: str, restricted: bool) -> str:
    return f"{cut(reason, MAX_REASON)}{RESTRICTED if restricted else ''}" if reason else ""


def _by_theme(rows: Iterable[ActionRow]) -> dict[str, list[ActionRow]]:
    grouped: dict[str, list[ActionRow]] = {}
    for row in rows:
        grouped.setdefault(row.theme_code, []).append(row)
    return grouped


def _of(rows: Iterable[ActionRow], theme_code: str) -> list[ActionRow]:
    return [r for r in rows if r.theme_code == theme_code]


def _change(change: int | None) -> str:
    if change is None:
        return ""
    return f" ({change:+d})" if change else " (=)"


def _value(value: float | None, unit: str) -> str:
    return NOT_RECORDED if value is None else f"{value:g}{unit if unit == '%' else ''}"


def _day(moment: dt.datetime) -> str:
    return show_date(london_date(moment))
