"""Keeping the national rollups up to date from a city's rows.

`refresh_rounds` recomputes the rollup rows of some rounds of the current city with the evaluation's grouped
queries (a fixed number of queries for any number of rounds and answers). Writes that change a round's figures
(a response submitted or removed, an application accepted or withdrawn, a round's status or dates, a criterion
changed, an import) are noticed in the flush, whoever made them, and the rounds they touch are refreshed just
before the transaction commits, in the same transaction: the national figures are never computed from raw answers
on a national request.

Survey answers are the exception where a task queue runs (production): they arrive by the hundred a second at the
end of a round, and refreshing a round costs about a dozen grouped queries, so an answer's round is handed to the
queue after the commit (`schedule_refresh`) and refreshed `ANSWER_DELAY` seconds later, once for every answer that
arrived meanwhile (one claim per round in the queue's store). The national figures then lag a round's answers by
half a minute. With tasks run at once (development, tests) answers refresh in the transaction like every other write.

Refreshes of one round are serialised (`_lock_rounds`): two transactions that refresh it together would otherwise
both delete the old rows and insert new ones, and the second would break the unique round. `rebuild` makes every
rollup again from scratch (also every night, in case a handed-over refresh was lost with the queue).
"""

import logging
import time

from sqlalchemy import delete, event, func, select, text
from sqlalchemy.orm import Session

from mentorby.platform.cities.services import in_each_city
from mentorby.platform.national.models import CriterionRollup, RoundRollup
from mentorby.platform.tasks import huey, on_commit
from mentorby.platform.tenancy import session_tenant_id, tenant_scope, utcnow
from mentorby.tenants.applications.models import Application
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.evaluation.figures import _gather, _rows
from mentorby.tenants.programme.models import SuccessCriterion
from mentorby.tenants.surveys.models import Response, SurveySend

#: session.info key: (city id, round id or None for every round of the city) waiting for a refresh.
_PENDING = "mentorby.rollups_pending"
#: Everything a transaction notes for the refresh: the rounds, the answered sends, and the sends' rounds when known.
_NOTED = (_PENDING, _PENDING + ".sends", _PENDING + ".rounds")

#: Seconds an answered round waits on the queue before its refresh, so the answers arriving meanwhile share it: the
#: national figures lag a round's answers by this much, and a round is refreshed at most this often for its answers.
ANSWER_DELAY = 30
#: A round's claim older than this (seconds) belongs to a refresh that was lost (a worker killed, the queue
#: flushed): the next answer claims the round again instead of waiting on it for ever.
CLAIM_STALE = 300
#: The first key of the advisory locks that serialise refreshes of a round (PostgreSQL), the round's id the second.
_LOCK_KEY = 7_305_001

log = logging.getLogger(__name__)


def answers_wait() -> bool:
    """Whether survey answers hand their round's refresh to the queue: only where a worker runs the queue."""
    return not huey.immediate


def refresh_rounds(session: Session, cohort_ids: list[int] | None = None) -> None:
    """Recompute the rollups of these rounds of the current city (all its rounds with None)."""
    city_id = session_tenant_id(session)
    # Filtered by the city by hand too: a session reading across cities (an admin's) must still roll up one city.
    query = select(Cohort).where(Cohort.tenant_id == city_id)
    if cohort_ids is not None:
        if not cohort_ids:
            return
        query = query.where(Cohort.id.in_(cohort_ids))
    cohorts = list(session.execute(query).scalars())
    gone = set(cohort_ids or ()) - {cohort.id for cohort in cohorts}
    if gone:
        session.execute(delete(RoundRollup).where(RoundRollup.cohort_id.in_(gone)))
    if not cohorts:
        return
    ids = [cohort.id for cohort in cohorts]
    _lock_rounds(session, ids)
    criteria = list(session.execute(select(SuccessCriterion).where(SuccessCriterion.tenant_id == city_id)
                                    .order_by(SuccessCriterion.position)).scalars())
    facts = _gather(session, ids, criteria)
    session.execute(delete(CriterionRollup).where(CriterionRollup.cohort_id.in_(ids)))
    session.execute(delete(RoundRollup).where(RoundRollup.cohort_id.in_(ids)))
    rounds, rows = rollup_rows(city_id, [(cohort.id, cohort.starts_on.year, cohort.status.value) for cohort in cohorts],
                               criteria, facts, utcnow())
    session.execute(RoundRollup.__table__.insert(), rounds)
    if rows:
        session.execute(CriterionRollup.__table__.insert(), rows)


