"""What a city's public page lists, and the stamp that says when that changed.

The front page lists the city's joint events, its public partners and its open rounds: the same for every visitor in
a language on a day, and asked for far more often than it changes. Web workers keep that part rendered
(blueprints/city.py) under the city's `public_stamp`, which every commit that inserted, changed or deleted one of
those rows sets to a new random number. The stamp lives in the database, so every worker sees a change at its next
request; being random rather than a count, it never comes back to a value a worker has seen (a rolled-back test, a
database restored from a backup).

It is written by a plain UPDATE just before the commit, once per city and transaction: the tenant row is locked only
while the commit completes (two transactions of one city never wait on each other holding other rows, so they cannot
deadlock on it), and the audit log, which records changes made through the models, does not show it as a change of
the city. A transaction rolled back leaves the stamp as it was, like what it stands for.

A visitor without a cookie (most of the page's readers: applicants, partners, the press) is given the same whole
page as every other such visitor in their language, so a web worker answers them with the page it rendered last for
up to VISITOR_SECONDS, asking the database nothing (`visitor_page`, `keep_visitor_page`). Any write through the
worker forgets those pages at once (at its flush, and again at its commit), as does the rollback of a write
(platform/writes.py); a change made through another worker shows within VISITOR_SECONDS.
"""

from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from mentorby.platform import writes
from mentorby.platform.cities.models import Tenant
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.partners.models import Partner
from mentorby.tenants.programme.models import ProgrammeEvent

#: The models whose rows the public page lists.
LISTED = (Cohort, Partner, ProgrammeEvent)
#: Connection.info key: the cities whose listed rows were changed on the connection and not yet committed. Kept on
#: the connection rather than the session: a test's requests share its connection, and see its uncommitted rows.
_CHANGED = "mentorby.public_page.changed"
#: Session.info key: the transaction has a connection (after_begin), so there may be changes to stamp on it.
_ON_CONNECTION = "mentorby.public_page.on_connection"


def changed_here(session: Session, city_id: int) -> bool:
    """Whether the transaction changed what the city's public page lists (then its stamp is not yet new)."""
    session.flush()  # a change not flushed yet is noted by its flush (nothing happens if there is none)
    return city_id in session.connection().info.get(_CHANGED, ())


def _note_changes(session: Session, flush_context) -> None:
    cities = {obj.tenant_id for obj in writes.changed(session) if isinstance(obj, LISTED)}
    cities.discard(None)
    if cities:
        session.connection().info.setdefault(_CHANGED, set()).update(cities)


def _stamp_changes(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint released (attempt() that went through) is not the commit: writing the stamp now would hold the
        # city's row locked for the rest of the request, behind other locks a concurrent commit may hold.
        return
    session.flush()  # the commit's own flush comes after this hook: what it writes must be stamped too
    if not session.in_transaction() or not session.info.get(_ON_CONNECTION):
        # A request that asked the database nothing (a page kept for visitors) has no connection to look at, and
        # taking one from the pool for this would cost it a round trip or two.
        return
    for city_id in sorted(session.connection().info.pop(_CHANGED, ())):
        # Only a stamp: no page shows it (platform/kept_pages.py leaves the city's other pages kept for it).
        session.execute(update(Tenant).where(Tenant.id == city_id).values(public_stamp=writes.new_stamp())
                        .execution_options(synchronize_session=False, mentorby_only_a_stamp=True))


def _connected(session: Session, transaction, connection) -> None:
    session.info[_ON_CONNECTION] = True


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_ON_CONNECTION, None)


def _forget(conn) -> None:
    # A transaction rolled back (or committed some other way) takes its changes with it. A savepoint rolled back (a
    # refused step) does not: what the rest of the transaction changed is still to be stamped. A lost connection's
    # info went with it.
    if not conn.invalidated:
        conn.info.pop(_CHANGED, None)


# --- the whole page, as a visitor without a cookie sees it ---------------------------------------------------------

#: How long a web worker answers visitors without a cookie with a page it rendered for them, in seconds.
VISITOR_SECONDS = 2.0
#: The most such pages a worker keeps (a front page is about 5 KB: a thousand cities in two languages, 20 MB).
VISITOR_PAGES = 4096
#: The pages' HTML under a key that names the database, the page, the city and the language (blueprints/common.py).
_VISITOR = writes.Memory("visitor-pages")


def visitor_page(key) -> str | None:
    """The page kept for visitors under `key`, if it was rendered less than VISITOR_SECONDS ago."""
    return _VISITOR.get(key, VISITOR_SECONDS)


def visitor_moment() -> int:
    """Where the worker stands in forgetting: taken before a page is read, handed to keep_visitor_page."""
    return _VISITOR.moment()


def keep_visitor_page(session: Session, key, html: str, moment: int) -> None:
    """Keep a page rendered for a visitor without a cookie from what was read since `moment` (visitor_moment).

    Not if the transaction wrote anything, nor if the worker forgot its pages since (a write it may not show).
    """
    if not writes.wrote(session):
        _VISITOR.keep(key, html, moment=moment, seconds=VISITOR_SECONDS, items=VISITOR_PAGES)


def _forget_visitor_pages() -> None:
    _VISITOR.forget()


def listen() -> None:
    """Stamp the public page's changes and forget the pages kept for visitors on a write (idempotent).

    The app factory calls it through wiring.
    """
    writes.forget_on_write(_forget_visitor_pages)
    for target, name, listener in ((Session, "after_flush", _note_changes),
                                   (Session, "after_begin", _connected),
                                   (Session, "before_commit", _stamp_changes),
                                   (Engine, "rollback", _forget), (Engine, "commit", _forget),
                                   (Session, "after_transaction_end", _transaction_ended)):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
