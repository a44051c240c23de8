"""An in-depth report on one theme of the plan for one quarter, as plain frozen data.

Cambridgeshire's Business Coordination Board moved to "an in depth report concerning the delivery
of one of the themes of the Plan" at each meeting, and its Panel took Victims and Offenders deep
dives: every action of the theme, every update in the quarter (who, when, colour, reason), each
action's statuses over the last four quarters, the theme's strategic measures, and the re-profiles
and delegations behind its dates and names. Statuses and counts are the quarterly summary's (so the
deep dive and the summary cannot disagree), earlier quarters come from their frozen snapshots, and
the public version is filtered here, once: role titles only, restricted reasons withheld.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from commands.panel import EARLIEST, provisional_basis
from commands.periods import Quarter
from commands.publication import (
    AUTHOR_ROLE,
    NAME_WITHHELD,
    Publication,
    filtered_row,
    scrubber,
    unchanged,
    withheld_row,
)
from commands.quarterly import freeze_if_cut_off_passed, quarter_window, quarterly_summary
from commands.report_inputs import find_theme, load_plan_data
from commands.report_model import (
    ActionRow,
    ApprovedChange,
    ColourCount,
    MeasureRow,
    MeasureTrend,
    QuarterStatus,
    Standing,
)
from commands.rules import DEFAULT_SCHEME, RagScheme, london_date, show_date
from storage.repository import PlanRepository

ADMIN_ROLE = "OPCC (plan administrator)"
QUARTERS_SHOWN = 4


@dataclass(frozen=True)
class DiveUpdate:
    """One update in the quarter: ``who`` is the author's name and role internally, the role alone
    in public; ``withheld`` marks a restricted reason left out of the public version."""

    action_code: str
    at: dt.datetime
    who: str
    status: str
    reason: str
    withheld: bool
    correction: bool


@dataclass(frozen=True)
class DiveAction:
    """One action of the theme: ``row`` is its quarterly-summary row, ``history`` its status in each
    of the last four quarters (oldest first), ``reprofile`` its latest re-profile with the approval."""

    row: ActionRow
    owner: str
    sro_role: str
    history: tuple[QuarterStatus, ...]
    reprofile: str
    delegates: int
    withheld: bool


@dataclass(frozen=True)
class DiveMeasure:
    """A measure of the theme's actions in each of the four quarters (``None``: none recorded), and
    better or worse this quarter against last, as the quarterly summary says."""

    action_code: str
    name: str
    unit: str
    values: tuple[float | None, ...]
    trend: MeasureTrend | None


@dataclass(frozen=True)
class Delegation:
    """A delegate named for one of the theme's actions: the name and who named them internally,
    neither in public (a delegate holds no role title to show instead)."""

    action_code: str
    delegate: str
    named_on: dt.date
    named_by: str


@dataclass(frozen=True)
class ThemeDeepDive(Publication):
    """Everything the deep dive prints, in the order it is read."""

    title: str
    plan_name: str
    theme_code: str
    theme_name: str
    sro_role: str
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
    counts: tuple[ColourCount, ...]
    closed: int
    quarters: tuple[Quarter, ...]
    actions: tuple[DiveAction, ...]
    updates: tuple[DiveUpdate, ...]
    measures: tuple[DiveMeasure, ...]
    changes: tuple[ApprovedChange, ...]
    delegations: tuple[Delegation, ...]
    kind: str = "deep dive"
    scheme: RagScheme = DEFAULT_SCHEME
    """The plan's colour key: the words its statuses are printed in, and the key the paper ends with."""

    @property
    def basis(self) -> str:
        if self.provisional:
            return provisional_basis(self.as_of, self.cut_off)
        return (
            f"Statuses frozen at the cut-off, {show_date(self.cut_off)}; earlier quarters from their frozen snapshots."
        )


