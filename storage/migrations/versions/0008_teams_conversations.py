"""Teams conversations planbot may post in (service URL, tenant, whose 1:1 chat it is) and the
dashboard card last sent in each, so any planbot process can reply, post or edit there; a
conversation planbot was removed from is kept, marked inactive.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teamsconversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("service_url", sa.String(length=500), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("home_activity_id", sa.String(length=255), nullable=True),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id"),
    )
    with op.batch_alter_table("teamsconversation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teamsconversation_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("teamsconversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teamsconversation_person_id"))
    op.drop_table("teamsconversation")
