"""Leave (a person away until a date, with who covers for them) and an action's joint lead role.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 17:37:16.940831

``leave`` is a new table, empty after the upgrade. ``action.joint_lead_role_id`` is added NULL
(every existing action keeps its single owner) with its foreign key, which SQLite adds in place with
``ALTER TABLE … ADD COLUMN … REFERENCES``: ``action`` is referred to by
other tables, and rebuilding it would fail on their rows (docs/migrations.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOINT_LEAD_KEY = "action_joint_lead_role_id_fkey"


def upgrade() -> None:
    op.create_table(
        "leave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("cover_id", sa.Integer(), nullable=True),
        sa.Column("set_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cover_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id"),
    )
    if op.get_bind().dialect.name == "sqlite":
        # Alembic would rebuild the table to add a foreign key; SQLite adds this one in place.
        op.execute("ALTER TABLE action ADD COLUMN joint_lead_role_id INTEGER REFERENCES role (id)")
    else:
        op.add_column("action", sa.Column("joint_lead_role_id", sa.Integer(), nullable=True))
        op.create_foreign_key(JOINT_LEAD_KEY, "action", "role", ["joint_lead_role_id"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(JOINT_LEAD_KEY, "action", type_="foreignkey")
    op.drop_column("action", "joint_lead_role_id")
    op.drop_table("leave")
