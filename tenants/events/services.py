"""A joint event as people live it: venue, materials, invitations and RSVP, check-in, attendance, reminders.

An RSVP link is `/<city>/events/rsvp/<token>`: the token is an HMAC of a random nonce under the server's secret
(the pattern of tenants/surveys/sending.py); the database keeps the nonce and the token's SHA-256 only. The answer
may be changed until the event starts; a "yes" beyond the capacity is refused (nobody is wait-listed in silence).
"""

import hashlib
import io
import re
import zipfile
from datetime import datetime, timedelta
from urllib.parse import quote_plus

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform import clock
from mentorby.platform.cities.models import Tenant
from mentorby.platform.links import link_token, new_nonce, token_hash
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import session_tenant_id, utcnow
from mentorby.tenants.applications.models import ACCEPTED, Application
from mentorby.tenants.applications.pdf import PdfProblem, check_pdf
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, Cohort, CohortEvent
from mentorby.tenants.events.errors import EventError
from mentorby.tenants.events.models import (
    DEFAULT_REMINDER_DAYS,
    NO,
    YES,
    Attendance,
    CalendarFeed,
    EventDetails,
    EventInvitation,
    EventMaterial,
    EventPolicy,
    Rsvp,
)
from mentorby.tenants.events.schemas import EventDetailsSchema

RSVP_PATH = "/{city}/events/rsvp/{token}"
FEED_PATH = "/{city}/calendar/{token}.ics"
MAP_SEARCH = "https://www.openstreetmap.org/search?query="
#: Materials may be at most this large.
MAX_MATERIAL = 10 * 1024 * 1024
#: What a material may be, recognised by its first bytes (and, for Office files, the parts inside the zip).
OFFICE = {"word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
          "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
          "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")}
IMAGES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
#: How many names the check-in search shows at once.
SEARCH_LIMIT = 30


# --- details -----------------------------------------------------------------------------------------------------

def details_of(session: Session, event: CohortEvent) -> EventDetails:
    """The event's venue, agenda and capacity (an empty row is made the first time)."""
    found = session.execute(select(EventDetails).where(EventDetails.event_id == event.id)).scalar_one_or_none()
    if found is None:
        found = EventDetails(event_id=event.id)
        session.add(found)
        session.flush()
    return found


def map_link(event: CohortEvent, details: EventDetails | None) -> str | None:
    """An OpenStreetMap search for the event's address (or its location when no address is given)."""
    place = (details.address if details else "") or event.location
    return MAP_SEARCH + quote_plus(place) if place else None


def check_details(values: dict) -> dict:
    """The venue, agenda and capacity as the schema takes them, or Refusals for every wrong field."""
    return load(EventDetailsSchema(), values, EventError)


def update_details(session: Session, event: CohortEvent, values: dict) -> EventDetails:
    """Change an event's venue, agenda or capacity.

    A new address or room updates the calendars and tells those who said yes. A capacity below the number already
    coming is refused.
    """
    if event.cohort.status in (CLOSED, FOLLOWED_UP):
        raise EventError("round_closed")
    values = check_details(values)
    details = details_of(session, event)
    coming = yes_count(session, event)
    if values["capacity"] is not None and values["capacity"] < coming:
        raise EventError("capacity_below_yes", "capacity", coming=coming)
    moved = (values["address"], values["room"]) != (details.address, details.room)
    for name in ("address", "room", "agenda_da", "agenda_en", "capacity"):
        setattr(details, name, values[name])
    session.flush()
    if moved:
        event_changed(event, session=session)
    return details


# --- materials ---------------------------------------------------------------------------------------------------

def sniff(data: bytes) -> str:
    """The media type of a material from its content, or EventError("not_a_document")."""
    if data.startswith(b"%PDF-"):
        try:
            check_pdf(data)
        except PdfProblem:
            raise EventError("not_a_document", "file") from None
        return "application/pdf"
    for magic, mimetype in IMAGES:
        if data.startswith(magic):
            return mimetype
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            raise EventError("not_a_document", "file") from None
        if "[Content_Types].xml" in names:
            for prefix, (mimetype, _suffix) in OFFICE.items():
                if any(name.startswith(prefix) for name in names):
                    return mimetype
    raise EventError("not_a_document", "file")


