"""Access (GDPR art. 15): everything a city holds about one person, gathered as plain data.

The person is found as the portal finds them: by their e-mail address (the account's, or an application's) in the
request's city. Every query runs through the city's tenant scope, except the outbox and the account, which are not
tenant-owned and are filtered to the city and the address explicitly. The number of queries does not grow with the
person's rows: each category is one query over all their applications.
"""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, load_only

from mentorby.platform.accounts.models import Membership, User
from mentorby.platform.accounts.services import normalise_email
from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.tenancy import session_tenant_id, utcnow
from mentorby.tenants.applications import consent
from mentorby.tenants.applications.models import Application, ConsentRecord, CvDocument, Participant
from mentorby.tenants.cohorts.models import Cohort, CohortEvent
from mentorby.tenants.events.models import Attendance, EventInvitation
from mentorby.tenants.matching.models import PROPOSED, Match
from mentorby.tenants.sessions.models import SessionLog
from mentorby.tenants.surveys.answering import label_of
from mentorby.tenants.surveys.models import Anonymity, Answer, Question, Response, SurveySend

#: The version of the export's layout, so a reader of an old file knows which fields to expect (2: consents are the
#: consent records, with their channel and the city's notice version).
FORMAT = 2
#: The application's columns the person gave or that record their path; the coordinator's note is never shown to
#: the applicant (see Application.note), and ids of other tables are replaced by names.
APPLICATION_FIELDS = (
    "role", "status", "source", "name", "email", "phone", "locale", "field", "languages", "availability",
    "education", "years_experience", "job_goal", "danish_level", "arrived_on", "partner_employer", "share_cv",
    "employer", "job_title", "industry", "expertise", "mentoring_format", "mentee_capacity", "motivation",
    "consent_version", "consent_at", "created_at", "confirmed_at", "decided_at", "invited", "notified_status",
    "notified_at",
)


def plain(value):
    """A value as JSON holds it: dates as ISO text, vocabulary members as their codes."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # a Vocabulary member is a str subclass: its code
    return value


def account_of(session: Session, email: str) -> User | None:
    """The account with this address, when it has a role in the session's city (memberships are filtered to it)."""
    return session.execute(
        select(User).join(Membership, Membership.user_id == User.id).where(User.email == normalise_email(email))
        .limit(1)
    ).scalar_one_or_none()


def collect(session: Session, email: str, *, user: User | None = None, own: bool = True, locale: str = "en",
            city_name: str = "") -> dict:
    """What the session's city holds about the person with this address, as plain (JSON-ready) data.

    `own` is the person's own download from the portal. A coordinator's export (`own=False`) leaves out what the
    platform never shows a coordinator: the private notes of 1:1 sessions and the answers to pseudonymous surveys.
    """
    email = normalise_email(email)
    tenant_id = session_tenant_id(session)
    applications = list(session.execute(
        select(Application).join(Cohort, Cohort.id == Application.cohort_id).where(Application.email == email)
        .options(contains_eager(Application.cohort)).order_by(Cohort.starts_on.desc(), Application.id.desc())
    ).scalars())
    ids = [application.id for application in applications]
    by_id = {application.id: application for application in applications}
    cohort_names = {application.cohort_id: application.cohort.name for application in applications}
    cvs = {cv.application_id: cv for cv in session.execute(
        select(CvDocument).where(CvDocument.application_id.in_(ids))
        .options(load_only(CvDocument.application_id, CvDocument.filename, CvDocument.size, CvDocument.sha256,
                           CvDocument.uploaded_at))
    ).scalars()} if ids else {}
    return {
        "format": FORMAT,
        "generated_at": plain(utcnow()),
        "city": city_name,
        "email": email,
        "account": _account(user) if user is not None else None,
        "memberships": _memberships(session, user) if user is not None else [],
        "pool": _pool(session, email),
        "applications": [_application(application, cvs.get(application.id)) for application in applications],
        "consents": _consents(session, email, by_id, city_name),
        "matches": _matches(session, by_id, cohort_names),
        "sessions": _sessions(session, ids, cohort_names, own),
        "surveys": _surveys(session, ids, cohort_names, own, locale),
        "events": _events(session, ids, cohort_names, locale),
        "emails": _emails(session, tenant_id, email),
    }


