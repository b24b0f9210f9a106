"""Erasure: when a person's application and pool entry were erased, and the one door to the append-only audit log

Revision ID: f1a2b3c4d5e6
Revises: e8f9a0b1c2d3
Create Date: 2026-12-05 09:00:00

The app role has no UPDATE on audit_entry (it is append-only for it). Erasing a person must still take their data
out of the entries about their rows, so PostgreSQL gets one SECURITY DEFINER function that can only replace the
values of named fields of named rows' entries with "[erased]": it cannot write anything else, and row-level
security (forced, so binding the function's owner too) keeps it to the cities the caller's transaction may see.
`flask setup-postgres` grants the app role EXECUTE on it; nobody else has it.
"""
from alembic import op
import sqlalchemy as sa


revision = 'f1a2b3c4d5e6'
down_revision = 'e8f9a0b1c2d3'
branch_labels = None
depends_on = None

FUNCTION = """
create or replace function mentorby_erase_from_audit(p_entity text, p_ids integer[], p_fields text[])
returns integer language plpgsql security definer set search_path = public, pg_temp as $$
declare
    n integer;
begin
    update audit_entry
       set changes = (select coalesce(json_object_agg(k, case when k = any(p_fields) then to_json('[erased]'::text)
                                                         else v end), '{}'::json)
                        from json_each(changes) as e(k, v))
     where entity = p_entity and entity_id = any(p_ids);
    get diagnostics n = row_count;
    return n;
end
$$
"""


def upgrade():
    for table in ('application', 'participant'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FUNCTION)
        op.execute('revoke all on function mentorby_erase_from_audit(text, integer[], text[]) from public')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('drop function if exists mentorby_erase_from_audit(text, integer[], text[])')
    for table in ('application', 'participant'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('erased_at')
