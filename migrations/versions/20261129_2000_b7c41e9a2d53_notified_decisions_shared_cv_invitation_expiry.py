"""applications: the decision each person was told and when, the mentee's consent to share the CV; invitation expiry

Revision ID: b7c41e9a2d53
Revises: 194ef2c6aba3
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c41e9a2d53'
down_revision = '194ef2c6aba3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_cv', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('notified_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    # Until now accepting sent the invitation at once: those already invited were told they are accepted.
    # Every city's rows: row-level security binds the owner too (FORCE), so say so explicitly.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("select set_config('app.cross_tenant', 'on', true)")
    application = sa.table('application', sa.column('invited', sa.Boolean()), sa.column('status', sa.String()),
                           sa.column('notified_status', sa.String()), sa.column('notified_at', sa.DateTime()),
                           sa.column('decided_at', sa.DateTime()))
    op.execute(application.update().where(application.c.invited.is_(sa.true()))
               .values(notified_status='accepted', notified_at=application.c.decided_at))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("select set_config('app.cross_tenant', 'off', true)")


def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('notified_at')
        batch_op.drop_column('notified_status')
        batch_op.drop_column('share_cv')
