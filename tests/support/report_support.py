"""Helpers for report tests: status updates at chosen moments, re-profiles, and a bigger plan.

Updates are written as ``StatusUpdate`` rows with the time the test chooses, because reports are
about what happened when; the /rag tests already cover how updates get stored.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event
from sqlalchemy.engine import Engine

from commands.rules import LONDON
from storage.models import Action, Measure, Reprofile, StatusUpdate
from storage.repository import PlanRepository


def london(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A London wall-clock moment as the naive UTC the database stores."""
    local = dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def report(repo: PlanRepository, code: str, status: str, at: dt.datetime, reason: str = "") -> StatusUpdate:
    """Store an update of ``code`` made at ``at`` by its owner's first holder (or anyone)."""
    action = repo.action_by_code(code)
    assert action is not None and action.id is not None, code
    holders = repo.holders([action.owner_role_id])[action.owner_role_id]
    author = holders[0] if holders else repo.admins()[0]
    assert author.id is not None
    update = StatusUpdate(action_id=action.id, status=status, reason=reason, author_id=author.id, created_at=at)
    repo.add(update)
    return update


def reprofile(repo: PlanRepository, code: str, new_due: dt.date, at: dt.datetime, approval: str) -> None:
    """Move an action's due date the way an admin's re-profile does: baseline kept, record written."""
    action = repo.action_by_code(code)
    assert action is not None and action.id is not None
    repo.add(
        Reprofile(
            action_id=action.id,
            old_due=action.current_due,
            new_due=new_due,
            approval=approval,
            approved_by="admin@example.org",
            created_at=at,
        )
    )
    action.current_due = new_due
    repo.add(action)


def grow_plan(repo: PlanRepository, total: int, at: dt.datetime) -> None:
    """Add actions (each with a measure and three updates) until the plan has ``total`` actions."""
    plan = repo.current_plan()
    assert plan is not None and plan.id is not None
    existing = repo.actions(plan.id)
    template = existing[0]
    author = repo.admins()[0]
    assert author.id is not None
    for number in range(len(existing), total):
        action = Action(
            plan_id=plan.id,
            theme_id=existing[number % len(existing)].theme_id,
            code=f"X{number}",
            title=f"Generated action {number}",
            owner_role_id=template.owner_role_id,
            sro_role_id=template.sro_role_id,
            baseline_due=dt.date(2018, 10, 1) + dt.timedelta(days=number % 200),
            current_due=dt.date(2018, 10, 1) + dt.timedelta(days=number % 200),
            position=1000 + number,
        )
        repo.add(action)
        assert action.id is not None
        repo.add(Measure(action_id=action.id, name=f"Measure {number}"))
        for step, status in enumerate(("G", "A", "R")[: 1 + number % 3]):
            repo.session.add(
                StatusUpdate(
                    action_id=action.id,
                    status=status,
                    reason="generated",
                    author_id=author.id,
                    created_at=at + dt.timedelta(days=7 * step),
                )
            )
    repo.session.flush()


class QueryCounter:
    """Counts the SQL statements an engine executes while it is attached."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0

    def _count(self, *_args: object) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)
