"""Sending a survey to a round: its place in the timeline, personal links, reminders, the automatic follow-up.

A link is `/<city>/survey/<token>`: the token is an HMAC of a random nonce under the server's secret (unguessable;
the database alone does not hold it, yet a reminder can send the same link again), found again by its SHA-256.
It opens only in its own city, and only until the send closes.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from mentorby.platform import clock
from mentorby.platform.cities.models import Tenant
from mentorby.platform.links import link_token, new_nonce, token_hash
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.tenancy import session_tenant_id, utcnow
from mentorby.tenants.applications.models import ACCEPTED, Application
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, Cohort, CohortEvent
from mentorby.tenants.partners.models import Partner, PartnerContact, PartnerKind
from mentorby.tenants.surveys import builder
from mentorby.tenants.surveys.errors import SurveyError
from mentorby.tenants.surveys.models import Moment, Response, Survey, SurveySend

SURVEY_PATH = "/{city}/survey/{token}"
#: The response rates the best programmes reach; the round's survey page shows how far it is from them.
TARGETS = {"mentee": 0.9, "mentor": 0.8, "company": 0.8}
#: Which programme event a moment's survey goes out at.
EVENT_OF = {Moment.MIDWAY: "midway", Moment.CLOSING: "closing"}
FOLLOW_UP_AFTER = relativedelta(months=6)
#: Surveys the daily task sends by itself when a closed round's follow-up falls due.
AUTOMATIC = (Moment.FOLLOW_UP, Moment.COMPANY)


# --- links -------------------------------------------------------------------------------------------------------

def token_of(response: Response) -> str:
    """The personal link's token of a response (the same every time it is asked for)."""
    return _token(response.tenant_id, response.nonce)


def _token(tenant_id: int, nonce: str) -> str:
    return link_token("survey", tenant_id, nonce)


#: What is stored to find a response from its token.
hash_of = token_hash


def link_of(city: Tenant, response: Response) -> str:
    """The full personal link, for an e-mail."""
    return current_app.config["BASE_URL"].rstrip("/") + SURVEY_PATH.format(city=city.slug, token=token_of(response))


def find_response(session: Session, token: str, *, to_change: bool = False) -> Response | None:
    """The response behind a token in the session's city (None: unknown, mistyped, or another city's link).

    `to_change`: for a request that saves answers, the response's row is locked until the commit, so that an
    autosave and a submit sent at once (the last answer's, and the button) take turns: each reads what the other
    saved (whether the response was started, whether it was submitted).
    """
    if not token or len(token) > 100:
        return None
    # Its send, survey and questions come along: every page behind the link reads them (one statement, not four).
    query = (select(Response).where(Response.token_hash == hash_of(token))
             .options(joinedload(Response.send).joinedload(SurveySend.survey).joinedload(Survey.questions)))
    if to_change:
        query = query.with_for_update(of=Response)
    return session.execute(query).unique().scalar_one_or_none()


def is_open(send: SurveySend, today: date) -> bool:
    """Whether answers are still taken (the link works to the end of the closing day, city time)."""
    return today <= send.closes_on


# --- the timeline ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """One survey's place in a round: when it is due, and whether (and how) it has gone out."""

    survey: Survey
    due_on: date | None
    send: SurveySend | None
    asked: int = 0
    answered: int = 0

    @property
    def rate(self) -> float | None:
        """Answered of asked."""
        return self.answered / self.asked if self.asked else None


def due_on(cohort: Cohort, moment: Moment, events: list[CohortEvent]) -> date | None:
    """When a survey of this moment is due in the round."""
    if moment == Moment.BASELINE:
        return cohort.starts_on
    if moment in EVENT_OF:
        found = [event for event in events if event.kind == EVENT_OF[moment]]
        return clock.local(found[0].starts_at).date() if found else None
    if moment in AUTOMATIC:
        return cohort.follow_up_on or cohort.ends_on + FOLLOW_UP_AFTER
    return None


def sends_of(session: Session, cohort: Cohort) -> list[SurveySend]:
    """The surveys sent to a round."""
    return list(session.execute(
        select(SurveySend).where(SurveySend.cohort_id == cohort.id).order_by(SurveySend.sent_on, SurveySend.id)
    ).scalars())


def respondents(sent: SurveySend):
    """Everyone a survey went to, with their answers, by name: a select for paging (a fixed number of queries)."""
    from sqlalchemy.orm import selectinload

    from mentorby.tenants.partners.models import PartnerContact as Contact

    order = func.coalesce(
        select(Application.name).where(Application.id == Response.application_id).scalar_subquery(),
        select(Contact.name).where(Contact.id == Response.contact_id).scalar_subquery())
    return (select(Response).where(Response.send_id == sent.id)
            .options(selectinload(Response.application), selectinload(Response.contact),
                     selectinload(Response.answers))
            .order_by(order, Response.id))


