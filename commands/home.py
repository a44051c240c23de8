"""What a person's home page shows (Slack's Home tab): their own actions, then the plan by theme.

Own actions are those they own, are a delegate for or sponsor as SRO (as ``/rag mine`` lists
them), each with its colour, how old its last update is, when the next update is due and whether
the action itself is overdue. The plan part reuses the theme summary (``commands.report_builders``), so
the page and ``plan summary`` always agree. Plain data only: the platform decides how much fits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from commands.command_words import command_words
from commands.errors import UserError
from commands.layout import Line, Section, Strong, status_cell
from commands.model import Actor, Reply
from commands.on_leave import leave_line
from commands.permissions import require_admin
from commands.priority import PRIORITY_MARK, priority_line
from commands.rag_views import timing_text
from commands.report_builders import theme_summary, weekly_digest
from commands.report_layout import counts, cut, directions, objective_lines
from commands.report_model import Digest, ThemeBlock
from commands.rules import (
    DEFAULT_SCHEME,
    RagScheme,
    UpdateTiming,
    is_open,
    london_date,
    next_update_due,
    show_date,
    update_timing,
)
from storage.models import Action, StatusUpdate
from storage.repository import PlanRepository


@dataclass(frozen=True)
class OwnAction:
    """One of the viewer's actions. ``updated`` is ``None`` before the first update, which is due at once."""

    code: str
    title: str
    status: str | None
    updated: dt.date | None
    age_days: int | None
    update_due: dt.date | None
    timing: UpdateTiming | None
    cadence: str
    due: dt.date
    overdue: bool
    priority: bool = False


@dataclass(frozen=True)
class HomeView:
    """Everything the page shows; ``plan_name`` is ``None`` when no plan is loaded. ``themes`` are the
    theme summary's blocks: counts by colour, and rows carrying each action's direction of travel."""

    plan_name: str | None
    own: tuple[OwnAction, ...]
    themes: tuple[ThemeBlock, ...]
    is_admin: bool
    leave: str | None = None
    """The viewer's own leave ("You are on leave until …"), shown above their actions while it lasts."""


def home_view(actor: Actor, repo: PlanRepository, now: dt.datetime, scheme: RagScheme = DEFAULT_SCHEME) -> HomeView:
    """The viewer's home page as of ``now`` (naive UTC), in a fixed number of queries."""
    try:
        summary = theme_summary(repo, now, scheme=scheme)
    except UserError:
        return HomeView(None, (), (), actor.is_admin)
    own = _own_actions(actor, repo, now, scheme)
    away = leave_line(repo, actor.person_id, london_date(now))
    return HomeView(summary.plan_name, own, summary.themes, actor.is_admin, away)


def _own_actions(actor: Actor, repo: PlanRepository, now: dt.datetime, scheme: RagScheme) -> tuple[OwnAction, ...]:
    plan = repo.current_plan()
    assert plan is not None and plan.id is not None
    held = repo.roles_held(actor.person_id)
    involved = repo.actions_involving(plan.id, held, repo.delegated_action_ids(actor.person_id))
    actions = [a for a in involved if is_open(a.state)]
    today = london_date(now)
    return tuple(_own(a, latest, today, scheme) for a, latest in repo.latest_updates(actions))


def _own(action: Action, latest: StatusUpdate | None, today: dt.date, scheme: RagScheme) -> OwnAction:
    status = latest.status if latest else None
    updated = london_date(latest.created_at) if latest else None
    due: dt.date | None = None
    timing: UpdateTiming | None = UpdateTiming.OVERDUE if latest is None else None
    if updated is not None and not scheme.finished(action.state, status):
        due = next_update_due(updated, action.cadence)
        timing = update_timing(due, today)
    return OwnAction(
        code=action.code,
        title=action.title,
        status=status,
        updated=updated,
        age_days=(today - updated).days if updated else None,
        update_due=due,
        timing=timing,
        cadence=action.cadence,
        due=action.current_due,
        overdue=scheme.action_overdue(action.current_due, action.state, status, today),
        priority=action.priority,
    )


def digest_preview(
    actor: Actor, repo: PlanRepository, now: dt.datetime, scheme: RagScheme = DEFAULT_SCHEME
) -> Digest | Reply:
    """The next weekly digest as it stands, for an admin's "Preview digest" button (nothing is claimed).

    Returns:
        The ``Digest``; or a refused ``Reply`` naming the admins when the person is not one.
    """
    try:
        require_admin(actor, repo, "preview the weekly digest")
        return weekly_digest(repo, now, scheme=scheme)
    except UserError as err:
        return Reply(text=err.reply_text(), ok=False)


