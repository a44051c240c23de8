"""What the /rag tests need to know about the sample plan, read from the plan file itself.

Expectations are derived from ``bot/data/sample-plan.yaml`` (V9's owner role and its holder, the SRO,
the admins) so that editing the demo plan changes the expected replies rather than breaking them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func
from sqlmodel import Session, select

from commands.model import Actor
from storage.models import AuditEntry, StatusUpdate
from storage.repository import PlanRepository

PLAN_FILE: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "bot" / "data" / "sample-plan.yaml").read_text(encoding="utf-8")
)
ACTIONS: dict[str, dict[str, Any]] = {a["id"]: a for theme in PLAN_FILE["themes"] for a in theme["actions"]}
HOLDER: dict[str, dict[str, Any]] = {role: p for p in PLAN_FILE["people"] for role in p["roles"]}
SHORT_NAME: str = PLAN_FILE["plan"]["short_name"]

V9 = ACTIONS["V9"]
V9_OWNER = HOLDER[V9["owner"]]
V9_SRO = HOLDER[V9["sro"]]
ADMIN_EMAILS: list[str] = PLAN_FILE["admins"]
STRANGER = next(p for p in PLAN_FILE["people"] if V9["owner"] not in p["roles"] and V9["sro"] not in p["roles"])

NOW = dt.datetime(2018, 11, 5, 10, 0)
"""A Monday in 2018/19 Q3, before V9's due date."""


def actor_for(repo: PlanRepository, email: str) -> Actor:
    """The actor a platform would build for this person, from their Person row."""
    person = repo.person_by_email(email)
    assert person is not None and person.id is not None, email
    return Actor(person.id, person.name, person.email, person.is_admin)


def stored_rows(session: Session) -> tuple[int, int]:
    """How many status updates and audit entries exist: a refused command must change neither."""
    updates = session.exec(select(func.count()).select_from(StatusUpdate)).one()
    audits = session.exec(select(func.count()).select_from(AuditEntry)).one()
    return updates, audits


def due(action: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(action["due"])