def clean_filename(name: str) -> str:
    """A file name without folders or characters that break a download header."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")
    return base[:200] or "material"


def add_material(session: Session, event: CohortEvent, filename: str, data: bytes) -> EventMaterial:
    """Keep a file for an event: a PDF, Word, PowerPoint or Excel document or an image of at most 10 MB."""
    if not data:
        raise EventError("file_missing", "file")
    if len(data) > MAX_MATERIAL:
        raise EventError("file_too_large", "file", max=MAX_MATERIAL // (1024 * 1024))
    mimetype = sniff(data)
    material = EventMaterial(event_id=event.id, filename=clean_filename(filename), mimetype=mimetype, size=len(data),
                             sha256=hashlib.sha256(data).hexdigest(), content=data)
    session.add(material)
    session.flush()
    return material


def materials_of(session: Session, event: CohortEvent) -> list[EventMaterial]:
    """An event's files, oldest first (their content is not loaded)."""
    return list(session.execute(
        select(EventMaterial).where(EventMaterial.event_id == event.id).order_by(EventMaterial.id)).scalars())


def remove_material(session: Session, material: EventMaterial) -> None:
    """Delete one of an event's files."""
    session.delete(material)
    session.flush()


# --- personal links ----------------------------------------------------------------------------------------------

def _token(purpose: str, tenant_id: int, nonce: str) -> str:
    return link_token(purpose, tenant_id, nonce)


#: What is stored to find a row from its token.
hash_of = token_hash


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def rsvp_token(invitation: EventInvitation) -> str:
    """The RSVP link's token of an invitation (the same every time it is asked for)."""
    return _token("rsvp", invitation.tenant_id, invitation.nonce)


def rsvp_link(city: Tenant, invitation: EventInvitation) -> str:
    """The full personal RSVP link, for an e-mail."""
    return _base() + RSVP_PATH.format(city=city.slug, token=rsvp_token(invitation))


def find_invitation(session: Session, token: str) -> EventInvitation | None:
    """The invitation behind a token in the session's city (None: unknown, forged, or another city's link)."""
    if not token or len(token) > 100:
        return None
    return session.execute(
        select(EventInvitation).where(EventInvitation.token_hash == hash_of(token))).scalar_one_or_none()


# --- invitations and RSVP ----------------------------------------------------------------------------------------

def invitees(session: Session, event: CohortEvent) -> list[Application]:
    """Everyone taking part in the round whom the event is for (its audience), by name."""
    roles = {"mentees": ("mentee",), "mentors": ("mentor",)}.get(str(event.audience.value), ("mentor", "mentee"))
    return list(session.execute(
        select(Application).where(Application.cohort_id == event.cohort_id, Application.status == ACCEPTED,
                                  Application.role.in_(roles))
        .order_by(Application.name, Application.id)).scalars())


def invitations_of(session: Session, event: CohortEvent) -> dict[int, EventInvitation]:
    """Application id -> invitation, for one event."""
    rows = session.execute(select(EventInvitation).where(EventInvitation.event_id == event.id)).scalars()
    return {row.application_id: row for row in rows}


def _city(session: Session) -> Tenant:
    return session.get(Tenant, session_tenant_id(session))


def invite(session: Session, event: CohortEvent) -> int:
    """Mail a personal RSVP link to everyone of the event's audience not yet invited; how many were invited.

    Refused for an event that has begun or a closed round, and when there is nobody new to invite.
    """
    if event.cohort.status in (CLOSED, FOLLOWED_UP):
        raise EventError("round_closed")
    if event.starts_at <= utcnow():
        raise EventError("event_started")
    already = invitations_of(session, event)
    people = [person for person in invitees(session, event) if person.id not in already]
    if not people:
        raise EventError("nobody_to_invite")
    city = _city(session)
    made = []
    for person in people:
        nonce = new_nonce()
        made.append((person, EventInvitation(event_id=event.id, application_id=person.id, nonce=nonce,
                                             token_hash=hash_of(_token("rsvp", city.id, nonce)))))
    session.add_all(invitation for _person, invitation in made)
    details = details_of(session, event)
    details.invited_at = utcnow()
    session.flush()
    for person, invitation in made:
        _mail(session, city, event, details, person, invitation, "event_invitation")
    return len(made)


