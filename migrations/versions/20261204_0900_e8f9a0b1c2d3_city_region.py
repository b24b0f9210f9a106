"""A city's region (Denmark's five regions), for the national figures' region filter

Revision ID: e8f9a0b1c2d3
Revises: d7e3a1b2c4f6
Create Date: 2026-12-04 09:00:00

Cities that signed up before are left without one (null) until their coordinator or the platform admin sets it;
the national figures count them under "region not given".
"""
from alembic import op
import sqlalchemy as sa


revision = 'e8f9a0b1c2d3'
down_revision = 'd7e3a1b2c4f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenant') as batch_op:
        batch_op.add_column(sa.Column('region', sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(
            'region', "region in ('hovedstaden', 'sjaelland', 'syddanmark', 'midtjylland', 'nordjylland')")


def downgrade():
    with op.batch_alter_table('tenant') as batch_op:
        batch_op.drop_constraint('region', type_='check')
        batch_op.drop_column('region')
