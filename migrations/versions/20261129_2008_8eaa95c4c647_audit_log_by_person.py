"""audit log: an index to filter a city's log by the person who made the change

Revision ID: 8eaa95c4c647
Revises: c3d4e5f6a7b8
Create Date: 2026-11-29 20:08:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8eaa95c4c647'
down_revision = 'c3d4e5f6a7b8'
branch_labels = None
depends_on = None


def upgrade():
    # The log page lists the people who made changes in the city and filters by one of them.
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_tenant_actor', ['tenant_id', 'actor_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_tenant_actor')
