"""Access: a person's own copy of everything their city holds about them, and a coordinator's on request."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.extensions import db as database
from mentorby.platform.tenancy import tenant_scope, utcnow
from mentorby.tenants.surveys.models import Answer, Question, Response
from tests import factories as F

PORTAL = "/lyngby-taarbaek/portal"


def _person(city, name: str, *, email: str | None = None, secret: str = "", sessions: int = 1, emails: int = 1,
            rounds: int = 1, account=None, mentor_name: str = ""):
    """A mentee of `city` with a row in every category (more of some on request), and their account.

    `secret` is written into every free text the person gave, so a test can look for it in another's export.
    """
    email = email or F._address(name, 0, "mentee.example")
    first = None
    for n in range(rounds):
        cohort = F.create_cohort(city, status="running", starts_on=date.today() - timedelta(days=60 + 200 * n))
        mentee = F.create_application(cohort, status="accepted", name=name, email=email, cv=F.PDF,
                                      job_goal=f"goal {secret}", phone="+45 11 22 33 44")
        mentor = F.create_application(cohort, role="mentor", status="accepted",
                                      name=mentor_name or f"Mentor of {name}")
        match = F.create_pair(cohort, mentor=mentor, mentee=mentee, published_at=utcnow())
        for day in range(sessions):
            F.log_session(match, logged_by=mentee.id, held_on=date.today() - timedelta(days=day + 1),
                          notes=f"notes {secret}", next_step=f"step {secret}")
        # A session the mentor logged: not the mentee's own writing.
        F.log_session(match, notes=f"mentor's notes on {name}")
        sent = F.send_survey(cohort, "closing")
        with tenant_scope(database.session, city.id):
            response = database.session.execute(
                select(Response).where(Response.send_id == sent.id, Response.application_id == mentee.id)).scalar_one()
            question = database.session.execute(
                select(Question).where(Question.survey_id == sent.survey_id, Question.key == "direction")).scalar_one()
            database.session.add(Answer(response_id=response.id, question_id=question.id, key="direction", value="5"))
            response.submitted_at = utcnow()
            event = sorted(cohort.events, key=lambda e: e.starts_at)[0]
            database.session.flush()
        F.EventInvitationFactory(city=city, event_id=event.id, application_id=mentee.id, answer="yes")
        F.AttendanceFactory(city=city, event_id=event.id, application_id=mentee.id)
        first = first or mentee
    for n in range(emails):
        F.OutboxMessageFactory(tenant_id=city.id, to_email=email, subject=f"Welcome {n} {secret}", kind="accepted")
    if account is not None:  # the same person in a second city: one account, a role in each
        F.MembershipFactory(city=city, user=account, role="mentee")
        return first, account
    return first, F.create_user(city=city, role="mentee", email=email, name=name)


@pytest.fixture
def priya(host_city):
    return _person(host_city, "Priya Sharma", secret="priya-secret")


def _export(client, login, user) -> dict:
    login(user)
    response = client.get(f"{PORTAL}/my-data.json")
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    return json.loads(response.data)


def test_the_export_holds_every_category(client, login, priya, host_city):
    application, user = priya
    data = _export(client, login, user)
    assert data["email"] == user.email and data["city"] == host_city.name
    assert data["account"]["name"] == "Priya Sharma"
    assert [m["role"] for m in data["memberships"]] == ["mentee"]
    assert [p["role"] for p in data["pool"]] == ["mentee"]
    (mine,) = data["applications"]
    assert mine["job_goal"] == "goal priya-secret" and mine["phone"] == "+45 11 22 33 44"
    assert mine["status"] == "accepted" and mine["languages"] == ["en"]
    assert mine["cv"]["filename"] == "cv.pdf" and mine["cv"]["size"] == len(F.PDF)
    assert "note" not in mine  # the coordinator's note is never shown to the applicant
    (agreed,) = data["consents"]
    assert agreed["version"] == application.consent_version and agreed["agreed_at"] and "consent" in agreed["text"]
    (match,) = data["matches"]
    assert match["other_name"] == "Mentor of Priya Sharma" and match["my_role"] == "mentee"
    assert match["status"] == "published"
    (session,) = data["sessions"]  # only the one she logged, with her private notes
    assert session["notes"] == "notes priya-secret" and session["next_step"] == "step priya-secret"
    (survey,) = data["surveys"]
    assert survey["submitted_at"] and survey["answers_withheld"] is False
    assert [(a["key"], a["value"]) for a in survey["answers"]] == [("direction", "5")]
    assert survey["answers"][0]["question"]
    (event,) = data["events"]
    assert event["rsvp"] == "yes" and event["checked_in_at"]
    # The survey's e-mail and the one made here, both to her address in this city.
    mail = next(m for m in data["emails"] if m["subject"] == "Welcome 0 priya-secret")
    assert mail["status"] == "queued" and mail["kind"] == "accepted" and "body" not in mail
    assert any(m["kind"].startswith("survey") for m in data["emails"]), data["emails"]


def test_nothing_of_another_person_or_another_city(client, login, priya, host_city, other_city):
    _application, user = priya
    # Another mentee of the same city, and the same address in another city.
    _person(host_city, "Ana Rodrigues", secret="ana-secret")
    _person(other_city, "Priya Sharma", email=user.email, secret="aarhus-secret", account=user)
    data = _export(client, login, user)
    text = json.dumps(data)
    assert "ana-secret" not in text and "Ana Rodrigues" not in text
    assert "aarhus-secret" not in text
    assert "mentor's notes" not in text
    assert len(data["applications"]) == 1 and len(data["memberships"]) == 1
    assert all(m["subject"] != "Welcome 0 aarhus-secret" for m in data["emails"])


def test_the_readable_page_and_the_pdf(client, login, priya):
    _application, user = priya
    login(user)
    home = client.get(f"{PORTAL}/")
    assert f"{PORTAL}/my-data" in home.text
    page = client.get(f"{PORTAL}/my-data")
    assert page.status_code == 200
    assert "my-data.json" in page.text and "cv.pdf" in page.text
    printed = client.get(f"{PORTAL}/my-data/print")
    assert printed.status_code == 200
    for expected in ("goal priya-secret", "Mentor of Priya Sharma", "notes priya-secret", "Welcome 0 priya-secret",
                     "cv.pdf"):
        assert expected in printed.text
    pdf = client.get(f"{PORTAL}/my-data.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("attachment;")


def test_own_cv_downloads_and_anothers_is_404(client, login, priya, host_city):
    application, user = priya
    other, _ = _person(host_city, "Ana Rodrigues")
    login(user)
    cv = client.get(f"{PORTAL}/my-data/cv/{application.id}")
    assert cv.status_code == 200 and cv.data == F.PDF
    assert client.get(f"{PORTAL}/my-data/cv/{other.id}").status_code == 404
    assert client.get(f"{PORTAL}/my-data/cv/999999").status_code == 404


def test_queries_do_not_grow_with_the_persons_rows(client, login, host_city, count_queries):
    _few, few = _person(host_city, "Wei Chen", sessions=1, emails=1, rounds=1)
    _many, many = _person(host_city, "Olena Kovalenko", sessions=6, emails=8, rounds=3)
    counts = []
    for user in (few, many):
        login(user)
        with count_queries() as counter:
            assert client.get(f"{PORTAL}/my-data.json").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_a_coordinator_exports_on_request_and_it_is_audited(client, login, priya, coordinator, host_city, as_city):
    application, _user = priya
    login(coordinator)
    base = f"/lyngby-taarbaek/coordinator/cohorts/{application.cohort_id}/applications/{application.id}"
    detail = client.get(base)
    assert f"{base}/data" in detail.text
    page = client.get(f"{base}/data")
    assert page.status_code == 200 and "goal priya-secret" in page.text
    # The private notes of sessions are the people's who met, never the coordinator's.
    assert "notes priya-secret" not in page.text
    exported = client.get(f"{base}/data.json")
    assert exported.status_code == 200 and exported.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(exported.data)
    assert data["applications"][0]["job_goal"] == "goal priya-secret"
    assert all("notes" not in s for s in data["sessions"])
    as_city(host_city)
    entries = database.session.execute(
        select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.entity == "application")).scalars().all()
    assert [(e.entity_id, e.changes["format"], e.actor_id) for e in entries] == [
        (application.id, "html", coordinator.id), (application.id, "json", coordinator.id)]
    # The log records that it happened, not what it held.
    assert all("priya-secret" not in json.dumps(e.changes) for e in entries)
    log = client.get("/lyngby-taarbaek/coordinator/audit")
    assert "exported everything held about Priya Sharma" in log.text


def test_a_pseudonymous_surveys_answers_stay_out_of_the_coordinators_export(client, login, coordinator, host_city,
                                                                           as_city):
    from mentorby.tenants.surveys.models import SurveySend

    application, _ = _person(host_city, "Carlos Mendoza")
    as_city(host_city)
    for sent in database.session.execute(select(SurveySend)).scalars():
        sent.anonymity = "pseudonymous"
    database.session.flush()
    login(coordinator)
    data = client.get(f"/lyngby-taarbaek/coordinator/cohorts/{application.cohort_id}/applications/"
                      f"{application.id}/data.json").get_json(force=True)
    (survey,) = data["surveys"]
    assert survey["answers_withheld"] is True and survey["answers"] == []


def test_bad_ids_and_other_cities_are_404(client, login, priya, coordinator, other_coordinator, host_city):
    application, user = priya
    base = "/lyngby-taarbaek/coordinator/cohorts"
    login(coordinator)
    assert client.get(f"{base}/{application.cohort_id}/applications/999999/data").status_code == 404
    assert client.get(f"{base}/999999/applications/{application.id}/data.json").status_code == 404
    other_cohort = F.create_cohort(host_city)
    assert client.get(f"{base}/{other_cohort.id}/applications/{application.id}/data").status_code == 404
    login(other_coordinator)
    assert client.get(f"/aarhus/coordinator/cohorts/{application.cohort_id}/applications/{application.id}/data"
                      ).status_code == 404
    # A participant cannot use the coordinator's export, nor a coordinator the portal's.
    login(user)
    assert client.get(f"{base}/{application.cohort_id}/applications/{application.id}/data.json").status_code == 403


def test_a_persons_own_download_is_in_the_citys_log(client, login, priya, coordinator, host_city):
    _application, user = priya
    _export(client, login, user)
    assert client.get(f"{PORTAL}/my-data.pdf").status_code == 200
    with tenant_scope(database.session, host_city.id):  # the city's log: row-level security shows it only there
        entries = database.session.execute(select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.changes)
                                           .where(AuditEntry.action == "export")
                                           .order_by(AuditEntry.id)).all()
    assert [(e, i, c["format"]) for e, i, c in entries] == [("user_account", user.id, "json"),
                                                            ("user_account", user.id, "pdf")]
    client.post("/logout")
    login(coordinator)
    log = client.get("/lyngby-taarbaek/coordinator/audit").text
    assert "Priya Sharma downloaded their own data" in log and "PDF" in log
