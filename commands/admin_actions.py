"""``plan admin`` for one action: re-profile its due date, close it, set how often it reports.

Only admins make these changes, because each needs the approval of a board: a re-profile keeps the
baseline date and records the approval and where it was given ("BCB 13/09/2018"), so the Panel can
see both dates; a closure records its approval likewise. Everything is audited, and the action's
owner, delegates and SRO are told by direct message (``Reply.notices``).
"""

from __future__ import annotations

import datetime as dt

from commands.action_lookup import look_up_action
from commands.admin import affected_by, notices_for, who
from commands.model import Actor, Reply
from commands.permissions import require_admin
from commands.rules import is_open, show_date
from storage.models import Action, ActionState, Reprofile
from storage.repository import PlanRepository


def reprofile(
    actor: Actor, repo: PlanRepository, action_code: str, new_due: dt.date, approval: str, now: dt.datetime
) -> Reply:
    """Move an action's current due date, keeping its baseline, with the approval recorded.

    Raises:
        NotAuthorised: the actor is not an admin.
        UnknownAction: no such action (the message suggests near misses).
    """
    require_admin(actor, repo, "re-profile due dates")
    action = look_up_action(action_code, repo)
    assert action.id is not None
    old_due = action.current_due
    if new_due == old_due:
        return Reply(text=f"{action.code} is already due {show_date(new_due)}; nothing changed.")
    repo.add(
        Reprofile(
            action_id=action.id,
            old_due=old_due,
            new_due=new_due,
            approval=approval,
            approved_by=actor.email,
            created_at=now,
        )
    )
    action.current_due = new_due
    repo.add(action)
    _audit(repo, actor, action, "reprofile", now, old_due=old_due, new_due=new_due, approval=approval)
    text = (
        f"{action.code} is now due {show_date(new_due)} (was {show_date(old_due)}; "
        f"baseline {show_date(action.baseline_due)}), approved by {approval}."
    )
    notices = notices_for(actor, affected_by(repo, action), f"{who(actor)} re-profiled {action.code}: {text}")
    return Reply(text=text, notices=notices)


def close_action(actor: Actor, repo: PlanRepository, action_code: str, approval: str, now: dt.datetime) -> Reply:
    """Close an action with its approval; its history stays and it leaves the RAG counts.

    Raises:
        NotAuthorised: the actor is not an admin.
        UnknownAction: no such action.
    """
    require_admin(actor, repo, "close actions")
    action = look_up_action(action_code, repo)
    if not is_open(action.state):
        return Reply(text=f"{action.code} is already closed ({action.state_approval}); nothing changed.")
    before = action.state
    action.state, action.state_approval, action.state_changed_at = ActionState.CLOSED.value, approval, now
    repo.add(action)
    _audit(repo, actor, action, "close", now, before=before, approval=approval)
    text = f"{action.code} is closed, approved by {approval}. Its updates are kept; it no longer needs them."
    notices = notices_for(actor, affected_by(repo, action), f"{who(actor)} closed {action.code}: {text}")
    return Reply(text=text, notices=notices)


def set_cadence(actor: Actor, repo: PlanRepository, action_code: str, cadence: str, now: dt.datetime) -> Reply:
    """How often the action's owner is expected to report (a word of ``commands.rules.CADENCES``).

    Raises:
        NotAuthorised: the actor is not an admin.
        UnknownAction: no such action.
    """
    require_admin(actor, repo, "change update cadences")
    action = look_up_action(action_code, repo)
    if action.cadence == cadence:
        return Reply(text=f"{action.code} is already updated {cadence}; nothing changed.")
    before, action.cadence = action.cadence, cadence
    repo.add(action)
    _audit(repo, actor, action, "cadence", now, before=before, after=cadence)
    text = f"{action.code} is now updated {cadence} (was {before})."
    notices = notices_for(
        actor, affected_by(repo, action), f"{who(actor)} changed how often {action.code} is updated: {text}"
    )
    return Reply(text=text, notices=notices)


def _audit(repo: PlanRepository, actor: Actor, action: Action, change: str, now: dt.datetime, **detail: object) -> None:
    repo.audit(at=now, actor=actor.email, entity="action", key=action.code, change=change, detail=detail)
