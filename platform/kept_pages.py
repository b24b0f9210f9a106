"""Pages the people who run a city open again and again, kept by the web worker until the city's data changes.

A coordinator's boards (the round, selection and matching boards) are read far more often than they change: each
click of a board's htmx form rewrites one part, then the board is opened again and again while the coordinator
works through it. Rendering a full matching board costs a web worker about 15 ms of Python; the same answer, kept,
costs the request's sign-in check and a dictionary lookup.

A kept page is given again only under the same:

- city stamp: a random number in Redis for each city, set anew by every commit that wrote one of the city's rows (a
  tenant-owned row, the city itself, or a platform row that carries its id), by any process: web workers and the
  task queue alike. A write to a table every city reads (an account: names and flags shown on any page) sets every
  city's stamp anew at once; a person's last sign-in time, which no kept page shows, does not. Before the commit the
  stamp is set anew and the city marked as being written; after it, the stamp is set anew again and the mark taken
  away. While a city is marked no page of it is kept or given, anywhere: a page read before the commit is kept
  under a stamp left behind, and one read after the second stamp reads the committed rows. A mark outlives a process
  killed mid-commit by WRITING_SECONDS at most. A stamp missing (Redis restarted empty, a key evicted) is set anew
  before anything is kept under it. The city and the person, read before the stamps, are read again before a page
  is made to be kept;
- person, with the same flags and roles in the city, and the same session (the page carries its CSRF token);
- address with its query, htmx headers, language and day;

and for at most KEPT_PAGE_SECONDS, so that what changes with the clock alone (a deadline's "in 3 days") and a
write the stamps do not see (SQL typed into the database) show within that time, and personal data does not stay
in the worker's memory long after it was last asked for (platform/writes.py's Memory drops it then even if the
worker is asked nothing more). A write to a city's rows through the worker, or the rollback of any write, forgets
every kept page at once: a threaded worker's other requests, and tests, which never commit.

Where this can fail, and how far:

- Without REDIS_URL there is no stamp other processes can set, and nothing is kept.
- Redis unreachable or slow to answer (REDIS_TIMEOUT, 0.5 s): that process neither keeps nor gives a page, nor sets
  stamps, for BACKOFF_SECONDS before it tries again, so a hung Redis costs one wait in that time, not one a request
  (the first a commit meets is inside its transaction).
- Redis answering reads but refusing writes (read-only after a failover, out of memory with noeviction), or a process
  leaving Redis alone while others reach it: a commit whose stamps are not set is logged as an error, and the other
  processes may give pages without that commit's change until they are KEPT_PAGE_SECONDS old. The process that
  wrote forgot its own pages, and keeps none for BACKOFF_SECONDS.
"""

import logging
import time
from dataclasses import dataclass, field

import redis
from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from mentorby.platform import writes
from mentorby.platform.cities.models import Tenant
from mentorby.platform.tenancy import CROSS_KEY, DISTRIBUTION, is_tenant_owned, session_tenant_id

log = logging.getLogger(__name__)

#: How long a kept page may be given, in seconds (config KEPT_PAGE_SECONDS; 0 keeps nothing).
KEPT_PAGE_SECONDS = 60
#: The most a worker keeps, in bytes of HTML (a full matching board of 40 people is about 120 KB).
KEPT_BYTES = 32 * 1024 * 1024
#: How long a process leaves Redis alone after it failed to answer or to take a stamp, in seconds.
BACKOFF_SECONDS = 5.0
#: Redis's longest answer before the process gives up on it, in seconds.
REDIS_TIMEOUT = 0.5
#: The longest a commit is taken to last: a city's "writing" mark outlives a process killed in the middle this long.
WRITING_SECONDS = 10
#: Columns no kept page shows, by table: a write of nothing else sets no stamp (every sign-in writes the first).
UNSHOWN = {"user_account": frozenset({"last_login_at"})}
#: Session.info keys: the cities whose rows the transaction wrote ("all": a table every city reads), and those
#: marked as being written (before the commit) and not yet released.
_CITIES = "mentorby.kept_pages.cities"
_MARKED = "mentorby.kept_pages.marked"
#: app.extensions key: the app's Stamps.
_EXTENSION = "mentorby.kept_pages"
#: The stamp key of every city at once (accounts and the like).
ALL = "all"

#: key -> (status, headers, body).
_KEPT = writes.Memory("kept-pages")

#: Before a commit, per city: a new stamp, and one more transaction writing it (a mark that dies on its own).
_MARK = """
redis.call('set', KEYS[1], ARGV[1])
redis.call('incr', KEYS[2])
redis.call('expire', KEYS[2], ARGV[2])
"""
#: After it (or after its rollback): a new stamp again, and one transaction fewer.
_RELEASE = """
redis.call('set', KEYS[1], ARGV[1])
if redis.call('decr', KEYS[2]) <= 0 then redis.call('del', KEYS[2]) end
"""


