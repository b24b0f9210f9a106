"""cross-city reads need a secret the database does not hold: the app role can no longer widen its own scope

Until now a transaction that set app.cross_tenant = 'on' could read every city, and the app role could set it
itself (one SQL injection would have been enough). Now policies ask mentorby_cross_city(): true for the role
that owns the schema (migrations) and for a transaction whose app.cross_key hashes to the digest kept in
mentorby_private.cross_city_key, which only the owner can read. `flask setup-postgres` writes that digest from the
app's CROSS_CITY_KEY.

Revision ID: d4e5f6a7b8c9
Revises: c87e79059026
Create Date: 2026-11-29 23:00:00

"""
from alembic import op

from mentorby.platform.rls import LEGACY_CROSS, platform_policy, tenant_policy


revision = 'd4e5f6a7b8c9'
down_revision = 'c87e79059026'
branch_labels = None
depends_on = None

PLATFORM_TABLES = {"outbox_message": False, "audit_entry": True}  # table -> append only


def _tenant_tables(bind):
    return [row[0] for row in bind.exec_driver_sql(
        "select c.table_name from information_schema.columns c join pg_policies p "
        "on p.tablename = c.table_name and p.schemaname = c.table_schema "
        "where c.table_schema = 'public' and c.column_name = 'tenant_id' and p.policyname = 'tenant_isolation' "
        "order by c.table_name")]


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    op.execute("create schema if not exists mentorby_private")
    op.execute("revoke all on schema mentorby_private from public")
    op.execute("create table if not exists mentorby_private.cross_city_key (digest text not null)")
    op.execute("""
        create or replace function mentorby_cross_city() returns boolean
        language sql stable security definer set search_path = pg_catalog, mentorby_private as $$
            select pg_has_role(session_user, (select nspowner from pg_namespace where nspname = 'mentorby_private'),
                               'member')
                or exists (select 1 from mentorby_private.cross_city_key k
                           where k.digest = encode(sha256(convert_to(
                               coalesce(current_setting('app.cross_key', true), ''), 'UTF8')), 'hex'))
        $$
    """)
    op.execute("revoke all on function mentorby_cross_city() from public")
    op.execute("grant execute on function mentorby_cross_city() to public")
    for table in _tenant_tables(bind):
        op.execute(f"drop policy tenant_isolation on {table}")
        if table in PLATFORM_TABLES:
            op.execute(platform_policy(op, table, append_only=PLATFORM_TABLES[table]))
        else:
            op.execute(tenant_policy(op, table))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    current = "nullif(current_setting('app.tenant_id', true), '')::integer"
    for table in _tenant_tables(bind):
        op.execute(f"drop policy tenant_isolation on {table}")
        using = f"({LEGACY_CROSS} or tenant_id = {current})"
        if table in PLATFORM_TABLES:
            check = "(true)" if PLATFORM_TABLES[table] else f"({LEGACY_CROSS} or tenant_id is null or tenant_id = {current})"
        else:
            check = using
        op.execute(f"create policy tenant_isolation on {table} using {using} with check {check}")
    op.execute("drop function if exists mentorby_cross_city()")
    op.execute("drop schema if exists mentorby_private cascade")
