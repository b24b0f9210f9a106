"""Pages the people who run a city open again and again, kept by the web worker until the city's data changes.

A coordinator's boards (the round, selection and matching boards) are read far more often than they change: each
click of a board's htmx form rewrites one part, then the board is opened again and again while the coordinator
works through it. Rendering a full matching board costs a web worker about 15 ms of Python; the same answer, kept,
costs the request's sign-in check and a dictionary lookup.

A kept page is given again only under the same:

- city stamp: a number in Redis for each city, moved on after every commit that wrote one of the city's rows (a
  tenant-owned row, or the city itself), by any process: web workers and the task queue alike. A write to a table
  every city reads (an account: names and flags shown on any page) moves every city's stamp on at once. The stamp is
  moved after the commit, so a request that read the new stamp reads the committed rows;
- person, with the same flags and roles in the city, and the same session (the page carries its CSRF token);
- address with its query, htmx headers, language and day;

and for at most KEPT_PAGE_SECONDS, so that what changes with the clock alone (a deadline's "in 3 days") and a
write the stamps do not see (SQL typed into the database) show within that time, and personal data does not stay
in the worker's memory long after it was last asked for. A write through the worker, or its rollback, forgets
every kept page at once (platform/writes.py): a threaded worker's other requests, and tests, which never commit.

Without REDIS_URL there is no stamp other processes can move on, and nothing is kept. Redis unreachable: nothing
is kept or given, and the pages are rendered as usual.
"""

import hashlib
import logging
import secrets
import time
from collections import OrderedDict

import redis
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from mentorby.platform import writes
from mentorby.platform.cities.models import Tenant
from mentorby.platform.tenancy import CROSS_KEY, DISTRIBUTION, is_tenant_owned, session_tenant_id

log = logging.getLogger(__name__)

#: How long a kept page may be given, in seconds (config KEPT_PAGE_SECONDS; 0 keeps nothing).
KEPT_PAGE_SECONDS = 60
#: The most a worker keeps, in bytes of HTML (a full matching board of 40 people is about 120 KB).
KEPT_BYTES = 32 * 1024 * 1024
#: Session.info key: the cities whose rows the transaction wrote ("all": a table every city reads).
_CITIES = "mentorby.kept_pages.cities"
#: app.extensions key: the Redis client and the database's tag in the stamps' keys.
_EXTENSION = "mentorby.kept_pages"
#: The stamp key of every city at once (accounts and the like).
ALL = "all"

#: key -> (when kept, status, headers, body); least recently kept first.
_KEPT: OrderedDict = OrderedDict()
_SIZE = [0]


def init_app(app: Flask) -> None:
    """Give the app its stamp store (Redis) when REDIS_URL is set and pages are to be kept."""
    url, seconds = app.config.get("REDIS_URL"), app.config.get("KEPT_PAGE_SECONDS", KEPT_PAGE_SECONDS)
    if not url:
        return  # seconds of 0 still move the stamps: the processes that keep pages must see this one's writes
    # The database in the keys: two apps on one Redis (a test run on each database) never share stamps.
    tag = hashlib.sha256(str(app.config["SQLALCHEMY_DATABASE_URI"]).encode()).hexdigest()[:12]
    client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    app.extensions[_EXTENSION] = (client, f"mentorby:city-stamp:{tag}:", seconds)


def _store():
    return current_app.extensions.get(_EXTENSION) if has_app_context() else None


def stamp(city_id: int) -> tuple | None:
    """The database, the city's stamp and every city's, as they stand now; None when nothing may be kept."""
    store = _store()
    if store is None:
        return None
    client, prefix, seconds = store
    if not seconds:
        return None
    try:
        # The prefix names the database: two apps in one process (tests) never share a page.
        return (prefix, *client.mget(f"{prefix}{city_id}", f"{prefix}{ALL}"))
    except redis.RedisError as error:
        log.warning("kept pages: Redis could not be read (%s); pages are rendered", error)
        return None


def kept(key) -> tuple | None:
    """The page kept under `key` (status, headers, body), if it was kept less than KEPT_PAGE_SECONDS ago."""
    store = _store()
    if store is None or not store[2]:
        return None
    _purge(store[2])  # what is past its time goes at every look, not only when another page is kept
    found = _KEPT.get(key)
    return found[1:] if found is not None else None


def keep(session: Session, key, status: int, headers: list, body: bytes) -> None:
    """Keep a page read under `key`, unless its transaction wrote something (it may still be rolled back)."""
    store = _store()
    if store is None or not store[2] or writes.wrote(session):
        return
    _drop(key)
    _KEPT[key] = (time.monotonic(), status, headers, body)
    _SIZE[0] += len(body)
    _purge(store[2], current_app.config.get("KEPT_PAGE_BYTES", KEPT_BYTES))


def _purge(seconds: float, limit: int | None = None) -> None:
    """Drop, oldest first, what is past its time, then (with `limit`) what is past the worker's share of memory."""
    now = time.monotonic()
    while _KEPT:
        try:
            oldest, (when, *_rest) = next(iter(_KEPT.items()))
        except (StopIteration, RuntimeError):  # emptied or changed by another thread of a threaded server
            break
        if now - when < seconds and (limit is None or _SIZE[0] <= limit):
            break
        _drop(oldest)


def _drop(key) -> None:
    try:
        found = _KEPT.pop(key)
    except KeyError:  # another thread took it meanwhile
        return
    _SIZE[0] -= len(found[3])


def forget_all() -> None:
    """Forget every kept page (a write or rollback through this worker)."""
    _KEPT.clear()
    _SIZE[0] = 0


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


def _note(session: Session, cities: set) -> None:
    if cities:
        session.info.setdefault(_CITIES, set()).update(cities)


def _flushed(session: Session, flush_context) -> None:
    if _store() is None:
        return
    cities: set = set()
    for collection in (session.new, session.dirty, session.deleted):
        for instance in collection:
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


def _committed(session: Session) -> None:
    cities = session.info.pop(_CITIES, None)
    store = _store()
    if not cities or store is None:
        return
    client, prefix, _seconds = store
    try:
        with client.pipeline(transaction=False) as pipe:
            for city in sorted(cities, key=str):
                # A random number, not a count: a stamp lost (Redis restarted, evicted) never comes back to a value
                # a worker has kept a page under.
                pipe.set(f"{prefix}{city}", secrets.randbits(62))
            pipe.execute()
    except redis.RedisError as error:
        # Other workers show the change when their kept pages run out (KEPT_PAGE_SECONDS); this one forgot its own.
        log.warning("kept pages: the stamps of %s could not be moved on (%s)", sorted(cities, key=str), error)


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CITIES, None)


def listen() -> None:
    """Move the written cities' stamps on at each commit, and forget kept pages on a write (idempotent)."""
    writes.forget_on_write(forget_all)
    for name, listener in (("after_flush", _flushed), ("do_orm_execute", _bulk), ("after_commit", _committed),
                           ("after_transaction_end", _transaction_ended)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
