"""The charts of a frozen quarter's Panel appendix, drawn once and kept (PNG, alt text, title),
keyed by plan, quarter and chart, with a fingerprint of what each shows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:30:00.000000

A new, empty table: the first export of each frozen quarter after the upgrade draws its charts and
keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "panelchart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("quarter_key", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("alt", sa.Text(), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "quarter_key", "kind"),
    )


def downgrade() -> None:
    op.drop_table("panelchart")
