"""Keeps ``Plan.structure_stamp`` honest: any flush that adds, changes or removes a plan, theme,
action, strategic measure or role gives the plans concerned a new stamp in the same transaction.

Reports keep each plan's structure in memory between runs (``commands.report_inputs``); the stamp
is how any process, on any database, learns that its copy is out of date. Hooking the session's
flush, rather than each command that edits the plan, means a new editing path cannot forget it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from storage.models import Action, Measure, Plan, Role, Theme, new_structure_stamp


def _plans_touched(session: Session) -> set[int] | None:
    """Ids of the plans whose structure this flush changes; ``None`` means every plan (a role's
    title appears in every plan that names it; a measure names only its action, and plans are
    few). A new plan already carries a fresh stamp."""
    if any(isinstance(row, Measure) for row in (*session.new, *session.deleted)):
        return None
    touched: set[int] = set()
    for row in session.dirty:
        if not session.is_modified(row):
            continue
        if isinstance(row, Role | Measure):
            return None
        if isinstance(row, Theme | Action):
            touched.add(row.plan_id)
        elif isinstance(row, Plan) and row.id is not None:
            touched.add(row.id)
    touched |= {row.plan_id for row in (*session.new, *session.deleted) if isinstance(row, Theme | Action)}
    return {plan_id for plan_id in touched if plan_id is not None}


@event.listens_for(Session, "before_flush")
def _restamp(session: Session, _context: Any, _instances: Any) -> None:
    touched = _plans_touched(session)
    if touched is not None and not touched:
        return
    with session.no_autoflush:
        plans = list(session.scalars(select(Plan))) if touched is None else [session.get(Plan, i) for i in touched]
    for plan in plans:
        if plan is not None and plan not in session.deleted:
            plan.structure_stamp = new_structure_stamp()