def _lock_rounds(session: Session, cohort_ids: list[int]) -> None:
    """Wait for other transactions refreshing these rounds, then hold them until this one ends (PostgreSQL).

    Taken in the rounds' order, so two transactions never wait on each other. Reading after the wait sees what the
    other committed (read committed). SQLite has one writer at a time already.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for cohort_id in sorted(cohort_ids):
        session.execute(text("SELECT pg_advisory_xact_lock(:key, :round)"), {"key": _LOCK_KEY, "round": cohort_id})


def schedule_refresh(city_id: int, cohort_ids: list[int]) -> None:
    """After an answer's commit: refresh these rounds on the queue shortly, unless a refresh is already waiting.

    The claim is taken in the queue's own store (Redis in production); the task gives it back before it reads, so an
    answer committed while the refresh runs claims the round again and is rolled up by the next refresh.
    """
    from mentorby.tenants.evaluation.tasks import refresh_round_rollups

    now = time.time()
    for cohort_id in cohort_ids:
        key = claim_key(cohort_id)
        try:
            if not huey.put_if_empty(key, now):
                claimed = huey.get(key, peek=True)
                if claimed is not None and now - claimed < CLAIM_STALE:
                    continue
                huey.put(key, now)
            refresh_round_rollups.schedule((city_id, cohort_id), delay=ANSWER_DELAY)
        except Exception:
            # The answer is stored: its round catches up with the next answer's refresh, or with the nightly rebuild.
            log.exception("could not hand round %s of city %s to the queue for its rollups", cohort_id, city_id)


def claim_key(cohort_id: int) -> str:
    """The queue-store key that says a refresh of this round is waiting."""
    return f"rollups:round:{cohort_id}"


def refresh_claimed(session: Session, city_id: int, cohort_id: int) -> None:
    """The queued refresh of one answered round: give the claim back, then refresh in a transaction of its own."""
    huey.delete(claim_key(cohort_id))
    with tenant_scope(session, city_id):
        refresh_rounds(session, [cohort_id])
    session.commit()


def rollup_rows(city_id: int, cohorts: list[tuple[int, int, str]], criteria: list, facts,
                now) -> tuple[list[dict], list[dict]]:
    """The rollup rows of a city's rounds, (id, year, status) each, from the evaluation's facts (plain data).

    Shared by `refresh_rounds` and the scale seed (tenants/scale.py), which gathers the facts as it generates.
    """
    rounds, rows = [], []
    for cohort_id, year, status in cohorts:
        rounds.append({"cohort_id": cohort_id, "city_id": city_id, "year": year, "status": status,
                       "mentors": facts.participants.get((cohort_id, "mentor"), 0),
                       "mentees": facts.participants.get((cohort_id, "mentee"), 0), "updated_at": now})
        for row in _rows(criteria, cohort_id, facts):
            rows.append({"cohort_id": cohort_id, "code": row.criterion.code, "role": row.role, "city_id": city_id,
                         "year": year, "threshold": row.criterion.threshold,
                         "of_everyone": row.criterion.of_everyone, "yes": row.result.yes,
                         "answered": row.result.answered,
                         # Not measured yet (no survey at its measuring point has gone out): nobody is counted, so
                         # a criterion of everyone is not a national 0% before its follow-up is sent.
                         "eligible": row.result.eligible if row.sent else 0})
    return rounds, rows


def rebuild(session: Session) -> int:
    """Every rollup again from the cities' rows; the number of rounds rolled up."""
    session.execute(delete(CriterionRollup))
    session.execute(delete(RoundRollup))
    for _city in in_each_city(session):
        refresh_rounds(session)
    return session.execute(select(func.count()).select_from(RoundRollup)).scalar_one()


# --- noticing the writes -----------------------------------------------------------------------------------------

