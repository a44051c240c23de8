"""The Commissioner's annual report on delivering the Police and Crime Plan, as plain frozen data.

Section 12 of the Police Reform and Social Responsibility Act 2011 makes the PCC report on each
financial year's progress against the plan, and the Panel reviews the report in public (usually in
June or July, with the year's Q4). It is built from the year's frozen quarterly summaries and
nothing else: a quarter whose cut-off has not passed is said to be not frozen, never filled in, and
the year end is the latest frozen quarter. So every count, status and completion in it is one a
board already saw in a quarterly summary. The public version is filtered here, once, as the
quarterly appendix is (``commands.publication``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from commands.errors import UserError
from commands.measures import measure_trend as trend
from commands.periods import YEAR_USAGE, Quarter, cut_off, year_label, year_quarters
from commands.publication import (
    AUTHOR_ROLE,
    Publication,
    Scrub,
    filtered_row,
    scrubber,
    unchanged,
    withheld_row,
)
from commands.quarterly import quarter_window, quarter_window_end, quarterly_summary
from commands.report_inputs import PlanData, colour_counts, load_plan_data
from commands.report_model import (
    ActionRow,
    ApprovedChange,
    ColourCount,
    ExceptionItem,
    MeasureTrend,
    QuarterlySummary,
    QuarterStatus,
    Standing,
)
from commands.rules import DEFAULT_SCHEME, Direction, RagScheme, is_open, london_date, show_date
from storage.repository import PlanRepository

ADMIN_ROLE = "OPCC (plan administrator)"


@dataclass(frozen=True)
class YearQuarter:
    """One quarter of the year as the report rests on it: frozen (with the quarterly summary's
    whole-plan counts and how many completions, exceptions and changes it had), not frozen yet,
    or before the plan began (then the counts are empty)."""

    quarter: Quarter
    standing: Standing
    cut_off: dt.date
    totals: tuple[ColourCount, ...] = ()
    completed: int = 0
    exceptions: int = 0
    changes: int = 0

    @property
    def note(self) -> str:
        """ "Frozen at its cut-off, 15 Jan 2019" / "Not frozen: its cut-off, 12 Apr 2019, has not passed"."""
        cut = show_date(self.cut_off)
        if self.standing is Standing.FROZEN:
            return f"Frozen at its cut-off, {cut}"
        if self.standing is Standing.BEFORE_PLAN:
            return "Before the plan began"
        return f"Not frozen: its cut-off, {cut}, has not passed"


@dataclass(frozen=True)
class AnnualAction:
    """An open action over the year: ``row`` as at the year end (the latest frozen quarter),
    ``start`` its status frozen at the end of the year before, ``quarters`` the year's four, and
    ``direction`` the travel from start to end (``None`` while it has never been reported)."""

    row: ActionRow
    owner: str
    sro_role: str
    start: str | None
    quarters: tuple[QuarterStatus, ...]
    direction: Direction | None
    withheld: bool


@dataclass(frozen=True)
class ThemeYear:
    """A theme's open actions by status at the year end, with the change since the start of the
    year, and how many of its actions were completed, re-profiled and closed in the year."""

    code: str
    name: str
    sro_role: str
    counts: tuple[ColourCount, ...]
    completed: int
    reprofiled: int
    closed: int


@dataclass(frozen=True)
class Completion:
    """An action completed in the year: its row in the quarter it was reported complete; the
    row's commentary is the outcome its lead reported."""

    row: ActionRow
    quarter: Quarter
    withheld: bool


@dataclass(frozen=True)
class YearMeasure:
    """A strategic measure's value in each frozen quarter of the year (``None``: none recorded, or
    the quarter is not frozen), and the latest compared with ``baseline``: the same quarter of the
    year before when it was recorded, else the year's first value (``compared_with`` names which)."""

    action_code: str
    name: str
    unit: str
    values: tuple[float | None, ...]
    latest: float | None
    baseline: float | None
    compared_with: str
    trend: MeasureTrend | None


