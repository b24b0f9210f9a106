"""Joint events against the database: details, materials, invitations and RSVP, check-in, attendance, calendars,
reminders across a daylight-saving change."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import func, select

from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.cohorts import services as cohorts
from mentorby.tenants.cohorts.services import CohortError
from mentorby.tenants.events import calendar
from mentorby.tenants.events import services as events
from mentorby.tenants.events.errors import EventError
from mentorby.tenants.events.models import Attendance, EventInvitation, EventMaterial
from tests.factories import PDF, PNG


@pytest.fixture
def running(host_city, create_cohort, create_application, in_host_city):
    cohort = create_cohort(host_city, status="running")
    mentees = [create_application(cohort, role="mentee", status="accepted", locale=locale) for locale in ("da", "en")]
    mentors = [create_application(cohort, role="mentor", status="accepted")]
    create_application(cohort, role="mentee", status="declined")
    kickoff = next(event for event in cohort.events if event.kind == "kickoff")
    return cohort, kickoff, mentees, mentors


def _mails(db, kind):
    return db.session.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).scalars().all()


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<x/>")
    return buffer.getvalue()


def test_details_and_the_map_link(running, db):
    cohort, kickoff, *_ = running
    details = events.update_details(db.session, kickoff, {"address": " Anker Engelunds Vej 1, Lyngby ", "room": "S09",
                                                          "agenda_da": "Velkomst", "agenda_en": "", "capacity": "30"})
    assert details.address == "Anker Engelunds Vej 1, Lyngby" and details.capacity == 30
    assert events.map_link(kickoff, details) == \
        "https://www.openstreetmap.org/search?query=Anker+Engelunds+Vej+1%2C+Lyngby"
    assert details.agenda("en") == "Velkomst"  # the other language when one is missing
    with pytest.raises(EventError) as refused:
        events.update_details(db.session, kickoff, {"capacity": "0"})
    assert refused.value.code == "bad_capacity"


@pytest.mark.parametrize(("data", "mimetype"), [
    (PDF, "application/pdf"), (PNG, "image/png"), (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
    (_office("word/"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (_office("ppt/"), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (_office("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_materials_are_recognised_by_their_content(running, db, data, mimetype):
    _cohort, kickoff, *_ = running
    material = events.add_material(db.session, kickoff, "../../slides.bin", data)
    assert material.mimetype == mimetype and material.filename == "slides.bin" and material.size == len(data)


@pytest.mark.parametrize("data", [b"<html><script>alert(1)</script></html>", b"MZ\x90\x00", b"PK\x03\x04broken",
                                  _office("other/"), b"%PDF-1.4 <html>"])
def test_a_file_that_is_not_a_document_is_refused(running, db, data):
    _cohort, kickoff, *_ = running
    with pytest.raises(EventError) as refused:
        events.add_material(db.session, kickoff, "slides.pdf", data)
    assert refused.value.code == "not_a_document"
    assert db.session.execute(select(func.count(EventMaterial.id))).scalar_one() == 0


def test_a_file_over_10_mb_is_refused(running, db):
    _cohort, kickoff, *_ = running
    with pytest.raises(EventError) as refused:
        events.add_material(db.session, kickoff, "big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert refused.value.code == "file_too_large"


def test_invitations_go_to_the_audience_with_a_personal_link_each(running, db, host_city):
    _cohort, kickoff, mentees, mentors = running
    assert events.invite(db.session, kickoff) == 3  # both mentees and the mentor; not the declined one
    mails = _mails(db, "event_invitation")
    assert len(mails) == 3
    assert {mail.to_email for mail in mails} == {person.email for person in mentees + mentors}
    danish = next(mail for mail in mails if mail.to_email == mentees[0].email)
    assert "Invitation" in danish.subject or "Invitation" in danish.subject
    assert "/lyngby-taarbaek/events/rsvp/" in danish.body and "/lyngby-taarbaek/calendar/" in danish.body
    invitation = db.session.execute(select(EventInvitation).where(
        EventInvitation.application_id == mentees[0].id)).scalar_one()
    token = events.rsvp_token(invitation)
    assert token in danish.body and token not in (invitation.nonce, invitation.token_hash)
    assert events.find_invitation(db.session, token) is invitation
    # A second press invites only those not invited yet: nobody.
    with pytest.raises(EventError) as refused:
        events.invite(db.session, kickoff)
    assert refused.value.code == "nobody_to_invite"


def test_a_cv_workshop_invites_only_mentees(running, db):
    cohort, *_ = running
    workshop = next(event for event in cohort.events if str(event.audience) == "mentees")
    assert events.invite(db.session, workshop) == 2


def test_rsvp_can_change_until_the_event_starts_and_respects_capacity(running, db):
    _cohort, kickoff, mentees, mentors = running
    events.update_details(db.session, kickoff, {"capacity": "1"})
    events.invite(db.session, kickoff)
    first, second = (db.session.execute(select(EventInvitation).where(EventInvitation.application_id == person.id))
                     .scalar_one() for person in (mentees[0], mentors[0]))
    events.answer(db.session, first, "yes")
    events.answer(db.session, first, "yes")  # the same answer again: still one place
    with pytest.raises(EventError) as refused:
        events.answer(db.session, second, "yes")
    assert refused.value.code == "event_full" and refused.value.params == {"capacity": 1}
    events.answer(db.session, first, "no")  # a place freed
    events.answer(db.session, second, "yes")
    with pytest.raises(EventError) as refused:
        events.answer(db.session, second, "maybe")
    assert refused.value.code == "bad_rsvp"
    with time_machine.travel(kickoff.starts_at + timedelta(minutes=1), tick=False):
        with pytest.raises(EventError) as refused:
            events.answer(db.session, second, "no")
    assert refused.value.code == "rsvp_closed" and second.answer == "yes"


def test_check_in_search_undo_and_count(running, db):
    _cohort, kickoff, mentees, mentors = running
    everyone = events.door_list(db.session, kickoff)
    assert {person.id for person, _answer, _in in everyone} == {p.id for p in mentees + mentors}
    name = mentees[1].name
    found = events.door_list(db.session, kickoff, name[:4].lower())
    assert mentees[1].id in {person.id for person, *_ in found}
    events.check_in(db.session, kickoff, mentees[1].id)
    events.check_in(db.session, kickoff, mentees[1].id)
    assert events.attended_count(db.session, kickoff) == 1
    events.undo_check_in(db.session, kickoff, mentees[1].id)
    assert events.attended_count(db.session, kickoff) == 0


def test_check_in_refuses_someone_not_on_the_list(running, db, create_application):
    cohort, kickoff, *_ = running
    declined = create_application(cohort, role="mentee", status="declined")
    workshop = next(event for event in cohort.events if str(event.audience) == "mentors")
    mentee = running[2][0]
    for event, person_id in ((kickoff, declined.id), (workshop, mentee.id), (kickoff, 2**40), (kickoff, "1")):
        with pytest.raises(EventError) as refused:
            events.check_in(db.session, event, person_id)
        assert refused.value.code == "not_on_list"
    assert db.session.execute(select(func.count(Attendance.id))).scalar_one() == 0


def test_attendance_by_person_counts_no_shows_of_events_that_are_over(running, db):
    cohort, kickoff, mentees, mentors = running
    events.invite(db.session, kickoff)
    came, stayed_away, said_no = mentees[0], mentees[1], mentors[0]
    for person, value in ((came, "yes"), (stayed_away, "yes"), (said_no, "no")):
        invitation = db.session.execute(select(EventInvitation).where(
            EventInvitation.application_id == person.id, EventInvitation.event_id == kickoff.id)).scalar_one()
        events.answer(db.session, invitation, value)
    events.check_in(db.session, kickoff, came.id)
    # Before the event is over, nobody is a no-show yet.
    assert events.attendance_by_person(db.session, cohort)[stayed_away.id] == (0, 0, 1)
    with time_machine.travel(kickoff.starts_at + timedelta(minutes=kickoff.duration_minutes + 1), tick=False):
        counts = events.attendance_by_person(db.session, cohort)
    assert counts[came.id] == (1, 0, 1)
    assert counts[stayed_away.id] == (0, 1, 1)
    assert counts[said_no.id] == (0, 0, 1)


def test_an_event_edited_into_the_past_is_refused(running, db):
    cohort, kickoff, *_ = running
    before = kickoff.starts_at
    yesterday = (utcnow() - timedelta(days=1)).date()
    with pytest.raises(CohortError) as refused:
        cohorts.update_event(db.session, kickoff, {"day": yesterday, "at": "17:00", "duration_minutes": 120,
                                                   "location": "DTU"})
    assert refused.value.code == "event_in_past" and refused.value.field == "day"
    assert kickoff.starts_at == before
    # An event that has happened may be corrected to when it really took place.
    with time_machine.travel(before + timedelta(days=2), tick=False):
        local = cohorts.to_local(before)
        cohorts.update_event(db.session, kickoff, {"day": local.date(), "at": "18:00", "duration_minutes": 120,
                                                   "location": "DTU"})


def test_a_move_raises_the_sequence_and_mails_those_coming_in_their_language(running, db):
    _cohort, kickoff, mentees, _mentors = running
    events.invite(db.session, kickoff)
    for person in mentees:
        invitation = db.session.execute(select(EventInvitation).where(
            EventInvitation.application_id == person.id)).scalar_one()
        events.answer(db.session, invitation, "yes")
    local = cohorts.to_local(kickoff.starts_at)
    cohorts.update_event(db.session, kickoff, {"day": local.date() + timedelta(days=1), "at": "16:00",
                                               "duration_minutes": 120, "location": "Lyngby Rådhus"})
    assert events.details_of(db.session, kickoff).sequence == 1
    mails = _mails(db, "event_changed")
    assert {mail.to_email for mail in mails} == {person.email for person in mentees}
    danish = next(mail for mail in mails if mail.to_email == mentees[0].email)
    english = next(mail for mail in mails if mail.to_email == mentees[1].email)
    assert "Lyngby Rådhus" in danish.body and danish.subject != english.subject
    # The address changing is a change of place too.
    events.update_details(db.session, kickoff, {"address": "Lyngby Hovedgade 1"})
    assert events.details_of(db.session, kickoff).sequence == 2 and len(_mails(db, "event_changed")) == 4


def test_the_calendar_parses_back_with_timezone_uid_and_sequence(running, db, host_city, app):
    cohort, kickoff, mentees, _mentors = running
    events.update_details(db.session, kickoff, {"address": "Anker Engelunds Vej 1", "room": "S09",
                                                "agenda_en": "Speed networking", "agenda_da": "Speednetværk"})
    with app.test_request_context():
        body = calendar.calendar(host_city, events.events_for(db.session, mentees[1]), "en", name="Spring")
    parsed = Calendar.from_ical(body)
    zones = [component for component in parsed.walk("VTIMEZONE")]
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/Copenhagen"]
    items = parsed.walk("VEVENT")
    assert len(items) == len([e for e in cohort.events if e.is_for("mentee")])
    item = next(item for item in items if str(item["UID"]).startswith(f"event-{kickoff.id}@lyngby-taarbaek."))
    start = item.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Copenhagen" and start.astimezone(UTC) == kickoff.starts_at
    assert item["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert int(item["SEQUENCE"]) == 1 and "S09" in str(item["LOCATION"]) and str(item["SUMMARY"]) == "Kick-off"
    assert str(item["DESCRIPTION"]) == "Speed networking"
    events.update_details(db.session, kickoff, {"address": "Elsewhere 2"})
    with app.test_request_context():
        again = Calendar.from_ical(calendar.calendar(host_city, events.events_for(db.session, mentees[1]), "da"))
    moved = next(item for item in again.walk("VEVENT") if str(item["UID"]) == str(item_uid(item, kickoff)))
    assert int(moved["SEQUENCE"]) == 2 and "Elsewhere 2" in str(moved["LOCATION"])


def item_uid(item, event):
    return item["UID"] if str(item["UID"]).startswith(f"event-{event.id}@") else None


def test_a_feed_link_can_be_revoked(running, db):
    _cohort, _kickoff, mentees, _mentors = running
    feed = events.feed_of(db.session, mentees[0])
    old = events.feed_token(feed)
    assert events.find_feed(db.session, old) is feed and events.feed_of(db.session, mentees[0]) is feed
    events.revoke_feed(db.session, feed)
    assert events.find_feed(db.session, old) is None
    assert events.find_feed(db.session, events.feed_token(feed)) is feed


def test_reminders_fire_at_the_same_wall_clock_time_across_the_change_to_summer_time(
        host_city, create_cohort, create_application, in_host_city, db):
    # Summer time starts on Sunday 28 March 2027 at 02:00 in Copenhagen: the event on Monday 29 March at 17:00
    # (CEST, 15:00 UTC) is reminded on Friday 26 March at 17:00 (CET, 16:00 UTC), not 72 hours before (16:00 CET).
    cohort = create_cohort(host_city, status="running")
    people = [create_application(cohort, role="mentee", status="accepted") for _ in range(3)]
    event = next(event for event in cohort.events if event.kind == "kickoff")
    event.starts_at = datetime(2027, 3, 29, 15, 0, tzinfo=UTC)
    db.session.flush()
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        events.invite(db.session, event)
        invitations = {row.application_id: row for row in db.session.execute(select(EventInvitation)).scalars()}
        events.answer(db.session, invitations[people[1].id], "no")  # never reminded
        # people[0] says nothing: reminded anyway (no answer is not a no); people[2] says yes.
        events.answer(db.session, invitations[people[2].id], "yes")

    def run(at):
        with time_machine.travel(at, tick=False):
            return events.due_reminders(db.session)

    assert run(datetime(2027, 3, 26, 15, 30, tzinfo=UTC)) == 0  # 16:30 CET: 72 hours have passed, not 3 days
    assert run(datetime(2027, 3, 26, 16, 0, tzinfo=UTC)) == 2   # 17:00 CET, Friday
    assert run(datetime(2027, 3, 26, 17, 0, tzinfo=UTC)) == 0   # each once
    assert run(datetime(2027, 3, 28, 14, 30, tzinfo=UTC)) == 0  # Sunday 16:30 CEST
    assert run(datetime(2027, 3, 28, 15, 0, tzinfo=UTC)) == 2   # Sunday 17:00 CEST: the 1-day reminder
    assert run(datetime(2027, 3, 29, 14, 0, tzinfo=UTC)) == 0
    mails = _mails(db, "event_reminder")
    assert len(mails) == 4 and people[1].email not in {mail.to_email for mail in mails}


def test_reminder_days_are_a_city_setting(running, db):
    assert events.reminder_days(db.session) == [3, 1]
    events.set_reminder_days(db.session, [1, 7])
    assert events.reminder_days(db.session) == [7, 1]
    with pytest.raises(EventError):
        events.set_reminder_days(db.session, [0])


def test_a_missed_run_sends_one_reminder_not_two(running, db):
    _cohort, kickoff, mentees, _mentors = running
    events.invite(db.session, kickoff)
    with time_machine.travel(kickoff.starts_at - timedelta(hours=12), tick=False):
        assert events.due_reminders(db.session) == 3
        assert events.due_reminders(db.session) == 0
    assert len(_mails(db, "event_reminder")) == 3
