"""Pages the people who run a city open again and again, kept by the web worker until the city's data changes.

A coordinator's boards (the round, selection and matching boards) are read far more often than they change: each
click of a board's htmx form rewrites one part, then the board is opened again and again while the coordinator
works through it. Rendering a full matching board costs a web worker about 15 ms of Python; the same answer, kept,
costs the request's sign-in check and a dictionary lookup.

A kept page is given again only under the same:

- city stamp: a random number in Redis for each city, set anew by every commit that wrote one of the city's rows (a
  tenant-owned row, the city itself, or a platform row that carries its id), by any process: web workers and the
  task queue alike. A write to a table every city reads (an account: names and flags shown on any page) sets every
  city's stamp anew at once; a person's last sign-in time, which no kept page shows, does not, nor do survey
  answers, which no kept page reads (UNREAD). Before the commit
  (and before each savepoint's release, which the request's commit follows later) the stamp is set anew and the
  transaction marks the city as being written; after the commit, the stamp is set anew again and the mark taken
  away. While a city has a mark, no process keeps or gives a page of it under the new stamp: a page read before the
  commit is kept under a stamp left behind, and one read after the mark is gone reads the committed rows. A mark is
  the transaction's own entry in a sorted set, with a deadline WRITING_SECONDS ahead (set again just before the
  commit; the hosts' clocks must agree within a few seconds): a process killed mid-commit leaves one that stops
  counting then. A stamp missing (Redis restarted empty, a key evicted) is set anew before
  anything is kept under it. The city and the person, read before the stamps, are read again before a page is made
  to be kept (gone meanwhile: the city's 404, or the person signed out);
- person, with the same flags and roles in the city, and the same session (the page carries its CSRF token);
- address with its query, htmx headers, language and day;

and the very same request again (address, headers, session, browser: keep_for_at_once) is given it before the
city, sign-in and access checks, with no database, while those stamps and the person's are unchanged: a sign-in
ended or removed moves the person's stamp on (a role given or taken moves the city's, an account's flags every
city's), and the way is kept only after the sign-in, roles, person and city were read again after the stamps;

and for at most KEPT_PAGE_SECONDS, so that what changes with the clock alone (a deadline's "in 3 days") and a
write the stamps do not see (SQL typed into the database) show within that time, and personal data does not stay
in the worker's memory long after it was last asked for (platform/writes.py's Memory drops it then even if the
worker is asked nothing more). A write to a city's rows through the worker, or the rollback of any write, forgets
every kept page at once: a threaded worker's other requests, and tests, which never commit.

Where this can fail, and how far:

- Without REDIS_URL there is no stamp other processes can set, and nothing is kept.
- A process that Redis fails (down, no answer in REDIS_TIMEOUT, a refused write) leaves Redis alone for
  BACKOFF_SECONDS, so a hung Redis costs one wait in that time, not one a request: it neither keeps nor gives a
  page, and remembers the cities its commits wrote meanwhile, whose stamps it sets at its first contact after (a
  kept board's request, or its next writing commit: the task queue has only the latter). Until then, other
  processes that reach Redis may give those cities' pages without those commits' changes, for up to
  KEPT_PAGE_SECONDS: the one way a page can be stale for longer than a request. Each failure is logged.
- Redis brought back from an older snapshot, or a failover to a replica that lagged, can bring back older stamps,
  and with them pages kept under those in the last KEPT_PAGE_SECONDS: restart the web processes after such a
  restore (a process forgets its pages when it cannot read Redis, which a restart usually makes it meet first).
- A mark evicted from Redis (an eviction policy that takes keys in use) reopens the moment between a commit and
  its second stamp: give the stamps' Redis `noeviction` (the default) and memory to spare.
"""

import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import redis
from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from mentorby.platform import writes
from mentorby.platform.cities.models import Tenant
from mentorby.platform.tenancy import CROSS_KEY, DISTRIBUTION, is_tenant_owned, session_tenant_id, utcnow

log = logging.getLogger(__name__)

