"""Announcements: a coordinator's e-mail to a round, one side of it, or the mentor pool, each in their language."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform.outbox.services import queue_mail
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.tenants.applications.models import ACCEPTED, Application, Participant
from mentorby.tenants.applications.profile import Role
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.communications.models import ROUND_AUDIENCES, Announcement, Audience
from mentorby.tenants.communications.schemas import ANNOUNCEMENT

KIND = "announcement"


class CommunicationsError(RuleError):
    """A refused announcement or certificate."""

    area = "communications"


@dataclass(frozen=True)
class Recipient:
    """Someone an announcement goes to, with the language they chose when they applied."""

    name: str
    email: str
    locale: str


def check(values: dict) -> dict:
    """The announcement's texts as the schema takes them, every wrong field at once."""
    return load(ANNOUNCEMENT, {name: values.get(name) for name in ANNOUNCEMENT.fields}, CommunicationsError)


def recipients(session: Session, audience: Audience, cohort: Cohort | None) -> list[Recipient]:
    """Who an announcement reaches: the round's accepted people (of a role), or every mentor of the pool."""
    if audience == Audience.POOL:
        newest = (select(Application.participant_id, func.max(Application.id).label("newest"))
                  .group_by(Application.participant_id).subquery())
        rows = session.execute(
            select(Participant.name, Participant.email, Application.locale)
            .outerjoin(newest, newest.c.participant_id == Participant.id)
            .outerjoin(Application, Application.id == newest.c.newest)
            .where(Participant.role == Role.MENTOR).order_by(Participant.name, Participant.id))
    else:
        if cohort is None or audience not in ROUND_AUDIENCES:
            raise CommunicationsError("no_round", "audience")
        query = (select(Application.name, Application.email, Application.locale)
                 .where(Application.cohort_id == cohort.id, Application.status == ACCEPTED))
        if audience != Audience.ROUND:
            query = query.where(Application.role == (Role.MENTOR if audience == Audience.MENTORS else Role.MENTEE))
        rows = session.execute(query.order_by(Application.name, Application.id))
    seen, people = set(), []
    for name, email, locale in rows:
        if email.lower() not in seen:
            seen.add(email.lower())
            people.append(Recipient(name, email, locale if locale in ("da", "en") else "da"))
    return people


def send(session: Session, audience: Audience, cohort: Cohort | None, values: dict, *,
         by_user_id: int | None) -> Announcement:
    """Queue one e-mail per recipient in their language, and keep the announcement (written to the audit log)."""
    texts = check(values)
    people = recipients(session, audience, cohort)
    if not people:
        raise CommunicationsError("no_recipients", "audience")
    announcement = Announcement(cohort_id=cohort.id if audience != Audience.POOL else None, audience=audience,
                                recipients=len(people), sent_by_id=by_user_id, **texts)
    session.add(announcement)
    session.flush()
    for person in people:
        queue_mail(session, to=person.email, subject=texts[f"subject_{person.locale}"],
                   body=texts[f"body_{person.locale}"], kind=KIND, tenant_id=announcement.tenant_id)
    return announcement


def sent(session: Session, limit: int = 20) -> list[Announcement]:
    """The city's newest announcements."""
    return list(session.execute(select(Announcement).order_by(Announcement.id.desc()).limit(limit)).scalars())


def round_names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of the rounds of these ids (one query)."""
    if not ids:
        return {}
    return dict(session.execute(select(Cohort.id, Cohort.name).where(Cohort.id.in_(sorted(ids)))).all())


def rounds(session: Session, limit: int = 50) -> list[Cohort]:
    """The city's rounds, newest first, that an announcement can go to."""
    from mentorby.tenants.cohorts.services import newest_first

    return list(session.execute(newest_first().limit(limit)).scalars())
