"""Requests already taken (slash commands and interactions by trigger_id, events by event_id), so a
replay or a retry is answered once, across processes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receivedrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "key"),
    )
    with op.batch_alter_table("receivedrequest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receivedrequest_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("receivedrequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receivedrequest_received_at"))
    op.drop_table("receivedrequest")
