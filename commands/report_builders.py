"""Report builders: theme or whole-plan summary, overdue list, weekly digest and an action's history.

Each builder reads the plan with a fixed number of queries and returns plain frozen data
(``commands.report_model``) for a renderer to lay out; the quarterly summary lives in
``commands.quarterly``. ``now`` is naive UTC and always passed in: reports can be run "as of" any
moment, and updates made at ``now`` itself are included.
"""

from __future__ import annotations

import datetime as dt

from commands.action_lookup import look_up_action
from commands.on_leave import away_notes
from commands.permissions import lead_roles, person_name
from commands.ports import Target
from commands.quarterly import freeze_if_cut_off_passed, quarterly_summary
from commands.report_inputs import (
    PlanData,
    action_row,
    find_theme,
    lead_titles,
    load_plan_data,
    theme_blocks,
    total_counts,
    up_to,
    worst_status,
)
from commands.report_model import (
    ActionHistory,
    ActionRow,
    Digest,
    HistoryEntry,
    OverdueList,
    PendingReprofileRequest,
    PlanChange,
    Summary,
)
from commands.rules import DEFAULT_SCHEME, Direction, RagScheme, is_open, london_date, show_date
from storage.repository import PlanRepository, RequestFacts, UpdateFacts

__all__ = [
    "DIGEST_JOB",
    "DUE_SOON_WINDOW_DAYS",
    "freeze_if_cut_off_passed",
    "history",
    "overdue_list",
    "quarterly_summary",
    "theme_summary",
    "weekly_digest",
]

DIGEST_JOB = "weekly_digest"
DUE_SOON_WINDOW_DAYS = 14
DEFAULT_DIGEST_SPAN = dt.timedelta(days=7)


def theme_summary(
    repo: PlanRepository, now: dt.datetime, theme: str | None = None, scheme: RagScheme = DEFAULT_SCHEME
) -> Summary:
    """Where one theme (by code or name, any case) or the whole plan stands at ``now``.

    Direction of travel compares each action's latest update with the one before it, as
    ``/rag V9`` shows it. Exceptions are open actions that are red, deteriorating or overdue.

    Raises:
        UserError: no plan is loaded.
        UnknownTheme: ``theme`` names no theme (the message suggests near misses).
    """
    data = load_plan_data(repo)
    themes = [find_theme(data, theme)] if theme is not None else list(data.themes)
    theme_id = themes[0].id if theme is not None else None
    latest = repo.newest_updates(data.plan_id, before=up_to(now), depth=2, theme_id=theme_id)
    today = london_date(now)
    rows: dict[int, ActionRow] = {}
    for action in data.actions:
        if action.id is None or not is_open(action.state) or theme_id not in (None, action.theme_id):
            continue
        found = latest.get(action.id, ())
        newest = found[0] if found else None
        previous = found[1].status if len(found) > 1 else None
        rows[action.id] = action_row(data, action, newest, previous, today, scheme)
    blocks = theme_blocks(data, rows, themes, scheme)
    worst = worst_status(scheme)
    exceptions = tuple(
        row
        for block in blocks
        for row in block.rows
        if row.status == worst or row.direction is Direction.DETERIORATING or row.overdue
    )
    return Summary(
        plan_name=data.plan.short_name,
        as_of=now,
        theme=themes[0].name if theme is not None else None,
        themes=blocks,
        totals=total_counts(blocks),
        exceptions=exceptions,
    )


def overdue_list(repo: PlanRepository, now: dt.datetime, scheme: RagScheme = DEFAULT_SCHEME) -> OverdueList:
    """Open, unfinished actions past their current due date, the longest overdue first.

    Raises:
        UserError: no plan is loaded.
    """
    data = load_plan_data(repo)
    latest = repo.newest_updates(data.plan_id, before=up_to(now), depth=2)
    return OverdueList(data.plan.short_name, now, _overdue_rows(data, latest, london_date(now), scheme))