def waiting_for(session: Session, application_ids: list[int], today: date) -> list[Response]:
    """The open surveys these applications (one person's) have not answered yet, oldest first: the portal's list."""
    if not application_ids:
        return []
    return list(session.execute(
        select(Response).join(SurveySend, SurveySend.id == Response.send_id)
        .where(Response.application_id.in_(application_ids), Response.submitted_at.is_(None),
               SurveySend.closes_on >= today)
        .order_by(SurveySend.sent_on, Response.id)).scalars())


def counts(session: Session, send_ids: list[int]) -> dict[tuple[int, str], tuple[int, int]]:
    """(send, role) -> (asked, answered), in one grouped query."""
    if not send_ids:
        return {}
    rows = session.execute(
        select(Response.send_id, Response.role, func.count(Response.id),
               func.sum(case((Response.submitted_at.is_not(None), 1), else_=0)))
        .where(Response.send_id.in_(send_ids)).group_by(Response.send_id, Response.role)).all()
    return {(send_id, role): (asked, int(answered or 0)) for send_id, role, asked, answered in rows}


def timeline(session: Session, cohort: Cohort) -> list[Slot]:
    """Every current survey of the city in the round's timeline, with its send and response figures."""
    sent = {send.survey_key: send for send in sends_of(session, cohort)}
    figures = counts(session, [send.id for send in sent.values()])
    slots = []
    surveys = builder.current_surveys(session)
    keys = {survey.key for survey in surveys}
    # A survey sent in an earlier version (or since removed) still belongs on the round's timeline.
    for key, send in sent.items():
        if key not in keys:
            surveys.append(send.survey)
    for survey in surveys:
        send = sent.get(survey.key)
        asked = sum(value[0] for (send_id, _), value in figures.items() if send and send_id == send.id)
        answered = sum(value[1] for (send_id, _), value in figures.items() if send and send_id == send.id)
        slots.append(Slot(send.survey if send else survey, due_on(cohort, survey.moment, cohort.events), send,
                          asked, answered))
    return sorted(slots, key=lambda slot: (slot.due_on or date.max, slot.survey.key))


