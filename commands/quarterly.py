"""The quarterly summary for boards and the Panel, built on frozen quarter snapshots.

Once a quarter's cut-off (default 10 working days after quarter end) has passed, each action's
status at the cut-off is written to ``QuarterSnapshot`` once and never changed, so a published
summary does not move under the Panel's feet; updates after the cut-off count towards the next
quarter. Before the cut-off the summary is computed live and marked provisional. A quarter's
window of updates runs from the day after the previous quarter's cut-off to its own cut-off.
"""

from __future__ import annotations

import datetime as dt

from commands.measures import measure_rows
from commands.periods import Quarter, cut_off
from commands.report_data import (
    PlanData,
    action_row,
    is_open,
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
from commands.rules import DEFAULT_SCHEME, Direction, RagScheme, london_date, show_date
from storage.models import ActionState
from storage.repository import ActionFacts, ActionUpdates, FrozenStatus, PlanRepository, UpdateFacts

CUT_OFF_WORKING_DAYS = 10
# An action's status in a quarter, and the update that set it (None: not yet reported).
Standing = dict[int, UpdateFacts | None]


def freeze_quarter(
    repo: PlanRepository, quarter: Quarter, now: dt.datetime, working_days: int = CUT_OFF_WORKING_DAYS
) -> bool:
    """Write the quarter's snapshot once its cut-off has passed; existing snapshot rows are never changed.

    Returns:
        True when the quarter is frozen (now or earlier), False while its cut-off has not passed.

    Raises:
        UserError: no plan is loaded.
    """
    return _freeze(repo, load_plan_data(repo), quarter, now, working_days)


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
    of work must commit for the snapshot to be kept).

    Raises:
        UserError: no plan is loaded.
    """
    data = load_plan_data(repo)
    previous_quarter = quarter.previous()
    frozen = {q: _freeze(repo, data, q, now, working_days) for q in (previous_quarter, quarter)}
    snapshots = repo.frozen_statuses(data.plan_id, [q.key for q in frozen if frozen[q]])
    window_end = quarter_window_end(quarter, now, working_days)
    live = repo.newest_updates(data.plan_id, before=window_end) if not all(frozen.values()) else {}
    window_start = london_start(cut_off(previous_quarter, working_days) + dt.timedelta(days=1))
    in_window = repo.newest_updates(data.plan_id, since=window_start, before=window_end, count=True)
    if frozen[quarter]:
        this = _frozen_updates(repo, snapshots[quarter.key], in_window)
    else:
        this = {action_id: found.newest[0] for action_id, found in live.items()}
    if frozen[previous_quarter]:
        last = {action_id: row.status for action_id, row in snapshots[previous_quarter.key].items()}
    else:
        last = {action_id: found.newest[0].status for action_id, found in live.items()}
    reprofiles = repo.reprofiles(data.plan_id, window_start, window_end)
    measures = measure_rows(repo, data, quarter)

    judged = cut_off(quarter, working_days) if frozen[quarter] else london_date(now)
    rows: dict[int, ActionRow] = {}
    for action in data.actions:
        if action.id is None or not is_open(action):
            continue
        count = (in_window[action.id].count or 0) if action.id in in_window else 0
        rows[action.id] = action_row(data, action, this.get(action.id), last.get(action.id), judged, scheme, count)
    blocks = theme_blocks(data, rows, data.themes, scheme, last)
    reprofiled_ids = {r.action_id for r in reprofiles}
    by_code = {a.id: a for a in data.actions}
    exceptions = _exceptions(rows, reprofiled_ids, set(in_window), scheme)
    completed = tuple(
        row
        for row in rows.values()
        if row.status is not None
        and scheme.status(row.status).completes
        and not (row.previous is not None and scheme.status(row.previous).completes)
    )
    progress = tuple(
        _progress_row(data, action, in_window[i], this.get(i), rows[i], judged, scheme)
        for i, action in by_code.items()
        if i in in_window and i in rows
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
            by_code[r.action_id].code,
            by_code[r.action_id].title,
            "re-profiled",
            f"due {show_date(r.old_due)} → {show_date(r.new_due)}",
            r.approval,
            r.created_at,
        )
        for r in reprofiles
        if r.action_id in by_code
    ]
    changes += _closures(data, window_start, window_end)
    return QuarterlySummary(
        plan_name=data.plan.short_name,
        quarter=quarter,
        cut_off=cut_off(quarter, working_days),
        provisional=not frozen[quarter],
        as_of=now,
        themes=blocks,
        totals=total_counts(blocks),
        exceptions=exceptions,
        completed=completed,
        progress=progress,
        next_quarter=next_quarter,
        measures=measures,
        changes=tuple(sorted(changes, key=lambda c: c.at)),
    )


def quarter_window_end(quarter: Quarter, now: dt.datetime, working_days: int = CUT_OFF_WORKING_DAYS) -> dt.datetime:
    """The exclusive end of the quarter's window of updates: the end of its cut-off day, or just
    after ``now`` while the cut-off has not passed (a provisional reading)."""
    return min(london_start(cut_off(quarter, working_days) + dt.timedelta(days=1)), up_to(now))


def _freeze(repo: PlanRepository, data: PlanData, quarter: Quarter, now: dt.datetime, working_days: int) -> bool:
    """Snapshot every action not yet frozen for the quarter, as it stood at the end of the cut-off day."""
    last_day = cut_off(quarter, working_days)
    if london_date(now) <= last_day:
        return False
    missing = repo.unfrozen_action_ids(data.plan_id, quarter.key)
    if missing:
        latest = repo.newest_updates(data.plan_id, before=london_start(last_day + dt.timedelta(days=1)))
        repo.add_snapshots(
            [
                {
                    "plan_id": data.plan_id,
                    "quarter_key": quarter.key,
                    "action_id": action_id,
                    "status": latest[action_id].newest[0].status if action_id in latest else None,
                    "update_id": latest[action_id].newest[0].id if action_id in latest else None,
                    "frozen_at": now,
                }
                for action_id in missing
            ]
        )
    return True


def _frozen_updates(
    repo: PlanRepository, snapshot: dict[int, FrozenStatus], in_window: dict[int, ActionUpdates]
) -> Standing:
    """The updates a frozen snapshot holds. The quarter's window ends at its cut-off, so an action
    updated in the quarter froze the newest update of the window, already read; only the updates
    of actions quiet all quarter are read again, by id."""
    known = {found.newest[0].id: found.newest[0] for found in in_window.values()}
    wanted = {row.update_id for row in snapshot.values() if row.update_id is not None} - known.keys()
    known |= repo.updates_by_id(wanted)
    return {
        action_id: known[row.update_id] if row.update_id is not None else None for action_id, row in snapshot.items()
    }


def _progress_row(
    data: PlanData,
    action: ActionFacts,
    found: ActionUpdates,
    standing: UpdateFacts | None,
    row: ActionRow,
    judged: dt.date,
    scheme: RagScheme,
) -> ActionRow:
    """An action's newest update in the quarter's window; usually the very update its status row
    already shows (the window ends at the cut-off), and then that row is the answer."""
    newest = found.newest[0]
    if standing is not None and standing.id == newest.id:
        return row
    return action_row(data, action, newest, row.previous, judged, scheme, found.count or 0)


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
        if a.state == ActionState.CLOSED and a.state_changed_at is not None and since <= a.state_changed_at < before
    ]