def _mail(session: Session, city: Tenant, event: CohortEvent, details: EventDetails, person: Application,
          invitation: EventInvitation | None, template: str, **extra) -> None:
    locale = person.locale or "da"
    queue_template_mail(
        session, to=person.email, kind=template, template=template, tenant_id=city.id, locale=locale,
        city=city, name=person.name, event_name=event.name(locale), starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(minutes=event.duration_minutes), location=event.location,
        address=details.address, room=details.room, map_link=map_link(event, details),
        link=rsvp_link(city, invitation) if invitation else None,
        feed=feed_link(city, feed_of(session, person)), **extra)


def can_change(event: CohortEvent, now: datetime | None = None) -> bool:
    """Whether an answer may still be given or changed: until the event starts."""
    return (now or utcnow()) < event.starts_at


def yes_count(session: Session, event: CohortEvent) -> int:
    """How many said yes to an event."""
    return session.execute(select(func.count(EventInvitation.id)).where(
        EventInvitation.event_id == event.id, EventInvitation.answer == YES)).scalar_one()


def answer(session: Session, invitation: EventInvitation, value: str) -> EventInvitation:
    """Say yes or no through the personal link; changing it is allowed until the event starts.

    A yes when the event is full is refused with a message (the person may ask the coordinator).
    """
    choice = Rsvp.get(value)
    if choice is None:
        raise EventError("bad_rsvp", "answer")
    event = session.get(CohortEvent, invitation.event_id)
    if not can_change(event):
        raise EventError("rsvp_closed")
    person = session.get(Application, invitation.application_id)
    if person is None or person.status != ACCEPTED:
        raise EventError("not_taking_part")
    if choice == YES and invitation.answer != YES:
        capacity = details_of(session, event).capacity
        if capacity is not None and yes_count(session, event) >= capacity:
            raise EventError("event_full", capacity=capacity)
    invitation.answer = choice
    invitation.answered_at = utcnow()
    session.flush()
    return invitation


def rsvp_counts(session: Session, event_ids: list[int]) -> dict[int, dict[str, int]]:
    """Event -> {"invited", "yes", "no", "attended"}, in two grouped queries."""
    result = {event_id: {"invited": 0, "yes": 0, "no": 0, "attended": 0} for event_id in event_ids}
    if not event_ids:
        return result
    for event_id, answer_, count in session.execute(
            select(EventInvitation.event_id, EventInvitation.answer, func.count(EventInvitation.id))
            .where(EventInvitation.event_id.in_(event_ids))
            .group_by(EventInvitation.event_id, EventInvitation.answer)):
        result[event_id]["invited"] += count
        if answer_ is not None:
            result[event_id][Rsvp(answer_).value] += count
    for event_id, count in session.execute(
            select(Attendance.event_id, func.count(Attendance.id)).where(Attendance.event_id.in_(event_ids))
            .group_by(Attendance.event_id)):
        result[event_id]["attended"] = count
    return result


# --- check-in at the door ----------------------------------------------------------------------------------------

def door_list(session: Session, event: CohortEvent, query: str = "") -> list[tuple[Application, Rsvp | None, bool]]:
    """The event's audience for the door, matching `query` in name (case-insensitive): (person, answer, in)."""
    statement = (
        select(Application, EventInvitation.answer, Attendance.id)
        .outerjoin(EventInvitation, (EventInvitation.application_id == Application.id)
                   & (EventInvitation.event_id == event.id))
        .outerjoin(Attendance, (Attendance.application_id == Application.id) & (Attendance.event_id == event.id))
        .where(Application.cohort_id == event.cohort_id, Application.status == ACCEPTED,
               Application.role.in_(_roles(event)))
        .order_by(Application.name, Application.id).limit(SEARCH_LIMIT))
    words = query.strip()[:80]
    if words:
        statement = statement.where(func.lower(Application.name).contains(words.lower()))
    return [(person, Rsvp(answer_) if answer_ else None, attended is not None)
            for person, answer_, attended in session.execute(statement)]


def _roles(event: CohortEvent) -> tuple[str, ...]:
    return {"mentees": ("mentee",), "mentors": ("mentor",)}.get(str(event.audience.value), ("mentor", "mentee"))


def _door_person(session: Session, event: CohortEvent, application_id) -> Application:
    person = None
    if isinstance(application_id, int) and 0 < application_id < 2**31:
        person = session.get(Application, application_id)
    if person is None or person.cohort_id != event.cohort_id or person.status != ACCEPTED \
            or person.role not in _roles(event):
        raise EventError("not_on_list")
    return person


