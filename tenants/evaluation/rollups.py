"""Keeping the national rollups up to date from a city's rows.

`refresh_rounds` recomputes the rollup rows of some rounds of the current city with the evaluation's grouped
queries (a fixed number of queries for any number of rounds and answers). Writes that change a round's figures
(a response submitted or removed, an application accepted or withdrawn, a round's status or dates, a criterion
changed, an import) are noticed in the flush, whoever made them, and the rounds they touch are refreshed just
before the transaction commits, in the same transaction: the national figures never lag the city's and are never
computed from raw answers on a national request. `rebuild` makes every rollup again from scratch.
"""

from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from mentorby.platform.cities.services import in_each_city
from mentorby.platform.national.models import CriterionRollup, RoundRollup
from mentorby.platform.tenancy import session_tenant_id, tenant_scope, utcnow
from mentorby.tenants.applications.models import Application
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.evaluation.figures import _gather, _rows
from mentorby.tenants.programme.models import SuccessCriterion
from mentorby.tenants.surveys.models import Response, SurveySend

#: session.info key: (city id, round id or None for every round of the city) waiting for a refresh.
_PENDING = "mentorby.rollups_pending"


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
            # The round is the send's; looked up when the refresh runs.
            session.info.setdefault(_PENDING + ".sends", set()).add((obj.tenant_id, obj.send_id))
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
        for city_id in sorted(set(by_city) | set(send_cities)):
            with tenant_scope(session, city_id):
                if send_cities.get(city_id):
                    # Looked up even when every round is refreshed, so a write costs the same queries every time.
                    found = set(session.execute(select(SurveySend.cohort_id).where(
                        SurveySend.id.in_(send_cities[city_id]))).scalars())
                    if by_city.get(city_id, set()) is not None:
                        by_city.setdefault(city_id, set()).update(found)
                chosen = by_city.get(city_id, set())
                refresh_rounds(session, None if chosen is None else sorted(chosen))
        session.flush()
        session.info.pop(_PENDING, None)
        session.info.pop(_PENDING + ".sends", None)
    finally:
        session.info.pop(_PENDING + ".running", None)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        for key in (_PENDING, _PENDING + ".sends"):
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
