"""Reports and jobs: job runs, channel subscriptions, quarter snapshots, measure values,
re-profiled due dates, and when an action last changed state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:55:34.330377

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('channelsubscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'job')
    )
    op.create_table('jobrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('period_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('message_ts', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job', 'target', 'period_key')
    )
    op.create_table('reprofile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('old_due', sa.Date(), nullable=False),
    sa.Column('new_due', sa.Date(), nullable=False),
    sa.Column('approval', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('approved_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reprofile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reprofile_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reprofile_created_at'), ['created_at'], unique=False)

    op.create_table('measurevalue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('quarter_key', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('measure_id', 'quarter_key')
    )
    with op.batch_alter_table('measurevalue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurevalue_measure_id'), ['measure_id'], unique=False)

    op.create_table('quartersnapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('quarter_key', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('update_id', sa.Integer(), nullable=True),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.ForeignKeyConstraint(['update_id'], ['statusupdate.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('quarter_key', 'action_id')
    )
    with op.batch_alter_table('quartersnapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quartersnapshot_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quartersnapshot_plan_id'), ['plan_id'], unique=False)

    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state_changed_at', sa.DateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('state_changed_at')

    with op.batch_alter_table('quartersnapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quartersnapshot_plan_id'))
        batch_op.drop_index(batch_op.f('ix_quartersnapshot_action_id'))

    op.drop_table('quartersnapshot')
    with op.batch_alter_table('measurevalue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurevalue_measure_id'))

    op.drop_table('measurevalue')
    with op.batch_alter_table('reprofile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reprofile_created_at'))
        batch_op.drop_index(batch_op.f('ix_reprofile_action_id'))

    op.drop_table('reprofile')
    op.drop_table('jobrun')
    op.drop_table('channelsubscription')
