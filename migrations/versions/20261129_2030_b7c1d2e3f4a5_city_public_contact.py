"""city public contact: the programme's own e-mail address and phone for the public

Revision ID: b7c1d2e3f4a5
Revises: 66e60a136508
Create Date: 2026-11-29 20:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c1d2e3f4a5'
down_revision = '66e60a136508'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_email', sa.String(length=254), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('public_phone', sa.String(length=40), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_column('public_phone')
        batch_op.drop_column('public_email')
