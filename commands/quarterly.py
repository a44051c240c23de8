"""The quarterly summary for boards and the Panel, built on frozen quarter snapshots.

Once a quarter's cut-off (default 10 working days after quarter end) has passed, each action's
status at the cut-off is written to ``QuarterSnapshot`` once and never changed, so a published
summary does not move under the Panel's feet; updates after the cut-off count towards the next
quarter. Before the cut-off the summary is computed live and marked provisional. A quarter's
window of updates runs from the day after the previous quarter's cut-off to its own cut-off.
"""

from __future__ import annotations

import datetime as dt

from commands.errors import UserError
from commands.measures import measure_rows
from commands.periods import Quarter, cut_off
from commands.report_inputs import (
    PlanData,
    action_row,
    load_plan_data,
    london_start,
    theme_blocks,
    total_counts,
    up_to,
    worst_status,
)
from commands.report_model import (
    ActionRow,
    ExceptionItem,
    ExceptionKind,
    PlanChange,
    QuarterlySummary,
)
from commands.rules import DEFAULT_SCHEME, Direction, RagScheme, is_open, london_date, show_date
from storage.repository import PlanRepository, SnapshotRow

CUT_OFF_WORKING_DAYS = 10


def freeze_if_cut_off_passed(
    repo: PlanRepository, quarter: Quarter, now: dt.datetime, working_days: int = CUT_OFF_WORKING_DAYS
) -> bool:
    """Write the quarter's snapshot once its cut-off has passed; existing snapshot rows are never changed.

    Returns:
        True when the quarter is frozen (now or earlier), False while its cut-off has not passed.

    Raises:
        UserError: no plan is loaded.
    """
    data = load_plan_data(repo)
    if not _cut_off_passed(quarter, now, working_days):
        return False
    _freeze(repo, data, quarter, now, working_days)
    return True


def quarterly_summary(
    repo: PlanRepository,
    quarter: Quarter,
    now: dt.datetime,
    scheme: RagScheme = DEFAULT_SCHEME,
    working_days: int = CUT_OFF_WORKING_DAYS,
) -> QuarterlySummary:
    """Counts by colour with the change on last quarter, direction of travel per action, exceptions,
    completions, progress, next quarter's due actions, strategic measures and changes to the plan.

    Freezes this quarter and the previous one when their cut-offs have passed (so the caller's unit
    of work must commit for the snapshot to be kept). A frozen quarter is read from its snapshot
    alone; a provisional one from each action's newest update so far.

    Raises:
        UserError: no plan is loaded, or ``quarter`` ended before the plan began (nothing is frozen:
            a report of a quarter the plan never covered would only be a snapshot of nothing).
    """
    data = load_plan_data(repo)
    if quarter.end < data.plan.period_start:
        raise UserError(
            f"{quarter.label} ended before the plan began ({show_date(data.plan.period_start)}), so it has "
            f"no report; the first quarter is {Quarter.containing(data.plan.period_start).label}."
        )
    previous_quarter = quarter.previous()
    window_start, window_end = quarter_window(quarter, now, working_days)
    frozen = _cut_off_passed(quarter, now, working_days)
    last_frozen = _cut_off_passed(previous_quarter, now, working_days)
    live = {} if frozen and last_frozen else repo.window_updates(data.plan_id, since=window_start, before=window_end)
    if frozen:
        snapshot = _frozen_snapshot(repo, data, quarter, now, working_days)
        this = {action_id: row.update for action_id, row in snapshot.items()}
        counts = {action_id: row.updates or 0 for action_id, row in snapshot.items()}
    else:
        this = {action_id: found.newest for action_id, found in live.items()}
        counts = {action_id: found.updates for action_id, found in live.items()}
    if last_frozen:
        last = _frozen_statuses(repo, data, previous_quarter, now, working_days)
    else:
        last = {action_id: found.newest.status for action_id, found in live.items()}
    reprofiles = repo.reprofiles(data.plan_id, window_start, window_end)
    measures = measure_rows(repo, data, quarter)

    judged = cut_off(quarter, working_days) if frozen else london_date(now)
    rows: dict[int, ActionRow] = {}
    for action in data.actions:
        if is_open(action.state):
            rows[action.id] = action_row(
                data, action, this.get(action.id), last.get(action.id), judged, scheme, counts.get(action.id, 0)
            )
    blocks = theme_blocks(data, rows, data.themes, scheme, last)
    by_id = data.actions_by_id
    reported = {action_id for action_id, count in counts.items() if count}
    completed = tuple(
        row
        for row in rows.values()
        if row.status is not None
        and scheme.status(row.status).completes
        and not (row.previous is not None and scheme.status(row.previous).completes)
    )
    following = quarter.next()
    first, last_day = following.start, following.end
    next_quarter = tuple(
        row
        for row in rows.values()
        if first <= row.due <= last_day and not (row.status and scheme.status(row.status).completes)
    )
    changes = [
        PlanChange(
            by_id[r.action_id].code,
            by_id[r.action_id].title,
            "re-profiled",
            f"due {show_date(r.old_due)} → {show_date(r.new_due)}",
            r.approval,
            r.created_at,
        )
        for r in reprofiles
        if r.action_id in by_id
    ]
    changes += _closures(data, window_start, window_end)
    return QuarterlySummary(
        plan_name=data.plan.short_name,
        quarter=quarter,
        cut_off=cut_off(quarter, working_days),
        provisional=not frozen,
        as_of=now,
        themes=blocks,
        totals=total_counts(blocks),
        exceptions=_exceptions(rows, {r.action_id for r in reprofiles}, reported, scheme),
        completed=completed,
        # The window ends at the cut-off, so an action's newest update in it is the one its row shows.
        progress=tuple(row for action_id, row in rows.items() if action_id in reported),
        next_quarter=next_quarter,
        measures=measures,
        changes=tuple(sorted(changes, key=lambda c: c.at)),
    )


