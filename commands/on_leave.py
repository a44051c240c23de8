"""What reports and views say of someone on leave (the leave itself is set in ``commands.leave``).

Kept apart from setting leave so that every view can read it without importing the admin commands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from commands.command_words import command_words
from commands.permissions import describe_people, person_name
from commands.rules import show_date
from storage.models import Leave
from storage.repository import ActionFacts, PlanRepository

PAUSED = "reminders pause, deadlines do not move"


def leave_note(leave: Leave) -> str:
    """What reports print beside an away person's actions: "on leave until 4 Jan 2027"."""
    return f"on leave until {show_date(leave.until)}"


def leave_line(repo: PlanRepository, person_id: int, today: dt.date) -> str | None:
    """The line ``/rag mine`` and the Home view open with while the viewer is away; ``None`` otherwise."""
    row = repo.leave(person_id)
    if row is None or row.until < today:
        return None
    cover = repo.person(row.cover_id) if row.cover_id is not None else None
    covered = f" (cover: {describe_people([cover])})" if cover else ""
    return f"You are {leave_note(row)}{covered}: {PAUSED}. {command_words().rag} back ends it."


def away_notes(repo: PlanRepository, actions: Iterable[ActionFacts], today: dt.date) -> dict[str, str]:
    """What reports print beside each action whose lead is away, by action code: "on leave until
    4 Jan 2027", naming the person when the action has several leads. One query when no one is
    away, two otherwise."""
    away = repo.leaves_on(today)
    if not away:
        return {}
    actions = list(actions)
    holders = repo.holders({role for a in actions for role in (a.owner_role_id, a.joint_lead_role_id) if role})
    notes: dict[str, str] = {}
    for action in actions:
        roles = (action.owner_role_id, action.joint_lead_role_id)
        leads = list({p.id: p for role in roles if role for p in holders.get(role, [])}.values())
        gone = [p for p in leads if p.id in away]
        if len(leads) == 1 and gone:
            notes[action.code] = leave_note(away[gone[0].id or 0])
        elif gone:
            notes[action.code] = "; ".join(f"{person_name(p)} {leave_note(away[p.id or 0])}" for p in gone)
    return notes
