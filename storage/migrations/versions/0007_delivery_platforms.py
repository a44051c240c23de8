"""Delivery targets name their platform: channel subscriptions and scheduled job runs get a
``platform`` column, part of their unique keys, so a Slack channel and a Teams conversation with
the same address (or the same job sent to a person on two platforms) are told apart. Job runs also
get ``alive_at``, renewed while a run is being posted, so a slow run is not taken over.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 21:40:00.000000

Every existing row was delivered through Slack, the only platform until now, so it becomes
``slack`` (the column's server default fills it in one step, with no rewrite of the rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The old unique constraints were created unnamed: PostgreSQL named them itself, SQLite keeps no
# name, so batch mode names the reflected SQLite constraint by this convention to drop it.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
KEYS = {
    "jobrun": (("job", "target", "period_key"), ("job", "platform", "target", "period_key")),
    "channelsubscription": (("channel", "job"), ("platform", "channel", "job")),
}


def upgrade() -> None:
    _rekey(new=True)


def downgrade() -> None:
    _rekey(new=False)


def _rekey(new: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, (old_columns, new_columns) in KEYS.items():
        drop, create = (old_columns, new_columns) if new else (new_columns, old_columns)
        with op.batch_alter_table(table, naming_convention=SQLITE_NAMES if sqlite else None) as batch_op:
            if new:
                batch_op.add_column(sa.Column("platform", sa.String(length=20), nullable=False, server_default="slack"))
                if table == "jobrun":
                    batch_op.add_column(sa.Column("alive_at", sa.DateTime(), nullable=True))
            batch_op.drop_constraint(_name(table, drop, sqlite, created_here=not new), type_="unique")
            batch_op.create_unique_constraint(_name(table, create, sqlite, created_here=new), list(create))
            if not new:
                batch_op.drop_column("platform")
                if table == "jobrun":
                    batch_op.drop_column("alive_at")


def _name(table: str, columns: tuple[str, ...], sqlite: bool, created_here: bool) -> str:
    """The constraint's name: ours when this migration made it, else what the database called it."""
    if created_here:
        return f"uq_{table}_{'_'.join(columns)}"
    return f"uq_{table}_{columns[0]}" if sqlite else f"{table}_{'_'.join(columns)}_key"
