"""The events pages: the coordinator's event page and door, the RSVP link, calendar feeds, the portal; in English
and Danish, with the bad inputs the issue names."""

from datetime import timedelta

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import func, select

from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.events import services as events
from mentorby.tenants.events.models import Attendance, EventInvitation, EventMaterial
from tests.factories import PDF, create_application, create_cohort, create_user

CITY = "/lyngby-taarbaek"


@pytest.fixture
def running(host_city, db, app):
    cohort = create_cohort(host_city, status="running")
    mentees = [create_application(cohort, role="mentee", status="accepted", locale=locale) for locale in ("da", "en")]
    mentor = create_application(cohort, role="mentor", status="accepted")
    with tenant_scope(db.session, host_city.id):
        kickoff = next(event for event in cohort.events if event.kind == "kickoff")
    return cohort, kickoff, mentees, mentor


def _url(cohort, event, rest=""):
    return f"{CITY}/coordinator/cohorts/{cohort.id}/events/{event.id}{rest}"


def _invite(db, host_city, event):
    with tenant_scope(db.session, host_city.id):
        events.invite(db.session, event)
        rows = db.session.execute(select(EventInvitation).order_by(EventInvitation.application_id)).scalars().all()
        return {row.application_id: events.rsvp_token(row) for row in rows}


@pytest.mark.parametrize(("language", "words"), [("en", ("Venue, agenda and capacity", "Send invitations")),
                                                 ("da", ("Sted, program og antal pladser", "Send invitationer"))])
def test_the_event_page_in_both_languages(client, login, coordinator, running, language, words):
    cohort, kickoff, *_ = running
    login(coordinator)
    page = client.get(_url(cohort, kickoff, "/details"), headers={"Accept-Language": language})
    assert page.status_code == 200
    for word in words:
        assert word in page.text
    assert _url(cohort, kickoff, "/details") in client.get(f"{CITY}/coordinator/cohorts/{cohort.id}").text


def test_details_saved_and_a_bad_capacity_refused(client, login, coordinator, running, db, host_city):
    cohort, kickoff, *_ = running
    login(coordinator)
    saved = client.post(_url(cohort, kickoff, "/details"), data={"address": "Lyngby Hovedgade 1", "room": "2.1",
                                                                "capacity": "25"})
    assert saved.status_code == 302
    bad = client.post(_url(cohort, kickoff, "/details"), data={"address": "Other street", "capacity": "-3"})
    assert bad.status_code == 422 and "Use a whole number of places" in bad.text
    with tenant_scope(db.session, host_city.id):
        details = events.details_of(db.session, kickoff)
        assert (details.address, details.capacity) == ("Lyngby Hovedgade 1", 25)


def test_a_non_document_upload_is_refused_with_a_clear_message(client, login, coordinator, running, db):
    cohort, kickoff, *_ = running
    login(coordinator)
    from io import BytesIO
    refused = client.post(_url(cohort, kickoff, "/materials"), content_type="multipart/form-data",
                          data={"file": (BytesIO(b"<html><script>x</script>"), "slides.pdf")})
    assert refused.status_code == 422 and "This file is not a document we can take" in refused.text
    with tenant_scope(db.session, cohort.tenant_id):
        assert db.session.execute(select(func.count(EventMaterial.id))).scalar_one() == 0
    added = client.post(_url(cohort, kickoff, "/materials"), content_type="multipart/form-data",
                        data={"file": (BytesIO(PDF), "slides.pdf")})
    assert added.status_code == 302
    with tenant_scope(db.session, cohort.tenant_id):
        material = db.session.execute(select(EventMaterial)).scalar_one()
    download = client.get(_url(cohort, kickoff, f"/materials/{material.id}"))
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"


def test_an_event_edited_into_the_past_is_refused_on_the_rounds_page(client, login, coordinator, running):
    cohort, kickoff, *_ = running
    login(coordinator)
    prefix = f"event-{kickoff.id}-"
    response = client.post(f"{CITY}/coordinator/cohorts/{cohort.id}/events/{kickoff.id}", data={
        prefix + "day": "2020-01-01", prefix + "at": "17:00", prefix + "duration_minutes": "120"})
    assert response.status_code == 422 and "cannot be moved to a time that has passed" in response.text