def _account(user: User) -> dict:
    return {"name": user.name, "email": user.email, "locale": user.locale, "created_at": plain(user.created_at),
            "last_login_at": plain(user.last_login_at)}


def _memberships(session: Session, user: User) -> list[dict]:
    rows = session.execute(select(Membership.role, Membership.created_at).where(Membership.user_id == user.id)
                           .order_by(Membership.created_at, Membership.role))
    return [{"role": plain(role), "since": plain(since)} for role, since in rows]


def _pool(session: Session, email: str) -> list[dict]:
    rows = session.execute(select(Participant).where(Participant.email == email).order_by(Participant.created_at))
    return [{"role": plain(p.role), "name": p.name, "email": p.email, "created_at": plain(p.created_at)}
            for p in rows.scalars()]


def _application(application: Application, cv: CvDocument | None) -> dict:
    row = {"id": application.id, "cohort": application.cohort.name}
    for key in APPLICATION_FIELDS:
        value = getattr(application, key)
        row[key] = value.split() if key in ("languages", "availability") else plain(value)
    row["cv"] = None if cv is None else {"filename": cv.filename, "size": cv.size, "sha256": cv.sha256,
                                         "uploaded_at": plain(cv.uploaded_at)}
    return row


def _consents(session: Session, email: str, mine: dict[int, Application], city_name: str) -> list[dict]:
    """Every consent the person gave, the newest first, in the words they read: the language they agreed in.

    Each names the platform's text and the city's notice version it agreed to, when, how (the channel: the public
    form, the portal, or how the city collected it itself), and the application it came with, if any.
    """
    rows = session.execute(select(ConsentRecord).where(ConsentRecord.email == email)
                           .order_by(ConsentRecord.agreed_at.desc(), ConsentRecord.id.desc())).scalars()
    found = []
    for row in rows:
        parsed = consent.parse(row.version)
        application = mine.get(row.application_id)
        found.append({
            "cohort": application.cohort.name if application else None,
            "role": plain(application.role) if application else None, "version": row.version,
            "text_version": parsed.text if parsed else None, "notice_version": parsed.notice if parsed else None,
            "agreed_at": plain(row.agreed_at), "date_only": row.date_only, "channel": plain(row.channel),
            "recorded_at": plain(row.recorded_at), "language": row.locale,
            "text": consent.consent_text(row.version, row.locale, city_name) if parsed else "",
        })
    return found


def _matches(session: Session, mine: dict[int, Application], cohort_names: dict[int, str]) -> list[dict]:
    """Pairs as the portal showed them: published or ended, never the coordinator's proposals; the other's name."""
    if not mine:
        return []
    ids = list(mine)
    matches = list(session.execute(
        select(Match).where((Match.mentor_id.in_(ids)) | (Match.mentee_id.in_(ids)), Match.status != PROPOSED)
        .order_by(Match.id)
    ).scalars())
    others = {m.mentee_id if m.mentor_id in mine else m.mentor_id for m in matches}
    names = dict(session.execute(select(Application.id, Application.name).where(Application.id.in_(others)))
                 .all()) if others else {}
    rows = []
    for match in matches:
        mentor_side = match.mentor_id in mine
        other = match.mentee_id if mentor_side else match.mentor_id
        rows.append({
            "cohort": cohort_names.get(match.cohort_id, ""), "my_role": "mentor" if mentor_side else "mentee",
            "other_name": names.get(other, ""), "status": plain(match.status),
            "published_at": plain(match.published_at), "ended_at": plain(match.ended_at),
            "ended_by": plain(match.ended_by), "end_reason": match.end_reason,
        })
    return rows


def _sessions(session: Session, ids: list[int], cohort_names: dict[int, str], own: bool) -> list[dict]:
    """The 1:1 sessions the person logged (the private notes only in their own download)."""
    if not ids:
        return []
    logs = session.execute(select(SessionLog).where(SessionLog.logged_by_id.in_(ids))
                           .order_by(SessionLog.held_on, SessionLog.id)).scalars()
    rows = []
    for log in logs:
        row = {"cohort": cohort_names.get(log.cohort_id, ""), "held_on": plain(log.held_on), "minutes": log.minutes,
               "topics": list(log.topics), "next_step": log.next_step, "created_at": plain(log.created_at)}
        if own:
            row["notes"] = log.notes
        rows.append(row)
    return rows


