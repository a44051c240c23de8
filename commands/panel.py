"""The Panel's "Actions to Deliver the Police and Crime Plan" appendix as plain frozen data.

Built from the quarterly summary (so counts, direction of travel, exceptions and changes are the
same ones boards saw in Slack) plus what only the appendix prints: each action's SRO role, its
latest re-profile with the approval, and a cover. The public version is filtered here, once, so
no writer can leak: role titles only, commentary an owner marked restricted left out and counted,
and any email address or plan person's name that was typed into free text replaced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from commands.periods import Quarter, cut_off
from commands.permissions import lead_roles
from commands.priority import priority_sentence
from commands.publication import (
    AUTHOR_ROLE,
    EMAIL_WITHHELD,
    NAME_WITHHELD,
    Publication,
    Scrub,
    scrubber,
    unchanged,
    withheld_row,
)
from commands.publication import filtered_row as _filtered
from commands.quarterly import quarter_window_end, quarterly_summary
from commands.report_inputs import london_start
from commands.report_model import (
    ActionRow,
    ColourCount,
    ExceptionItem,
    MeasureRow,
    PlanChange,
    QuarterlySummary,
    ThemeBlock,
)
from commands.rules import DEFAULT_SCHEME, RagScheme, london_date, show_date
from storage.models import Action
from storage.repository import PlanRepository

__all__ = ["AUTHOR_ROLE", "EMAIL_WITHHELD", "EXPORT_FORMATS", "NAME_WITHHELD", "PanelOrder", "PanelReport"]

EXPORT_FORMATS = ("docx", "xlsx", "csv", "html", "md")
EARLIEST = dt.datetime(1900, 1, 1)


QUARTERLY, ANNUAL, THEME = "quarterly", "annual", "theme"


@dataclass(frozen=True)
class PanelOrder:
    """A request for a Panel document, checked but not yet built (building can take a few seconds).

    ``report`` is which document: the quarterly appendix, the annual report for the financial
    year ending with ``quarter`` (its Q4), or the deep dive into ``theme`` for ``quarter``.
    ``public`` is the version the asker may have (``commands.panel_orders``); ``note`` says why it
    is not the one they asked for, when it is not."""

    quarter: Quarter
    fmt: str
    public: bool
    note: str = ""
    report: str = QUARTERLY
    theme: str = ""

    @property
    def subject(self) -> str:
        """What the document covers, as the asker hears it: "2018/19 Q3", "2018/19", "Victims, 2018/19 Q3"."""
        if self.report == ANNUAL:
            return self.quarter.financial_year
        if self.report == THEME:
            return f"{self.theme}, {self.quarter.label}"
        return self.quarter.label

    @property
    def document(self) -> str:
        """ "Panel report", "annual report", "deep dive into Victims"."""
        if self.report == ANNUAL:
            return "annual report"
        if self.report == THEME:
            return f"deep dive into {self.theme}"
        return "Panel report"


@dataclass(frozen=True)
class PanelAction:
    """One line of the actions table: the quarterly row plus the SRO role and the latest re-profile.

    ``owner`` is the owner's role title, followed by the holders' names in the internal version.
    ``withheld`` marks restricted commentary removed from the public version (``row.reason`` is then "").
    """

    row: ActionRow
    owner: str
    sro_role: str
    reprofile: str
    withheld: bool


@dataclass(frozen=True)
class PanelReport(Publication):
    """Everything the appendix prints, in the order a Panel paper takes it (domain brief §7)."""

    title: str
    plan_name: str
    quarter: Quarter
    period: str
    as_of: dt.date
    cut_off: dt.date
    provisional: bool
    author_role: str
    purpose: str
    recommendation: str
    public: bool
    withheld: int
    themes: tuple[ThemeBlock, ...]
    totals: tuple[ColourCount, ...]
    actions: tuple[PanelAction, ...]
    exceptions: tuple[ExceptionItem, ...]
    completed: tuple[ActionRow, ...]
    next_quarter: tuple[ActionRow, ...]
    changes: tuple[PlanChange, ...]
    measures: tuple[MeasureRow, ...]
    kind: str = "Panel report"
    priority: str = ""
    """ "7 priority actions; V9 is the only Red one." (empty when the plan flags no priority action)."""
    scheme: RagScheme = DEFAULT_SCHEME
    """The plan's colour key: the words its statuses are printed in, and the key the paper ends with."""

    @property
    def basis(self) -> str:
        """Whether the statuses can still move: the Panel must know a provisional paper from a frozen one."""
        if self.provisional:
            return provisional_basis(self.as_of, self.cut_off)
        return (
            f"Statuses frozen at the cut-off, {show_date(self.cut_off)}, compared with {self.quarter.previous().label}."
        )