def test_invitations_then_rsvp_through_the_personal_link(client, login, coordinator, running, db, host_city):
    cohort, kickoff, mentees, _mentor = running
    login(coordinator)
    sent = client.post(_url(cohort, kickoff, "/invite"), follow_redirects=True)
    assert "Invitations sent to 3 participants." in sent.text
    with tenant_scope(db.session, host_city.id):
        invitation = db.session.execute(select(EventInvitation).where(
            EventInvitation.application_id == mentees[0].id)).scalar_one()
        token = events.rsvp_token(invitation)
    stranger = client.application.test_client()
    page = stranger.get(f"{CITY}/events/rsvp/{token}")
    # The Danish mentee's page speaks Danish, and is kept by no shared cache.
    assert page.status_code == 200 and "Ja, jeg kommer" in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    assert stranger.post(f"{CITY}/events/rsvp/{token}", data={"answer": "yes"}).status_code == 302
    # The link used again: the answer may change until the event starts.
    assert stranger.post(f"{CITY}/events/rsvp/{token}", data={"answer": "no"}).status_code == 302
    bad = stranger.post(f"{CITY}/events/rsvp/{token}", data={"answer": "perhaps"})
    assert bad.status_code == 422
    with tenant_scope(db.session, host_city.id):
        db.session.refresh(invitation)
        assert invitation.answer == "no"
    with time_machine.travel(kickoff.starts_at + timedelta(minutes=5), tick=False):
        late = stranger.post(f"{CITY}/events/rsvp/{token}", data={"answer": "yes"})
    assert late.status_code == 410 and "kan ikke længere ændres" in late.text
    ics = stranger.get(f"{CITY}/events/rsvp/{token}.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert len(Calendar.from_ical(ics.data).walk("VEVENT")) == 1


def test_a_full_event_refuses_a_yes_with_a_message(client, running, db, host_city):
    cohort, kickoff, mentees, mentor = running
    with tenant_scope(db.session, host_city.id):
        events.update_details(db.session, kickoff, {"capacity": "1"})
    tokens = _invite(db, host_city, kickoff)
    assert client.post(f"{CITY}/events/rsvp/{tokens[mentees[0].id]}", data={"answer": "yes"}).status_code == 302
    full = client.post(f"{CITY}/events/rsvp/{tokens[mentor.id]}", data={"answer": "yes"})
    assert full.status_code == 422 and "the event is full (1 places)" in full.text


def test_a_forged_or_another_citys_rsvp_link_is_a_404(client, running, db, host_city, other_city):
    _cohort, kickoff, *_ = running
    tokens = _invite(db, host_city, kickoff)
    token = next(iter(tokens.values()))
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for url in (f"{CITY}/events/rsvp/{forged}", f"{CITY}/events/rsvp/{'x' * 200}", f"/aarhus/events/rsvp/{token}",
                f"/aarhus/events/rsvp/{token}.ics", f"{CITY}/events/rsvp/{forged}.ics"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/aarhus/events/rsvp/{token}", data={"answer": "yes"}).status_code == 404


def test_the_calendar_subscription_and_another_citys_token(client, running, db, host_city):
    _cohort, _kickoff, mentees, _mentor = running
    with tenant_scope(db.session, host_city.id):
        token = events.feed_token(events.feed_of(db.session, mentees[0]))
    feed = client.get(f"{CITY}/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.headers["Cache-Control"] == "private, no-store"
    parsed = Calendar.from_ical(feed.data)
    assert parsed.walk("VTIMEZONE") and len(parsed.walk("VEVENT")) >= 4
    assert client.get(f"/aarhus/calendar/{token}.ics").status_code == 404
    assert client.get(f"{CITY}/calendar/forged.ics").status_code == 404


def test_check_in_at_the_door_with_htmx(client, login, coordinator, running, db, host_city):
    cohort, kickoff, mentees, mentor = running
    login(coordinator)
    page = client.get(_url(cohort, kickoff, "/check-in"))
    assert page.status_code == 200 and "0 checked in" in page.text and mentor.name in page.text
    found = client.get(_url(cohort, kickoff, f"/check-in?q={mentees[1].name[:5]}"), headers={"HX-Request": "true"})
    assert found.status_code == 200 and "<html" not in found.text and mentees[1].name in found.text
    tapped = client.post(_url(cohort, kickoff, f"/check-in/{mentees[1].id}"), headers={"HX-Request": "true"})
    assert tapped.status_code == 200 and "1 checked in" in tapped.text and "Undo" in tapped.text
    undone = client.post(_url(cohort, kickoff, f"/check-in/{mentees[1].id}"), data={"undo": "1"},
                         headers={"HX-Request": "true"})
    assert "0 checked in" in undone.text
    # Someone of another round or city is not on the list: a message, nothing recorded.
    other = create_application(create_cohort(host_city, status="running"), role="mentee", status="accepted")
    refused = client.post(_url(cohort, kickoff, f"/check-in/{other.id}"), headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "not on the list" in refused.text
    with tenant_scope(db.session, host_city.id):
        assert db.session.execute(select(func.count(Attendance.id))).scalar_one() == 0


def test_check_in_page_in_danish(client, login, coordinator, running):
    cohort, kickoff, *_ = running
    login(coordinator)
    page = client.get(_url(cohort, kickoff, "/check-in"), headers={"Accept-Language": "da"})
    assert page.status_code == 200 and "Søg efter navn" in page.text


def test_the_portal_shows_events_answers_and_the_calendar_link(client, login, running, db, host_city):
    _cohort, kickoff, mentees, _mentor = running
    _invite(db, host_city, kickoff)
    person = mentees[1]
    user = create_user(email=person.email, city=host_city, role="mentee")
    login(user)
    page = client.get(f"{CITY}/portal/")
    assert page.status_code == 200 and "My joint events" in page.text and "/calendar/" in page.text
    assert "/events/rsvp/" in page.text
    with tenant_scope(db.session, host_city.id):
        old = events.feed_token(events.feed_of(db.session, person))
    renewed = client.post(f"{CITY}/portal/events/{person.id}/calendar/renew")
    assert renewed.status_code == 302
    assert client.get(f"{CITY}/calendar/{old}.ics").status_code == 404
    # Someone else's application: 404.
    assert client.post(f"{CITY}/portal/events/{mentees[0].id}/calendar/renew").status_code == 404


@pytest.mark.parametrize(("written", "saved", "status"), [("3, 1", [3, 1], 302), ("7 2", [7, 2], 302), ("", [], 302),
                                                          ("soon", None, 422), ("40", None, 422)])
def test_the_city_sets_its_reminder_days_from_an_event_page(client, db, login, coordinator, in_host_city,
                                                            create_cohort, written, saved, status):
    from mentorby.tenants.events import services as events

    cohort = create_cohort(in_host_city, status="running")
    event = cohort.events[0]
    login(coordinator)
    page = client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}/events/{event.id}/reminders",
                       data={"reminder_days": written})
    assert page.status_code == status
    if saved is None:
        assert "Reminder days must be whole numbers from 1 to 30." in page.text
        assert events.reminder_days(db.session) == [3, 1]  # unchanged: the defaults
    else:
        assert events.reminder_days(db.session) == saved


@pytest.mark.parametrize("rest", ["/details", "/check-in"])
def test_the_event_page_and_the_door_cost_the_same_queries_for_few_and_many(
        client, db, app, login, coordinator, host_city, running, queries_at_sizes, rest):
    cohort, kickoff, _, _ = running
    login(coordinator)

    def grow(total):
        # Everyone invited, half of them said yes, a third checked in: the page's figures all move.
        while len(events.invitees(db.session, kickoff)) < total:
            create_application(cohort, role="mentee", status="accepted")
        with tenant_scope(db.session, host_city.id), app.test_request_context():
            events.invite(db.session, kickoff)
            for n, (application_id, invitation) in enumerate(sorted(events.invitations_of(db.session,
                                                                                          kickoff).items())):
                if n % 2 == 0 and invitation.answer is None:
                    events.answer(db.session, invitation, "yes")
                if n % 3 == 0:
                    events.check_in(db.session, kickoff, application_id)  # twice is the same as once
            db.session.flush()

    with tenant_scope(db.session, host_city.id):
        counts, page = queries_at_sizes(_url(cohort, kickoff, rest), grow, ceiling=13)
    assert counts[0] == counts[1], counts
