"""What a transaction wrote, for the worker's memories that a write makes stale.

A web worker keeps some answers between requests: the pages kept for visitors without a cookie
(tenants/public_page.py) and the national state (platform/national/figures.py). Each must be forgotten when
something it shows is written through the worker:

- at the flush or bulk write, so that the worker's other requests (a threaded server) stop answering from it;
- again at the commit: another request may have kept an answer read before the change between the flush and now;
- when a transaction that wrote is rolled back, or a savepoint of it: what was read meanwhile may have been its own
  writes (a test's, which never commit). A rollback that undoes nothing (a refused form's, a 404's) forgets nothing.

A transaction that wrote keeps nothing for other requests (it may still roll back, and a write can reach rows the
session never sees, through the database's cascades): `wrote(session)` says whether it did.

A write through another process (another worker, the task queue) is not seen here: each memory trusts what it read
only for a few seconds. Nor is a write through raw SQL on a Core connection (`text()`), which no web path uses for the
rows these memories show.
"""

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

#: Session.info key: how many writes (flushes with changes, bulk statements) the root transaction made.
_COUNT = "mentorby.writes.count"
#: Session.info key: the models the root transaction wrote, to forget their memories again at its commit.
_MODELS = "mentorby.writes.models"
#: Connection.info key: the connection's transaction wrote through a session (its rollback undoes something). Kept on
#: the connection rather than the session: a test's requests share its connection, and see its uncommitted rows.
_ON_CONNECTION = "mentorby.writes.on_connection"

#: (forget, models): forget() is called on a write to one of `models` (None: to anything).
_MEMORIES: list[tuple[Callable[[], None], tuple[type, ...] | None]] = []


def forget_on_write(forget: Callable[[], None], models: tuple[type, ...] | None = None) -> None:
    """Call `forget` whenever this process writes one of `models` (None: anything): see the module's docstring.

    The rollback of a write forgets every memory, whatever it wrote (the database's cascades may have reached any
    table). Idempotent.
    """
    if (forget, models) not in _MEMORIES:
        _MEMORIES.append((forget, models))


def wrote(session: Session) -> int:
    """How many writes the session's transaction made so far (0: it only read)."""
    return session.info.get(_COUNT, 0)


def _forget(models: set[type] | None) -> None:
    # `object` among the models: a write to a table no model maps (Core on the session), which could be any of them.
    for forget, watched in _MEMORIES:
        if models is None or watched is None or object in models or any(issubclass(model, watched)
                                                                         for model in models):
            forget()


def _written(session: Session, models: set[type]) -> None:
    session.info[_COUNT] = session.info.get(_COUNT, 0) + 1
    session.info.setdefault(_MODELS, set()).update(models)
    session.connection().info[_ON_CONNECTION] = True
    _forget(models)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    # After the flush the session still shows what it flushed: new, dirty (changed or only touched) and deleted.
    _written(session, {type(instance) for collection in (session.new, session.dirty, session.deleted)
                       for instance in collection})


@event.listens_for(Session, "do_orm_execute")
def _wrote_in_bulk(state) -> None:
    # A bulk INSERT, UPDATE or DELETE through the session writes without a flush.
    if state.is_insert or state.is_update or state.is_delete:
        _written(state.session, {mapper.class_ for mapper in state.all_mappers} or {object})


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    models = session.info.pop(_MODELS, None)
    if models:
        _forget(models)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_COUNT, None)
        session.info.pop(_MODELS, None)


@event.listens_for(Engine, "rollback")
def _rolled_back(conn) -> None:
    # A lost connection's info cannot be read (it went with it): whatever it wrote is undone, so forget.
    if conn.invalidated or conn.info.pop(_ON_CONNECTION, None):
        _forget(None)


@event.listens_for(Engine, "rollback_savepoint")
def _savepoint_undone(conn, name, context) -> None:
    if conn.invalidated or conn.info.get(_ON_CONNECTION):
        _forget(None)


@event.listens_for(Engine, "commit")
def _connection_committed(conn) -> None:
    if not conn.invalidated:
        conn.info.pop(_ON_CONNECTION, None)
