"""The theme deep dive laid out as a ``Paper``: the same typed tables every writer already draws.

Read in the order a Board's in-depth item goes: the theme's counts (as the quarterly summary has
them), each action with its last four quarters, every update in the quarter, the theme's measures,
then the re-profiles and delegations behind its dates and names.
"""

from __future__ import annotations

import datetime as dt

from bot.exports.annual_tables import quarter_cell
from bot.exports.tables import (
    WITHHELD,
    Cell,
    CountCell,
    Paper,
    Section,
    footer_line,
    has_objectives,
    status_cell,
    status_text,
    with_objective,
)
from commands.deep_dive import DiveAction, DiveMeasure, ThemeDeepDive
from commands.rules import DEFAULT_SCHEME, LONDON, RagScheme, show_date


def deep_dive_paper(dive: ThemeDeepDive) -> Paper:
    """The deep dive as the writers lay it out; its CSV is the theme's actions."""
    actions = actions_section(dive)
    return Paper(
        title=dive.title,
        cover=cover_lines(dive),
        sections=(
            summary_section(dive),
            actions,
            updates_section(dive),
            measures_section(dive),
            reprofiles_section(dive),
            delegations_section(dive),
        ),
        table=actions,
        subject=f"{dive.plan_name}: {dive.theme_name} in {dive.quarter.label} ({dive.audience} version)",
        keywords=f"Police and Crime Plan; {dive.theme_name}; deep dive; {dive.quarter.label}; RAG",
        author=dive.author_role,
        comments=dive.purpose,
        footer=footer_line(dive.plan_name, dive.period, dive.author_role, dive.audience),
        category="Business Coordination Board and Police and Crime Panel paper",
    )


def cover_lines(dive: ThemeDeepDive) -> tuple[tuple[str, str], ...]:
    lines = [
        ("Plan", dive.plan_name),
        ("Theme", f"{dive.theme_code} {dive.theme_name} (SRO: {dive.sro_role})" if dive.sro_role else dive.theme_name),
        ("Period", dive.period),
        ("Author", dive.author_role),
        ("Date", show_date(dive.as_of)),
        ("Version", dive.audience.capitalize()),
        ("Basis", dive.basis),
        ("Purpose", dive.purpose),
        ("Recommendation", dive.recommendation),
    ]
    if dive.public:
        lines.append(("Withheld", f"Role titles only; {dive.withheld_sentence}."))
    return tuple(lines)


def summary_section(dive: ThemeDeepDive) -> Section:
    headers = ("Theme", "SRO", *(status_text(c.status, dive.scheme) for c in dive.counts), "Closed")
    row: tuple[Cell, ...] = (
        f"{dive.theme_code} {dive.theme_name}",
        dive.sro_role,
        *(CountCell(c.count, c.change) for c in dive.counts),
        dive.closed,
    )
    caption = (
        f"{dive.theme_name}: open actions by status, {dive.quarter.label} (change on {dive.quarter.previous().label})"
    )
    return Section("summary", "Summary", caption, headers, (row,))


def actions_headers(dive: ThemeDeepDive, objectives: bool = False) -> tuple[str, ...]:
    """The actions table's columns, with "Objective" after "Action" where the theme has objectives."""
    headers = (
        "Action",
        "Title",
        "Owner",
        "SRO",
        *(q.label for q in dive.quarters),
        "Direction of travel",
        "Commentary",
        "Due",
        "Re-profiled to",
        "Delegates",
    )
    return with_objective(headers, "Action", objectives)


def action_cells(line: DiveAction, scheme: RagScheme = DEFAULT_SCHEME, objectives: bool = False) -> tuple[Cell, ...]:
    row = line.row
    return (
        row.code,
        *((row.objective,) if objectives else ()),
        row.title,
        line.owner,
        line.sro_role,
        *(quarter_cell(q, scheme) for q in line.history),
        str(row.direction) if row.direction is not None else "",
        WITHHELD if line.withheld else row.reason,
        row.baseline_due,
        line.reprofile,
        line.delegates,
    )


def actions_section(dive: ThemeDeepDive) -> Section:
    first, last = dive.quarters[0].label, dive.quarters[-1].label
    objectives = has_objectives(line.row for line in dive.actions)
    return Section(
        "actions",
        "Actions",
        f"Every open action of the {dive.theme_name} theme: its status in each quarter from {first} to {last}",
        actions_headers(dive, objectives),
        tuple(action_cells(a, dive.scheme, objectives) for a in dive.actions),
        empty=f"{dive.theme_name} has no open actions.",
    )


def updates_section(dive: ThemeDeepDive) -> Section:
    rows = []
    for u in dive.updates:
        moment = u.at.replace(tzinfo=dt.UTC).astimezone(LONDON)
        rows.append(
            (
                u.action_code,
                moment.date(),
                f"{moment:%H:%M}",
                u.who,
                status_cell(u.status, dive.scheme),
                WITHHELD if u.withheld else u.reason,
                "Corrects the last update" if u.correction else "",
            )
        )
    return Section(
        "updates",
        "Updates this quarter",
        f"Every update of the {dive.theme_name} theme's actions in {dive.quarter.label}, oldest first: "
        "who, when, colour, reason",
        ("Action", "Date", "Time", "Who", "Status", "Reason", "Correction"),
        tuple(rows),
        empty=f"No action of the {dive.theme_name} theme was updated in {dive.quarter.label}.",
    )


def measures_section(dive: ThemeDeepDive) -> Section:
    rows = tuple(_measure(m) for m in dive.measures if any(v is not None for v in m.values))
    return Section(
        "measures",
        "Strategic measures",
        f"the {dive.theme_name} theme's strategic measures, {dive.quarters[0].label} to {dive.quarter.label}",
        ("Action", "Measure", *(q.label for q in dive.quarters), "Better or worse"),
        rows,
        empty=f"No values were recorded for the {dive.theme_name} theme's strategic measures in these quarters.",
    )


def reprofiles_section(dive: ThemeDeepDive) -> Section:
    rows = tuple((c.action_code, c.title, c.detail, c.approval, c.recorded_by, c.at.date()) for c in dive.changes)
    return Section(
        "reprofiles",
        "Re-profiles",
        f"Every re-profile of the {dive.theme_name} theme's actions to {dive.quarter.label}, "
        "with who approved it and where",
        ("Action", "Title", "Detail", "Approved by", "Recorded by", "Date"),
        rows,
        empty=f"No action of the {dive.theme_name} theme has been re-profiled.",
    )


def delegations_section(dive: ThemeDeepDive) -> Section:
    rows = tuple((d.action_code, d.delegate, d.named_on, d.named_by) for d in dive.delegations)
    return Section(
        "delegations",
        "Delegations",
        f"Delegates named for the {dive.theme_name} theme's actions (they may update the action as well as its owner)",
        ("Action", "Delegate", "Named on", "Named by"),
        rows,
        empty=f"No delegates are named for the {dive.theme_name} theme's actions.",
    )


def _measure(m: DiveMeasure) -> tuple[Cell, ...]:
    def value(v: float | None) -> str:
        return "" if v is None else f"{v:g}{m.unit if m.unit == '%' else ''}"

    return (m.action_code, m.name, *(value(v) for v in m.values), str(m.trend) if m.trend else "No comparison")
