"""Selection (issue 8): decide first and notify later, what each phase allows, invitations until the kick-off,
closed forms, arrival dates, the CV shared with the mentor, and the board's sorting and selecting."""

import io
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from mentorby.platform import clock
from mentorby.platform.accounts.models import Invitation
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications import consent, filing, selection
from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.models import Application, Participant
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import CohortEvent
from tests.applications.helpers import notify, preview
from tests.factories import MENTEE_VALUES, PDF, create_user
from tests.platform.helpers import last_mail, link_in
from tests.platform.test_danish_forms import assert_danish

LOCAL = ZoneInfo("Europe/Copenhagen")  # the demo city's zone, written out: what the service counts in
BOARD = "/lyngby-taarbaek/coordinator/cohorts/{}/applications"
NOTIFY = "/lyngby-taarbaek/coordinator/cohorts/{}/notify/{}"


def _fresh(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _outbox_count(db, to: str) -> int:
    from mentorby.platform.outbox.models import OutboxMessage
    from mentorby.platform.tenancy import cross_tenant

    with cross_tenant(db.session):
        return db.session.execute(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.to_email == to)).scalar()


# --- 1. decide first, notify later --------------------------------------------------------------------------------


def test_deciding_sends_nothing_and_the_board_offers_the_notify_step(client, db, login, coordinator, host_city,
                                                                      create_cohort, create_application):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    people = {status: create_application(cohort, email=f"{status}@example.org").id
              for status in ("accepted", "waitlisted", "declined")}
    login(coordinator)
    for status, application_id in people.items():
        response = client.post(f"{BOARD.format(cohort_id)}/{application_id}/status", data={"status": status},
                               headers={"HX-Request": "true"})
        assert response.status_code == 200
    assert all(_outbox_count(db, f"{status}@example.org") == 0 for status in people)
    page = client.get(BOARD.format(cohort_id)).text
    assert "Notify the accepted (1)" in page and "Notify the wait-listed (1)" in page
    assert "Notify the declined (1)" in page


def test_the_counters_count_each_status_and_who_waits_to_be_told_it(db, host_city, create_cohort,
                                                                   create_application, in_host_city):
    cohort = create_cohort(host_city, status="selecting")
    people = [("mentee", "accepted", {"invited": False}), ("mentee", "accepted", {"invited": True}),
              ("mentor", "accepted", {"invited": False}), ("mentee", "waitlisted", {}),
              ("mentee", "waitlisted", {"notified_status": "waitlisted"}),
              ("mentor", "declined", {"notified_status": "waitlisted"}), ("mentee", "submitted", {}),
              ("mentee", "accepted", {"confirmed_at": None})]
    for n, (role, status, told) in enumerate(people):
        application = create_application(cohort, email=f"c{n}@example.org", role=role)
        for key, value in {"status": status, **told}.items():
            setattr(application, key, value)
    db.session.flush()
    by_status, pending = selection.counters(db.session, cohort.id)
    # The unconfirmed application counts nowhere; a decline told "waitlisted" before still waits to be told.
    assert by_status == {("mentee", "accepted"): 2, ("mentor", "accepted"): 1, ("mentee", "waitlisted"): 2,
                         ("mentor", "declined"): 1, ("mentee", "submitted"): 1}
    assert pending == {"accepted": 2, "waitlisted": 1, "declined": 1}
    assert selection.counters(db.session, create_cohort(host_city).id) == (
        {}, {"accepted": 0, "waitlisted": 0, "declined": 0})