@dataclass
class Stamps:
    """The app's stamps: where they are (a Redis client, its keys' prefix) and how long a page is kept.

    After a failure the process leaves Redis alone for a while: a hung Redis costs one wait, not one a request.
    """

    client: redis.Redis
    prefix: str
    seconds: float
    paused_until: float = 0.0
    said_paused: bool = field(default=False)

    def paused(self) -> bool:
        """Whether the process leaves Redis alone for now."""
        return time.monotonic() < self.paused_until

    def pause(self, what: str, error: Exception, level=logging.WARNING) -> None:
        """Say what failed, and leave Redis alone for BACKOFF_SECONDS."""
        self.paused_until, self.said_paused = time.monotonic() + BACKOFF_SECONDS, False
        log.log(level, "kept pages: %s (%s); Redis left alone and nothing kept for %s s", what, error,
                BACKOFF_SECONDS)

    def keys(self, city) -> tuple[str, str]:
        """The city's stamp and its writing mark."""
        return f"{self.prefix}{city}", f"{self.prefix}writing:{city}"


def init_app(app: Flask) -> None:
    """Give the app its stamps (Redis) when REDIS_URL is set (KEPT_PAGE_SECONDS of 0: stamps set, none read)."""
    url, seconds = app.config.get("REDIS_URL"), app.config.get("KEPT_PAGE_SECONDS", KEPT_PAGE_SECONDS)
    if not url:
        return
    client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    app.extensions[_EXTENSION] = Stamps(client, f"mentorby:city-stamp:{database_tag(app)}:", seconds)


def database_tag(app: Flask) -> str:
    """The database in the stamps' keys: a test run on each database, on one Redis, do not share stamps.

    KEPT_PAGE_NAMESPACE when set; else the database's kind and name only, not its address or password: web workers
    behind a connection pooler and a task queue connecting directly, or a password rotated in one of them, share
    the stamps (a pooler that names the database otherwise needs KEPT_PAGE_NAMESPACE, the same for every process).
    Two databases of one kind and name on one Redis (two deployments; two SQLite databases in memory) only set
    each other's stamps: pages made again, never a stale one given.
    """
    if app.config.get("KEPT_PAGE_NAMESPACE"):
        return str(app.config["KEPT_PAGE_NAMESPACE"])
    url = make_url(str(app.config["SQLALCHEMY_DATABASE_URI"]))
    return f"{url.get_backend_name()}-{url.database or 'memory'}".replace(":", "_")


def _store() -> Stamps | None:
    return current_app.extensions.get(_EXTENSION) if has_app_context() else None


def stamp(city_id: int) -> tuple | None:
    """The database, the city's stamp and every city's, as they stand now; None when nothing may be kept or given.

    Nothing is while a transaction that wrote the city's rows (or every city's) is committing: its commit may be
    visible before its second stamp is set. A stamp missing (Redis restarted, a key evicted) is set anew first: a page
    kept under a missing stamp would come back whenever it went missing again.
    """
    store = _store()
    if store is None or not store.seconds or store.paused():
        return None
    (city, city_writing), (every, every_writing) = store.keys(city_id), store.keys(ALL)
    keys = (city, every, city_writing, every_writing)
    try:
        found = store.client.mget(*keys)
        if found[0] is None or found[1] is None:
            with store.client.pipeline(transaction=False) as pipe:
                for key, value in zip(keys[:2], found, strict=False):
                    if value is None:
                        pipe.set(key, writes.new_stamp(), nx=True)
                pipe.mget(*keys)
                found = pipe.execute()[-1]
    except redis.RedisError as error:
        store.pause("Redis could not be read", error)
        return None
    if found[0] is None or found[1] is None or found[2] is not None or found[3] is not None:
        return None
    return (store.prefix, found[0], found[1])


def moment() -> int:
    """Where the worker stands in forgetting: taken before a page is read, handed to keep()."""
    return _KEPT.moment()


def kept(key) -> tuple | None:
    """The page kept under `key` (status, headers, body), if it was kept less than KEPT_PAGE_SECONDS ago."""
    store = _store()
    if store is None or not store.seconds:
        return None
    return _KEPT.get(key, store.seconds)


def keep(session: Session, key, status: int, headers: list, body: bytes, moment: int) -> None:
    """Keep a page read under `key` since `moment`, unless its transaction wrote (it may still be rolled back)."""
    store = _store()
    if store is None or not store.seconds or writes.wrote(session) or store.paused():
        return
    _KEPT.keep(key, (status, headers, body), moment=moment, seconds=store.seconds, size=len(body),
               max_bytes=current_app.config.get("KEPT_PAGE_BYTES", KEPT_BYTES))


def forget_all() -> None:
    """Forget every kept page (a write to a city's rows, or a rollback, through this worker)."""
    _KEPT.forget()


# --- which cities a transaction wrote -------------------------------------------------------------------------------


