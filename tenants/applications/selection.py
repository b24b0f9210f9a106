"""Selection, the coordinator's side: decisions, private notes, and telling people what was decided.

Telling is the notify step: e-mails in each person's language, invitations for the accepted and their renewal.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from mentorby.platform import clock
from mentorby.platform.accounts.models import Invitation, Membership, User
from mentorby.platform.accounts.services import AccountError, invitation_mail, invite
from mentorby.platform.cities.models import Tenant
from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications import queries, signals
from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.models import (
    ACCEPTED,
    CONFIRMED,
    DECISIONS,
    DECLINED,
    OUTCOMES,
    WAITLISTED,
    Application,
    ApplicationStatus,
)
from mentorby.tenants.applications.profile import ROLES
from mentorby.tenants.applications.schemas import check_note
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import Cohort, CohortEvent

#: The most applications one bulk change of "all that match" may take at once.
BULK_MAX = 1000


def step_for(current: str, new: str) -> str:
    """The phase step a status change needs: "decide" for an outcome (or undoing one), else "review".

    Accepting, wait-listing and declining are what applicants are told; shortlisting and marking a withdrawal are
    part of reading the applications.
    """
    return "decide" if new in OUTCOMES or current in OUTCOMES else "review"


def choices_for(cohort: Cohort, current: str) -> tuple[ApplicationStatus, ...]:
    """The statuses the board may offer for an application in `current` status, as the round's phase allows."""
    return tuple(status for status in DECISIONS
                 if status == current or phases.allows(cohort, step_for(current, status)))


def bulk_choices(cohort: Cohort) -> tuple[ApplicationStatus, ...]:
    """What a bulk change may set in the round's phase (shortlisting while recruiting, every decision later)."""
    return tuple(status for status in DECISIONS if phases.allows(cohort, step_for("", status)))


def decide(session: Session, city: Tenant, applications: list[Application], status: str, *,
           by: User) -> list[Application]:
    """Record the status of one or more applications of one round, all or none; nobody is told anything yet.

    Shortlisting needs the round's "review" phase, accepting, wait-listing and declining (or undoing them) its
    "decide" phase. Accepting checks the round's capacity for the whole batch. Un-accepting releases the person's
    pairs and stops an unused invitation. The notify step (`notify`) tells people what was decided.
    """
    status = ApplicationStatus.get(status)
    if status not in DECISIONS:
        raise ApplicationError("bad_status", "status")
    if not applications:
        raise ApplicationError("nothing_selected")
    if len(applications) > BULK_MAX:
        # Refused rather than cut short: a change to "all that match" must take all of them or none.
        raise ApplicationError("too_many", None, max=BULK_MAX)
    cohort = applications[0].cohort
    if any(application.cohort_id != cohort.id for application in applications):
        raise ApplicationError("mixed_cohorts")
    changing = [application for application in applications if application.status != status]
    steps = {step_for(application.status, status) for application in changing} or {step_for(status, status)}
    phases.require(cohort, "decide" if "decide" in steps else "review")
    if any(application.confirmed_at is None for application in applications):
        raise ApplicationError("not_confirmed")
    if status == ACCEPTED:
        # Lock the round so two coordinators accepting at once cannot both take the last place (PostgreSQL).
        session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
        accepted = queries.accepted_counts(session, cohort.id)
        for role in ROLES:
            adding = sum(1 for application in changing if application.role == role)
            capacity = getattr(cohort, f"{role}_capacity")
            if adding and accepted[role] + adding > capacity:
                raise ApplicationError(f"{role}s_full", None, capacity=capacity, accepted=accepted[role])
    now = utcnow()
    for application in changing:
        if application.status == ACCEPTED:
            release(session, application, "coordinator")
        application.status = status
        application.decided_at = now
        application.decided_by_id = by.id
    session.flush()
    return applications


def release(session: Session, application: Application, ended_by: str) -> None:
    """No longer taking part: the areas that hold the person's place hear it (matching ends pairs).

    An invitation not yet used stops working (an account already made stays).
    """
    signals.participant_left.send(application, session=session, ended_by=ended_by)
    if not application.invited:
        return
    for invitation in session.execute(select(Invitation).where(
        Invitation.email == application.email, Invitation.role == application.role,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
    )).scalars():
        invitation.revoked_at = utcnow()
    application.invited = False