def test_notify_tells_each_person_once_in_their_own_language(client, db, login, coordinator, host_city,
                                                            create_cohort, create_application, in_host_city):
    cohort = create_cohort(host_city, status="selecting", name="Forår 2027")
    cohort_id = cohort.id  # read before requests expire the object
    new = create_application(cohort, name="Nora Ny", email="nora@example.org", locale="da")
    returning = create_application(cohort, name="Rita Retur", email="rita@example.org", locale="en")
    create_user(email="rita@example.org", city=host_city, role="mentee")  # has an account already
    waiting = create_application(cohort, name="Vera Vent", email="vera@example.org", locale="da",
                                 status="waitlisted")
    declined = create_application(cohort, name="Dan Nej", email="dan@example.org", locale="en", status="declined")
    ids = {"new": new.id, "returning": returning.id, "waiting": waiting.id, "declined": declined.id}
    login(coordinator)
    for application in (ids["new"], ids["returning"]):
        client.post(f"{BOARD.format(cohort_id)}/{application}/status", data={"status": "accepted"})

    # The preview: each e-mail as it will go out, in the person's language; the link is made on sending.
    page = preview(client, cohort_id, "accepted")
    assert page.status_code == 200 and "2 people wait to hear this decision." in page.text
    assert 'lang="da"' in page.text and "Invitation til Lyngby-Taarbæk Vidensby" in page.text
    assert "You are in: Forår 2027" in page.text  # the one with an account is told she is in
    assert "/invite/" not in page.text and _outbox_count(db, "nora@example.org") == 0

    assert notify(client, cohort_id, "accepted").status_code == 302
    invitation = last_mail(db, "nora@example.org")
    assert invitation.kind == "invitation" and "Åbn dette link" in invitation.body
    assert last_mail(db, "rita@example.org").kind == "accepted"
    told = _fresh(db, Application, ids["new"])
    assert told.invited and told.notified_status == "accepted" and told.notified_at is not None
    # Told once: nobody waits any more, and a second send changes nothing.
    again = client.post(NOTIFY.format(cohort_id, "accepted"), data={"fingerprint": "0" * 16})
    assert again.status_code == 422 and "Nobody is waiting to hear this decision." in again.text
    assert _outbox_count(db, "nora@example.org") == 1

    assert notify(client, cohort_id, "waitlisted").status_code == 302
    assert "venteliste" in last_mail(db, "vera@example.org").body
    assert notify(client, cohort_id, "declined").status_code == 302
    declined_mail = last_mail(db, "dan@example.org")
    assert declined_mail.kind == "declined" and "apply again" in declined_mail.body

    # A changed decision is told again: Nora declined after all, then (say, a place freed up) accepted again.
    client.post(f"{BOARD.format(cohort_id)}/{ids['new']}/status", data={"status": "declined"})
    assert "Notify the declined (1)" in client.get(BOARD.format(cohort_id)).text
    assert notify(client, cohort_id, "declined").status_code == 302
    assert last_mail(db, "nora@example.org").kind == "declined"
    client.post(f"{BOARD.format(cohort_id)}/{ids['new']}/status", data={"status": "accepted"})
    assert "Notify the accepted (1)" in client.get(BOARD.format(cohort_id)).text


def test_a_list_changed_after_the_preview_is_not_sent_unseen(client, db, login, coordinator, host_city,
                                                            create_cohort, create_application):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    create_application(cohort, status="accepted", email="first@example.org")
    login(coordinator)
    page = preview(client, cohort_id, "accepted")
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page.text).group(1)
    late = create_application(cohort, email="late@example.org")
    client.post(f"{BOARD.format(cohort_id)}/{late.id}/status", data={"status": "accepted"})
    refused = client.post(NOTIFY.format(cohort_id, "accepted"), data={"fingerprint": fingerprint})
    assert refused.status_code == 422 and "The list changed after you opened the preview" in refused.text
    assert "late@example.org" in refused.text  # the new preview shows who was added
    assert _outbox_count(db, "first@example.org") == 0 and _outbox_count(db, "late@example.org") == 0


def test_the_notify_page_shows_who_was_told_and_the_outbox_state(client, db, login, coordinator, host_city,
                                                                create_cohort, create_application):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    create_application(cohort, status="waitlisted", name="Vera Vent", email="vera@example.org")
    login(coordinator)
    notify(client, cohort_id, "waitlisted")
    page = preview(client, cohort_id, "waitlisted").text
    assert "Nobody waits to hear this decision." in page
    told = page[page.index("Already told"):]
    assert "Vera Vent" in told and "Sent" in told  # the test queue delivers at once


def test_an_unknown_outcome_is_404(client, login, coordinator, host_city, create_cohort):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    login(coordinator)
    assert client.get(NOTIFY.format(cohort_id, "shortlisted")).status_code == 404
    assert client.post(NOTIFY.format(cohort_id, "maybe")).status_code == 404


