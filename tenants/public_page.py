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
"""

import secrets

from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from mentorby.platform.cities.models import Tenant
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.partners.models import Partner
from mentorby.tenants.programme.models import ProgrammeEvent

#: The models whose rows the public page lists.
LISTED = (Cohort, Partner, ProgrammeEvent)
#: Connection.info key: the cities whose listed rows were changed on the connection and not yet committed. Kept on
#: the connection rather than the session: a test's requests share its connection, and see its uncommitted rows.
_CHANGED = "mentorby.public_page.changed"


def new_stamp() -> int:
    """A stamp no worker has seen: 62 random bits (fits PostgreSQL's bigint and SQLite's integer)."""
    return secrets.randbits(62) or 1


def changed_here(session: Session, city_id: int) -> bool:
    """Whether the transaction changed what the city's public page lists (then its stamp is not yet new)."""
    session.flush()  # a change not flushed yet is noted by its flush (nothing happens if there is none)
    return city_id in session.connection().info.get(_CHANGED, ())


def _note_changes(session: Session, flush_context) -> None:
    # After the flush the session still shows what it flushed: new, dirty (changed or only touched) and deleted.
    cities = {obj.tenant_id for obj in session.new if isinstance(obj, LISTED)}
    cities.update(obj.tenant_id for obj in session.deleted if isinstance(obj, LISTED))
    cities.update(obj.tenant_id for obj in session.dirty
                  if isinstance(obj, LISTED) and session.is_modified(obj, include_collections=False))
    cities.discard(None)
    if cities:
        session.connection().info.setdefault(_CHANGED, set()).update(cities)


def _stamp_changes(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint released (attempt() that went through) is not the commit: writing the stamp now would hold the
        # city's row locked for the rest of the request, behind other locks a concurrent commit may hold.
        return
    session.flush()  # the commit's own flush comes after this hook: what it writes must be stamped too
    if not session.in_transaction():
        return
    for city_id in sorted(session.connection().info.pop(_CHANGED, ())):
        session.execute(update(Tenant).where(Tenant.id == city_id).values(public_stamp=new_stamp())
                        .execution_options(synchronize_session=False))


def _forget(conn) -> None:
    # A transaction rolled back (or committed some other way) takes its changes with it. A savepoint rolled back (a
    # refused step) does not: what the rest of the transaction changed is still to be stamped.
    conn.info.pop(_CHANGED, None)


def listen() -> None:
    """Stamp the public page's changes in every session (idempotent; the app factory calls it through wiring)."""
    for target, name, listener in ((Session, "after_flush", _note_changes),
                                   (Session, "before_commit", _stamp_changes),
                                   (Engine, "rollback", _forget), (Engine, "commit", _forget)):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
