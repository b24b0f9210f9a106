import io
from datetime import date, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from mentorby.platform.accounts.models import Invitation
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications import consent, filing, queries, selection
from mentorby.tenants.applications.cv import Upload, check_cv
from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.models import Application, CvDocument, Participant
from mentorby.tenants.cohorts import phases
from tests.applications.helpers import notify
from tests.applications.test_pdf import _bomb, _open_action, _pdf
from tests.factories import MENTEE_VALUES, MENTOR_VALUES, PDF, create_partner
from tests.platform.helpers import last_mail, link_in


def _count(db, model=Application):
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def _mentee_form(**changes):
    data = {
        "name": "Priya Sharma", "email": "priya@example.org", "phone": "+45 12 34 56 78", "field": "engineering",
        "languages": ["en", "hi"], "availability": ["weekday_evening"], "education": "MSc Chemical Engineering",
        "years_experience": "6", "job_goal": "Process engineer in pharma", "danish_level": "beginner",
        "arrived_on": "2026-03-01", "partner_employer": "novo nordisk", "consent": "y",
        "consent_version": consent.CURRENT,
    }
    return data | changes


# --- services ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("upload", "code"), [
    (Upload("cv.pdf", b""), "cv_empty"),
    (Upload("cv.pdf", b"MZ\x90\x00 this is a program"), "cv_not_pdf"),
    (Upload("cv.pdf", b"<html>%PDF-</html>"), "cv_not_pdf"),
    (Upload("cv.pdf", PDF + b"x" * (5 * 1024 * 1024)), "cv_too_large"),
])
def test_cv_check_refuses_what_is_not_a_small_pdf(upload, code):
    with pytest.raises(ApplicationError) as error:
        check_cv(upload)
    assert error.value.code == code


def test_cv_file_names_are_cleaned():
    assert check_cv(Upload("../../etc/pass wd\n.pdf", PDF)) == "pass wd_.pdf"
    assert check_cv(Upload("C:\\Users\\me\\cv", PDF)) == "cv.pdf"


def test_submit_links_the_partners_company_and_joins_the_pool(db, host_city, create_cohort, in_host_city):
    novo = create_partner(host_city, name="Novo Nordisk")
    cohort = create_cohort(host_city)
    application = filing.submit_application(
        db.session, cohort, "mentee", MENTEE_VALUES | {"name": "A", "email": " A@Example.org ",
                                                       "partner_employer": "novo  NORDISK"},
        consent_version=consent.CURRENT)
    assert application.email == "a@example.org"
    assert application.partner_employer_id == novo.id
    assert application.participant.email == "a@example.org"
    assert application.confirmed_at is None  # from the public form: waits for the address to be confirmed
    # A newer unconfirmed application from the address replaces it: nobody blocks a round in someone's name.
    newer = filing.submit_application(
        db.session, cohort, "mentee", MENTEE_VALUES | {"name": "A2", "email": "a@example.org"},
        consent_version=consent.CURRENT)
    assert db.session.execute(select(func.count()).select_from(Application)).scalar() == 1
    filing.confirm(db.session, newer)
    with pytest.raises(ApplicationError) as error:
        filing.submit_application(db.session, cohort, "mentor", MENTOR_VALUES | {
            "name": "A", "email": "a@example.org"}, consent_version=consent.CURRENT)
    assert error.value.code == "already_applied"


@pytest.mark.parametrize(("changes", "field"), [
    ({"field": "astrology"}, "field"),
    ({"languages": []}, "languages"),
    ({"languages": ["xx"]}, "languages"),
    ({"danish_level": "perfect"}, "danish_level"),
    ({"years_experience": 61}, "years_experience"),
    ({"arrived_on": date.today() + timedelta(days=2)}, "arrived_on"),
    ({"job_goal": ""}, "job_goal"),
    ({"email": "no-at-sign"}, "email"),
    ({"phone": "call me"}, "phone"),
    ({"education": "x" * 201}, "education"),
])
def test_bad_values_are_refused_on_their_field(db, host_city, create_cohort, changes, field, in_host_city):
    cohort = create_cohort(host_city)
    with pytest.raises(ApplicationError) as error:
        filing.submit_application(db.session, cohort, "mentee", MENTEE_VALUES | {
            "name": "A", "email": "a@example.org"} | changes, consent_version=consent.CURRENT)
    assert error.value.field == field


