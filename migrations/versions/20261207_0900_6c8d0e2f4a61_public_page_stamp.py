"""tenant.public_stamp: a new random number at each commit that changed what a city's public page lists (its joint
events, public partners, rounds), so web workers can keep that part of the page rendered and know when it is out of
date.

Revision ID: 6c8d0e2f4a61
Revises: 5b7c9d1e3f20
Create Date: 2026-12-07 09:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '6c8d0e2f4a61'
down_revision = '5b7c9d1e3f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenant') as batch_op:
        batch_op.add_column(sa.Column('public_stamp', sa.BigInteger(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('tenant') as batch_op:
        batch_op.drop_column('public_stamp')