def check_in(session: Session, event: CohortEvent, application_id: int) -> Attendance:
    """Record that someone of the event's audience came in (twice is the same as once)."""
    person = _door_person(session, event, application_id)
    found = session.execute(select(Attendance).where(
        Attendance.event_id == event.id, Attendance.application_id == person.id)).scalar_one_or_none()
    if found is None:
        found = Attendance(event_id=event.id, application_id=person.id)
        session.add(found)
        session.flush()
    return found


def undo_check_in(session: Session, event: CohortEvent, application_id: int) -> None:
    """Take back a check-in tapped by mistake."""
    person = _door_person(session, event, application_id)
    found = session.execute(select(Attendance).where(
        Attendance.event_id == event.id, Attendance.application_id == person.id)).scalar_one_or_none()
    if found is not None:
        session.delete(found)
        session.flush()


def attended_count(session: Session, event: CohortEvent) -> int:
    """How many have been checked in."""
    return session.execute(select(func.count(Attendance.id)).where(Attendance.event_id == event.id)).scalar_one()


def attendance_by_person(session: Session, cohort: Cohort) -> dict[int, tuple[int, int, int]]:
    """Application id -> (attended, no_shows, invited) over the round's joint events, in three grouped queries.

    attended: events the person was checked in at. no_shows: events that are over, where they said yes and were
    not checked in. invited: events they were sent an invitation to. People with none of these are left out.
    """
    now = utcnow()
    events = {event_id: (starts_at, minutes) for event_id, starts_at, minutes in session.execute(
        select(CohortEvent.id, CohortEvent.starts_at, CohortEvent.duration_minutes)
        .where(CohortEvent.cohort_id == cohort.id))}
    if not events:
        return {}
    over = {event_id for event_id, (starts_at, minutes) in events.items()
            if _aware(starts_at) + timedelta(minutes=minutes) <= now}
    attended: dict[int, set[int]] = {}
    for application_id, event_id in session.execute(
            select(Attendance.application_id, Attendance.event_id).where(Attendance.event_id.in_(events))):
        attended.setdefault(application_id, set()).add(event_id)
    invited: dict[int, int] = {}
    no_shows: dict[int, int] = {}
    for application_id, event_id, answer_ in session.execute(
            select(EventInvitation.application_id, EventInvitation.event_id, EventInvitation.answer)
            .where(EventInvitation.event_id.in_(events))):
        invited[application_id] = invited.get(application_id, 0) + 1
        if answer_ is not None and Rsvp(answer_) == YES and event_id in over \
                and event_id not in attended.get(application_id, set()):
            no_shows[application_id] = no_shows.get(application_id, 0) + 1
    people = set(attended) | set(invited)
    return {person: (len(attended.get(person, ())), no_shows.get(person, 0), invited.get(person, 0))
            for person in people}


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- calendar subscriptions --------------------------------------------------------------------------------------

def feed_of(session: Session, application: Application) -> CalendarFeed:
    """A participant's calendar subscription (made the first time it is asked for)."""
    found = session.execute(
        select(CalendarFeed).where(CalendarFeed.application_id == application.id)).scalar_one_or_none()
    if found is None:
        nonce = new_nonce()
        found = CalendarFeed(application_id=application.id, nonce=nonce,
                             token_hash=hash_of(_token("feed", application.tenant_id, nonce)))
        session.add(found)
        session.flush()
    return found


def feed_token(feed: CalendarFeed) -> str:
    """The subscription link's token."""
    return _token("feed", feed.tenant_id, feed.nonce)


def feed_link(city: Tenant, feed: CalendarFeed) -> str:
    """The full subscription URL, for a calendar program."""
    return _base() + FEED_PATH.format(city=city.slug, token=feed_token(feed))


def revoke_feed(session: Session, feed: CalendarFeed) -> CalendarFeed:
    """End a subscription link (it was shared by mistake): the old link stops working, a new one is made."""
    feed.nonce = new_nonce()
    feed.token_hash = hash_of(_token("feed", feed.tenant_id, feed.nonce))
    feed.created_at = utcnow()
    session.flush()
    return feed


def find_feed(session: Session, token: str) -> CalendarFeed | None:
    """The subscription behind a token in the session's city (None: unknown, revoked or another city's)."""
    if not token or len(token) > 100:
        return None
    return session.execute(select(CalendarFeed).where(CalendarFeed.token_hash == hash_of(token))).scalar_one_or_none()


