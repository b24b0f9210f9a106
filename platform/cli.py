"""Platform commands: create an admin, set up PostgreSQL roles for row-level security."""

import hashlib
import re

import click
from flask import Flask, current_app
from sqlalchemy import create_engine, text

from mentorby.platform.accounts.models import PLATFORM_ROLES
from mentorby.platform.accounts.passwords import password_problem
from mentorby.platform.accounts.services import AccountError, create_user, find_user, set_password
from mentorby.platform.extensions import db
from mentorby.platform.national.figures import NATIONAL_CITY_COLUMNS, NATIONAL_SUFFIX
from mentorby.platform.outbox.services import enqueue_pending

ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def register(app: Flask) -> None:
    """Add the platform's commands to `flask`."""

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--name", default="")
    @click.option("--platform-role", type=click.Choice(PLATFORM_ROLES), default=None)
    @click.password_option()
    def create_user_command(email, name, platform_role, password):
        """Create a platform admin or national stakeholder (or set the password of an existing user)."""
        problem = password_problem(password)
        if problem:
            raise click.BadParameter("use 12 to 128 characters", param_hint="password")
        user = find_user(db.session, email)
        try:
            if user is None:
                user = create_user(db.session, email=email, name=name, password=password, platform_role=platform_role)
            else:
                set_password(user, password)
                user.platform_role = platform_role or user.platform_role
        except AccountError as error:
            raise click.ClickException(error.code) from error
        db.session.commit()
        click.echo(f"User {user.email} ready (platform role: {user.platform_role or 'none'}).")

    @app.cli.command("setup-postgres")
    @click.option("--app-role", default="mentorby_app", show_default=True,
                  help="The login role the web app connects as (not the tables' owner).")
    @click.option("--app-password", default=None, help="Password for the app role (omit for trust/peer auth).")
    def setup_postgres(app_role, app_password):
        """Create the app's non-owner role and grant it table rights, so row-level security applies to it.

        Run as the role that owns the tables (the migration role), after `flask db upgrade`.
        """
        if not ROLE_RE.match(app_role):
            raise click.BadParameter("role names are lower-case letters, digits and underscores", param_hint="app-role")
        url = current_app.config["MIGRATION_DATABASE_URL"] or current_app.config["SQLALCHEMY_DATABASE_URI"]
        engine = create_engine(url)
        if engine.dialect.name != "postgresql":
            raise click.ClickException("setup-postgres needs a PostgreSQL DATABASE_URL or MIGRATION_DATABASE_URL.")
        with engine.begin() as conn:
            setup_app_role(conn, app_role, app_password)
            store_cross_city_key(conn, current_app.config["CROSS_CITY_KEY"])
        engine.dispose()
        click.echo(f"Role {app_role} can use the tables; row-level security applies to it. Cross-city reads open "
                   "only with this app's CROSS_CITY_KEY.")

    @app.cli.command("deliver-outbox")
    def deliver_outbox():
        """Queue every e-mail that is still waiting (after a worker outage)."""
        from sqlalchemy import select

        from mentorby.platform.outbox.models import QUEUED, OutboxMessage
        from mentorby.platform.outbox.services import PENDING_KEY
        from mentorby.platform.tenancy import cross_tenant

        with cross_tenant(db.session):
            ids = db.session.execute(select(OutboxMessage.id).where(OutboxMessage.status == QUEUED)).scalars().all()
        db.session.info[PENDING_KEY] = list(ids)
        db.session.commit()
        enqueue_pending(db.session)
        click.echo(f"{len(ids)} message(s) queued.")


def store_cross_city_key(conn, key: str) -> None:
    """Keep the digest of the secret that opens cross-city reads where only the owner can read it (platform/rls.py)."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    conn.execute(text("delete from mentorby_private.cross_city_key"))
    conn.execute(text("insert into mentorby_private.cross_city_key (digest) values (:digest)"), {"digest": digest})


def setup_app_role(conn, app_role: str, app_password: str | None) -> None:
    """Create (or update) the app's login role: NOBYPASSRLS, not the owner, with rights on every table."""
    exists = conn.execute(text("select 1 from pg_roles where rolname = :r"), {"r": app_role}).scalar()
    verb = "alter" if exists else "create"
    conn.execute(text(f'{verb} role "{app_role}" login nosuperuser nobypassrls nocreatedb nocreaterole'))
    if app_password:
        conn.execute(text(f"alter role \"{app_role}\" password '{app_password.replace(chr(39), chr(39) * 2)}'"))
    database = conn.execute(text("select current_database()")).scalar()
    conn.execute(text(f'grant connect on database "{database}" to "{app_role}"'))
    conn.execute(text(f'grant usage on schema public to "{app_role}"'))
    conn.execute(text(f'grant select, insert, update, delete on all tables in schema public to "{app_role}"'))
    conn.execute(text(f'grant usage, select on all sequences in schema public to "{app_role}"'))
    # Tables added by later migrations get the same rights.
    conn.execute(text(f'alter default privileges in schema public grant select, insert, update, delete on tables '
                      f'to "{app_role}"'))
    conn.execute(text(f'alter default privileges in schema public grant usage, select on sequences to "{app_role}"'))
    # The app must not touch Alembic's bookkeeping, and the audit log is append-only for it.
    conn.execute(text(f'revoke insert, update, delete on alembic_version from "{app_role}"'))
    conn.execute(text(f'revoke update, delete on audit_entry from "{app_role}"'))
    # ... except through the one function that takes an erased person's values out of it (migration f1a2b3c4d5e6).
    if conn.execute(text("select 1 from pg_proc where proname = 'mentorby_erase_from_audit'")).scalar():
        conn.execute(text(f'grant execute on function mentorby_erase_from_audit(text, integer[], text[]) '
                          f'to "{app_role}"'))
    setup_national_role(conn, app_role)


def setup_national_role(conn, app_role: str) -> None:
    """The national layer's own door: a role that reads the rollups and the cities' public names, nothing else.

    The app switches to it (SET LOCAL ROLE) for the national reads (platform/national/figures.py), so a mistake in
    a national query cannot reach a city's rows: it has no right on any tenant-owned table, bypasses no policy and
    cannot log in. The app role may become it, which narrows what the app can read, never widens it.
    """
    national = app_role + NATIONAL_SUFFIX
    if not conn.execute(text("select 1 from pg_roles where rolname = :r"), {"r": national}).scalar():
        conn.execute(text(f'create role "{national}" nologin nosuperuser nobypassrls nocreatedb nocreaterole'))
    conn.execute(text(f'revoke all on all tables in schema public from "{national}"'))
    conn.execute(text(f'grant usage on schema public to "{national}"'))
    conn.execute(text(f'grant select on round_rollup, criterion_rollup to "{national}"'))
    conn.execute(text(f'grant select ({", ".join(NATIONAL_CITY_COLUMNS)}) on tenant to "{national}"'))
    conn.execute(text(f'grant "{national}" to "{app_role}"'))