@dataclass(frozen=True)
class RoleRate:
    """How many of one role were asked and answered, and how far that is from the target."""

    role: str
    asked: int
    answered: int
    target: float

    @property
    def rate(self) -> float | None:
        """Answered of asked."""
        return self.answered / self.asked if self.asked else None

    @property
    def missing(self) -> int:
        """How many more answers reach the target (0 once reached)."""
        needed = -(-round(self.target * self.asked * 1000) // 1000)  # the ceiling, without float noise
        return max(0, needed - self.answered)


def rates(session: Session, send: SurveySend) -> list[RoleRate]:
    """The send's response rate per role, beside the target."""
    figures = counts(session, [send.id])
    return [RoleRate(role, asked, answered, TARGETS[role])
            for role in ("mentee", "mentor", "company") if (send.id, role) in figures
            for asked, answered in [figures[(send.id, role)]]]


# --- sending -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    """Someone a survey goes to."""

    role: str
    name: str
    email: str
    locale: str
    application_id: int | None = None
    contact_id: int | None = None


def recipients(session: Session, cohort: Cohort, survey: Survey) -> list[Recipient]:
    """Who a survey goes to in a round: the accepted mentors and/or mentees, or the retention survey's companies.

    The company contacts are those of the partner companies where the mentees' partners work.
    """
    audience = survey.audience.value
    if audience == "company":
        employers = select(Application.partner_employer_id).where(
            Application.cohort_id == cohort.id, Application.status == ACCEPTED, Application.role == "mentee",
            Application.partner_employer_id.is_not(None))
        contacts = session.execute(
            select(PartnerContact).join(Partner, Partner.id == PartnerContact.partner_id)
            .where(PartnerContact.partner_id.in_(employers), Partner.kind == PartnerKind.COMPANY)
            .order_by(PartnerContact.name)).scalars()
        return [Recipient("company", contact.name, contact.email, "da", contact_id=contact.id) for contact in contacts]
    roles = ("mentor", "mentee") if audience == "both" else (audience,)
    people = session.execute(
        select(Application).where(Application.cohort_id == cohort.id, Application.status == ACCEPTED,
                                  Application.role.in_(roles)).order_by(Application.name)).scalars()
    return [Recipient(person.role.value, person.name, person.email, person.locale, application_id=person.id)
            for person in people]


def _pseudonym() -> str:
    return "R-" + secrets.token_hex(3).upper()


def send(session: Session, cohort: Cohort, survey: Survey, *, by_id: int | None = None, automatic: bool = False,
         today: date | None = None, notify: bool = True) -> SurveySend:
    """Send the survey's current version to the round: a response row and a personal link per recipient, by mail.

    Refused before the round selects, twice for the same survey, an old version, or with nobody to send to.
    With `notify` False nobody is mailed: the answers were collected elsewhere and come in by import, yet everyone
    who was asked is counted, so the response rate stays honest.
    """
    phases.require(cohort, "survey")
    if not survey.is_current:
        raise SurveyError("survey_outdated")
    if session.execute(select(SurveySend.id).where(SurveySend.cohort_id == cohort.id,
                                                   SurveySend.survey_key == survey.key)).first():
        raise SurveyError("already_sent")
    people = recipients(session, cohort, survey)
    if not people:
        raise SurveyError("no_recipients", audience=survey.audience.label)
    today = today or clock.today()
    policy = builder.policy(session)
    days = [day for day in policy.reminder_days if day < policy.open_days]
    sent = SurveySend(cohort_id=cohort.id, survey_id=survey.id, survey_key=survey.key, anonymity=policy.anonymity,
                      reminder_days=days, sent_on=today, closes_on=today + timedelta(days=policy.open_days),
                      sent_by_id=by_id, automatic=automatic)
    session.add(sent)
    session.flush()
    city = session.get(Tenant, session_tenant_id(session))
    made = []
    for person in people:
        nonce = new_nonce()
        made.append((person, Response(send_id=sent.id, role=person.role, application_id=person.application_id,
                                      contact_id=person.contact_id, nonce=nonce,
                                      token_hash=hash_of(_token(city.id, nonce)), pseudonym=_pseudonym(),
                                      locale=person.locale or "da")))
    # One flush for the whole round: a send costs the same number of statements for 5 people or 40.
    session.add_all(response for _, response in made)
    session.flush()
    if notify:
        for person, response in made:
            _mail(session, city, sent, survey, response, person.name, person.email, reminder=False)
    session.flush()
    return sent


def _mail(session: Session, city: Tenant, sent: SurveySend, survey: Survey, response: Response, name: str,
          email: str, *, reminder: bool) -> None:
    template = "survey_reminder" if reminder else "survey_invitation"
    queue_template_mail(session, to=email, kind=template, template=template, tenant_id=city.id,
                        locale=response.locale, name=name, city=city,
                        title=survey.title(response.locale), link=link_of(city, response), closes_on=sent.closes_on)


def remind(session: Session, sent: SurveySend) -> int:
    """Remind everyone of a send who has not answered, now (the coordinator's button); how many were reminded."""
    city = session.get(Tenant, session_tenant_id(session))
    if not is_open(sent, clock.today(city)):
        raise SurveyError("survey_closed_for_reminders")
    waiting = _waiting(session, sent)
    for response in waiting:
        _remind(session, city, sent, response)
    session.flush()
    return len(waiting)


def _waiting(session: Session, sent: SurveySend) -> list[Response]:
    return list(session.execute(
        select(Response).where(Response.send_id == sent.id, Response.submitted_at.is_(None))).scalars())


def _remind(session: Session, city: Tenant, sent: SurveySend, response: Response) -> None:
    _mail(session, city, sent, sent.survey, response, response.respondent_name, response.respondent_email,
          reminder=True)
    response.reminders_sent += 1
    response.last_reminded_at = utcnow()


def due_reminders(session: Session, today: date) -> int:
    """In the session's city: remind those who have not answered on each of the send's reminder days (once each)."""
    city = session.get(Tenant, session_tenant_id(session))
    reminded = 0
    for sent in session.execute(select(SurveySend).where(SurveySend.closes_on >= today)).scalars():
        days_out = (today - sent.sent_on).days
        due = sum(1 for day in sent.reminder_days if day <= days_out)
        for response in _waiting(session, sent):
            if response.reminders_sent < due:
                _remind(session, city, sent, response)
                # However many days were missed (a stopped worker), one reminder now is enough.
                response.reminders_sent = due
                reminded += 1
    session.flush()
    return reminded


def due_follow_ups(session: Session, today: date) -> list[SurveySend]:
    """In the session's city: send the follow-up surveys of closed rounds whose 6-month date has come."""
    cohorts = session.execute(
        select(Cohort).where(Cohort.status.in_((CLOSED, FOLLOWED_UP)), Cohort.follow_up_on <= today)).scalars()
    sent = []
    surveys = [survey for survey in builder.current_surveys(session) if survey.moment in AUTOMATIC]
    for cohort in cohorts:
        done = {send.survey_key for send in sends_of(session, cohort)}
        for survey in surveys:
            if survey.key in done or not recipients(session, cohort, survey):
                continue
            sent.append(send(session, cohort, survey, automatic=True, today=today))
    return sent


def for_every_city(session: Session, work, today: date | None = None) -> int:
    """Run `work(session, today)` in each active city, each in its own today; the total it returns."""
    from mentorby.platform.cities.services import in_each_city

    total = 0
    for city in in_each_city(session, active_only=True):
        result = work(session, today or clock.today(city))
        total += result if isinstance(result, int) else len(result)
    return total
