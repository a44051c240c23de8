"""A status update may carry a mitigation (what is being done about a red) and an outcome (what a
completed action delivered), and a quarter's snapshot freezes both with the reason.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:00:00.000000

Existing updates get empty text (none was asked for when they were made); existing snapshot rows
get NULL, read as empty, as their reason was before planbot kept it. Both update columns are added
``NOT NULL`` with a server default in one step, which SQLite does in place (docs/migrations.md):
``statusupdate`` is referred to by other tables, and rebuilding it would fail on their rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("statusupdate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mitigation", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("outcome", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("quartersnapshot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mitigation", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quartersnapshot", schema=None) as batch_op:
        batch_op.drop_column("outcome")
        batch_op.drop_column("mitigation")
    with op.batch_alter_table("statusupdate", schema=None) as batch_op:
        batch_op.drop_column("outcome")
        batch_op.drop_column("mitigation")
