"""Tenancy: the request's city, the tenant-owned base, and the two layers of isolation.

Layer 1 (ORM): every SELECT/UPDATE/DELETE that touches a tenant-owned model is filtered to the
session's city with `with_loader_criteria`; every new tenant-owned row gets that city's id.
Querying a tenant-owned model with no city set raises `TenantNotSet` instead of returning
everything: a missing city is a bug, never a reason to show all cities.

Layer 2 (PostgreSQL): row-level security keyed on `app.tenant_id`, set per transaction with
`set_config(..., is_local => true)` so that a pooled connection never carries one city's
setting into the next request.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import abort, current_app, g, has_app_context
from sqlalchemy import (
    DateTime,
    Engine,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
    cast,
    event,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, scoped_session, with_loader_criteria
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

TENANT_KEY = "mentorby.tenant_id"
CROSS_KEY = "mentorby.cross_tenant"


class TenantNotSet(RuntimeError):
    """A tenant-owned model was queried or written with no city set for the session."""


class CrossTenantWrite(RuntimeError):
    """A row of one city was about to be written while another city is the session's city."""


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored in UTC on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive datetimes; store aware ones in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store times in UTC with tzinfo")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        """Hand back aware UTC datetimes."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class TenantOwned:
    """Mixin for every table that belongs to one city.

    The table gets `tenant_id` (NOT NULL) and a unique `(tenant_id, id)` so that child tables can
    reference it with a composite foreign key and the schema can be distributed by tenant later.
    Extra table arguments go in `__tenant_table_args__`.
    """

    __tenant_table_args__: tuple = ()

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        """The city this row belongs to."""
        return mapped_column(Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("tenant_id", "id"), *cls.__tenant_table_args__)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={getattr(self, 'id', None)} tenant_id={self.tenant_id}>"