@dataclass(frozen=True)
class AnnualReport(Publication):
    """Everything the annual report prints, in the order it is read."""

    title: str
    plan_name: str
    year: int
    period: str
    as_of: dt.date
    author_role: str
    purpose: str
    recommendation: str
    basis: str
    public: bool
    withheld: int
    quarters: tuple[YearQuarter, ...]
    end_quarter: Quarter
    start_quarter: Quarter
    themes: tuple[ThemeYear, ...]
    totals: tuple[ColourCount, ...]
    actions: tuple[AnnualAction, ...]
    completed: tuple[Completion, ...]
    measures: tuple[YearMeasure, ...]
    changes: tuple[ApprovedChange, ...]
    carried: tuple[ExceptionItem, ...]
    carried_note: str
    kind: str = "annual report"
    scheme: RagScheme = DEFAULT_SCHEME
    """The plan's colour key: the words its statuses are printed in, and the key the paper ends with."""

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    @property
    def complete(self) -> bool:
        """Whether all four quarters are frozen, so the year end is the year's Q4."""
        return all(q.standing is Standing.FROZEN for q in self.quarters)


def standings(data: PlanData, year: int, now: dt.datetime) -> dict[Quarter, Standing]:
    """Each quarter of the year: before the plan began, frozen (its cut-off has passed), or not yet."""
    today = london_date(now)
    return {
        q: Standing.BEFORE_PLAN
        if q.end < data.plan.period_start
        else Standing.FROZEN
        if today > cut_off(q)
        else Standing.NOT_FROZEN
        for q in year_quarters(year)
    }


def check_year(repo: PlanRepository, year: int, now: dt.datetime) -> None:
    """Refuse a year with no frozen quarter before anything is built or written.

    Raises:
        UserError: no plan is loaded, the year ended before the plan began, or none of its
            quarters is frozen yet.
    """
    data = load_plan_data(repo)
    found = standings(data, year, now)
    label = year_label(year)
    if all(s is Standing.BEFORE_PLAN for s in found.values()):
        first = Quarter.containing(data.plan.period_start).year
        raise UserError(
            f"{label} ended before the plan began ({show_date(data.plan.period_start)}), so it has no annual "
            f"report; the plan's first year is {year_label(first)}.",
            YEAR_USAGE,
        )
    if Standing.FROZEN not in found.values():
        first_open = next(q for q, s in found.items() if s is Standing.NOT_FROZEN)
        raise UserError(
            f"No quarter of {label} is frozen yet, and the annual report is built only from frozen quarters: "
            f"{first_open.label} freezes after its cut-off, {show_date(cut_off(first_open))}.",
            YEAR_USAGE,
        )