def test_no_consent_and_closed_rounds_are_refused(db, host_city, create_cohort, in_host_city):
    planned = create_cohort(host_city, status="planned")
    recruiting = create_cohort(host_city)
    values = MENTEE_VALUES | {"name": "A", "email": "a@example.org"}
    with pytest.raises(ApplicationError, match="consent_required"):
        filing.submit_application(db.session, recruiting, "mentee", values, consent_version="1999")
    with pytest.raises(phases.PhaseError, match="phase_apply"):
        filing.submit_application(db.session, planned, "mentee", values, consent_version=consent.CURRENT)
    recruiting.apply_by = date.today() - timedelta(days=1)
    with pytest.raises(ApplicationError, match="cohort_not_open"):
        filing.submit_application(db.session, recruiting, "mentee", values,
                                        consent_version=consent.CURRENT)


def test_accepting_checks_capacity_for_the_whole_batch(db, host_city, create_cohort, create_application,
                                                       coordinator, app, in_host_city):
    cohort = create_cohort(host_city, mentee_capacity=2, status="selecting")
    create_application(cohort, status="accepted")
    batch = [create_application(cohort), create_application(cohort)]
    with app.test_request_context():
        with pytest.raises(ApplicationError) as error:
            selection.decide(db.session, host_city, batch, "accepted", by=coordinator)
        assert error.value.code == "mentees_full"
        assert {a.status for a in batch} == {"submitted"}
        selection.decide(db.session, host_city, batch[:1], "accepted", by=coordinator)
        assert batch[0].status == "accepted" and batch[0].decided_by_id == coordinator.id
        # Deciding tells nobody: the invitation waits for the notify step.
        assert not batch[0].invited and batch[0].notified_status is None
        assert db.session.execute(select(Invitation).where(Invitation.email == batch[0].email)).first() is None


def test_a_returning_mentor_reapplies_in_one_click_and_keeps_the_history(db, host_city, create_cohort,
                                                                         create_application, in_host_city):
    old = create_cohort(host_city, status="closed", starts_on=date.today() - timedelta(days=300))
    first = create_application(old, role="mentor", status="accepted", expertise="negotiation, pharma")
    new = create_cohort(host_city)
    participant = db.session.get(Participant, first.participant_id)
    again = filing.reapply(db.session, participant, new)
    assert again.source == "reapply" and again.status == "submitted"
    assert again.expertise == "negotiation, pharma" and again.participant_id == first.participant_id
    assert [a.cohort_id for a in participant.applications] == [new.id, old.id]
    with pytest.raises(ApplicationError, match="already_applied"):
        filing.reapply(db.session, participant, new)


# --- the public form --------------------------------------------------------------------------------------------


def test_apply_as_mentee_with_a_cv(client, db, host_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city, name="Forår 2027")
    url = f"/lyngby-taarbaek/apply/{cohort.id}/mentee"
    page = client.get(url)
    assert page.status_code == 200 and "Forår 2027" in page.text and 'type="file"' in page.text
    assert escape(consent.consent_text(consent.CURRENT, "en", host_city.name)) in page.text
    data = _mentee_form(cv=(io.BytesIO(PDF), "My CV.pdf"))
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    assert "thanks" in response.headers["Location"]
    application = db.session.execute(select(Application)).scalar_one()
    assert application.languages == "en hi" and application.years_experience == 6
    assert application.consent_version == consent.CURRENT and application.locale == "en"
    assert application.cv.filename == "My CV.pdf" and application.cv.size == len(PDF)
    # Not on the board until the applicant confirms the address from the e-mail.
    mail = last_mail(db, "priya@example.org")
    assert mail.kind == "confirm_application" and "/apply/confirm/" in mail.body
    link = link_in(mail)  # read now: the outbox row is visible only in the cross-city scope last_mail uses
    assert _count(db) == 1
    assert queries.counts(db.session, cohort.id) == {}
    confirmed = client.get(link)
    assert confirmed.status_code == 200 and "Your application is confirmed" in confirmed.text
    assert queries.counts(db.session, cohort.id) == {("mentee", "submitted"): 1}
    # A second application from the address gets the same page; the address is told by e-mail.
    again = client.post(url, data=_mentee_form(), content_type="multipart/form-data")
    assert again.status_code == 302 and "thanks" in again.headers["Location"]
    assert last_mail(db, "priya@example.org").kind == "already_applied"
    assert _count(db) == 1
    assert client.get("/lyngby-taarbaek/apply/confirm/forged").status_code == 400


