"""Alembic environment: the app's metadata; on PostgreSQL, run as the tables' owner (MIGRATION_DATABASE_URL)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")
target_db = current_app.extensions["migrate"].db


def get_engine():
    # Migrations run as the owner of the tables; the app connects as a role that does not own them,
    # so that row-level security applies to the app (see README, "PostgreSQL roles").
    owner_url = current_app.config.get("MIGRATION_DATABASE_URL")
    return create_engine(owner_url) if owner_url else target_db.engine


def render_item(type_, obj, autogen_context):
    # UTCDateTime only converts values in Python; the column itself is a plain timestamp with time zone.
    from mentorby.platform.tenancy import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline():
    context.configure(url=str(get_engine().url), target_metadata=target_db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        script = directives[0]
        if getattr(config.cmd_opts, "autogenerate", False) and script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")
            return
        if not (script.message or "").strip():
            raise SystemExit("Give the migration a message: flask db migrate -m 'what it changes'")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    engine = get_engine()
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
    if engine is not target_db.engine:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