def quarter_window_end(quarter: Quarter, now: dt.datetime, working_days: int = CUT_OFF_WORKING_DAYS) -> dt.datetime:
    """The exclusive end of the quarter's window of updates: the end of its cut-off day, or just
    after ``now`` while the cut-off has not passed (a provisional reading)."""
    return min(london_start(cut_off(quarter, working_days) + dt.timedelta(days=1)), up_to(now))


def quarter_window(
    quarter: Quarter, now: dt.datetime, working_days: int = CUT_OFF_WORKING_DAYS
) -> tuple[dt.datetime, dt.datetime]:
    """The quarter's window of updates: from the day after the previous quarter's cut-off to the
    end of its own cut-off day (or just after ``now``, before then)."""
    start = london_start(cut_off(quarter.previous(), working_days) + dt.timedelta(days=1))
    return start, quarter_window_end(quarter, now, working_days)


def _cut_off_passed(quarter: Quarter, now: dt.datetime, working_days: int) -> bool:
    return london_date(now) > cut_off(quarter, working_days)


def _freeze(repo: PlanRepository, data: PlanData, quarter: Quarter, now: dt.datetime, working_days: int) -> None:
    """Snapshot every action not yet frozen for the quarter, as it stood at the end of its cut-off day."""
    since, before = quarter_window(quarter, now, working_days)
    repo.write_quarter_snapshot(data.plan_id, quarter.key, since=since, before=before, now=now)


def _frozen_statuses(
    repo: PlanRepository, data: PlanData, quarter: Quarter, now: dt.datetime, working_days: int
) -> dict[int, str | None]:
    """The statuses frozen for a quarter whose cut-off has passed, freezing any action missing.

    Reads first and writes only when something is missing, so comparing with an already frozen
    quarter takes no write lock."""
    statuses = repo.quarter_statuses(data.plan_id, [quarter.key])[quarter.key]
    if len(statuses) < len(data.actions):
        _freeze(repo, data, quarter, now, working_days)
        statuses = repo.quarter_statuses(data.plan_id, [quarter.key])[quarter.key]
    return statuses


def _frozen_snapshot(
    repo: PlanRepository, data: PlanData, quarter: Quarter, now: dt.datetime, working_days: int
) -> dict[int, SnapshotRow]:
    """A quarter's snapshot once its cut-off has passed, freezing any action missing and completing
    rows frozen by an older planbot; reads first and writes only when something needs it."""
    snapshot = repo.quarter_snapshot(data.plan_id, quarter.key)
    incomplete = any(row.updates is None for row in snapshot.values())
    if len(snapshot) < len(data.actions) or incomplete:
        _freeze(repo, data, quarter, now, working_days)
        if incomplete:
            since, before = quarter_window(quarter, now, working_days)
            repo.complete_snapshot(data.plan_id, quarter.key, since=since, before=before)
        snapshot = repo.quarter_snapshot(data.plan_id, quarter.key)
    return snapshot


def _exceptions(
    rows: dict[int, ActionRow], reprofiled: set[int], reported: set[int], scheme: RagScheme
) -> tuple[ExceptionItem, ...]:
    """Rows departing from the plan (domain brief §8), each with every reason it qualifies."""
    worst = worst_status(scheme)
    items = []
    for action_id, row in rows.items():
        kinds = []
        if row.status == worst:
            kinds.append(ExceptionKind.RED)
        if row.direction is Direction.DETERIORATING:
            kinds.append(ExceptionKind.DETERIORATING)
        if row.overdue:
            kinds.append(ExceptionKind.OVERDUE)
        if action_id in reprofiled:
            kinds.append(ExceptionKind.REPROFILED)
        if action_id not in reported and not (row.status is not None and scheme.status(row.status).completes):
            kinds.append(ExceptionKind.NOT_REPORTED)
        if kinds:
            items.append(ExceptionItem(row, tuple(kinds)))
    return tuple(items)


def _closures(data: PlanData, since: dt.datetime, before: dt.datetime) -> list[PlanChange]:
    """Actions closed in the window, with the approval recorded for closing them."""
    return [
        PlanChange(a.code, a.title, "closed", "", a.state_approval or "", a.state_changed_at)
        for a in data.actions
        if not is_open(a.state) and a.state_changed_at is not None and since <= a.state_changed_at < before
    ]
