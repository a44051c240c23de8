"""Reports at national scale: a structure stamp on plans, quarter snapshots that carry what a
summary shows, a status-update index that also holds the status, and a partial index of
re-profile requests.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 13:20:00.000000

Existing plans get a fresh stamp each; existing snapshot rows keep the new columns empty until
their quarter is next summarised (the update count needs the quarter's working-day cut-off, which
only planbot's calendar knows).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added complete (NOT NULL with a default) in one step: making a column NOT NULL afterwards
    # would make SQLite rebuild the plan table, which every other table refers to.
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("structure_stamp", sa.String(length=32), nullable=False, server_default=""))
    plan = sa.table("plan", sa.column("id", sa.Integer), sa.column("structure_stamp", sa.String))
    connection = op.get_bind()
    for (plan_id,) in connection.execute(sa.select(plan.c.id)).all():
        connection.execute(plan.update().where(plan.c.id == plan_id).values(structure_stamp=uuid.uuid4().hex))
    with op.batch_alter_table("quartersnapshot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updates", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("restricted", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("reported_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("statusupdate", schema=None) as batch_op:
        batch_op.create_index(
            "ix_statusupdate_action_created_status", ["action_id", "created_at", "id", "status"], unique=False
        )
        batch_op.drop_index("ix_statusupdate_action_created")
        batch_op.create_index(
            "ix_statusupdate_requests",
            ["created_at", "action_id"],
            unique=False,
            sqlite_where=sa.text("proposed_due IS NOT NULL"),
            postgresql_where=sa.text("proposed_due IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("statusupdate", schema=None) as batch_op:
        batch_op.drop_index("ix_statusupdate_requests")
        batch_op.create_index("ix_statusupdate_action_created", ["action_id", "created_at", "id"], unique=False)
        batch_op.drop_index("ix_statusupdate_action_created_status")
    with op.batch_alter_table("quartersnapshot", schema=None) as batch_op:
        batch_op.drop_column("reported_at")
        batch_op.drop_column("restricted")
        batch_op.drop_column("reason")
        batch_op.drop_column("updates")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("structure_stamp")
