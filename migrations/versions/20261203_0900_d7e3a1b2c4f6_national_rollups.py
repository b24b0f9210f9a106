"""National rollups: per city and round aggregates (participants per role, criteria yes/answered/eligible)

Revision ID: d7e3a1b2c4f6
Revises: ad0b7e1c2f31
Create Date: 2026-12-03 09:00:00

The rollups hold counts only and belong to no city (no tenant_id, no row-level security): the national layer reads
them and nothing else. Filled by `flask rebuild-rollups` after upgrading.
"""
from alembic import op
import sqlalchemy as sa

import mentorby.platform.tenancy


revision = 'd7e3a1b2c4f6'
down_revision = 'ad0b7e1c2f31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('mentors', sa.Integer(), nullable=False),
    sa.Column('mentees', sa.Integer(), nullable=False),
    sa.Column('updated_at', mentorby.platform.tenancy.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['tenant.id'], name=op.f('fk_round_rollup_city_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_rollup')),
    sa.UniqueConstraint('cohort_id', name=op.f('uq_round_rollup_cohort_id'))
    )
    op.create_index(op.f('ix_round_rollup_city_id'), 'round_rollup', ['city_id'], unique=False)
    op.create_index(op.f('ix_round_rollup_year'), 'round_rollup', ['year', 'city_id'], unique=False)
    op.create_table('criterion_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('of_everyone', sa.Boolean(), nullable=False),
    sa.Column('yes', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('eligible', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['tenant.id'], name=op.f('fk_criterion_rollup_city_id_tenant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cohort_id'], ['round_rollup.cohort_id'], name=op.f('fk_criterion_rollup_cohort_id_round_rollup'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion_rollup')),
    sa.UniqueConstraint('cohort_id', 'code', 'role', name=op.f('uq_criterion_rollup_cohort_id'))
    )
    op.create_index(op.f('ix_criterion_rollup_year'), 'criterion_rollup', ['year', 'code'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_criterion_rollup_year'), table_name='criterion_rollup')
    op.drop_table('criterion_rollup')
    op.drop_index(op.f('ix_round_rollup_year'), table_name='round_rollup')
    op.drop_index(op.f('ix_round_rollup_city_id'), table_name='round_rollup')
    op.drop_table('round_rollup')
