"""Index status updates by (action, created_at, id), so reports find each action's newest updates quickly.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:10:00.000000

"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("statusupdate", schema=None) as batch_op:
        batch_op.create_index("ix_statusupdate_action_created", ["action_id", "created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("statusupdate", schema=None) as batch_op:
        batch_op.drop_index("ix_statusupdate_action_created")