def tenant_fk(column: str, target: str, ondelete: str | None = "CASCADE") -> ForeignKeyConstraint:
    """A composite foreign key (tenant_id, column) -> target(tenant_id, id): a child can only point at its own city."""
    return ForeignKeyConstraint(["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], ondelete=ondelete)


def is_tenant_owned(cls) -> bool:
    """Whether instances of `cls` belong to one city."""
    return isinstance(cls, type) and issubclass(cls, TenantOwned)


# --- beyond one machine ------------------------------------------------------------------------

#: How each table that is not tenant-owned would live in a PostgreSQL cluster distributed by city with Citus
#: (docs/scale.md). Tenant-owned tables are distributed by `tenant_id`, co-located, and need no entry. "reference":
#: small, read everywhere, referenced by foreign keys of distributed tables: a copy on every node. "local": stays on
#: the coordinator (platform rows, some with a nullable `tenant_id`, which a distribution column cannot be).
#: tests/platform/test_distribution.py fails for a table missing here, so a new table is classified when it is made.
DISTRIBUTION: dict[str, str] = {
    "tenant": "reference",
    "user_account": "reference",
    "sign_in": "local",
    "audit_entry": "local",
    "outbox_message": "local",
    "round_rollup": "local",
    "criterion_rollup": "local",
    "adoption_contact": "local",
    "adoption_stage_change": "local",
    "adoption_target": "local",
}


# --- the session's city -------------------------------------------------------------------------


def _real(session) -> Session:
    # Flask-SQLAlchemy hands out a scoped_session; the transaction state lives on the Session behind it.
    return session() if isinstance(session, scoped_session) else session


PG_APPLIED_KEY = "mentorby.pg_settings"
#: The settings of a transaction that set none: no city, no cross-city key.
_NOTHING = ("", "")


def _desired(session: Session) -> tuple[str, str]:
    tenant_id = session.info.get(TENANT_KEY)
    # Across cities, the transaction presents the secret that PostgreSQL's policies ask for (see platform/rls.py).
    key = current_app.config["CROSS_CITY_KEY"] if session.info.get(CROSS_KEY) and has_app_context() else ""
    return ("" if tenant_id is None else str(tenant_id), key)


def _apply_pg_settings(session: Session, connection=None, *, only_if_changed: bool = False) -> None:
    """Push the session's city into PostgreSQL for the current transaction."""
    conn = connection if connection is not None else session.connection()
    if conn.dialect.name != "postgresql":
        return
    desired = _desired(session)
    if only_if_changed and conn.info.get(PG_APPLIED_KEY) == desired:
        return
    conn.execute(
        text("select set_config('app.tenant_id', :tenant, true), set_config('app.cross_key', :key, true)"),
        {"tenant": desired[0], "key": desired[1]},
    )
    conn.info[PG_APPLIED_KEY] = desired


def set_session_tenant(session: Session, tenant_id: int | None) -> None:
    """Make `tenant_id` the session's city (None: no city); applies to an open transaction at once."""
    session = _real(session)
    session.info[TENANT_KEY] = tenant_id
    if session.in_transaction():
        conn = session.connection()
        if conn.info.get(PG_APPLIED_KEY) == _NOTHING:
            # Nothing is granted now, so waiting can only show less: the next statement applies the city (see
            # _filter_to_city), and a request that needs nothing more of the database (a kept front page) saves the
            # round trip. From one city or a cross-city read to another, it applies at once.
            return
        _apply_pg_settings(session, conn, only_if_changed=True)


def city_applied_by_reading(session: Session, tenant_id_column):
    """A column that makes the row's city the transaction's city as PostgreSQL reads the row, or None.

    The request's first statement reads its city; applying the city then costs a round trip of its own before the
    next statement. Read with this column, the row applies it (`set_config`, local to the transaction, evaluated
    only for a row the query returns); `city_was_applied` then records it. Only at the start of a transaction that
    holds nothing (no city, no cross-city key) and not across cities; elsewhere None, and the city is applied as
    usual.
    """
    session = _real(session)
    if session.info.get(CROSS_KEY) or session.info.get(TENANT_KEY) is not None:
        return None
    conn = session.connection()
    if conn.dialect.name != "postgresql" or conn.info.get(PG_APPLIED_KEY) != _NOTHING:
        return None
    return func.set_config("app.tenant_id", cast(tenant_id_column, String), True)


def city_was_applied(session: Session, tenant_id: int) -> None:
    """The row of `tenant_id`, read with `city_applied_by_reading`'s column, set it in PostgreSQL: note it."""
    _real(session).connection().info[PG_APPLIED_KEY] = (str(tenant_id), "")


def session_tenant_id(session: Session) -> int | None:
    """The session's city id, or None."""
    return session.info.get(TENANT_KEY)


@contextmanager
def tenant_scope(session: Session, tenant_id: int) -> Iterator[None]:
    """Run a block with `tenant_id` as the session's city (CLI commands, tasks, tests)."""
    previous = session.info.get(TENANT_KEY)
    set_session_tenant(session, tenant_id)
    try:
        yield
    finally:
        set_session_tenant(session, previous)


@contextmanager
def cross_tenant(session: Session) -> Iterator[None]:
    """Read or write across cities, explicitly.

    Used only where the platform itself must see past one city: the list of a user's own
    memberships, API token lookup by hash, the outbox worker and national rollups.
    """
    session = _real(session)
    previous = session.info.get(CROSS_KEY, False)
    session.info[CROSS_KEY] = True
    if session.in_transaction():
        _apply_pg_settings(session)
    try:
        yield
    finally:
        session.info[CROSS_KEY] = previous
        if session.in_transaction():
            _apply_pg_settings(session)


@event.listens_for(Engine, "rollback_savepoint")
def _savepoint_undone(conn, name, context):
    # Rolling a savepoint back also undoes the settings made inside it (a refusal in attempt(), a refused request in
    # a test sharing the connection): what was applied is no longer known, so the next statement applies it again.
    if not conn.invalidated:  # a lost connection's info goes with it (and reading it would raise)
        conn.info.pop(PG_APPLIED_KEY, None)


@event.listens_for(Engine, "rollback")
@event.listens_for(Engine, "commit")
def _transaction_ended(conn):
    # The settings are transaction-local: once the transaction ends, the connection has none (no city, no key). A
    # lost connection's info goes with it (and reading it would raise: the request's cleanup would fail too).
    if not conn.invalidated:
        conn.info[PG_APPLIED_KEY] = _NOTHING


@event.listens_for(Pool, "reset")
def _connection_reset(dbapi_connection, connection_record, reset_state):
    # Back in the pool the connection is rolled back, not always through an Engine event (one collected by the
    # garbage collector, say): what it holds is nothing, and the next transaction on it must not trust an old city.
    connection_record.info[PG_APPLIED_KEY] = _NOTHING


@event.listens_for(Session, "after_begin")
def _after_begin(session, transaction, connection):
    # A request starts with no city: on a connection whose last transaction ended (or a new one, whose state is not
    # known and is set), that is already so, and asking PostgreSQL to set nothing would cost a round trip a request.
    _apply_pg_settings(session, connection, only_if_changed=True)


@event.listens_for(Session, "do_orm_execute")
def _filter_to_city(state):
    if state.session.in_transaction():
        # Every statement runs under the session's city: it may not be applied yet (set_session_tenant waits for
        # the next statement), and another session on the same connection (tests share one) may have changed it.
        _apply_pg_settings(state.session, only_if_changed=True)
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.session.info.get(CROSS_KEY):
        return
    tenant_id = state.session.info.get(TENANT_KEY)
    if tenant_id is None:
        touched = [m.class_.__name__ for m in state.all_mappers if is_tenant_owned(m.class_)]
        if touched:
            raise TenantNotSet(f"query on {', '.join(touched)} with no city set")
        return
    state.statement = state.statement.options(
        with_loader_criteria(TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session, flush_context, instances):
    _apply_pg_settings(session, only_if_changed=True)
    tenant_id = session.info.get(TENANT_KEY)
    cross = session.info.get(CROSS_KEY)
    for obj in session.new:
        if not isinstance(obj, TenantOwned):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantNotSet(f"new {type(obj).__name__} with no city set")
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id and not cross:
            raise CrossTenantWrite(f"new {type(obj).__name__} for city {obj.tenant_id} while city is {tenant_id}")
    for obj in session.dirty:
        if isinstance(obj, TenantOwned) and not cross and obj.tenant_id != tenant_id:
            raise CrossTenantWrite(f"{type(obj).__name__} of city {obj.tenant_id} changed while city is {tenant_id}")


# --- the request's city -------------------------------------------------------------------------


def _current_city():
    return g.get("city")


#: The city of the current request (a Tenant), or None outside city URLs.
current_city = LocalProxy(_current_city)


def get_in_city(session: Session, model, object_id, *, error: int = 404, **parent):
    """Load a tenant-owned row by id through the request's city: missing and foreign rows give the same 404.

    `parent` names the row it must belong to, e.g. ``cohort_id=cohort.id``: a row of another parent is a 404 too.
    """
    if not is_tenant_owned(model):
        raise TypeError(f"{model.__name__} is not tenant-owned")
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        abort(error)
    if not 0 < object_id < 2**31:
        abort(error)  # ids are 32-bit integers; PostgreSQL would refuse the comparison rather than find nothing
    obj = session.execute(select(model).where(
        model.id == object_id, *(getattr(model, column) == value for column, value in parent.items())
    )).scalar_one_or_none()
    tenant_id = session.info.get(TENANT_KEY)
    if obj is None or tenant_id is None or obj.tenant_id != tenant_id:
        abort(error)
    return obj


__all__ = [
    "DISTRIBUTION",
    "CrossTenantWrite",
    "TenantNotSet",
    "TenantOwned",
    "UTCDateTime",
    "cross_tenant",
    "current_city",
    "get_in_city",
    "is_tenant_owned",
    "session_tenant_id",
    "set_session_tenant",
    "tenant_fk",
    "tenant_scope",
    "utcnow",
]