def build_annual(
    repo: PlanRepository, year: int, now: dt.datetime, public: bool, scheme: RagScheme = DEFAULT_SCHEME
) -> AnnualReport:
    """The annual report for the financial year starting in April ``year``, as at ``now``.

    Freezes each of the year's quarters whose cut-off has passed, like the quarterly summary.

    Raises:
        UserError: no plan is loaded, or the year has no frozen quarter (``check_year``).
    """
    check_year(repo, year, now)
    data = load_plan_data(repo)
    found = standings(data, year, now)
    frozen = [q for q, s in found.items() if s is Standing.FROZEN]
    summaries = {q: quarterly_summary(repo, q, now, scheme) for q in frozen}
    first, last = frozen[0], frozen[-1]
    end = summaries[last]
    rows_by_quarter = {q: {r.code: r for b in s.themes for r in b.rows} for q, s in summaries.items()}
    start = {code: row.previous for code, row in rows_by_quarter[first].items()}
    everyone = repo.everyone()
    scrub = scrubber(p.name for p in everyone) if public else unchanged
    by_code = {a.code: a for a in data.actions}
    holders = repo.holders({a.owner_role_id for a in data.actions})
    plan_actions = repo.actions(data.plan_id)
    roles = repo.roles({a.sro_role_id for a in plan_actions})
    sro_roles = {a.code: roles[a.sro_role_id].title for a in plan_actions if a.sro_role_id in roles}

    actions: list[AnnualAction] = []
    for row in (r for b in end.themes for r in b.rows):
        facts = by_code[row.code]
        names = "" if public else ", ".join(p.name for p in holders.get(facts.owner_role_id, []) if p.name)
        was = start.get(row.code)
        actions.append(
            AnnualAction(
                row=filtered_row(row, public, scrub),
                owner=f"{row.owner_role} ({names})" if names else row.owner_role,
                sro_role=sro_roles.get(row.code, ""),
                start=was,
                quarters=tuple(_quarter_status(q, found[q], rows_by_quarter, row.code) for q in year_quarters(year)),
                direction=scheme.direction(was, row.status) if row.status is not None else None,
                withheld=withheld_row(row, public),
            )
        )
    completed = tuple(
        Completion(filtered_row(row, public, scrub), q, withheld_row(row, public))
        for q in frozen
        for row in summaries[q].completed
    )
    since, before = quarter_window(first, now)[0], quarter_window_end(last, now)
    changes = _changes(repo, data, since, before, {p.email.lower(): p.name for p in everyone}, public, scrub)
    theme_of = {a.code: data.theme_code(a) for a in data.actions}

    def changed(kind: str, theme: str) -> int:
        return sum(1 for c in changes if c.change == kind and theme_of.get(c.action_code) == theme)

    themes = tuple(
        ThemeYear(
            code=block.code,
            name=block.name,
            sro_role=block.sro_role,
            counts=colour_counts((r.status for r in block.rows), [start.get(r.code) for r in block.rows], scheme),
            completed=sum(1 for c in completed if c.row.theme_code == block.code),
            reprofiled=changed("re-profiled", block.code),
            closed=changed("closed", block.code),
        )
        for block in end.themes
    )
    all_rows = [r for b in end.themes for r in b.rows]
    totals = colour_counts((r.status for r in all_rows), [start.get(r.code) for r in all_rows], scheme)
    carried = tuple(ExceptionItem(filtered_row(i.row, public, scrub), i.kinds) for i in end.exceptions)
    withheld_rows = [a.row for a in actions if a.withheld] + [c.row for c in completed if c.withheld]
    label = year_label(year)
    return AnnualReport(
        scheme=scheme,
        title=f"Delivery of the Police and Crime Plan: annual report, {label}",
        plan_name=data.plan.name,
        year=year,
        period=f"{label} (April {year}–March {year + 1})",
        as_of=london_date(now),
        author_role=AUTHOR_ROLE,
        purpose=(
            f"To report to the Police and Crime Panel on progress in delivering the actions of the {data.plan.name} "
            f"in {label}, as section 12 of the Police Reform and Social Responsibility Act 2011 requires."
        ),
        recommendation=(
            f"The Panel is invited to review the progress made in {label} and the exceptions carried into "
            f"{year_label(year + 1)}, and to make any report or recommendations on it to the Commissioner."
        ),
        basis=_basis(found, last),
        public=public,
        withheld=len({(r.code, r.updated_at) for r in withheld_rows}),
        quarters=tuple(_year_quarter(q, found[q], summaries.get(q)) for q in year_quarters(year)),
        end_quarter=last,
        start_quarter=first.previous(),
        themes=themes,
        totals=totals,
        actions=tuple(actions),
        completed=completed,
        measures=_measures(repo, data, year, frozen),
        changes=changes,
        carried=carried,
        carried_note=(
            f"Exceptions at the end of {label}, carried into {year_label(year + 1)}"
            if last.number == 4
            else f"Exceptions as at {last.label}, the latest frozen quarter of {label}"
        ),
    )