NO_PLAN = "No plan is loaded yet. An admin can load one with `planbot plan import FILE`."
UPDATE_LABEL = "Update"
PREVIEW_DIGEST_LABEL = "Preview digest"
MAX_HOME_TITLE = 80


@dataclass(frozen=True)
class OwnItem:
    """One of the viewer's actions as the page shows it, with the action its update button opens."""

    code: str
    line: Line


@dataclass(frozen=True)
class HomeLayout:
    """The page in order: ``heading``; ``notice`` instead of everything else when no plan is loaded;
    the viewer's actions under ``own`` (a summary line), most urgent first; then ``themes`` (lines per
    theme) under ``themes_title``; ``preview_label`` is the admin's digest button (``None`` for others)."""

    heading: str
    notice: str | None
    own: Section
    items: tuple[OwnItem, ...]
    themes_title: str
    themes: tuple[tuple[Line, ...], ...]
    update_label: str = UPDATE_LABEL
    preview_label: str | None = None


def home_layout(view: HomeView, scheme: RagScheme = DEFAULT_SCHEME) -> HomeLayout:
    """The home page laid out once: the wording and the order, for any platform to draw."""
    heading = f"planbot · {view.plan_name}" if view.plan_name else "planbot"
    if view.plan_name is None:
        return HomeLayout(heading, NO_PLAN, Section("", ()), (), "", ())
    own = sorted(view.own, key=urgency)
    themes = tuple(
        (
            Line((Strong(f"{block.code} {block.name}"),)),
            Line(counts(block.counts, scheme)),
            *objective_lines(block.rows, scheme),
            Line((directions(block.rows) or "no change reported",)),
            *_priority(block, scheme),
        )
        for block in view.themes
    )
    return HomeLayout(
        heading,
        None,
        _own_summary(view.own, view.leave),
        tuple(OwnItem(action.code, _own_line(action, scheme)) for action in own),
        "The plan by theme",
        themes,
        preview_label=PREVIEW_DIGEST_LABEL if view.is_admin else None,
    )


def more_text(hidden: int) -> str:
    """The note under the viewer's actions when a platform has room for only some of them."""
    return f"…and {hidden} more of your actions; {command_words().rag} mine lists them all."


def urgency(action: OwnAction) -> int:
    """Update overdue first, then the action itself overdue, then update due soon, then the rest."""
    if action.timing is UpdateTiming.OVERDUE:
        return 0
    if action.overdue:
        return 1
    return 2 if action.timing is UpdateTiming.DUE_SOON else 3


def _priority(block: ThemeBlock, scheme: RagScheme) -> tuple[Line, ...]:
    """The theme's priority actions and its red ones, for a theme that has any."""
    line = priority_line(block.rows, scheme)
    return (line,) if line is not None else ()


def _own_summary(own: tuple[OwnAction, ...], leave: str | None) -> Section:
    away = (Line((leave,)),) if leave else ()
    if not own:
        text = (
            f"You have no open actions as owner, delegate or SRO. Anyone can look at one with {command_words().rag} V9."
        )
        return Section("Your actions", (*away, Line((text,))))
    late = sum(1 for a in own if a.timing is UpdateTiming.OVERDUE)
    soon = sum(1 for a in own if a.timing is UpdateTiming.DUE_SOON)
    overdue = sum(1 for a in own if a.overdue)
    text = f"Updates overdue: {late} · due soon: {soon} · actions past their due date: {overdue}"
    return Section(f"Your actions ({len(own)})", (*away, Line((text,))))


def _own_line(action: OwnAction, scheme: RagScheme) -> Line:
    if action.updated is None:
        age = "no update yet; first update due now"
    else:
        days = "today" if action.age_days == 0 else f"{action.age_days} days ago"
        age = f"updated {days} ({show_date(action.updated)})"
        if action.update_due is not None and action.timing is not None:
            age += f" · {timing_text(action.timing, action.update_due, action.cadence)}"
    due = f"overdue since {show_date(action.due)}" if action.overdue else f"due {show_date(action.due)}"
    mark = f" · {PRIORITY_MARK}" if action.priority else ""
    runs = (Strong(action.code), " ", status_cell(action.status, scheme), f"{mark} · {age} · action {due}")
    return Line(runs, (cut(action.title, MAX_HOME_TITLE),))
