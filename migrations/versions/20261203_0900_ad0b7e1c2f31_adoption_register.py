"""The dissemination register (platform-wide, not a city's): organisations told, their stages, the sources' targets

Revision ID: ad0b7e1c2f31
Revises: c527524366a5
Create Date: 2026-12-03 09:00:00

"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = 'ad0b7e1c2f31'
down_revision = 'c527524366a5'
branch_labels = None
depends_on = None

STAGES = "('informed', 'interested', 'implementing', 'running')"


def upgrade():
    op.create_table('adoption_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('informed_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('model_from', sa.String(length=40), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f'stage in {STAGES}', name=op.f('ck_adoption_contact_stage')),
    sa.ForeignKeyConstraint(['city_id'], ['tenant.id'], name=op.f('fk_adoption_contact_city_id_tenant'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_contact')),
    sa.UniqueConstraint('city_id', name=op.f('uq_adoption_contact_city_id'))
    )
    op.create_table('adoption_stage_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=20), nullable=True),
    sa.Column('to_stage', sa.String(length=20), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['user_account.id'],
                            name=op.f('fk_adoption_stage_change_by_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['adoption_contact.id'],
                            name=op.f('fk_adoption_stage_change_contact_id_adoption_contact'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_stage_change'))
    )
    op.create_index(op.f('ix_adoption_stage_change_contact_id'), 'adoption_stage_change', ['contact_id'])
    op.create_index(op.f('ix_adoption_stage_change_changed_on'), 'adoption_stage_change', ['changed_on'])
    target = op.create_table('adoption_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('minimum', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.CheckConstraint('minimum between 1 and 10000', name=op.f('ck_adoption_target_minimum')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_target'))
    )
    # The project description's targets: >= 10 informed by October 2017, >= 4 of them interested by the end of 2017.
    op.bulk_insert(target, [{'stage': 'informed', 'minimum': 10, 'due_on': date(2017, 10, 31)},
                            {'stage': 'interested', 'minimum': 4, 'due_on': date(2017, 12, 31)}])


def downgrade():
    op.drop_table('adoption_target')
    op.drop_index(op.f('ix_adoption_stage_change_changed_on'), table_name='adoption_stage_change')
    op.drop_index(op.f('ix_adoption_stage_change_contact_id'), table_name='adoption_stage_change')
    op.drop_table('adoption_stage_change')
    op.drop_table('adoption_contact')