#: How long a kept page may be given, in seconds (config KEPT_PAGE_SECONDS; 0 keeps nothing).
KEPT_PAGE_SECONDS = 60
#: The most a worker keeps, in bytes of HTML (a full matching board of 40 people is about 120 KB).
KEPT_BYTES = 32 * 1024 * 1024
#: How long a process leaves Redis alone after it failed to answer or to take a stamp, in seconds.
BACKOFF_SECONDS = 5.0
#: Redis's longest answer before the process gives up on it, in seconds.
REDIS_TIMEOUT = 0.5
#: How long a transaction's mark counts, in seconds: the longest a commit is taken to last after its first mark.
WRITING_SECONDS = 10
#: Columns no kept page shows, by table: a write of nothing else sets no stamp (every sign-in writes the first; a
#: sign-in's last request is written every few minutes, and a board given at once stops before that: given_at_once).
UNSHOWN = {"user_account": frozenset({"last_login_at"}), "sign_in": frozenset({"last_seen_at"})}
#: Tables no kept page reads: a write to them sets no stamp. A survey's answers arrive by the hundred a second when
#: it closes; each would set two stamps in Redis and have every board of the city made again. tests/platform/
#: test_kept_pages.py opens every kept board in every phase of a round and fails if one reads them.
UNREAD = frozenset({"survey_answer", "survey_response"})
#: Session.info keys: the cities whose rows the transaction wrote ("all": a table every city reads), those it marked
#: as being written (before its commit) and not yet released, and its mark's name.
_CITIES = "mentorby.kept_pages.cities"
_MARKED = "mentorby.kept_pages.marked"
_TOKEN = "mentorby.kept_pages.token"
#: app.extensions key: the app's Stamps.
_EXTENSION = "mentorby.kept_pages"
#: The stamp key of every city at once (accounts and the like).
ALL = "all"
#: The first part of the key under which a request's way to a kept page is kept (keep_for_at_once).
AT_ONCE = "at once"
#: The stamp key of one person's sign-ins: a sign-in ended moves it on (see given_at_once). It lapses after a day
#: unless set again (one key for everyone who ever signed out would pile up): a stamp set anew only stops boards
#: being given at once until they are made again.
PERSON = "person:{}"
PERSON_STAMP_SECONDS = 24 * 3600
#: The longest a board is given at once after the session's last full check (sign-in, roles, city read again),
#: in seconds: if the process that commits a sign-out cannot reach Redis while others can, the session it ended
#: may be given the very page it was given last for that long (never anything new: a change to the city moves
#: another stamp).
AT_ONCE_SECONDS = 10

#: key -> (status, headers, body).
_KEPT = writes.Memory("kept-pages")

@dataclass
class Stamps:
    """The app's stamps: where they are (a Redis client, its keys' prefix) and how long a page is kept.

    After a failure the process leaves Redis alone for a while (a hung Redis costs one wait, not one a request),
    remembering the cities whose stamps it could not set meanwhile, and sets them at its next contact.
    """

    client: redis.Redis
    prefix: str
    seconds: float
    paused_until: float = 0.0
    unset: set = field(default_factory=set)

    def paused(self) -> bool:
        """Whether the process leaves Redis alone for now."""
        return time.monotonic() < self.paused_until

    def pause(self, what: str, error: Exception, level=logging.WARNING) -> None:
        """Say what failed, and leave Redis alone for BACKOFF_SECONDS."""
        self.paused_until = time.monotonic() + BACKOFF_SECONDS
        log.log(level, "kept pages: %s (%s); Redis left alone, and nothing kept, for %s s", what, error,
                BACKOFF_SECONDS)

    def keys(self, city) -> tuple[str, str]:
        """The city's stamp, and its marks: the transactions writing it, each until its deadline (a sorted set)."""
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


def stamp(city_id: int, person: int | None = None) -> tuple | None:
    """The database, the city's stamp, every city's and (with `person`) the person's sign-ins', as they stand now.

    None when nothing may be kept or given: while a transaction that wrote the city's rows (or every city's, or the
    person's sign-ins) is committing, as its commit may be visible before its second stamp is set. A stamp missing
    (Redis restarted, a key evicted) is set anew first: a page kept under a missing stamp would come back whenever
    it went missing again.
    """
    store = _store()
    if store is None or not store.seconds or store.paused():
        return None
    names = [city_id, ALL] + ([PERSON.format(person)] if person is not None else [])
    keys = [store.keys(name) for name in names]
    try:
        if store.unset:
            _set(store, store.unset, "after")
            if store.paused():
                return None
        with store.client.pipeline(transaction=False) as pipe:
            now = time.time()
            pipe.mget([stamp_key for stamp_key, _ in keys])
            for _, marks_key in keys:
                pipe.zcount(marks_key, now, "+inf")
            found, *marks = pipe.execute()
        if None in found:
            with store.client.pipeline(transaction=False) as pipe:
                for name, (stamp_key, _), value in zip(names, keys, found, strict=True):
                    if value is None:
                        pipe.set(stamp_key, writes.new_stamp(), nx=True, ex=_lapse(name))
                pipe.mget([stamp_key for stamp_key, _ in keys])
                found = pipe.execute()[-1]
    except redis.RedisError as error:
        forget_all()  # Redis may come back from an older snapshot, with stamps some pages here were kept under
        store.pause("Redis could not be read", error)
        return None
    if None in found or any(marks):
        return None
    return (store.prefix, *found)