def test_the_notify_preview_uses_the_same_number_of_queries_for_5_and_200(db, login, coordinator, host_city,
                                                                         create_cohort, queries_at_sizes, in_host_city):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    login(coordinator)

    def grow(total):
        existing = db.session.execute(select(func.count()).select_from(Application)).scalar()
        for i in range(existing, total):
            participant = Participant(role="mentee", email=f"p{i}@example.org", name=f"P {i:03d}")
            db.session.add(participant)
            db.session.flush()
            db.session.add(Application(
                cohort_id=cohort_id, participant_id=participant.id, role="mentee", name=participant.name,
                email=participant.email, field="it", languages="en", consent_version=consent.CURRENT,
                confirmed_at=utcnow(), status="accepted", locale="da" if i % 2 else "en",
                invited=i % 3 == 0, notified_status="accepted" if i % 3 == 0 else None))
        db.session.flush()

    counts, page = queries_at_sizes(NOTIFY.format(cohort_id, "accepted"), grow, ceiling=14)
    assert counts[0] == counts[1]
    assert 'rel="next"' in page.text


# --- 3. what each phase allows ------------------------------------------------------------------------------------


def test_while_recruiting_the_board_reads_and_shortlists_and_decisions_wait(client, db, login, coordinator,
                                                                            host_city, create_cohort,
                                                                            create_application, in_host_city):
    cohort = create_cohort(host_city)  # recruiting
    cohort_id = cohort.id  # read before requests expire the object
    application = create_application(cohort, name="Ana")
    application_id = application.id
    login(coordinator)
    board = client.get(BOARD.format(cohort_id)).text
    assert "Recruitment is open:" in board and f"/coordinator/cohorts/{cohort_id}\"" in board
    # No decision is offered, in the rows or in bulk (the status filter still lists them all).
    offered = re.findall(r'<select id="(?:status-\d+|bulk-status)".*?</select>', board, re.S)
    assert offered and not any('value="accepted"' in select for select in offered)
    assert "People are told of decisions once recruitment has closed." in board
    url = f"{BOARD.format(cohort_id)}/{application_id}"
    refused = client.post(f"{url}/status", data={"status": "accepted"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Decisions are made once recruitment has closed" in refused.text
    assert client.post(f"{url}/status", data={"status": "shortlisted"}).status_code == 302
    assert client.post(f"{url}/note", data={"note": "Call her"}).status_code == 302
    bulk = client.post(f"{BOARD.format(cohort_id)}/bulk", data={"ids": [str(application_id)],
                                                                "bulk_status": "declined"})
    assert bulk.status_code == 422
    assert preview(client, cohort_id, "accepted").status_code == 200
    assert notify(client, cohort_id, "accepted").status_code == 422
    stored = _fresh(db, Application, application_id)
    assert stored.status == "shortlisted" and stored.note == "Call her"


def test_each_rows_status_cell_offers_what_the_phase_allows_for_its_status(client, login, coordinator, host_city,
                                                                           create_cohort, create_application):
    cohort = create_cohort(host_city)  # recruiting: shortlisting and withdrawals, no decisions
    cohort_id = cohort.id
    new = create_application(cohort, name="Ana").id
    taken = create_application(cohort, name="Bo", status="accepted").id  # imported: undoing it is a decision
    login(coordinator)
    board = client.get(BOARD.format(cohort_id)).text
    cell = re.search(rf'<select id="status-{new}".*?</select>', board, re.S).group(0)
    # A new application's own status is shown first but cannot be chosen again; shortlisting is offered.
    assert re.findall(r'<option value="(\w+)"( selected)?( disabled)?>', cell) == [
        ("submitted", " selected", " disabled"), ("shortlisted", "", ""), ("withdrawn", "", "")]
    # The accepted one may not change in this phase: its status is written out, with no form.
    row = re.search(rf'<tr id="application-{taken}">.*?</tr>', board, re.S).group(0)
    assert "<select" not in row and "Accepted" in row and 'class="badge untold"' in row
    client.post("/lang", data={"lang": "da", "next": "/"})
    danish = client.get(BOARD.format(cohort_id)).text
    assert re.search(rf'<select id="status-{new}".*?>Ny</option>.*?>På shortlist</option>', danish, re.S)


def test_the_services_require_the_phase(db, app, host_city, coordinator, create_cohort, create_application,
                                        in_host_city):
    planned = create_cohort(host_city, status="planned")
    first = create_application(planned)
    with app.test_request_context():
        with pytest.raises(phases.PhaseError, match="phase_review"):
            selection.decide(db.session, host_city, [first], "shortlisted", by=coordinator)
        with pytest.raises(phases.PhaseError, match="phase_review"):
            selection.set_note(db.session, first, "too early")
        with pytest.raises(phases.PhaseError, match="phase_notify"):
            selection.notify(db.session, host_city, planned, "accepted", by=coordinator)
        # Undoing a decision is a decision too: an imported acceptance cannot be shortlisted while recruiting.
        planned.status = "recruiting"
        first.status = "accepted"
        with pytest.raises(phases.PhaseError, match="phase_decide"):
            selection.decide(db.session, host_city, [first], "shortlisted", by=coordinator)


def test_a_closed_round_shows_its_board_read_only(client, login, coordinator, host_city, create_cohort,
                                                  create_application):
    cohort = create_cohort(host_city, status="closed")
    cohort_id = cohort.id  # read before requests expire the object
    application = create_application(cohort, status="accepted", note="kept")
    login(coordinator)
    board = client.get(BOARD.format(cohort_id)).text
    assert "The round is closed:" in board and 'name="status" data-autosave' not in board
    detail = client.get(f"{BOARD.format(cohort_id)}/{application.id}").text
    assert "kept" in detail and 'id="note"' not in detail and "past selection" in detail


# --- invitations until the kick-off, sent again ------------------------------------------------------------------


def _kickoff_day(db, cohort_id):
    starts = db.session.execute(select(CohortEvent.starts_at).where(
        CohortEvent.cohort_id == cohort_id, CohortEvent.kind == "kickoff")).scalar_one()
    return starts.astimezone(LOCAL).date()


def test_an_accepted_applicants_invitation_lasts_until_the_kickoff(app, client, db, login, coordinator, host_city,
                                                                   create_cohort, create_application, in_host_city):
    cohort = create_cohort(host_city, status="selecting", starts_on=date.today() + timedelta(days=60))
    cohort_id = cohort.id  # read before requests expire the object
    application = create_application(cohort, status="accepted", email="nora@example.org")
    login(coordinator)
    notify(client, cohort_id, "accepted")
    kickoff = _kickoff_day(db, cohort_id)
    end_of_kickoff = datetime.combine(kickoff, time(23, 59, 59), tzinfo=LOCAL).astimezone(UTC)
    invitation = db.session.execute(select(Invitation).where(Invitation.email == application.email)
                                    ).scalar_one()
    assert invitation.expires_at == end_of_kickoff
    mail = last_mail(db, "nora@example.org")
    assert f"until {kickoff.day} {kickoff.strftime('%B')} {kickoff.year}" in mail.body
    link = link_in(mail)
    # Weeks later (longer than the 7 days of a colleague's invitation), the link still works.
    app.config["INVITATION_MAX_AGE"] = timedelta(seconds=-1)
    try:
        page = client.get(link)
    finally:
        app.config["INVITATION_MAX_AGE"] = timedelta(days=7)
    assert page.status_code == 200 and "expired" not in page.text
    # After the kick-off it has expired.
    db.session.execute(select(Invitation)).scalar_one().expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert "expired" in client.get(link).text


def test_invitation_expiry_falls_back_to_the_start_and_never_lasts_under_a_week(app, db, host_city,
                                                                                create_cohort, in_host_city):
    cohort = create_cohort(host_city, status="selecting", starts_on=date.today() + timedelta(days=40))
    soon = create_cohort(host_city, status="running", starts_on=date.today() - timedelta(days=30))
    with app.test_request_context():
        for event in list(cohort.events):
            if event.kind == "kickoff":
                db.session.delete(event)
        db.session.flush()
        db.session.expire(cohort, ["events"])
        expected = datetime.combine(cohort.starts_on, time(23, 59, 59), tzinfo=LOCAL).astimezone(UTC)
        assert selection.invitation_expiry(db.session, cohort) == expected
        # A place off the waiting list after the kick-off still gets a week to answer.
        assert selection.invitation_expiry(db.session, soon) >= utcnow() + timedelta(days=7) - timedelta(
            minutes=1)


def test_the_invitation_is_sent_again_from_the_applications_page(client, db, login, coordinator, host_city,
                                                                 create_cohort, create_application, in_host_city):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    application = create_application(cohort, status="accepted", name="Nora", email="nora@example.org")
    pending_id = create_application(cohort, status="accepted", name="Pia", email="pia@example.org").id
    login(coordinator)
    detail = f"{BOARD.format(cohort_id)}/{application.id}"
    assert "Send the invitation again" not in client.get(detail).text  # not told yet: nothing to send again
    notify_mail_ids = []
    notify(client, cohort_id, "accepted")
    notify_mail_ids.append(last_mail(db, "nora@example.org").id)
    page = client.get(detail).text
    assert "Invitation sent" in page and "Send the invitation again" in page
    response = client.post(f"{detail}/invite", data={"back": "detail"}, follow_redirects=True)
    assert "A new invitation is on its way to nora@example.org." in response.text
    assert last_mail(db, "nora@example.org").id != notify_mail_ids[0]
    invitations = list(db.session.execute(select(Invitation).where(Invitation.email == "nora@example.org")
                                          .order_by(Invitation.id)).scalars())
    assert [i.revoked_at is not None for i in invitations] == [True, False]  # only the newest link works
    # Someone who already has an account needs no invitation; someone not yet told cannot get one "again".
    create_user(email="nora@example.org", city=host_city, role="mentee")
    has_account = client.post(f"{detail}/invite", data={"back": "detail"}, follow_redirects=True)
    assert "already has an account" in has_account.text
    client.post(f"{BOARD.format(cohort_id)}/{pending_id}/status", data={"status": "declined"})
    client.post(f"{BOARD.format(cohort_id)}/{pending_id}/status", data={"status": "accepted"})
    not_told = client.post(f"{BOARD.format(cohort_id)}/{pending_id}/invite", follow_redirects=True)
    assert "notify the accepted first" in not_told.text


# --- 4. closed forms ----------------------------------------------------------------------------------------------


def test_an_old_form_link_explains_that_applications_are_closed(client, db, host_city, create_cohort, in_host_city):
    host_city.contact_name, host_city.contact_email = "Mette Koordinator", "mette@ltk.example"
    db.session.flush()
    old = create_cohort(host_city, status="selecting", name="Efterår 2026")
    passed = create_cohort(host_city, apply_by=date.today() - timedelta(days=1), name="Sommer 2026")
    nxt = create_cohort(host_city, name="Forår 2027")
    closed = [(old.id, old.name), (passed.id, passed.name)]
    old_id, next_id, planned_id = old.id, nxt.id, create_cohort(host_city, status="planned").id
    for cohort_id, name in closed:
        page = client.get(f"/lyngby-taarbaek/apply/{cohort_id}/mentor")
        assert page.status_code == 200 and "Applications are closed" in page.text
        assert f"{name} in Lyngby-Taarbæk Vidensby no longer takes applications." in page.text
        assert "Mette Koordinator" in page.text and "mailto:mette@ltk.example" in page.text
        assert f"/lyngby-taarbaek/apply/{next_id}/mentor" in page.text  # the round that takes applications now
        assert 'name="email"' not in page.text
    danish = client.get(f"/lyngby-taarbaek/apply/{old_id}/mentee", headers={"Accept-Language": "da"})
    assert_danish(danish.text, "closed form")
    # A form sent as the deadline passed saves nothing and says so.
    sent = client.post(f"/lyngby-taarbaek/apply/{old_id}/mentee", data={"name": "Late", "email": "l@example.org"})
    assert sent.status_code == 422 and "Your answers were not saved." in sent.text
    assert db.session.execute(select(func.count()).select_from(Application)).scalar() == 0
    # Unknown rounds, and rounds never opened, are still not found.
    assert client.get("/lyngby-taarbaek/apply/99999/mentee").status_code == 404
    assert client.get(f"/lyngby-taarbaek/apply/{planned_id}/mentee").status_code == 404


def test_a_closed_form_without_another_round_says_so(client, host_city, create_cohort):
    old = create_cohort(host_city, status="running")
    page = client.get(f"/lyngby-taarbaek/apply/{old.id}/mentee").text
    assert "No other round takes applications right now." in page and "Apply as a mentee" not in page


# --- 5. arrival dates ---------------------------------------------------------------------------------------------


def _mentee_form(**changes):
    return {"name": "Priya Sharma", "email": "priya@example.org", "field": "engineering", "languages": ["en"],
            "job_goal": "Process engineer", "danish_level": "beginner", "consent": "y",
            "consent_version": consent.CURRENT} | changes


@pytest.mark.parametrize("arrived", ["2031-01-15", "1949-12-31"])
@pytest.mark.parametrize(("language", "text"), [
    ("en", "not in the future and not before 1950"), ("da", "ikke ligger i fremtiden og ikke før 1950")])
def test_an_arrival_in_the_future_or_before_1950_is_refused_on_the_form(client, db, host_city, create_cohort,
                                                                        arrived, language, text, in_host_city):
    cohort = create_cohort(host_city)
    cohort_id = cohort.id  # read before requests expire the object
    response = client.post(f"/lyngby-taarbaek/apply/{cohort_id}/mentee", data=_mentee_form(arrived_on=arrived),
                           headers={"Accept-Language": language})
    assert response.status_code == 422 and text in response.text
    assert db.session.execute(select(func.count()).select_from(Application)).scalar() == 0


# Tomorrow in the city (Copenhagen), not on the server: between 23:00 and midnight UTC the two differ.
@pytest.mark.parametrize("arrived", [date(1949, 12, 31), clock.today() + timedelta(days=1)])
def test_the_service_refuses_arrivals_out_of_range(db, host_city, create_cohort, arrived, in_host_city):
    cohort = create_cohort(host_city)
    with pytest.raises(ApplicationError) as error:
        filing.submit_application(db.session, cohort, "mentee", MENTEE_VALUES | {
            "name": "A", "email": "a@example.org", "arrived_on": arrived}, consent_version=consent.CURRENT)
    assert error.value.code == "bad_arrival" and error.value.field == "arrived_on"


def test_the_form_offers_dates_from_1950_to_today(client, host_city, create_cohort):
    cohort = create_cohort(host_city)
    cohort_id = cohort.id  # read before requests expire the object
    page = client.get(f"/lyngby-taarbaek/apply/{cohort_id}/mentee").text
    assert 'min="1950-01-01"' in page and f'max="{clock.today().isoformat()}"' in page


# --- 6. the CV shared with the mentor -----------------------------------------------------------------------------


def test_a_mentee_may_share_the_cv_with_the_mentor(client, db, login, coordinator, host_city, create_cohort,
                                                  in_host_city):
    recruiting = create_cohort(host_city)
    url = f"/lyngby-taarbaek/apply/{recruiting.id}/mentee"
    assert "My mentor may see my CV" in client.get(url).text
    assert client.post(url, data=_mentee_form(share_cv="y", cv=(io.BytesIO(PDF), "cv.pdf")),
                       content_type="multipart/form-data").status_code == 302
    assert client.post(url, data=_mentee_form(email="other@example.org"),
                       content_type="multipart/form-data").status_code == 302
    shared = {a.email: a.share_cv for a in db.session.execute(select(Application)).scalars()}
    sharing = db.session.execute(select(Application).where(Application.email == "priya@example.org")
                                 ).scalar_one()
    filing.confirm(db.session, sharing)
    sharing_id = sharing.id
    assert shared == {"priya@example.org": True, "other@example.org": False}
    login(coordinator)
    detail = client.get(f"{BOARD.format(recruiting.id)}/{sharing_id}").text
    assert "Yes: the mentor may see the CV" in detail


def test_the_portal_profile_keeps_and_changes_the_choice(client, db, login, host_city, create_cohort,
                                                         create_application, in_host_city):
    cohort = create_cohort(host_city, status="selecting")
    application = create_application(cohort, status="accepted", email="mentee@example.org", share_cv=True,
                                     arrived_on=date(2025, 5, 1))
    mentee = create_user(email="mentee@example.org", city=host_city, role="mentee")
    login(mentee)
    url = f"/lyngby-taarbaek/portal/profile/{application.id}"
    page = client.get(url).text
    assert re.search(r'<input[^>]*checked[^>]*id="share_cv"|<input[^>]*id="share_cv"[^>]*checked', page)
    data = {"field": "engineering", "languages": ["en"], "job_goal": "Engineer", "danish_level": "beginner",
            "arrived_on": "2025-05-01"}
    assert client.post(url, data=data).status_code == 302  # unticked: she takes it back
    assert _fresh(db, Application, application.id).share_cv is False
    assert client.post(url, data=data | {"share_cv": "y"}).status_code == 302
    assert _fresh(db, Application, application.id).share_cv is True


def test_a_reapplication_keeps_the_choice(db, host_city, create_cohort, create_application, in_host_city):
    old = create_cohort(host_city, status="closed", starts_on=date.today() - timedelta(days=300))
    first = create_application(old, status="accepted", share_cv=True)
    new = create_cohort(host_city)
    again = filing.reapply(db.session, db.session.get(Participant, first.participant_id), new)
    assert again.share_cv is True


# --- 2. the board: sorting, selecting, columns --------------------------------------------------------------------


def _names(text: str, names: list[str]) -> list[str]:
    """The names as the board's rows show them (each row links its name), in the page's order."""
    return sorted((name for name in names if f">{name}</a>" in text), key=lambda name: text.index(f">{name}</a>"))


def test_the_board_sorts_on_the_server_and_keeps_the_order(client, db, login, coordinator, host_city,
                                                           create_cohort, create_application):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    create_application(cohort, name="Bo", job_goal="Zoologist", danish_level="fluent", field="science")
    create_application(cohort, name="Ada", job_goal="Accountant", danish_level="none", field="finance",
                       status="declined")
    create_application(cohort, name="Cy", role="mentor", expertise="Marketing", field="business",
                       status="accepted")
    names = ["Ada", "Bo", "Cy"]
    login(coordinator)
    url = BOARD.format(cohort_id)

    def order(**params):
        return _names(client.get(url, query_string=params, headers={"HX-Request": "true"}).text, names)

    assert order() == ["Bo", "Ada", "Cy"]  # as they applied
    assert order(sort="name") == ["Ada", "Bo", "Cy"]
    assert order(sort="name", dir="desc") == ["Cy", "Bo", "Ada"]
    assert order(sort="goal") == ["Ada", "Cy", "Bo"]  # a mentor's expertise stands in for a job goal
    assert order(sort="danish") == ["Ada", "Bo", "Cy"]  # by level, mentors last
    assert order(sort="danish", dir="desc") == ["Bo", "Ada", "Cy"]
    assert order(sort="status") == ["Bo", "Cy", "Ada"]  # in the order of the work: new, accepted, declined
    assert order(sort="field") == ["Cy", "Ada", "Bo"]  # by the field's name in the page's language
    assert order(sort="nonsense", dir="sideways") == ["Bo", "Ada", "Cy"]
    page = client.get(url, query_string={"sort": "name", "dir": "desc"}).text
    assert 'aria-sort="descending"' in page and '<input type="hidden" name="sort" value="name">' in page
    fragment = client.get(url, query_string={"sort": "name"}, headers={"HX-Request": "true"}).text
    assert 'id="sort-state" hx-swap-oob="true"' in fragment  # the filter form learns the new order


def test_the_pager_and_the_bulk_form_keep_the_filters_and_the_order(app, client, db, login, coordinator, host_city,
                                                                    create_cohort, create_application):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    for i in range(3):
        create_application(cohort, name=f"Person {i}")
    login(coordinator)
    app.config["PAGE_SIZE"] = 2
    try:
        page = client.get(BOARD.format(cohort_id), query_string={"sort": "name", "dir": "desc", "role": "mentee"})
    finally:
        app.config["PAGE_SIZE"] = 25
    nxt = re.search(r'href="([^"]*)" rel="next"', page.text).group(1)
    assert "sort=name" in nxt and "dir=desc" in nxt and "role=mentee" in nxt
    bulk = re.search(r'id="bulk-form" class="bulk" action="([^"]*)"', page.text).group(1)
    assert "sort=name" in bulk and "role=mentee" in bulk


def test_select_all_on_the_page_or_all_that_match(app, client, db, login, coordinator, host_city, create_cohort,
                                                  create_application, in_host_city):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    mentees = [create_application(cohort, name=f"Mentee {i}") for i in range(3)]
    mentor = create_application(cohort, role="mentor", name="The Mentor")
    mentee_ids, mentor_id = [m.id for m in mentees], mentor.id
    login(coordinator)
    url = BOARD.format(cohort_id)
    app.config["PAGE_SIZE"] = 2
    try:
        page = client.get(url, query_string={"role": "mentee", "select": "page"}).text
        assert page.count(" checked") == 2 and "Select all 3 that match" in page
        page = client.get(url, query_string={"role": "mentee", "select": "matching"}).text
        assert "All 3 applications that match are selected." in page
        assert '<input type="hidden" name="scope" value="matching">' in page
        none = client.get(url, query_string={"role": "mentee"}).text
        assert " checked" not in none
    finally:
        app.config["PAGE_SIZE"] = 25
    # All that match the filters, across pages, in one change; the mentor outside the filter is left alone.
    response = client.post(f"{url}/bulk?role=mentee", data={"scope": "matching", "bulk_status": "declined"})
    assert response.status_code == 302
    assert {_fresh(db, Application, ident).status for ident in mentee_ids} == {"declined"}
    assert _fresh(db, Application, mentor_id).status == "submitted"


def test_the_board_splits_the_company_and_names_roles_as_titles(client, login, coordinator, host_city,
                                                                create_cohort, create_application):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    create_application(cohort, role="mentor", name="Mette", employer="COWI")
    create_application(cohort, name="Ana", partner_employer="Novo Nordisk")
    login(coordinator)
    page = client.get(BOARD.format(cohort_id)).text
    assert ">Employer<" in page and re.search(r">Partner(&#39;|')s employer<", page)
    assert ">Mentor</span>" in page and ">Mentee</span>" in page
    danish = client.get(BOARD.format(cohort_id), headers={"Accept-Language": "da"}).text
    assert ">Arbejdsgiver<" in danish and ">Partnerens arbejdsgiver<" in danish
    assert_danish(danish, "board")
    mentors_only = client.get(BOARD.format(cohort_id), query_string={"role": "mentor"}).text
    assert not re.search(r">Partner(&#39;|')s employer<", mentors_only) and "Expertise" in mentors_only


def test_the_row_keeps_the_pages_columns_after_a_change(client, login, coordinator, host_city, create_cohort,
                                                        create_application):
    cohort = create_cohort(host_city, status="selecting")
    cohort_id = cohort.id  # read before requests expire the object
    mentor = create_application(cohort, role="mentor", name="Mette")
    login(coordinator)
    row = client.post(f"{BOARD.format(cohort_id)}/{mentor.id}/status?role=mentor", data={"status": "accepted"},
                      headers={"HX-Request": "true"})
    assert row.status_code == 200
    fragment = row.text.split('id="counters"')[0]
    assert not re.search(r"Partner(&#39;|')s employer", fragment) and "Saved" in fragment and "autofocus" in fragment


def test_a_reapplication_needs_the_apply_phase(db, host_city, create_cohort, create_application, in_host_city):
    old = create_cohort(host_city, status="closed", starts_on=date.today() - timedelta(days=300))
    first = create_application(old, role="mentor", status="accepted")
    selecting = create_cohort(host_city, status="selecting")
    with pytest.raises(ApplicationError) as error:
        filing.reapply(db.session, db.session.get(Participant, first.participant_id), selecting)
    assert error.value.code == "phase_apply"  # the portal shows the area's errors as messages