def _note(session: Session, city_id: int | None, cohort_id: int | None) -> None:
    if city_id is not None:
        session.info.setdefault(_PENDING, set()).add((city_id, cohort_id))


@event.listens_for(Session, "after_flush")
def _notice(session: Session, flush_context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Cohort):
            _note(session, obj.tenant_id, obj.id)
        elif isinstance(obj, Application):
            _note(session, obj.tenant_id, obj.cohort_id)
        elif isinstance(obj, Response):
            # The round is the send's: noted now if the send is loaded (the request that loaded it may have let go
            # of it by the commit, and the session keeps unchanged objects only while something else does), else
            # looked up when the refresh runs.
            session.info.setdefault(_PENDING + ".sends", set()).add((obj.tenant_id, obj.send_id))
            send = obj.__dict__.get("send")
            if send is not None and send.__dict__.get("id") == obj.send_id and send.__dict__.get("cohort_id"):
                session.info.setdefault(_PENDING + ".rounds", {})[obj.send_id] = send.cohort_id
        elif isinstance(obj, SuccessCriterion):
            _note(session, obj.tenant_id, None)


@event.listens_for(Session, "before_commit")
def _refresh(session: Session) -> None:
    if session.info.get(_PENDING + ".running"):
        return
    session.flush()
    pending = session.info.pop(_PENDING, set())
    sends = session.info.pop(_PENDING + ".sends", set())
    if not pending and not sends:
        session.info.pop(_PENDING + ".rounds", None)
        return
    session.info[_PENDING + ".running"] = True
    try:
        by_city: dict[int, set | None] = {}
        for city_id, cohort_id in pending:
            if cohort_id is None:
                by_city[city_id] = None
            elif by_city.get(city_id, set()) is not None:
                by_city.setdefault(city_id, set()).add(cohort_id)
        send_cities: dict[int, set] = {}
        for city_id, send_id in sends:
            send_cities.setdefault(city_id, set()).add(send_id)
        waiting = answers_wait()
        for city_id in sorted(set(by_city) | set(send_cities)):
            found, unknown = _rounds_of_loaded_sends(session, send_cities.get(city_id, ()),
                                                     session.info.get(_PENDING + ".rounds", {}))
            chosen = by_city.get(city_id, set())
            if unknown or chosen is None or chosen or not waiting:
                with tenant_scope(session, city_id):
                    if unknown:
                        found |= set(session.execute(select(SurveySend.cohort_id).where(
                            SurveySend.id.in_(unknown))).scalars())
                    if not waiting and chosen is not None:
                        chosen = chosen | found
                    if chosen is None or chosen:
                        refresh_rounds(session, None if chosen is None else sorted(chosen))
            if waiting and found and chosen is not None and not found <= chosen:
                # Only answers changed these rounds: their refresh goes to the queue once this commits.
                on_commit(session, schedule_refresh, city_id, sorted(found - chosen))
        session.flush()
        for key in _NOTED:
            session.info.pop(key, None)
    finally:
        session.info.pop(_PENDING + ".running", None)


def _rounds_of_loaded_sends(session: Session, send_ids, noted: dict[int, int]) -> tuple[set[int], set[int]]:
    """The rounds of these survey sends known without asking (noted at the flush, or held by the session); the rest."""
    found, unknown = set(), set()
    for send_id in send_ids:
        cohort_id = noted.get(send_id)
        if cohort_id is None:
            send = session.identity_map.get(Session.identity_key(SurveySend, send_id))
            cohort_id = send.__dict__.get("cohort_id") if send is not None else None
        if cohort_id is None:
            unknown.add(send_id)
        else:
            found.add(cohort_id)
    return found, unknown


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        for key in _NOTED:
            session.info.pop(key, None)


def register(app) -> None:
    """The command that rebuilds the rollups: `flask --app wsgi rebuild-rollups`."""
    import click

    from mentorby.platform.extensions import db

    @app.cli.command("rebuild-rollups")
    def rebuild_rollups():
        """Make the national rollups again from every city's rounds, answers and participants."""
        rounds = rebuild(db.session)
        db.session.commit()
        click.echo(f"Rolled up {rounds} rounds.")
