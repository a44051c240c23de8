"""Initial schema: plans, themes, actions, measures, roles, people, updates and the audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 17:49:01.022060

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('auditentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('entity_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('change', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditentry_at'), ['at'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_email'), ['email'], unique=True)

    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('short_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('financial_year_start', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('short_name')
    )
    op.create_table('role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('title')
    )
    op.create_table('platformidentity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'external_id')
    )
    with op.batch_alter_table('platformidentity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_platformidentity_person_id'), ['person_id'], unique=False)

    op.create_table('roleholder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['role_id'], ['role.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('role_id', 'person_id')
    )
    with op.batch_alter_table('roleholder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roleholder_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roleholder_role_id'), ['role_id'], unique=False)

    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sro_role_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.ForeignKeyConstraint(['sro_role_id'], ['role.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'code')
    )
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_plan_id'), ['plan_id'], unique=False)

    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('owner_role_id', sa.Integer(), nullable=False),
    sa.Column('sro_role_id', sa.Integer(), nullable=False),
    sa.Column('baseline_due', sa.Date(), nullable=False),
    sa.Column('current_due', sa.Date(), nullable=False),
    sa.Column('cadence', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('state_approval', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_role_id'], ['role.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.ForeignKeyConstraint(['sro_role_id'], ['role.id'], ),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'code')
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_owner_role_id'), ['owner_role_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_sro_role_id'), ['sro_role_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_theme_id'), ['theme_id'], unique=False)

    op.create_table('delegate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], ),
    sa.ForeignKeyConstraint(['added_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('action_id', 'person_id')
    )
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegate_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegate_person_id'), ['person_id'], unique=False)

    op.create_table('measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('polarity', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('action_id', 'name')
    )
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_action_id'), ['action_id'], unique=False)

    op.create_table('statusupdate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('restricted', sa.Boolean(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('source_ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], ),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['corrects_id'], ['statusupdate.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('statusupdate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statusupdate_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statusupdate_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statusupdate_created_at'), ['created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('statusupdate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statusupdate_created_at'))
        batch_op.drop_index(batch_op.f('ix_statusupdate_author_id'))
        batch_op.drop_index(batch_op.f('ix_statusupdate_action_id'))

    op.drop_table('statusupdate')
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_action_id'))

    op.drop_table('measure')
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegate_person_id'))
        batch_op.drop_index(batch_op.f('ix_delegate_action_id'))

    op.drop_table('delegate')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_theme_id'))
        batch_op.drop_index(batch_op.f('ix_action_sro_role_id'))
        batch_op.drop_index(batch_op.f('ix_action_plan_id'))
        batch_op.drop_index(batch_op.f('ix_action_owner_role_id'))

    op.drop_table('action')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_plan_id'))

    op.drop_table('theme')
    with op.batch_alter_table('roleholder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleholder_role_id'))
        batch_op.drop_index(batch_op.f('ix_roleholder_person_id'))

    op.drop_table('roleholder')
    with op.batch_alter_table('platformidentity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_platformidentity_person_id'))

    op.drop_table('platformidentity')
    op.drop_table('role')
    op.drop_table('plan')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_email'))

    op.drop_table('person')
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditentry_at'))

    op.drop_table('auditentry')