def weekly_digest(
    repo: PlanRepository,
    now: dt.datetime,
    since: dt.datetime | None = None,
    scheme: RagScheme = DEFAULT_SCHEME,
    channel: Target | None = None,
) -> Digest:
    """What changed since the last digest, and what needs attention now.

    Args:
        repo: the caller's unit of work (read only).
        now: the end of the digest's window, naive UTC.
        since: the start of the window; by default the moment the last digest sent (to
            ``channel`` when given, else anywhere) was built (its run's claim), so no update falls
            between two digests a channel receives; a week ago if none was sent.
        scheme: the deployment's RAG colours.
        channel: the channel the digest is for: each channel's window starts at its own last digest.

    Raises:
        UserError: no plan is loaded.
    """
    data = load_plan_data(repo)
    if since is None:
        last = repo.last_run(DIGEST_JOB, "sent", *(() if channel is None else (channel.platform, channel.address)))
        since = last.claimed_at if last is not None else now - DEFAULT_DIGEST_SPAN
    latest = repo.window_updates(data.plan_id, since=since, before=up_to(now))
    today = london_date(now)
    worst = worst_status(scheme)
    span = DUE_SOON_WINDOW_DAYS
    updated: list[ActionRow] = []
    overdue: list[ActionRow] = []
    due_soon: list[ActionRow] = []
    not_reported: list[ActionRow] = []
    priority: list[ActionRow] = []
    # One pass over the plan: at national scale each extra pass, or each row built twice, shows.
    for action in data.actions:
        if not is_open(action.state):
            continue
        found = latest.get(action.id)
        if found is not None and found.updates:
            updated.append(action_row(data, action, found.newest, found.was, today, scheme, found.updates))
        newest = found.newest if found is not None else None
        if action.priority:
            priority.append(action_row(data, action, newest, None, today, scheme, compare=False))
        if scheme.finished(action.state, newest and newest.status):
            continue
        days_left = (action.current_due - today).days
        if newest is None or days_left <= span:
            row = action_row(data, action, newest, None, today, scheme, compare=False)
            if newest is None:
                not_reported.append(row)
            if row.overdue:
                overdue.append(row)
            elif days_left <= span:
                due_soon.append(row)
    notes = away_notes(repo, data.actions, today)
    updated, overdue, due_soon = _noted(updated, notes), _noted(overdue, notes), _noted(due_soon, notes)
    return Digest(
        plan_name=data.plan.short_name,
        since=since,
        until=now,
        update_count=sum(found.updates for found in latest.values()),
        updated=tuple(updated),
        changes=tuple(row for row in updated if row.status != row.previous),
        new_reds=tuple(row for row in updated if row.status == worst and row.previous != worst),
        overdue=tuple(sorted(overdue, key=lambda row: row.due)),
        due_soon=tuple(sorted(due_soon, key=lambda row: row.due)),
        not_reported=tuple(_noted(not_reported, notes)),
        due_soon_days=span,
        reprofile_requests=_awaiting_approval(data, repo.reprofile_requests(data.plan_id, up_to(now))),
        priority=tuple(_noted(priority, notes)),
    )


def _noted(rows: list[ActionRow], notes: dict[str, str]) -> list[ActionRow]:
    """Rows whose lead is on leave, with "on leave until …" beside the owner they name."""
    if not notes:
        return rows
    return [
        row._replace(owner_role=f"{row.owner_role} ({notes[row.code]})") if row.code in notes else row for row in rows
    ]


def _awaiting_approval(data: PlanData, requests: list[RequestFacts]) -> tuple[PendingReprofileRequest, ...]:
    """Each active action's newest request for a new due date that no re-profile has answered
    (requests come oldest first; one already met by the current due date is left out)."""
    newest = {request.action_id: request for request in requests}
    waiting = []
    for action_id, request in newest.items():
        action = data.actions_by_id.get(action_id)
        if action is None or not is_open(action.state) or request.proposed_due == action.current_due:
            continue
        waiting.append(
            PendingReprofileRequest(
                code=action.code,
                title=action.title,
                theme_code=data.theme_code(action),
                due=action.current_due,
                proposed_due=request.proposed_due,
                requested_by=request.author,
                requested_at=request.requested_at,
                reason=request.reason,
                restricted=request.restricted,
            )
        )
    return tuple(sorted(waiting, key=lambda request: request.requested_at))


def history(repo: PlanRepository, action_code: str, scheme: RagScheme = DEFAULT_SCHEME) -> ActionHistory:
    """ "History of V9": every update oldest first with the travel each made, and its re-profiles.

    Raises:
        UnknownAction: the plan has no such action (the message suggests near misses).
    """
    action = look_up_action(action_code, repo)
    assert action.id is not None
    updates = repo.action_updates(action.id)
    authors = repo.people(u.author_id for u in updates)
    titles = {r_id: role.title for r_id, role in repo.roles(lead_roles(action)).items()}
    entries: list[HistoryEntry] = []
    previous: str | None = None
    for update in updates:
        author = authors.get(update.author_id)
        entries.append(
            HistoryEntry(
                at=update.created_at,
                status=update.status,
                previous=previous,
                direction=scheme.direction(previous, update.status),
                reason=update.reason,
                restricted=update.restricted,
                author=person_name(author) if author is not None else "someone no longer known",
                on_behalf=update.on_behalf,
            )
        )
        previous = update.status
    changes = tuple(
        PlanChange(
            action.code,
            action.title,
            "re-profiled",
            f"due {show_date(r.old_due)} → {show_date(r.new_due)}",
            r.approval,
            r.created_at,
        )
        for r in repo.action_reprofiles(action.id)
    )
    return ActionHistory(
        code=action.code,
        title=action.title,
        owner_role=lead_titles(titles, action.owner_role_id, action.joint_lead_role_id),
        due=action.current_due,
        baseline_due=action.baseline_due,
        entries=tuple(entries),
        changes=changes,
    )


def _overdue_rows(
    data: PlanData, latest: dict[int, tuple[UpdateFacts, ...]], today: dt.date, scheme: RagScheme
) -> tuple[ActionRow, ...]:
    """Open actions whose current due date has passed unfinished, oldest due date first, each
    newest update compared with the one before it."""
    rows = []
    for action in data.actions:
        if action.id is None or not is_open(action.state):
            continue
        found = latest.get(action.id, ())
        newest = found[0] if found else None
        if not scheme.action_overdue(action.current_due, action.state, newest.status if newest else None, today):
            continue
        previous = found[1].status if len(found) > 1 else None
        rows.append(action_row(data, action, newest, previous, today, scheme))
    return tuple(sorted(rows, key=lambda row: row.due))