def _surveys(session: Session, ids: list[int], cohort_names: dict[int, str], own: bool, locale: str) -> list[dict]:
    """The person's own responses and answers; a coordinator's export shows a pseudonymous survey's only as sent."""
    if not ids:
        return []
    responses = list(session.execute(
        select(Response).join(SurveySend, SurveySend.id == Response.send_id).where(Response.application_id.in_(ids))
        .options(contains_eager(Response.send).joinedload(SurveySend.survey)).order_by(SurveySend.sent_on, Response.id)
    ).scalars())
    shown = [r.id for r in responses if own or r.send.anonymity == Anonymity.NAMED]
    answers: dict[int, list[Answer]] = {}
    questions = {}
    if shown:
        for answer in session.execute(select(Answer).where(Answer.response_id.in_(shown))
                                      .order_by(Answer.response_id, Answer.id)).scalars():
            answers.setdefault(answer.response_id, []).append(answer)
        question_ids = {a.question_id for group in answers.values() for a in group}
        if question_ids:
            questions = {q.id: q for q in session.execute(select(Question).where(Question.id.in_(question_ids)))
                         .scalars()}
    rows = []
    for response in responses:
        withheld = response.id not in shown
        given = [] if withheld else answers.get(response.id, [])
        rows.append({
            "survey": response.send.survey.title(locale), "cohort": cohort_names.get(response.send.cohort_id, ""),
            "role": response.role, "sent_on": plain(response.send.sent_on),
            "anonymity": plain(response.send.anonymity), "started_at": plain(response.started_at),
            "submitted_at": plain(response.submitted_at), "answers_withheld": withheld,
            "answers": [_answer(answer, questions.get(answer.question_id), locale) for answer in given],
        })
    return rows


def _answer(answer: Answer, question: Question | None, locale: str) -> dict:
    if question is None:
        return {"question": "", "key": answer.key, "value": answer.value, "label": answer.value, "text": answer.text}
    label = str(label_of(question, answer.value, locale)) if answer.value else ""
    return {"question": question.text_da if locale == "da" else question.text_en, "key": answer.key,
            "value": answer.value, "label": label, "text": answer.text}


def _events(session: Session, ids: list[int], cohort_names: dict[int, str], locale: str) -> list[dict]:
    """The joint events the person was invited to: their answer and whether they were checked in at the door."""
    if not ids:
        return []
    invitations = {(i.event_id, i.application_id): i for i in session.execute(
        select(EventInvitation).where(EventInvitation.application_id.in_(ids))).scalars()}
    attended = {(a.event_id, a.application_id): a for a in session.execute(
        select(Attendance).where(Attendance.application_id.in_(ids))).scalars()}
    keys = set(invitations) | set(attended)
    events = {e.id: e for e in session.execute(
        select(CohortEvent).where(CohortEvent.id.in_({event_id for event_id, _ in keys}))).scalars()} if keys else {}
    rows = []
    for key in sorted(keys, key=lambda k: (events[k[0]].starts_at, k)):
        event, invitation, attendance = events[key[0]], invitations.get(key), attended.get(key)
        rows.append({
            "event": event.name(locale), "cohort": cohort_names.get(event.cohort_id, ""),
            "starts_at": plain(event.starts_at), "invited_at": plain(invitation.invited_at) if invitation else None,
            "rsvp": plain(invitation.answer) if invitation else None,
            "answered_at": plain(invitation.answered_at) if invitation else None,
            "checked_in_at": plain(attendance.checked_in_at) if attendance else None,
        })
    return rows


def _emails(session: Session, tenant_id: int | None, email: str) -> list[dict]:
    """E-mails the city sent (or queued) to the address: what they were about, never their bodies' links."""
    rows = session.execute(
        select(OutboxMessage).where(OutboxMessage.tenant_id == tenant_id, OutboxMessage.to_email == email)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).scalars()
    return [{"subject": m.subject, "kind": m.kind, "created_at": plain(m.created_at), "sent_at": plain(m.sent_at),
             "status": plain(m.status)} for m in rows]