def moment() -> int:
    """Where the worker stands in forgetting: taken before a page is read, handed to keep()."""
    return _KEPT.moment()


def kept(key) -> tuple | None:
    """The page kept under `key` (status, headers, body), if it was kept less than KEPT_PAGE_SECONDS ago."""
    store = _store()
    if store is None or not store.seconds:
        return None
    return _KEPT.get(key, store.seconds)


def keep(session: Session, key, status: int, headers: list, body: bytes, moment: int) -> bool:
    """Keep a page read under `key` since `moment`, unless its transaction wrote (it may still be rolled back).

    Whether it was kept.
    """
    store = _store()
    if store is None or not store.seconds or writes.wrote(session) or store.paused():
        return False
    return _KEPT.keep(key, (status, headers, body), moment=moment, seconds=store.seconds, size=len(body),
                      max_bytes=current_app.config.get("KEPT_PAGE_BYTES", KEPT_BYTES))


def keep_for_at_once(request_key, page_key, stamps: tuple, city_id: int, person: int, until: datetime,
                     moment: int) -> None:
    """Let the page kept under `page_key` be given at once (given_at_once) to a request with `request_key`.

    `request_key` is (a digest of) everything of the request as it comes (address, headers, session) that the city,
    the sign-in and the access checks went by; `stamps` the city's, every city's and `person`'s, read before the
    city and the sign-in were last read (the caller checks that nothing it went by changed since), and `until` the
    moment the sign-in check could answer otherwise with no write (its last-seen time written, its end, the city's
    day over); at most AT_ONCE_SECONDS from now.
    """
    store = _store()
    if store is None or not store.seconds:
        return
    until = min(until, utcnow() + timedelta(seconds=AT_ONCE_SECONDS))
    _KEPT.keep((AT_ONCE, request_key), (page_key, stamps, city_id, person, until), moment=moment,
               seconds=store.seconds, size=256, max_bytes=current_app.config.get("KEPT_PAGE_BYTES", KEPT_BYTES))


def given_at_once(request_key, now: datetime) -> tuple[int, tuple] | None:
    """The person and the page (status, headers, body) kept for a request with `request_key`, given with no database.

    Only while the city's, every city's and the person's stamps are the ones the page and its sign-in were read
    under (any commit that changed the city, an account, a role or one of the person's sign-ins moved one on), and
    before `until`: the sign-in read then is still the answer the database would give.
    """
    store = _store()
    if store is None or not store.seconds:
        return None
    entry = _KEPT.get((AT_ONCE, request_key), store.seconds)
    if entry is None:
        return None
    page_key, stamps, city_id, person, until = entry
    if now >= until or stamp(city_id, person) != stamps:
        return None
    page = _KEPT.get(page_key, store.seconds)
    return (person, page) if page is not None else None


def forget_all() -> None:
    """Forget every kept page (a write to a city's rows, or a rollback, through this worker)."""
    _KEPT.forget()


# --- which cities a transaction wrote -------------------------------------------------------------------------------


def _cities_of(session: Session, model, instance=None, *, table=None, person=None) -> set:
    """The cities whose pages a write to `model` (an `instance` of it, if known) or to a bare `table` can change.

    Or the stamp of the person whose sign-ins it changes: `person` says whose for a bulk statement.
    """
    if isinstance(model, type) and issubclass(model, Tenant):
        return {instance.id if instance is not None and instance.id is not None else ALL}
    table = table if table is not None else getattr(model, "__table__", None)
    name = getattr(table, "name", None)
    if name in UNREAD:
        return set()
    if name == "sign_in":
        # No page shows a sign-in, but a board given at once went by one (given_at_once): a sign-in ended or gone
        # moves its person's stamp on. A new one is nobody's yet; a bulk statement that does not say whose, every
        # city's (ending a person's sign-ins everywhere is rare: a new password, a deactivation).
        if instance is None:
            return {PERSON.format(person)} if person is not None else {ALL}
        return set() if instance in session.new else {PERSON.format(instance.user_id)}
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


def _pages_of(cities) -> bool:
    """Whether stamps to set are a page's: a city's or every city's, not only people's.

    A sign-in ended changes no page: the person's stamp, marked before the commit, stops their boards being given at
    once.
    """
    return not all(_is_person(city) for city in cities)