def events_for(session: Session, application: Application) -> list[tuple[CohortEvent, EventDetails | None]]:
    """The joint events of a person's round that are for their role, with their details, by time."""
    events = [event for event in session.execute(
        select(CohortEvent).where(CohortEvent.cohort_id == application.cohort_id)
        .order_by(CohortEvent.starts_at, CohortEvent.step)).scalars() if event.is_for(application.role.value)]
    found = {row.event_id: row for row in session.execute(
        select(EventDetails).where(EventDetails.event_id.in_([event.id for event in events]))).scalars()}
    return [(event, found.get(event.id)) for event in events]


def answers_of(session: Session, application_ids: list[int]) -> dict[int, EventInvitation]:
    """Event id -> invitation, for a person's applications (the portal's RSVP states)."""
    if not application_ids:
        return {}
    return {row.event_id: row for row in session.execute(
        select(EventInvitation).where(EventInvitation.application_id.in_(application_ids))).scalars()}


# --- changes and reminders ---------------------------------------------------------------------------------------

def event_changed(sender: CohortEvent, *, session: Session, **kwargs) -> int:
    """The time or place of an event changed: raise its calendar SEQUENCE and tell those who said yes.

    The receiver of `cohorts.signals.event_moved`; also called when the venue's address or room changes here.
    """
    details = details_of(session, sender)
    details.sequence += 1
    coming = session.execute(
        select(Application, EventInvitation).join(EventInvitation, EventInvitation.application_id == Application.id)
        .where(EventInvitation.event_id == sender.id, EventInvitation.answer == YES)
        .order_by(Application.id)).all()
    city = _city(session)
    for person, invitation in coming:
        _mail(session, city, sender, details, person, invitation, "event_changed")
    session.flush()
    return len(coming)


def reminder_days(session: Session) -> list[int]:
    """The city's days before an event that reminders go out (3 and 1 by default)."""
    policy = session.execute(select(EventPolicy)).scalar_one_or_none()
    return sorted(policy.reminder_days if policy is not None else DEFAULT_REMINDER_DAYS, reverse=True)


def set_reminder_days(session: Session, days: list[int]) -> EventPolicy:
    """Set the city's reminder days (each from 1 to 30 days before; empty: no reminders)."""
    if any(not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 30 for day in days):
        raise EventError("bad_reminder_days", "reminder_days")
    policy = session.execute(select(EventPolicy)).scalar_one_or_none()
    if policy is None:
        policy = EventPolicy()
        session.add(policy)
    policy.reminder_days = sorted(set(days), reverse=True)
    session.flush()
    return policy


def reminder_due_at(event: CohortEvent, days: int, city: Tenant) -> datetime:
    """When the reminder `days` before an event is due: the same wall-clock time that many days earlier.

    Calendar days in the city: across a daylight-saving change that is not a multiple of 24 hours.
    """
    local = clock.local(_aware(event.starts_at), city)
    return clock.at(local.date() - timedelta(days=days), local.time(), city)


def due_reminders(session: Session, now: datetime | None = None) -> int:
    """In the session's city: remind those who said yes, or have not answered, of events whose reminder is due.

    Each reminder once, and one e-mail per run however many were missed. Those who said no are never reminded.
    """
    now = now or utcnow()
    days = reminder_days(session)
    if not days:
        return 0
    city = _city(session)
    reminded = 0
    rows = session.execute(
        select(CohortEvent, EventInvitation, Application)
        .join(EventInvitation, EventInvitation.event_id == CohortEvent.id)
        .join(Application, Application.id == EventInvitation.application_id)
        .where(CohortEvent.starts_at > now, CohortEvent.starts_at <= now + timedelta(days=max(days) + 2),
               Application.status == ACCEPTED, (EventInvitation.answer.is_(None)) | (EventInvitation.answer != NO))
        .order_by(CohortEvent.starts_at, EventInvitation.id)).all()
    for event, invitation, person in rows:
        due = [day for day in days if reminder_due_at(event, day, city) <= now and day not in invitation.reminded]
        if not due:
            continue
        details = details_of(session, event)
        _mail(session, city, event, details, person, invitation, "event_reminder", days=min(due))
        invitation.reminded = sorted({*invitation.reminded, *due}, reverse=True)
        reminded += 1
    session.flush()
    return reminded