def _cities_of(session: Session, model, instance=None, *, table=None) -> set:
    """The cities whose pages a write to `model` (an `instance` of it, if known) or to a bare `table` can change."""
    if isinstance(model, type) and issubclass(model, Tenant):
        return {instance.id if instance is not None and instance.id is not None else ALL}
    table = table if table is not None else getattr(model, "__table__", None)
    name = getattr(table, "name", None)
    # Platform rows kept apart from the cities' (sign-ins, the audit log, the outbox, the rollups): a city's when
    # they carry its id (an e-mail's state shows on the selection board), nobody's page when they carry none.
    local = DISTRIBUTION.get(name) == "local"
    owned = is_tenant_owned(model) or (model is None and name not in DISTRIBUTION and table is not None
                                       and "tenant_id" in table.c)
    if owned or local:
        # Across cities a bulk statement is not filtered to the session's city: it may reach any.
        across = instance is None and session.info.get(CROSS_KEY)
        city = getattr(instance, "tenant_id", None) if instance is not None else (
            None if across else session_tenant_id(session))
        if city is not None:
            return {city}
        return set() if local and not across else {ALL}
    return {ALL}  # an account (names and flags on every page), the city, or a table no model maps


def _shown(instance) -> bool:
    """Whether a changed row's change is one a page can show (not only a column no kept page shows)."""
    unshown = UNSHOWN.get(getattr(type(instance), "__tablename__", None))
    if not unshown:
        return True
    return any(attribute.history.has_changes() for attribute in inspect(instance).attrs
               if attribute.key not in unshown)


def _note(session: Session, cities: set) -> None:
    if cities:
        session.info.setdefault(_CITIES, set()).update(cities)
        forget_all()  # this worker's other requests (a threaded server) stop giving the pages at once


def _flushed(session: Session, flush_context) -> None:
    if _store() is None:
        return
    cities: set = set()
    dirty = session.dirty  # (a row new or deleted is shown whatever its columns)
    for instance in writes.changed(session):
        if instance not in dirty or _shown(instance):
            cities |= _cities_of(session, type(instance), instance)
    _note(session, cities)


def _bulk(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and _store() is not None \
            and not state.execution_options.get("mentorby_only_a_stamp"):
        if state.all_mappers:
            cities = set().union(*(_cities_of(state.session, m.class_) for m in state.all_mappers))
        else:  # a Core statement on a table (the rollups' inserts): every city, unless the table says (SQL text
            # is not seen at all: no web path writes what the kept pages show that way)
            cities = _cities_of(state.session, None, table=getattr(state.statement, "table", None))
        _note(state.session, cities)


def _run(store: Stamps, script: str | None, cities, when: str) -> None:
    """Per city: the script (_MARK, _RELEASE), or None: only a new stamp."""
    if store.paused():
        # Redis failed this process a moment ago: no wait at every commit (the first inside the transaction).
        if not store.said_paused:
            store.said_paused = True
            log.error("kept pages: the stamps of written cities are not set %s their commits while Redis is left "
                      "alone: other processes may give pages without them for up to KEPT_PAGE_SECONDS", when)
        return
    try:
        with store.client.pipeline(transaction=False) as pipe:
            for city in sorted(cities, key=str):
                stamp_key, writing_key = store.keys(city)
                if script is None:
                    pipe.set(stamp_key, writes.new_stamp())
                else:
                    pipe.eval(script, 2, stamp_key, writing_key, writes.new_stamp(), WRITING_SECONDS)
            pipe.execute()
    except redis.RedisError as error:
        # Other processes may give their kept pages of these cities without this commit's change until they run out
        # (KEPT_PAGE_SECONDS): nothing here can reach them. This one forgot its own.
        forget_all()
        store.pause(f"the stamps of {sorted(cities, key=str)} could not be set {when} the commit", error,
                    logging.ERROR)


def _committing(session: Session) -> None:
    # Before the commit: a new stamp (pages read until now are left behind) and a mark that the city is being
    # written, under which nothing is kept or given until the stamp after the commit. A savepoint released is not
    # the commit.
    store = _store()
    if session.in_nested_transaction() or store is None:
        return
    session.flush()  # the commit's own flush comes after this hook: what it writes is to be marked now too
    cities = session.info.get(_CITIES)
    if cities:
        _run(store, _MARK, cities, "before")
        session.info[_MARKED] = set(cities)


def _release(session: Session) -> None:
    cities, marked = session.info.pop(_CITIES, None) or set(), session.info.pop(_MARKED, None) or set()
    store = _store()
    if store is None or not (cities or marked):
        return
    forget_all()  # what another request of this worker kept between the flush and now
    if marked:
        _run(store, _RELEASE, marked, "after")
    if cities - marked:  # written by the commit's own flush, after the mark
        _run(store, None, cities - marked, "after")


def _committed(session: Session) -> None:
    _release(session)


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        if session.info.get(_MARKED):
            # A commit that failed after the mark: the mark goes now, not when it dies on its own.
            _release(session)
        session.info.pop(_CITIES, None)


def listen() -> None:
    """Set the written cities' stamps at each commit, and forget kept pages on such a write (idempotent)."""
    writes.forget_on_write(forget_all, models=())  # a rollback of any write; the writes themselves: _note
    for name, listener in (("after_flush", _flushed), ("do_orm_execute", _bulk), ("before_commit", _committing),
                           ("after_commit", _committed), ("after_transaction_end", _transaction_ended)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