def set_note(session: Session, application: Application, note: str) -> Application:
    """The coordinator's private note on an application (while the round's phase allows reviewing)."""
    phases.require(application.cohort, "review")
    application.note = check_note({"note": note})["note"]
    session.flush()
    return application


# --- telling people what was decided ------------------------------------------------------------------------------


def _pending(status: str):
    """A WHERE clause: applications in `status` whose holder has not been told it yet."""
    if status == ACCEPTED:
        # `invited` goes back to false when an acceptance is undone, so a new acceptance is told again.
        return and_(Application.status == ACCEPTED, Application.invited.is_(False))
    return and_(Application.status == status,
                or_(Application.notified_status.is_(None), Application.notified_status != status))


def outcome(status: str) -> ApplicationStatus | None:
    """The decision of this code that applicants are told (accepted, waitlisted, declined), or None."""
    found = ApplicationStatus.get(status)
    return found if found in OUTCOMES else None


def pending_query(cohort: Cohort, status: str):
    """The applications of the round that wait to be told `status` (one of OUTCOMES), in a stable order."""
    if outcome(status) is None:
        raise ApplicationError("bad_status", "status")
    return (select(Application).where(Application.cohort_id == cohort.id, CONFIRMED, _pending(status))
            .order_by(Application.name, Application.id))


def pending(session: Session, cohort: Cohort, status: str) -> list[Application]:
    """Everyone of the round who waits to be told `status` (the batch the notify step sends)."""
    return list(session.execute(pending_query(cohort, status)).scalars())


def counters(session: Session, cohort_id: int) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """The selection board's counters, in one grouped query.

    (role, status) -> applications of the round, and decision -> how many wait to be told it (the notify step).
    """
    waiting = or_(*(_pending(status) for status in OUTCOMES))
    rows = session.execute(
        select(Application.role, Application.status, func.count(), func.count().filter(waiting))
        .where(Application.cohort_id == cohort_id, CONFIRMED).group_by(Application.role, Application.status)
    )
    by_status, pending = {}, {status: 0 for status in OUTCOMES}
    for role, status, number, untold in rows:
        by_status[role, status] = number
        if untold:
            pending[status] += untold
    return by_status, pending


def told(session: Session, cohort: Cohort, status: str, limit: int = 100) -> list[Application]:
    """The people of the round already told `status`, the most recently told first (the notify page's list)."""
    was_told = Application.invited.is_(True) if status == ACCEPTED else Application.notified_status == status
    return list(session.execute(
        select(Application).where(Application.cohort_id == cohort.id, CONFIRMED, Application.status == status,
                                  was_told)
        .order_by(Application.notified_at.desc().nulls_last(), Application.id.desc()).limit(limit)
    ).scalars())


def delivery(session: Session, city: Tenant, told: list[Application], status: str) -> dict[str, str]:
    """E-mail address -> the state in the outbox (queued, sent, failed) of the newest message that told it."""
    if not told:
        return {}
    kinds = ("invitation", "accepted") if status == ACCEPTED else (str(status),)
    rows = session.execute(
        select(OutboxMessage.to_email, OutboxMessage.status)
        .where(OutboxMessage.tenant_id == city.id, OutboxMessage.kind.in_(kinds),
               OutboxMessage.to_email.in_({application.email for application in told}))
        .order_by(OutboxMessage.id)
    )
    return dict(rows.all())


def batch_fingerprint(applications: list[Application]) -> str:
    """A short digest of who is in a batch and what they are told.

    The send button carries the preview's, so a list that changed in between is shown again instead of being sent
    unseen.
    """
    text = ",".join(f"{application.id}:{application.status}" for application in sorted(applications,
                                                                                        key=lambda a: a.id))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def invitation_expiry(session: Session, cohort: Cohort, now: datetime | None = None) -> datetime:
    """Until when an accepted applicant's invitation works: the end of the round's kick-off day.

    The round's start date stands in when it has no kick-off, and the link never lasts less than the usual
    INVITATION_MAX_AGE from now (a late place off the waiting list still gets days to answer).
    """
    from flask import current_app

    now = now or utcnow()
    kickoff = session.execute(
        select(CohortEvent.starts_at).where(CohortEvent.cohort_id == cohort.id, CohortEvent.kind == "kickoff")
        .order_by(CohortEvent.starts_at).limit(1)
    ).scalar_one_or_none()
    day = clock.local(kickoff).date() if kickoff is not None else cohort.starts_on
    # The last second of that day in the city: the date the e-mail gives is the kick-off's own.
    end_of_day = clock.end_of_day(day)
    return max(end_of_day, now + current_app.config["INVITATION_MAX_AGE"])