def provisional_basis(as_of: dt.date, cut_off: dt.date) -> str:
    """What a paper whose statuses can still move says of them (the appendix, a deep dive)."""
    return f"Provisional: statuses as reported by {show_date(as_of)}; the cut-off is {show_date(cut_off)}."


def build_panel(
    repo: PlanRepository, quarter: Quarter, now: dt.datetime, public: bool, scheme: RagScheme = DEFAULT_SCHEME
) -> PanelReport:
    """The appendix for ``quarter`` as at ``now``; ``public`` applies the publication filter.

    Freezes the quarter (and the one before) when its cut-off has passed, like the quarterly summary.

    Raises:
        UserError: no plan is loaded.
    """
    summary = quarterly_summary(repo, quarter, now, scheme)
    plan = repo.current_plan()
    assert plan is not None and plan.id is not None  # quarterly_summary raised otherwise
    actions = {a.code: a for a in repo.actions(plan.id)}
    roles = {r_id: r.title for r_id, r in repo.roles({a.sro_role_id for a in actions.values()}).items()}
    leads = {a.code: lead_roles(a) for a in actions.values()}
    holders = repo.holders({role for ids in leads.values() for role in ids} | set(roles))
    # The latest re-profile as the paper stands: one made after the cut-off belongs to the next quarter's.
    latest = {r.action_id: r for r in repo.reprofiles(plan.id, EARLIEST, quarter_window_end(quarter, now))}
    people = [p.name for found in holders.values() for p in found] + [p.name for p in repo.admins()]
    scrub = scrubber(people) if public else unchanged
    lines: list[PanelAction] = []
    for row in (r for block in summary.themes for r in block.rows):
        action = actions[row.code]
        names = "" if public else ", ".join(p.name for role in leads[row.code] for p in holders[role] if p.name)
        change = latest.get(action.id) if action.id is not None else None
        lines.append(
            PanelAction(
                row=_filtered(row, public, scrub),
                owner=f"{row.owner_role} ({names})" if names else row.owner_role,
                sro_role=roles.get(action.sro_role_id, ""),
                reprofile=(
                    f"{show_date(change.new_due)} (was {show_date(change.old_due)}; approved: {scrub(change.approval)})"
                    if change is not None
                    else ""
                ),
                withheld=withheld_row(row, public),
            )
        )
    return PanelReport(
        scheme=scheme,
        title=f"Delivery of the Police and Crime Plan: quarterly report, {quarter.label}",
        plan_name=plan.name,
        quarter=quarter,
        period=f"{quarter.label} ({quarter.months})",
        as_of=london_date(now),
        cut_off=summary.cut_off,
        provisional=summary.provisional,
        author_role=AUTHOR_ROLE,
        purpose=(
            f"To update the Police and Crime Panel on progress in delivering the actions of the {plan.name} "
            f"in {quarter.label}, by exception where an action is off track."
        ),
        recommendation=(
            f"The Panel is invited to note the progress made in {quarter.label} and the exceptions reported, "
            "and to review the action being taken on them."
        ),
        public=public,
        withheld=sum(line.withheld for line in lines),
        themes=summary.themes if not public else _public_blocks(summary, scrub),
        totals=summary.totals,
        actions=tuple(lines),
        exceptions=tuple(ExceptionItem(_filtered(i.row, public, scrub), i.kinds) for i in summary.exceptions),
        completed=tuple(_filtered(row, public, scrub) for row in summary.completed),
        next_quarter=tuple(_filtered(row, public, scrub) for row in summary.next_quarter),
        changes=tuple(
            replace(change, title=scrub(change.title), approval=scrub(change.approval), detail=scrub(change.detail))
            for change in sorted((*summary.changes, *_added(repo, actions, quarter, now)), key=lambda c: c.at)
        ),
        measures=summary.measures,
        priority=priority_sentence([row for block in summary.themes for row in block.rows], scheme),
    )


def _added(repo: PlanRepository, actions: dict[str, Action], quarter: Quarter, now: dt.datetime) -> list[PlanChange]:
    """Actions a plan import added in the quarter's window (the audit log is where that is recorded)."""
    since = london_start(cut_off(quarter.previous()) + dt.timedelta(days=1))
    entries = repo.audit_entries("action", "add", since, quarter_window_end(quarter, now))
    return [
        PlanChange(entry.entity_key, actions[entry.entity_key].title, "new", "added to the plan", "", entry.at)
        for entry in entries
        if entry.entity_key in actions
    ]


def _public_blocks(summary: QuarterlySummary, scrub: Scrub) -> tuple[ThemeBlock, ...]:
    return tuple(replace(b, rows=tuple(_filtered(r, True, scrub) for r in b.rows)) for b in summary.themes)
