"""What a person's home page shows (Slack's Home tab): their own actions, then the plan by theme.

Own actions are those they own, are a delegate for or sponsor as SRO (as ``/rag mine`` lists
them), each with its colour, how old its last update is, when the next update is due and whether
the action itself is overdue. The plan part reuses the theme summary (``commands.reports``), so
the page and ``/plan summary`` always agree. Plain data only: the platform decides how much fits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from commands.errors import UserError
from commands.model import Actor, Reply
from commands.permissions import require_admin
from commands.report_model import Digest, ThemeBlock
from commands.reports import theme_summary, weekly_digest
from commands.rules import (
    DEFAULT_SCHEME,
    RagScheme,
    UpdateTiming,
    is_open,
    london_date,
    next_update_due,
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


@dataclass(frozen=True)
class HomeView:
    """Everything the page shows; ``plan_name`` is ``None`` when no plan is loaded. ``themes`` are the
    theme summary's blocks: counts by colour, and rows carrying each action's direction of travel."""

    plan_name: str | None
    own: tuple[OwnAction, ...]
    themes: tuple[ThemeBlock, ...]
    is_admin: bool


def home_view(actor: Actor, repo: PlanRepository, now: dt.datetime, scheme: RagScheme = DEFAULT_SCHEME) -> HomeView:
    """The viewer's home page as of ``now`` (naive UTC), in a fixed number of queries."""
    try:
        summary = theme_summary(repo, now, scheme=scheme)
    except UserError:
        return HomeView(None, (), (), actor.is_admin)
    return HomeView(summary.plan_name, _own_actions(actor, repo, now, scheme), summary.themes, actor.is_admin)


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
