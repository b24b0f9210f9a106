"""Row-level security for PostgreSQL, used by migrations (SQLite relies on the ORM filter alone).

Every table with a `tenant_id` column gets RLS, FORCE (so the owner is bound too) and a policy keyed on the
per-transaction setting `app.tenant_id` (see tenancy.py). Reading across cities is allowed only where
`mentorby_cross_city()` says so: for the role that owns the schema (migrations), or for a transaction that has set
`app.cross_key` to the secret whose digest only the owner can read (see the migration that made it). The app role
cannot widen its own scope: an SQL injection can set any setting, but it does not know the secret, which lives in
the app's environment, not in the database.
"""

CURRENT = "nullif(current_setting('app.tenant_id', true), '')::integer"
#: Evaluated once per query (a scalar subquery without outer references becomes an InitPlan), not once per row.
CROSS = "(select mentorby_cross_city())"
#: What policies said before the secret existed (the first migrations, which run before the function is made).
LEGACY_CROSS = "coalesce(current_setting('app.cross_tenant', true), 'off') = 'on'"


def _is_postgres(op) -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _cross(op) -> str:
    exists = op.get_bind().exec_driver_sql(
        "select 1 from pg_proc where proname = 'mentorby_cross_city'").scalar()
    return CROSS if exists else LEGACY_CROSS


def tenant_policy(op, table: str) -> str:
    """The policy statement for a tenant-owned table."""
    condition = f"({_cross(op)} or tenant_id = {CURRENT})"
    return f"create policy tenant_isolation on {table} using {condition} with check {condition}"


def platform_policy(op, table: str, *, append_only: bool = False) -> str:
    """The policy statement for a table whose rows belong to a city or (tenant_id null) to the platform."""
    cross = _cross(op)
    using = f"({cross} or tenant_id = {CURRENT})"
    check = "(true)" if append_only else f"({cross} or tenant_id is null or tenant_id = {CURRENT})"
    return f"create policy tenant_isolation on {table} using {using} with check {check}"


def enable_tenant_rls(op, table: str) -> None:
    """RLS for a tenant-owned table: a row is visible and writable only under its city's setting."""
    if not _is_postgres(op):
        return
    op.execute(f"alter table {table} enable row level security")
    op.execute(f"alter table {table} force row level security")
    op.execute(tenant_policy(op, table))


def enable_platform_rls(op, table: str, *, append_only: bool = False) -> None:
    """RLS for a table whose rows belong to a city or (tenant_id null) to the platform.

    Rows are read only under their city's setting or explicitly across cities. An append-only table
    (the audit log) accepts new rows about any city, since an entry is written in the flush that
    made the change, and the app role is never granted UPDATE or DELETE on it.
    """
    if not _is_postgres(op):
        return
    op.execute(f"alter table {table} enable row level security")
    op.execute(f"alter table {table} force row level security")
    op.execute(platform_policy(op, table, append_only=append_only))


def disable_rls(op, table: str) -> None:
    """Undo enable_*_rls (for downgrades)."""
    if not _is_postgres(op):
        return
    op.execute(f"drop policy if exists tenant_isolation on {table}")
    op.execute(f"alter table {table} no force row level security")
    op.execute(f"alter table {table} disable row level security")
