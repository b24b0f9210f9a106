"""Row-level security for PostgreSQL, used by migrations (SQLite relies on the ORM filter alone).

Every table with a `tenant_id` column gets RLS, FORCE (so the owner is bound too) and a policy keyed
on the per-transaction settings `app.tenant_id` and `app.cross_tenant` (see tenancy.py).
"""

CURRENT = "nullif(current_setting('app.tenant_id', true), '')::integer"
CROSS = "coalesce(current_setting('app.cross_tenant', true), 'off') = 'on'"


def _is_postgres(op) -> bool:
    return op.get_bind().dialect.name == "postgresql"


def enable_tenant_rls(op, table: str) -> None:
    """RLS for a tenant-owned table: a row is visible and writable only under its city's setting."""
    if not _is_postgres(op):
        return
    condition = f"({CROSS} or tenant_id = {CURRENT})"
    op.execute(f"alter table {table} enable row level security")
    op.execute(f"alter table {table} force row level security")
    op.execute(f"create policy tenant_isolation on {table} using {condition} with check {condition}")


def enable_platform_rls(op, table: str, *, append_only: bool = False) -> None:
    """RLS for a table whose rows belong to a city or (tenant_id null) to the platform.

    Rows are read only under their city's setting or explicitly across cities. An append-only table
    (the audit log) accepts new rows about any city, since an entry is written in the flush that
    made the change, and the app role is never granted UPDATE or DELETE on it.
    """
    if not _is_postgres(op):
        return
    using = f"({CROSS} or tenant_id = {CURRENT})"
    check = "(true)" if append_only else f"({CROSS} or tenant_id is null or tenant_id = {CURRENT})"
    op.execute(f"alter table {table} enable row level security")
    op.execute(f"alter table {table} force row level security")
    op.execute(f"create policy tenant_isolation on {table} using {using} with check {check}")


def disable_rls(op, table: str) -> None:
    """Undo enable_*_rls (for downgrades)."""
    if not _is_postgres(op):
        return
    op.execute(f"drop policy if exists tenant_isolation on {table}")
    op.execute(f"alter table {table} no force row level security")
    op.execute(f"alter table {table} disable row level security")
