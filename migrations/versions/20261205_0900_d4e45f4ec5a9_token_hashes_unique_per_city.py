"""Token hashes unique per city, so the schema can be distributed by tenant_id (docs/scale.md)

Revision ID: d4e45f4ec5a9
Revises: f1a2b3c4d5e6
Create Date: 2026-12-05 09:00:00

Citus enforces a unique key only inside one city's shard, so every unique key of a tenant-owned table must include
tenant_id (tests/platform/test_distribution.py). The personal links (RSVP, calendar feed, survey) carry the city in
their path and are looked up in that city, through the new (tenant_id, token_hash) index. An API token is looked up
by its hash alone (the secret names no city), so api_token also keeps a plain index on token_hash. Tokens are 256-bit
random secrets: two equal hashes in two cities do not occur in practice.
"""
from alembic import op


revision = 'd4e45f4ec5a9'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None

TABLES = ('api_token', 'calendar_feed', 'event_invitation', 'survey_response')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_token_hash', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_tenant_id_token_hash', ['tenant_id', 'token_hash'])
            if table == 'api_token':
                batch_op.create_index('ix_api_token_token_hash', ['token_hash'], unique=False)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            if table == 'api_token':
                batch_op.drop_index('ix_api_token_token_hash')
            batch_op.drop_constraint(f'uq_{table}_tenant_id_token_hash', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_token_hash', ['token_hash'])