def latest_invitation(session: Session, application: Application) -> Invitation | None:
    """The newest invitation sent for an accepted application (its state shows on the application's page)."""
    return session.execute(
        select(Invitation).where(Invitation.email == application.email, Invitation.role == application.role)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(1)
    ).scalar_one_or_none()


def members(session: Session, applications: list[Application]) -> set[tuple[str, str]]:
    """(e-mail, role) of those among `applications` who already hold that role in the city, in one query."""
    emails = {application.email for application in applications}
    if not emails:
        return set()
    return set(session.execute(
        select(User.email, Membership.role).join(Membership, Membership.user_id == User.id)
        .where(User.email.in_(emails), Membership.role.in_(ROLES))
    ).all())


@dataclass(frozen=True)
class Notification:
    """One e-mail of the notify step: its template and what it is rendered with, in the person's language."""

    application: Application
    template: str
    locale: str
    context: dict


def notification(city: Tenant, cohort: Cohort, application: Application, *, has_account: bool,
                 expires_at: datetime, link: str = "") -> Notification:
    """The e-mail that tells `application`'s person its current decision.

    The invitation's link is made on sending; the preview shows `link` in its place.
    """
    role = str(application.role)
    common = {"name": application.name, "city": city, "cohort": cohort, "role": role}
    if application.status == ACCEPTED and not has_account:
        context = invitation_mail(city, name=application.name, role=role, link=link, expires_at=expires_at,
                                  accepted_to=cohort.name)
        return Notification(application, "invitation", application.locale, context)
    template = {ACCEPTED: "accepted", WAITLISTED: "waitlisted", DECLINED: "declined"}[application.status]
    return Notification(application, template, application.locale, common)


def notifications(session: Session, city: Tenant, cohort: Cohort, applications: list[Application], *,
                  link: str = "") -> list[Notification]:
    """The e-mails for a batch of applications (a page of the preview), with a fixed number of queries."""
    accounts = members(session, applications)
    expires_at = invitation_expiry(session, cohort)
    return [notification(city, cohort, application, has_account=(application.email, application.role) in accounts,
                         expires_at=expires_at, link=link) for application in applications]


def notify(session: Session, city: Tenant, cohort: Cohort, status: str, *, by: User,
           fingerprint: str | None = None) -> list[Application]:
    """Tell everyone who waits to hear `status` (accepted, wait-listed or declined), through the outbox, in one go.

    The accepted are invited to make an account (valid until the kick-off) or, with one, told that they are in.
    Each is recorded as told, so nobody hears it twice. With `fingerprint` (the preview's), a batch that changed
    since the preview is refused (`batch_changed`) instead of being sent unseen.
    """
    phases.require(cohort, "notify")
    batch = pending(session, cohort, status)
    if not batch:
        raise ApplicationError("nobody_to_notify", None)
    if fingerprint is not None and fingerprint != batch_fingerprint(batch):
        raise ApplicationError("batch_changed", None)
    now = utcnow()
    for item in notifications(session, city, cohort, batch):
        application = item.application
        if item.template == "invitation":
            invite(session, city, email=application.email, name=application.name, role=str(application.role),
                   invited_by=by, locale=application.locale, accepted_to=cohort.name,
                   expires_at=item.context["until"])
        else:
            queue_template_mail(session, to=application.email, kind=item.template, template=item.template,
                                tenant_id=city.id, locale=item.locale, **item.context)
        if application.status == ACCEPTED:
            application.invited = True
        application.notified_status = application.status
        application.notified_at = now
    session.flush()
    return batch


def resend_invitation(session: Session, city: Tenant, application: Application, *, by: User) -> None:
    """Send an accepted person who was told so a fresh invitation link (the old one stops working)."""
    phases.require(application.cohort, "notify")
    if application.status != ACCEPTED or not application.invited:
        raise ApplicationError("not_invited", None)
    try:
        invite(session, city, email=application.email, name=application.name, role=str(application.role),
               invited_by=by, locale=application.locale, accepted_to=application.cohort.name,
               expires_at=invitation_expiry(session, application.cohort))
    except AccountError as error:
        if error.code != "already_member":
            raise
        raise ApplicationError("has_account", None, name=application.name) from None
    application.notified_at = utcnow()
    session.flush()
