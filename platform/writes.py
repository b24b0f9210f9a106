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

import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator

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
    table); with `models` empty, only that (a memory that decides itself which writes make it stale). Idempotent.
    """
    if (forget, models) not in _MEMORIES:
        _MEMORIES.append((forget, models))


def changed(session: Session) -> Iterator:
    """The rows a flush wrote, as after_flush still shows them: new, deleted, and changed (not only touched).

    A row whose only change is a collection's counts: the rows the collection holds are written for it (a one-way
    relationship's children updated or deleted, which show nowhere else).
    """
    yield from session.new
    yield from session.deleted
    for instance in session.dirty:
        if session.is_modified(instance):
            yield instance


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
    if session.in_nested_transaction():
        return  # a savepoint released (after_commit fires for it too): the commit is still to come
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


def new_stamp() -> int:
    """A stamp nobody has seen: 62 random bits (fits PostgreSQL's bigint and SQLite's integer).

    Random rather than a count, it never comes back to a value a worker kept something under (a rolled-back test, a
    database restored from a backup, a Redis key lost and set again).
    """
    return secrets.randbits(62) or 1


class Memory:
    """Answers a web worker keeps between requests, bounded in age, number and bytes, and forgotten on a write.

    Safe for a threaded server: a lock guards the entries, and an answer read before the memory was last forgotten
    is not kept (`moment()`, taken before the reading, handed to `keep`): another request may have written and
    committed meanwhile. What is past its time leaves memory at every look and, for a worker that is asked nothing
    more, within a quarter of an age after it (a daemon thread of the memory, started in the process that keeps):
    kept answers may hold personal data.
    """

    def __init__(self, name: str):
        self.name = name
        self._age = 0.0  # the age the last keep gave, for the sweeper
        self._reset()
        if hasattr(os, "register_at_fork"):
            # A worker forked while another thread held the lock would never get it: the child starts empty.
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._entries: OrderedDict = OrderedDict()  # key -> (when kept, size, value); least recently kept first
        self._size = 0
        self._forgotten = getattr(self, "_forgotten", 0) + 1
        self._lock = threading.Lock()
        self._sweeper: tuple[int, threading.Thread] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """The bytes kept (as handed to `keep`)."""
        return self._size

    def moment(self) -> int:
        """Where the memory stands in forgetting: taken before an answer is read, handed to `keep`."""
        return self._forgotten

    def get(self, key, seconds: float):
        """What is kept under `key`, if it was kept less than `seconds` ago; else None."""
        self.purge(seconds)
        found = self._entries.get(key)
        return found[2] if found is not None else None

    def keep(self, key, value, *, moment: int, seconds: float, size: int = 0, items: int | None = None,
             max_bytes: int | None = None) -> bool:
        """Keep `value` under `key` unless the memory was forgotten since `moment`; the oldest go past the bounds.

        Whether it is kept.
        """
        with self._lock:
            if moment != self._forgotten:
                return False
            self._pop(key)  # (re)kept last
            self._entries[key] = (time.monotonic(), size, value)
            self._size += size
            self._purge(seconds, items, max_bytes)
            self._age = seconds
            self._sweep_later()
            return key in self._entries  # (not when it alone is over the bounds)

    def purge(self, seconds: float) -> None:
        """Drop what was kept `seconds` ago or more."""
        with self._lock:
            self._purge(seconds)

    def forget(self) -> None:
        """Forget everything, and refuse what was read before now."""
        with self._lock:
            self._forgotten += 1
            self._entries.clear()
            self._size = 0

    def _purge(self, seconds: float, items: int | None = None, max_bytes: int | None = None) -> None:
        now = time.monotonic()
        while self._entries:
            oldest, (when, _size, _value) = next(iter(self._entries.items()))
            if (now - when < seconds and (items is None or len(self._entries) <= items)
                    and (max_bytes is None or self._size <= max_bytes)):
                break
            self._pop(oldest)

    def _pop(self, key) -> None:
        found = self._entries.pop(key, None)
        if found is not None:
            self._size -= found[1]

    def _sweep_later(self) -> None:
        # One sweeper per memory and process (a forked worker does not inherit its parent's thread), gone once
        # nothing is kept.
        pid = os.getpid()
        if self._sweeper is not None and self._sweeper[0] == pid and self._sweeper[1].is_alive():
            return
        sweeper = threading.Thread(target=self._sweep, name=f"mentorby-sweep-{self.name}", daemon=True)
        self._sweeper = (pid, sweeper)
        sweeper.start()

    def _sweep(self) -> None:
        while True:
            time.sleep(max(self._age / 4, 0.05))
            with self._lock:
                self._purge(self._age)
                if not self._entries:
                    self._sweeper = None
                    return
