"""A plan may carry its own RAG scheme (the colour key its plan file states), and an action the
objective (portfolio area) of its theme it serves.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 18:00:00.000000

Existing plans get NULL, which reads as the default scheme they have always been reported in;
existing actions get "", no objective, so their plans report exactly as before. The action column
is added ``NOT NULL`` with a server default in one step, which SQLite does in place.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rag_scheme", sa.Text(), nullable=True))
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("objective", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_column("objective")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("rag_scheme")