def _note(session: Session, cities: set) -> None:
    if cities:
        session.info.setdefault(_CITIES, set()).update(cities)
        if _pages_of(cities):
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
            person = state.execution_options.get("mentorby_person")
            cities = set().union(*(_cities_of(state.session, m.class_, person=person) for m in state.all_mappers))
        else:  # a Core statement on a table (the rollups' inserts): every city, unless the table says (SQL text
            # is not seen at all: no web path writes what the kept pages show that way)
            cities = _cities_of(state.session, None, table=getattr(state.statement, "table", None))
        _note(state.session, cities)


def _is_person(name) -> bool:
    """Whether a stamp's name is a person's (PERSON), not a city's or every city's."""
    return str(name).startswith(PERSON.format(""))


def _lapse(name) -> int | None:
    """How long a stamp lasts unless set again (a person's: a day; a city's: for good)."""
    return PERSON_STAMP_SECONDS if _is_person(name) else None


def _set(store: Stamps, cities, when: str, *, mark: str | None = None, unmark: str | None = None) -> bool:
    """Set the cities' stamps anew, and add (`mark`) or take away (`unmark`) a transaction's mark; whether it could.

    A process that leaves Redis alone, or that Redis fails now, remembers the cities and sets their stamps at its
    next contact: until then other processes may give their pages without this commit's change.
    """
    if store.paused():
        store.unset |= set(cities)
        return False
    now, pending = time.time(), set(cities) | store.unset
    try:
        with store.client.pipeline(transaction=True) as pipe:  # all or nothing: a mark never without its stamp
            for city in sorted(pending, key=str):
                stamp_key, marks_key = store.keys(city)
                pipe.set(stamp_key, writes.new_stamp(), ex=_lapse(city))
                if mark is not None and city in cities:
                    pipe.zadd(marks_key, {mark: now + WRITING_SECONDS})
                    pipe.zremrangebyscore(marks_key, "-inf", now - WRITING_SECONDS)  # marks of processes gone
                if unmark is not None and city in cities:
                    pipe.zrem(marks_key, unmark)
            pipe.execute()
    except redis.RedisError as error:
        store.unset |= set(cities)
        forget_all()  # this process shows its own change at once
        store.pause(f"the stamps of {sorted(cities, key=str)} could not be set {when} the commit", error,
                    logging.ERROR)
        return False
    store.unset -= pending  # (not clear(): another thread may have added a city meanwhile)
    return True


def _committing(session: Session) -> None:
    # Before the commit, and before each savepoint's release (which may be followed by more of the request's work,
    # then the commit): a new stamp for the cities written so far (pages read until now are left behind) and the
    # transaction's mark on them, under which nothing is kept or given until its stamps after the commit.
    store = _store()
    if store is None:
        return
    session.flush()  # the commit's own flush comes after this hook: what it writes is to be marked now too
    marked = session.info.setdefault(_MARKED, set())
    cities = session.info.get(_CITIES) or set()
    if session.in_nested_transaction():
        # A savepoint: the cities not marked yet. At the commit itself every city is marked again, so that its
        # deadline counts from then (a savepoint's mark may have lapsed meanwhile).
        cities = cities - marked
    if cities:
        token = session.info.setdefault(_TOKEN, secrets.token_hex(12))
        if _set(store, cities, "before", mark=token):
            marked |= cities


def _release(session: Session) -> None:
    marked, token = session.info.pop(_MARKED, None) or set(), session.info.pop(_TOKEN, None)
    cities = (session.info.pop(_CITIES, None) or set()) | marked
    store = _store()
    if store is None or not cities:
        return
    if _pages_of(cities):
        forget_all()  # what another request of this worker kept between the flush and now
    _set(store, cities, "after", unmark=token if marked else None)


def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the commit is still to come
    _release(session)


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        if session.info.get(_MARKED):
            # A commit that failed after the mark: the mark goes now, not at its deadline.
            _release(session)
        for key in (_CITIES, _MARKED, _TOKEN):
            session.info.pop(key, None)


def listen() -> None:
    """Set the written cities' stamps at each commit, and forget kept pages on such a write (idempotent)."""
    writes.forget_on_write(forget_all, models=())  # a rollback of any write; the writes themselves: _note
    for name, listener in (("after_flush", _flushed), ("do_orm_execute", _bulk), ("before_commit", _committing),
                           ("after_commit", _committed), ("after_transaction_end", _transaction_ended)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
