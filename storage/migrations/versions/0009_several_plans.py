"""Several plans side by side: which plan is current, and what each plan's last import said about
role holders, admins and update cadences (so a re-import keeps changes made in chat since, and
never takes away what another plan's file gave).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00.000000

The plan planbot treated as current until now (the one that started most recently) becomes the
current plan. What its last import said is not kept anywhere, so it is taken to be what the
database holds now: the holders of every role, the admins and each action's cadence. The first
import after the upgrade therefore treats any difference from its file as the file's, as
imports always did; from then on a change made in chat is told apart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NOT NULL with a default in one step, and a plain string default ('0' is false on both
    # databases): SQLite adds such a column in place, where an expression would make it rebuild
    # the plan table, which every other table refers to (docs/migrations.md).
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_current", sa.Boolean(), nullable=False, server_default="0"))
    op.create_table(
        "importedvalue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "entity", "key"),
    )
    with op.batch_alter_table("importedvalue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_importedvalue_plan_id"), ["plan_id"], unique=False)
    _mark_current_and_remember()


def _mark_current_and_remember() -> None:
    connection = op.get_bind()
    plan = sa.table(
        "plan",
        sa.column("id", sa.Integer),
        sa.column("period_start", sa.Date),
        sa.column("is_current", sa.Boolean),
    )
    current = connection.execute(
        sa.select(plan.c.id).order_by(plan.c.period_start.desc(), plan.c.id.desc()).limit(1)
    ).scalar()
    if current is None:
        return
    connection.execute(plan.update().where(plan.c.id == current).values(is_current=True))
    role = sa.table("role", sa.column("id", sa.Integer), sa.column("title", sa.String))
    person = sa.table(
        "person", sa.column("id", sa.Integer), sa.column("email", sa.String), sa.column("is_admin", sa.Boolean)
    )
    holder = sa.table("roleholder", sa.column("role_id", sa.Integer), sa.column("person_id", sa.Integer))
    action = sa.table(
        "action", sa.column("plan_id", sa.Integer), sa.column("code", sa.String), sa.column("cadence", sa.String)
    )
    held: dict[str, list[str]] = {}
    rows = connection.execute(
        sa.select(role.c.title, person.c.email).select_from(
            holder.join(role, role.c.id == holder.c.role_id).join(person, person.c.id == holder.c.person_id)
        )
    ).all()
    for title, email in rows:
        held.setdefault(title, []).append(email)
    values = [
        {"plan_id": current, "entity": "holders", "key": title, "value": json.dumps(sorted(emails))}
        for title, emails in held.items()
    ]
    admins = connection.execute(sa.select(person.c.email).where(person.c.is_admin == sa.true())).scalars().all()
    values += [{"plan_id": current, "entity": "admin", "key": email, "value": "yes"} for email in admins]
    cadences = connection.execute(sa.select(action.c.code, action.c.cadence).where(action.c.plan_id == current)).all()
    values += [{"plan_id": current, "entity": "cadence", "key": code, "value": cadence} for code, cadence in cadences]
    if values:
        imported = sa.table(
            "importedvalue",
            sa.column("plan_id", sa.Integer),
            sa.column("entity", sa.String),
            sa.column("key", sa.String),
            sa.column("value", sa.Text),
        )
        connection.execute(imported.insert(), values)


def downgrade() -> None:
    with op.batch_alter_table("importedvalue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_importedvalue_plan_id"))
    op.drop_table("importedvalue")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("is_current")