def _quarter_status(
    quarter: Quarter, standing: Standing, rows: dict[Quarter, dict[str, ActionRow]], code: str
) -> QuarterStatus:
    if standing is not Standing.FROZEN:
        return QuarterStatus(quarter, standing)
    row = rows[quarter].get(code)
    return QuarterStatus(quarter, standing, row.status if row is not None else None)


def _year_quarter(quarter: Quarter, standing: Standing, summary: QuarterlySummary | None) -> YearQuarter:
    if summary is None:
        return YearQuarter(quarter, standing, cut_off(quarter))
    return YearQuarter(
        quarter,
        standing,
        summary.cut_off,
        summary.totals,
        len(summary.completed),
        len(summary.exceptions),
        len(summary.changes),
    )


def _basis(found: dict[Quarter, Standing], last: Quarter) -> str:
    """Which quarters the report rests on, and what it says instead of inventing the others."""
    frozen = [q.label for q, s in found.items() if s is Standing.FROZEN]
    missing = [q for q, s in found.items() if s is Standing.NOT_FROZEN]
    before = [q.label for q, s in found.items() if s is Standing.BEFORE_PLAN]
    text = f"Built from the quarterly snapshots frozen at each cut-off: {', '.join(frozen)}."
    if missing:
        waiting = ", ".join(f"{q.label} (cut-off {show_date(cut_off(q))})" for q in missing)
        text += (
            f" Not frozen yet, so not reported: {waiting}. The year end shown is {last.label}, the latest frozen "
            "quarter; this is not the final annual report."
        )
    if before:
        text += f" Before the plan began: {', '.join(before)}."
    return text


def _changes(
    repo: PlanRepository,
    data: PlanData,
    since: dt.datetime,
    before: dt.datetime,
    names: dict[str, str],
    public: bool,
    scrub: Scrub,
) -> tuple[ApprovedChange, ...]:
    """Re-profiles and closures approved in ``[since, before)``, with the approval and who recorded it."""
    by_id = data.actions_by_id

    def recorder(email: str) -> str:
        return ADMIN_ROLE if public else names.get(email.lower()) or email

    found = [
        ApprovedChange(
            by_id[r.action_id].code,
            scrub(by_id[r.action_id].title),
            "re-profiled",
            f"due {show_date(r.old_due)} → {show_date(r.new_due)}",
            scrub(r.approval),
            recorder(r.approved_by),
            r.created_at,
        )
        for r in repo.reprofiles(data.plan_id, since, before)
        if r.action_id in by_id
    ]
    closers = {e.entity_key: e.actor for e in repo.audit_entries("action", "close", since, before)}
    found += [
        ApprovedChange(
            a.code, scrub(a.title), "closed", "", scrub(a.state_approval or ""), recorder(closers.get(a.code, "")), at
        )
        for a in data.actions
        if not is_open(a.state) and (at := a.state_changed_at) is not None and since <= at < before
    ]
    return tuple(sorted(found, key=lambda c: c.at))


def _measures(repo: PlanRepository, data: PlanData, year: int, frozen: Sequence[Quarter]) -> tuple[YearMeasure, ...]:
    """Each measure over the year's frozen quarters, the latest compared year on year where it can be."""
    quarters = year_quarters(year)
    earlier = year_quarters(year - 1)
    values = repo.measure_values([q.key for q in (*quarters, *earlier)])
    out = []
    for m in data.structure.measures:
        shown = tuple(values.get((m.id, q.key)) if q in frozen else None for q in quarters)
        known = [i for i, v in enumerate(shown) if v is not None]
        latest = shown[known[-1]] if known else None
        baseline, compared = None, ""
        if known:
            last_year = values.get((m.id, earlier[known[-1]].key))
            if last_year is not None:
                baseline, compared = last_year, earlier[known[-1]].label
            elif len(known) > 1:
                baseline, compared = shown[known[0]], quarters[known[0]].label
        out.append(
            YearMeasure(
                m.action_code, m.name, m.unit, shown, latest, baseline, compared, trend(m.polarity, baseline, latest)
            )
        )
    return tuple(out)