def build_deep_dive(
    repo: PlanRepository,
    theme_text: str,
    quarter: Quarter,
    now: dt.datetime,
    public: bool,
    scheme: RagScheme = DEFAULT_SCHEME,
) -> ThemeDeepDive:
    """The deep dive into the theme named ``theme_text`` (code or name, any case) for ``quarter``.

    Freezes the quarter and the three before it when their cut-offs have passed, like the summary.

    Raises:
        UnknownTheme: the plan has no such theme (the message suggests near misses).
        UserError: no plan is loaded, or the quarter ended before the plan began.
    """
    data = load_plan_data(repo)
    theme = find_theme(data, theme_text)
    summary = quarterly_summary(repo, quarter, now, scheme)
    block = next(b for b in summary.themes if b.code == theme.code)
    codes = {row.code for row in block.rows}
    facts = {a.code: a for a in data.actions if a.code in codes}
    ids = {a.id: a.code for a in facts.values()}
    shown = _last_quarters(quarter)
    standing = {}
    for q in shown[:-1]:
        if q.end < data.plan.period_start:
            standing[q] = Standing.BEFORE_PLAN
        else:
            standing[q] = Standing.FROZEN if freeze_if_cut_off_passed(repo, q, now) else Standing.NOT_FROZEN
    standing[quarter] = Standing.PROVISIONAL if summary.provisional else Standing.FROZEN
    frozen = repo.quarter_statuses(data.plan_id, [q.key for q, s in standing.items() if s is Standing.FROZEN])

    plan_actions = [a for a in repo.actions(data.plan_id) if a.code in codes]
    roles = repo.roles({a.sro_role_id for a in plan_actions})
    sro = {a.code: roles[a.sro_role_id].title for a in plan_actions if a.sro_role_id in roles}
    owner_roles = {a.code: a.owner_role_id for a in plan_actions}
    sro_ids = {a.code: a.sro_role_id for a in plan_actions}
    holders = repo.holders({*owner_roles.values(), *sro_ids.values()})
    everyone = repo.everyone()
    scrub = scrubber(p.name for p in everyone) if public else unchanged
    names = {p.id: p.name or p.email for p in everyone}
    delegations = repo.delegations(ids)
    delegate_ids = {(d.action_id, d.person_id) for d, _ in delegations}
    window_start, window_end = quarter_window(quarter, now)
    reprofiles = [r for r in repo.reprofiles(data.plan_id, EARLIEST, window_end) if r.action_id in ids]
    latest = {r.action_id: r for r in reprofiles}

    def history(code: str, status: str | None) -> tuple[QuarterStatus, ...]:
        action_id = facts[code].id
        out = []
        for q in shown:
            if q == quarter:
                out.append(QuarterStatus(q, standing[q], status))
            elif standing[q] is Standing.FROZEN:
                out.append(QuarterStatus(q, Standing.FROZEN, frozen[q.key].get(action_id)))
            else:
                out.append(QuarterStatus(q, standing[q]))
        return tuple(out)

    actions = []
    for row in block.rows:
        action = facts[row.code]
        held = "" if public else ", ".join(p.name for p in holders.get(action.owner_role_id, []) if p.name)
        change = latest.get(action.id)
        actions.append(
            DiveAction(
                row=filtered_row(row, public, scrub),
                owner=f"{row.owner_role} ({held})" if held else row.owner_role,
                sro_role=sro.get(row.code, ""),
                history=history(row.code, row.status),
                reprofile=(
                    f"{show_date(change.new_due)} (was {show_date(change.old_due)}; approved: {scrub(change.approval)})"
                    if change is not None
                    else ""
                ),
                delegates=sum(1 for d, _ in delegations if d.action_id == action.id),
                withheld=withheld_row(row, public),
            )
        )

    def who(action_id: int, author_id: int, on_behalf: bool) -> str:
        code = ids[action_id]
        owner = data.role(owner_roles[code])
        holds = {p.id for p in holders.get(owner_roles[code], [])}
        if on_behalf:
            role = f"{ADMIN_ROLE}, on behalf of the {owner}"
        elif author_id in holds:
            role = owner
        elif author_id in {p.id for p in holders.get(sro_ids[code], [])}:
            role = f"{sro.get(code, '')} (SRO)"
        elif (action_id, author_id) in delegate_ids:
            role = f"Delegate for {code}"
        else:
            role = ADMIN_ROLE
        return role if public else f"{names.get(author_id, '')}, {role}"

    updates = tuple(
        DiveUpdate(
            action_code=ids[u.action_id],
            at=u.created_at,
            who=who(u.action_id, u.author_id, u.on_behalf),
            status=u.status,
            reason="" if public and u.restricted else scrub(u.reason),
            withheld=public and u.restricted and bool(u.reason),
            correction=u.corrects_id is not None,
        )
        for u in repo.updates_of(ids, window_start, window_end)
        if u.id is not None
    )
    values = repo.measure_values([q.key for q in shown])
    rows_now: dict[tuple[str, str], MeasureRow] = {(m.action_code, m.name): m for m in summary.measures}
    measures = tuple(
        DiveMeasure(
            m.action_code,
            m.name,
            m.unit,
            tuple(values.get((m.id, q.key)) for q in shown),
            rows_now[(m.action_code, m.name)].trend if (m.action_code, m.name) in rows_now else None,
        )
        for m in data.structure.measures
        if m.action_code in codes
    )

    def recorder(email: str) -> str:
        if public:
            return ADMIN_ROLE
        return next((p.name for p in everyone if p.email.lower() == email.lower() and p.name), email)

    changes = tuple(
        ApprovedChange(
            ids[r.action_id],
            scrub(facts[ids[r.action_id]].title),
            "re-profiled",
            f"due {show_date(r.old_due)} → {show_date(r.new_due)}",
            scrub(r.approval),
            recorder(r.approved_by),
            r.created_at,
        )
        for r in reprofiles
    )
    delegation_lines = tuple(
        Delegation(
            ids[d.action_id],
            NAME_WITHHELD if public else person.name or person.email,
            london_date(d.created_at),
            "" if public or d.added_by_id is None else names.get(d.added_by_id, ""),
        )
        for d, person in delegations
    )
    withheld_at = {(a.row.code, a.row.updated_at) for a in actions if a.withheld}
    withheld_at |= {(u.action_code, u.at) for u in updates if u.withheld}
    return ThemeDeepDive(
        scheme=scheme,
        title=f"Delivery of the Police and Crime Plan: {theme.name} in depth, {quarter.label}",
        plan_name=data.plan.name,
        theme_code=theme.code,
        theme_name=theme.name,
        sro_role=block.sro_role,
        quarter=quarter,
        period=f"{quarter.label} ({quarter.months})",
        as_of=london_date(now),
        cut_off=summary.cut_off,
        provisional=summary.provisional,
        author_role=AUTHOR_ROLE,
        purpose=(
            f"To give the Board and the Police and Crime Panel an in-depth report on delivering the {theme.name} "
            f"theme of the {data.plan.name} in {quarter.label}: every action, every update in the quarter, the "
            "theme's strategic measures, and the changes to its actions."
        ),
        recommendation=(
            f"The Board and the Panel are invited to note the progress of the {theme.name} theme in {quarter.label} "
            "and to review the action being taken where its actions are off track."
        ),
        public=public,
        withheld=len(withheld_at),
        counts=block.counts,
        closed=block.closed,
        quarters=shown,
        actions=tuple(actions),
        updates=updates,
        measures=measures,
        changes=changes,
        delegations=delegation_lines,
        kind=f"{theme.name} deep dive",
    )


def _last_quarters(quarter: Quarter) -> tuple[Quarter, ...]:
    """The quarter and the three before it, oldest first."""
    found = [quarter]
    while len(found) < QUARTERS_SHOWN:
        found.insert(0, found[0].previous())
    return tuple(found)