def test_apply_as_mentor_in_danish(client, db, host_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city)
    data = {"name": "Mette Hansen", "email": "mette@cowi.example", "field": "engineering", "languages": ["da", "en"],
            "employer": "COWI", "job_title": "Senior engineer", "industry": "engineering",
            "expertise": "wind, project management", "mentoring_format": "either", "mentee_capacity": "2",
            "consent": "y", "consent_version": consent.CURRENT}
    response = client.post(f"/lyngby-taarbaek/apply/{cohort.id}/mentor", data=data,
                           headers={"Accept-Language": "da"})
    assert response.status_code == 302
    application = db.session.execute(select(Application)).scalar_one()
    assert application.role == "mentor" and application.locale == "da" and application.mentee_capacity == 2


@pytest.mark.parametrize(("changes", "text"), [
    ({"consent": ""}, "Tick the box"),
    ({"name": ""}, "This field is required."),
    ({"email": "priya"}, "Invalid email address."),
    ({"languages": []}, "Choose at least one language."),
    ({"field": "astrology"}, "Not a valid choice"),
    ({"years_experience": "many"}, "Not a valid integer value."),
    ({"arrived_on": "2999-01-01"}, "not in the future"),
    ({"job_goal": "x" * 2001}, "2000"),
    ({"cv": (io.BytesIO(b"GIF89a not a pdf"), "cv.pdf")}, "The CV must be a PDF file."),
    ({"cv": (io.BytesIO(PDF), "cv.exe")}, "The CV must be a PDF file."),
    ({"cv": (io.BytesIO(PDF + b" " * (5 * 1024 * 1024)), "big.pdf")}, "larger than 5 MB"),
])
def test_bad_applications_save_nothing(client, db, host_city, create_cohort, changes, text, in_host_city):
    cohort = create_cohort(host_city)
    response = client.post(f"/lyngby-taarbaek/apply/{cohort.id}/mentee", data=_mentee_form(**changes),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert text in response.text
    assert 'class="error-summary"' in response.text or 'flash-error' in response.text
    assert _count(db) == 0 and _count(db, Participant) == 0
    assert _count(db, CvDocument) == 0


def test_a_too_large_request_gets_a_clear_page(client, host_city, create_cohort):
    cohort = create_cohort(host_city)
    response = client.post(f"/lyngby-taarbaek/apply/{cohort.id}/mentee", content_type="multipart/form-data",
                           data=_mentee_form(cv=(io.BytesIO(b"x" * (13 * 1024 * 1024)), "huge.pdf")))
    assert response.status_code == 413 and "too large" in response.text


def test_rounds_not_recruiting_have_no_form(client, host_city, create_cohort):
    planned = create_cohort(host_city, status="planned")
    assert client.get(f"/lyngby-taarbaek/apply/{planned.id}/mentee").status_code == 404
    past = create_cohort(host_city, apply_by=date.today() - timedelta(days=1))
    page = client.get(f"/lyngby-taarbaek/apply/{past.id}/mentee")
    assert "Applications are closed" in page.text and "<form method=\"post\" novalidate" not in page.text
    assert client.get(f"/lyngby-taarbaek/apply/{past.id}/coach").status_code == 404
    assert "No round takes applications" in client.get("/lyngby-taarbaek/apply/").text


# --- the selection board ----------------------------------------------------------------------------------------

BOARD = "/lyngby-taarbaek/coordinator/cohorts/{}/applications"


def test_board_filters_and_search(client, db, login, coordinator, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city)
    cowi = create_partner(host_city, name="COWI")
    create_application(cohort, role="mentor", name="Mette Mentor", employer="COWI")
    create_application(cohort, name="Ana Mentee", languages=["es", "en"], field="health")
    create_application(cohort, name="Li Mentee", languages=["zh"], status="declined")
    login(coordinator)
    url = BOARD.format(cohort.id)
    assert all(name in client.get(url).text for name in ("Mette Mentor", "Ana Mentee", "Li Mentee"))

    def names(**params):
        text = client.get(url, query_string=params, headers={"HX-Request": "true"}).text
        assert "<html" not in text
        return {name for name in ("Mette Mentor", "Ana Mentee", "Li Mentee") if name in text}

    assert names(role="mentor") == {"Mette Mentor"}
    assert names(language="es") == {"Ana Mentee"}
    assert names(language="e") == {"Mette Mentor", "Ana Mentee", "Li Mentee"}  # not a code: ignored
    assert names(status="declined") == {"Li Mentee"}
    assert names(field="health") == {"Ana Mentee"}
    assert names(company=str(cowi.id)) == {"Mette Mentor"}
    assert names(q="ana") == {"Ana Mentee"}
    assert "No applications match" in client.get(url, query_string={"q": "nobody"}).text


def test_accepting_inline_updates_counters_and_sends_nothing(client, db, login, coordinator, host_city,
                                                              create_cohort, create_application, in_host_city):
    cohort = create_cohort(host_city, mentee_capacity=1, status="selecting")
    first = create_application(cohort, name="First Mentee", email="first@example.org", locale="da")
    second = create_application(cohort, name="Second Mentee")
    board, second_id = BOARD.format(cohort.id), second.id  # read before last_mail expires the objects
    login(coordinator)
    response = client.post(f"{board}/{first.id}/status", data={"status": "accepted"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="application-' in response.text and 'hx-swap-oob="true"' in response.text
    assert "1 of 1 accepted" in response.text
    # The notify step's button follows out of band; nobody got an e-mail.
    assert "Notify the accepted (1)" in response.text and "not told yet" in response.text
    assert last_mail(db, "first@example.org") is None
    full = client.post(f"{board}/{second_id}/status", data={"status": "accepted"},
                       headers={"HX-Request": "true"})
    assert full.status_code == 422 and "takes 1 mentees" in full.text
    db.session.expire_all()
    assert db.session.get(Application, second_id).status == "submitted"


def test_bulk_actions_are_all_or_nothing(client, db, login, coordinator, host_city, create_cohort,
                                         create_application, in_host_city):
    cohort = create_cohort(host_city, mentor_capacity=1, status="selecting")
    mentors = [create_application(cohort, role="mentor") for _ in range(2)]
    login(coordinator)
    ids = [str(m.id) for m in mentors]
    refused = client.post(f"{BOARD.format(cohort.id)}/bulk", data={"ids": ids, "bulk_status": "accepted"},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "takes 1 mentors" in refused.text
    assert client.post(f"{BOARD.format(cohort.id)}/bulk", data={"ids": ids, "bulk_status": "shortlisted"}
                       ).status_code == 302
    assert client.post(f"{BOARD.format(cohort.id)}/bulk", data={"ids": [], "bulk_status": "declined"}
                       ).status_code == 422
    assert client.post(f"{BOARD.format(cohort.id)}/bulk", data={"ids": ids, "bulk_status": "submitted"}
                       ).status_code == 422
    db.session.expire_all()
    assert {db.session.get(Application, m.id).status for m in mentors} == {"shortlisted"}


def test_bulk_refuses_applications_of_another_round(client, db, login, coordinator, host_city, create_cohort,
                                                   create_application):
    cohort, other = create_cohort(host_city), create_cohort(host_city)
    stranger = create_application(other)
    login(coordinator)
    response = client.post(f"{BOARD.format(cohort.id)}/bulk",
                           data={"ids": [str(stranger.id)], "bulk_status": "declined"})
    assert response.status_code == 404


def test_note_cv_download_and_detail(client, db, login, coordinator, host_city, create_cohort, create_application,
                                     in_host_city):
    cohort = create_cohort(host_city)
    application = create_application(cohort, cv=PDF)
    login(coordinator)
    url = f"{BOARD.format(cohort.id)}/{application.id}"
    assert "cv.pdf" in client.get(url).text
    saved = client.post(f"{url}/note", data={"note": "Strong CV; call her"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "Note saved." in saved.text and "<html" not in saved.text
    too_long = client.post(f"{url}/note", data={"note": "x" * 4001})
    assert too_long.status_code == 422
    download = client.get(f"{url}/cv")
    assert download.data == PDF and download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    db.session.expire_all()
    assert db.session.get(Application, application.id).note == "Strong CV; call her"
    without = create_application(cohort)
    assert client.get(f"{BOARD.format(cohort.id)}/{without.id}/cv").status_code == 404
    assert client.get(f"{BOARD.format(create_cohort(host_city).id)}/{application.id}").status_code == 404


def test_board_uses_the_same_number_of_queries_for_5_and_200(db, login, coordinator, host_city, create_cohort,
                                                            queries_at_sizes, in_host_city):
    cohort = create_cohort(host_city)
    login(coordinator)

    def grow(total):
        existing = db.session.execute(select(func.count()).select_from(Application)).scalar()
        for i in range(existing, total):
            participant = Participant(role="mentee", email=f"p{i}@example.org", name=f"P {i}")
            db.session.add(participant)
            db.session.flush()
            application = Application(
                cohort_id=cohort.id, participant_id=participant.id, role="mentee", name=f"P {i}",
                email=f"p{i}@example.org", field="it", languages="en", consent_version=consent.CURRENT,
                confirmed_at=utcnow())
            db.session.add(application)
            db.session.flush()
            if i % 2:
                db.session.add(CvDocument(application_id=application.id, filename="cv.pdf", size=len(PDF),
                                          sha256="0" * 64, content=PDF))
        db.session.flush()

    counts, page = queries_at_sizes(BOARD.format(cohort.id), grow, ceiling=10)
    assert counts[0] == counts[1]
    assert 'rel="next"' in page.text


def test_closed_rounds_refuse_status_changes(client, db, login, coordinator, host_city, create_cohort,
                                             create_application):
    cohort = create_cohort(host_city, status="closed")
    application = create_application(cohort)
    login(coordinator)
    response = client.post(f"{BOARD.format(cohort.id)}/{application.id}/status", data={"status": "accepted"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "past selection" in response.text


# --- the API ----------------------------------------------------------------------------------------------------


def _token(db, app, user):
    from mentorby.platform.accounts.services import create_api_token

    with app.test_request_context():
        return create_api_token(db.session, user, "test").secret


def test_api_lists_rounds_and_participants(client, db, app, coordinator, host_city, create_cohort,
                                           create_application, in_host_city):
    cohort = create_cohort(host_city, name="Forår 2027")
    create_application(cohort, status="accepted", name="Accepted Mentee", languages=["en", "da"])
    create_application(cohort, role="mentor", name="New Mentor")
    create_application(cohort, status="accepted", name="Noted", cv=PDF)
    headers = {"Authorization": f"Bearer {_token(db, app, coordinator)}"}
    rounds = client.get("/api/v1/cities/lyngby-taarbaek/cohorts", headers=headers)
    assert rounds.status_code == 200 and rounds.json[0]["name"] == "Forår 2027"
    assert "X-Pagination" in rounds.headers
    detail = client.get(f"/api/v1/cities/lyngby-taarbaek/cohorts/{cohort.id}", headers=headers).json
    assert detail["applications"]["mentee"] == {"accepted": 2} and len(detail["events"]) == 6
    people = client.get(f"/api/v1/cities/lyngby-taarbaek/cohorts/{cohort.id}/applications?status=accepted",
                        headers=headers).json
    assert [p["name"] for p in people] == ["Accepted Mentee", "Noted"]
    assert people[0]["languages"] == ["da", "en"] and "note" not in people[0] and "cv" not in people[0]
    bad = client.get(f"/api/v1/cities/lyngby-taarbaek/cohorts/{cohort.id}/applications?status=maybe",
                     headers=headers)
    assert bad.status_code == 422
    assert client.get("/api/v1/cities/lyngby-taarbaek/cohorts").status_code == 401
    assert client.get("/api/v1/cities/lyngby-taarbaek/cohorts/99999", headers=headers).status_code == 404


def test_mentor_pool_lists_people_with_their_rounds(client, db, login, coordinator, host_city, create_cohort,
                                                   create_application, queries_at_sizes, in_host_city):
    old = create_cohort(host_city, name="Efterår 2026", status="closed")
    new = create_cohort(host_city, name="Forår 2027")
    first = create_application(old, role="mentor", name="Lars Mentor", status="accepted")
    filing.reapply(db.session, db.session.get(Participant, first.participant_id), new)
    create_application(new, name="Ana Mentee")
    login(coordinator)
    page = client.get("/lyngby-taarbaek/coordinator/pool/")
    assert "Lars Mentor" in page.text and "Ana Mentee" not in page.text
    assert "Forår 2027: New" in page.text and "Efterår 2026: Accepted" in page.text
    mentees = client.get("/lyngby-taarbaek/coordinator/pool/?role=mentee&q=ana", headers={"HX-Request": "true"})
    assert "Ana Mentee" in mentees.text and "<html" not in mentees.text
    assert "Nobody matches" in client.get("/lyngby-taarbaek/coordinator/pool/?q=zzz").text

    def grow(total):
        existing = db.session.execute(select(func.count()).select_from(Participant)).scalar()
        for i in range(existing, total):
            participant = Participant(role="mentor", email=f"m{i}@example.org", name=f"M {i:04d}")
            db.session.add(participant)
            db.session.flush()
            db.session.add(Application(
                cohort_id=old.id, participant_id=participant.id, role="mentor", name=participant.name,
                email=participant.email, field="it", languages="en", consent_version=consent.CURRENT,
                confirmed_at=utcnow()))
        db.session.flush()

    counts, page = queries_at_sizes("/lyngby-taarbaek/coordinator/pool/", grow, ceiling=7)
    assert counts[0] == counts[1]
    assert 'rel="next"' in page.text


def test_unconfirmed_applications_are_purged_after_a_week(db, host_city, other_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city)
    old = filing.submit_application(db.session, cohort, "mentee", MENTEE_VALUES | {
        "name": "Old", "email": "old@example.org"}, consent_version=consent.CURRENT,
        cv=Upload("cv.pdf", PDF))
    old.created_at = utcnow() - timedelta(days=8)
    fresh = filing.submit_application(db.session, cohort, "mentee", MENTEE_VALUES | {
        "name": "Fresh", "email": "fresh@example.org"}, consent_version=consent.CURRENT)
    db.session.flush()
    fresh_id = fresh.id
    assert filing.purge_unconfirmed(db.session, utcnow()) == 1
    assert [a.id for a in db.session.execute(select(Application)).scalars()] == [fresh_id]
    assert db.session.execute(select(func.count()).select_from(CvDocument)).scalar() == 0


def test_control_characters_are_refused(client, db, host_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city)
    response = client.post(f"/lyngby-taarbaek/apply/{cohort.id}/mentee", data=_mentee_form(name="Eve\x01"),
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "control characters" in response.text
    assert _count(db) == 0


def test_a_confirmation_link_works_only_in_its_own_city(client, db, host_city, other_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city)
    client.post(f"/lyngby-taarbaek/apply/{cohort.id}/mentee", data=_mentee_form(), content_type="multipart/form-data")
    link = link_in(last_mail(db, "priya@example.org"))
    assert client.get(link.replace("/lyngby-taarbaek/", "/aarhus/")).status_code == 400
    assert db.session.execute(select(Application.confirmed_at)).scalar_one() is None


def test_an_imported_acceptance_is_notified_and_unaccepting_revokes(client, db, login, coordinator, host_city,
                                                                     create_cohort, create_application, in_host_city):
    cohort = create_cohort(host_city, status="selecting")
    imported = create_application(cohort, status="accepted", email="imported@example.org")  # never invited
    board, imported_id = BOARD.format(cohort.id), imported.id
    login(coordinator)
    # Accepted elsewhere and never told: the notify step tells them like anyone accepted on the board.
    assert "Notify the accepted (1)" in client.get(board).text
    assert notify(client, cohort.id, "accepted").status_code == 302
    assert last_mail(db, "imported@example.org").kind == "invitation"
    assert client.post(f"{board}/{imported_id}/status", data={"status": "declined"}).status_code == 302
    db.session.expire_all()
    invitation = db.session.execute(select(Invitation).where(Invitation.email == "imported@example.org")
                                    ).scalar_one()
    assert invitation.revoked_at is not None
    assert db.session.get(Application, imported_id).invited is False


def test_odd_input_never_breaks_the_board(client, db, login, coordinator, host_city, create_cohort,
                                          create_application):
    cohort = create_cohort(host_city)
    create_application(cohort, name="Someone")
    login(coordinator)
    board = BOARD.format(cohort.id)
    assert client.get(board, query_string={"company": "9" * 25, "page": "²"}).status_code == 200
    assert client.post(f"{board}/bulk", data={"ids": ["9" * 25], "bulk_status": "declined"}).status_code == 422
    assert client.get(f"/lyngby-taarbaek/apply/{'9' * 12}/mentee").status_code == 404
    assert client.get(f"{board}/{'9' * 12}").status_code == 404


def test_a_cv_with_a_non_latin_name_downloads(client, db, login, coordinator, host_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city)
    application = filing.submit_application(
        db.session, cohort, "mentee", MENTEE_VALUES | {"name": "Оля", "email": "olya@example.org"},
        consent_version=consent.CURRENT, source="coordinator", cv=Upload("Резюме.pdf", PDF))
    login(coordinator)
    response = client.get(f"{BOARD.format(cohort.id)}/{application.id}/cv")
    assert response.status_code == 200 and response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''" in disposition
    disposition.encode("latin-1")  # a header a WSGI server accepts


def test_cv_downloads_and_exports_are_in_the_audit_log(client, db, login, coordinator, host_city, create_cohort,
                                                       create_application, in_host_city):
    from mentorby.platform.audit.models import AuditEntry

    cohort = create_cohort(host_city)
    application = create_application(cohort, cv=PDF, status="accepted")
    login(coordinator)
    assert client.get(f"{BOARD.format(cohort.id)}/{application.id}/cv").status_code == 200
    assert client.get(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}/export.csv").status_code == 200
    entries = db.session.execute(
        select(AuditEntry.action, AuditEntry.entity, AuditEntry.actor_id, AuditEntry.changes)
        .where(AuditEntry.action.in_(("download", "export"))).order_by(AuditEntry.id)).all()
    assert [(a, e, who) for a, e, who, _ in entries] == [("download", "cv_document", coordinator.id),
                                                         ("export", "cohort", coordinator.id)]
    assert entries[1][3] == {"status": "accepted", "format": "csv", "rows": 1}


# A CV that can act or unpacks into a bomb (see test_pdf.py), refused on the public form.


@pytest.mark.parametrize(("change", "lang", "text"), [
    (_open_action("/JavaScript", JS="app.alert('hi')"), "en", "contains scripts, actions or attached files"),
    (_open_action("/Launch", F="calc.exe"), "da", "indeholder scripts, handlinger eller vedhæftede filer"),
    (_bomb, "en", "unpacks to far more than its size"),
])
def test_the_public_form_refuses_such_a_cv_in_the_applicants_language(app, db, create_cohort, change, lang, text,
                                                                        in_host_city):
    cohort = create_cohort(in_host_city, status="recruiting")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    data = {"name": "Priya Sharma", "email": "priya@example.org", "field": "engineering", "languages": ["en"],
            "job_goal": "Process engineer", "danish_level": "beginner", "consent": "y",
            "consent_version": consent.CURRENT, "cv": (io.BytesIO(_pdf(change)), "cv.pdf")}
    response = client.post(f"/lyngby-taarbaek/apply/{cohort.id}/mentee", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422 and text in response.text
    assert _count(db) == 0


# --- every answer checked on the first submit ----------------------------------------------------------------------


def test_a_fake_pdf_is_reported_with_the_other_problems_and_the_answers_stay(client, db, create_cohort, in_host_city):
    cohort = create_cohort(in_host_city)
    response = client.post(f"/lyngby-taarbaek/apply/{cohort.id}/mentee", content_type="multipart/form-data",
                           data=_mentee_form(name="", job_goal="x" * 2001, arrived_on="2999-01-01",
                                             cv=(io.BytesIO(b"GIF89a not a pdf"), "cv.pdf")))
    assert response.status_code == 422
    # One submit names every problem: the CV's with the others, each on its field and in the summary.
    for text in ("This field is required.", "Use at most 2000 characters.", "not in the future",
                 "The CV must be a PDF file."):
        assert text in response.text
    summary = response.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert summary.count("<li>") == 4 and 'href="#cv"' in summary
    # What was typed comes back, so only the wrong answers need a change.
    assert 'value="priya@example.org"' in response.text and "MSc Chemical Engineering" in response.text
    assert _count(db) == 0 and _count(db, CvDocument) == 0


def test_a_good_cv_on_a_form_that_comes_back_says_to_choose_it_again(client, db, create_cohort, in_host_city):
    cohort = create_cohort(in_host_city)
    response = client.post(f"/lyngby-taarbaek/apply/{cohort.id}/mentee", content_type="multipart/form-data",
                           data=_mentee_form(languages=[], cv=(io.BytesIO(PDF), "Priya CV.pdf")))
    assert response.status_code == 422 and "Choose at least one language." in response.text
    assert "Your CV (Priya CV.pdf) is fine" in response.text and "choose it again" in response.text
    danish = client.post(f"/lyngby-taarbaek/apply/{cohort.id}/mentee", content_type="multipart/form-data",
                         data=_mentee_form(languages=[], cv=(io.BytesIO(PDF), "Priya CV.pdf")),
                         headers={"Accept-Language": "da"})
    assert "Dit CV (Priya CV.pdf) er i orden" in danish.text
    assert _count(db) == 0


def test_an_empty_cv_file_is_refused_not_dropped(client, db, create_cohort, in_host_city):
    cohort = create_cohort(in_host_city)
    response = client.post(f"/lyngby-taarbaek/apply/{cohort.id}/mentee", content_type="multipart/form-data",
                           data=_mentee_form(cv=(io.BytesIO(b""), "cv.pdf")))
    assert response.status_code == 422 and "The file is empty." in response.text
    assert _count(db) == 0


def test_the_service_reports_every_wrong_field_at_once(db, create_cohort, in_host_city):
    cohort = create_cohort(in_host_city)
    with pytest.raises(ApplicationError) as error:
        filing.submit_application(db.session, cohort, "mentee", MENTEE_VALUES | {
            "name": " ", "email": "nobody", "job_goal": "", "languages": ["xx"]}, consent_version="1999",
            cv=Upload("cv.pdf", b"not a pdf"))
    assert {(problem.field, problem.code) for problem in error.value.problems} == {
        ("name", "required"), ("email", "bad_email"), ("job_goal", "required"), ("languages", "bad_choice"),
        ("consent", "consent_required"), ("cv", "cv_not_pdf")}
    assert _count(db) == 0
