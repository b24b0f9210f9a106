"""The people partner organisations send to rounds: their mentors, and the mentees whose partner works there.

Applications point at partners (not the reverse), so these queries live with the applications; the partner pages
and the company contact's page call them.
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, contains_eager, load_only

from mentorby.tenants.applications.models import ACCEPTED, Application
from mentorby.tenants.applications.profile import MENTEE, MENTOR
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.partners.models import Partner


def _of_partners(partner_ids):
    # A mentor is tied to the company that employs them, a mentee to the company where their partner works.
    return or_(
        (Application.role == MENTOR) & Application.employer_id.in_(partner_ids),
        (Application.role == MENTEE) & Application.partner_employer_id.in_(partner_ids),
    )


@dataclass(frozen=True)
class RoundCount:
    """How many applications tied to a partner one round has, per role and status."""

    cohort_id: int
    cohort_name: str
    role: str
    status: str
    count: int


def people_counts(session: Session, partner: Partner) -> list[RoundCount]:
    """Applications tied to a partner, counted per round, role and status; newest round first (one query)."""
    rows = session.execute(
        select(Cohort.id, Cohort.name, Application.role, Application.status, func.count())
        .join(Cohort, Cohort.id == Application.cohort_id)
        .where(_of_partners([partner.id]))
        .group_by(Cohort.id, Cohort.name, Cohort.starts_on, Application.role, Application.status)
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc(), Application.role, Application.status)
    ).all()
    return [RoundCount(*row) for row in rows]


def people_query(partner_ids, *, accepted_only: bool = False):
    """A select of the applications tied to these partners, newest round first, for paging.

    Only the columns a list shows are loaded; touching any other (a CV, notes, job goals) raises instead of
    quietly loading it, which guards the company contact's page.
    """
    query = (
        select(Application)
        .join(Application.cohort)
        .options(
            load_only(Application.id, Application.name, Application.role, Application.status, Application.cohort_id,
                      Application.employer_id, Application.partner_employer_id, raiseload=True),
            contains_eager(Application.cohort).load_only(Cohort.id, Cohort.name, Cohort.status, Cohort.starts_on,
                                                         Cohort.ends_on, raiseload=True),
        )
        .where(_of_partners(list(partner_ids)))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc(), Application.role, Application.name, Application.id)
    )
    if accepted_only:
        query = query.where(Application.status == ACCEPTED)
    return query


def unlink_partner(partner: Partner, *, session: Session) -> None:
    """A partner is removed (partners' partner_removed): its applications keep the name as written, not the link."""
    # Through the ORM, not the foreign key's SET NULL, so that every change is in the audit log.
    linked = session.execute(
        select(Application)
        .options(load_only(Application.id, Application.employer_id, Application.partner_employer_id))
        .where(or_(Application.employer_id == partner.id, Application.partner_employer_id == partner.id))
    ).scalars()
    for application in linked:
        if application.employer_id == partner.id:
            application.employer_id = None
        if application.partner_employer_id == partner.id:
            application.partner_employer_id = None
