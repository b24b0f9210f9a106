"""Walk every URL rule as a stranger and as another city's coordinator: no data of the first city leaks or changes."""

import re

import pytest
from sqlalchemy import func, select

from mentorby.platform.accounts.models import ApiToken, Invitation
from mentorby.platform.accounts.services import create_api_token, invite
from mentorby.platform.outbox.models import MailTemplate
from mentorby.platform.tenancy import cross_tenant
from mentorby.tenants.applications.models import Application, ConsentRecord, CvDocument, Participant
from mentorby.tenants.cohorts.models import Cohort, CohortEvent
from mentorby.tenants.communications.models import Announcement
from mentorby.tenants.evaluation.models import EvaluationReport
from mentorby.tenants.events.models import Attendance, EventDetails, EventInvitation, EventMaterial
from mentorby.tenants.matching.models import Match, MatchingWeights, NetworkingPlan, PairRule, Rating
from mentorby.tenants.partners.models import Partner, PartnerContact
from mentorby.tenants.privacy.models import NoticeVersion, PrivacyNotice
from mentorby.tenants.programme.models import ProgrammeEvent, SuccessCriterion
from mentorby.tenants.sessions.models import HealthPolicy, Nudge, SessionLog, SessionPair
from mentorby.tenants.surveys.models import Answer, Question, Response, Survey, SurveyPolicy, SurveySend
from mentorby.tenants.transfer.models import ImportJob
from tests.factories import PDF, create_application, create_cohort, create_partner, log_session, record_contact

SECRET_NAME = "Hemmelig Partner ApS"
#: Rules that are about no city's data (platform pages, static files); checked separately below.
PLATFORM_RULES = {
    "/", "/start", "/start/sent", "/lang", "/health", "/login", "/logout", "/password/forgot", "/account",
    "/account/password", "/static/<path:filename>", "/national/", "/platform/cities", "/platform/outbox",
    "/platform/audit", "/platform/cities/<int:city_id>/<action>", "/password/reset/<token>", "/invite/<token>",
    "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/cities", "/api/v1/me",
    "/account/sessions/<int:sign_in_id>/end", "/account/sessions/end-all",
    "/national/adoption/", "/national/adoption/new", "/national/adoption/<int:entry_id>",
    "/national/adoption/<int:entry_id>/stage",
    "/national/public", "/api/v1/national/figures", "/api/v1/national/figures.csv",
}


@pytest.fixture
def victim(app, db, in_host_city, coordinator):
    """Lyngby's data: a partner, an invitation, an API token, audit entries; the test reads as Lyngby."""
    partner = create_partner(in_host_city, name=SECRET_NAME, description="secret notes")
    with app.test_request_context():
        invitation = invite(db.session, in_host_city, email="secret.person@lyngby.example", name="Secret Person",
                            role="coordinator", invited_by=coordinator)
        token = create_api_token(db.session, coordinator, "victim token").token
        event = db.session.execute(select(ProgrammeEvent)).scalars().first()
        criterion = db.session.execute(select(SuccessCriterion)).scalars().first()
        contact = PartnerContact(partner_id=partner.id, name="Secret Contact", email="secret.contact@lyngby.example")
        db.session.add(contact)
        db.session.flush()
    cohort = create_cohort(in_host_city, name="Secret Round")
    application = create_application(cohort, name="Secret Applicant", email="secret.applicant@lyngby.example",
                                     cv=PDF, job_goal="secret job goal")
    mentor = create_application(cohort, role="mentor", status="accepted", name="Secret Mentor",
                                email="secret.mentor@lyngby.example")
    cohort_event = cohort.events[0]
    db.session.get(Application, application.id).status = "accepted"
    match = Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=application.id, status="published",
                  score=80, reasons=[["field", 20, ["engineering"]]])
    db.session.add(match)
    db.session.add(PairRule(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=application.id, kind="pin"))
    db.session.add(MatchingWeights(field=30, goal_expertise=30, languages=10, availability=10, preference=20))
    job = ImportJob(cohort_id=cohort.id, action="check", filename="secret.csv", size=1, state="done",
                    report={"total": 1, "problems": [{"row": 2, "column": "name", "code": "required",
                                                      "value": "Secret Applicant"}]})
    db.session.add(job)
    report = EvaluationReport(cohort_id=cohort.id, state="done", progress=100, pdf=PDF, size=len(PDF))
    db.session.add(report)
    material = EventMaterial(event_id=cohort_event.id, filename="secret.pdf", mimetype="application/pdf", size=len(PDF),
                             sha256="0" * 64, content=PDF)
    db.session.add(material)
    db.session.add(EventDetails(event_id=cohort_event.id, address="Secret Round street 1", capacity=5))
    db.session.flush()
    send = _victim_send(app, db, cohort)
    message = _victim_mail(db, in_host_city)
    # A 1:1 session the mentee logged, with private notes nobody else may read.
    log = log_session(match, logged_by=application.id, notes="secret notes", next_step="secret job goal")
    # An entry of the dissemination register (the platform's, not a city's: only its keepers may open it).
    entry = record_contact(name=SECRET_NAME, notes="secret notes")
    # The city's privacy notice: a draft and a published version (public), which the walk must not change.
    db.session.add_all([PrivacyNotice(controller_name="Lyngby-Taarbæk Kommune", contact_email="dpo@ltk.example"),
                        NoticeVersion(version=1, controller_name="Lyngby-Taarbæk Kommune",
                                      contact_email="dpo@ltk.example")])
    db.session.flush()
    return {
        "partner_id": partner.id, "invitation_id": invitation.id, "token_id": token.id, "event_id": event.id,
        "criterion_id": criterion.id, "city_id": in_host_city.id, "contact_id": contact.id, "cohort_id": cohort.id,
        "application_id": application.id, "cohort_event_id": cohort_event.id,
        "participant_id": application.participant_id, "role": "mentee", "target": "selecting",
        "status": "accepted", "fmt": "csv", "token": "not-a-valid-link", "job_id": job.id,
        "key": "closing", "send_id": send.id, "survey_id": send.survey_id, "section_id": send.survey.sections[0].id,
        "question_id": send.survey.questions[0].id,
        "report_id": report.id, "material_id": material.id,
        "message_id": message.id, "kind": "invitation", "locale": "da", "match_id": match.id, "log_id": log.id,
        "entry_id": entry.id, "number": 1,
    }


def _victim_mail(db, city):
    """An e-mail of the victim city that was not delivered, and the city's own wording of an e-mail."""
    from mentorby.platform.outbox.models import MailTemplate, OutboxMessage

    message = OutboxMessage(tenant_id=city.id, to_email="secret.mentor@lyngby.example", subject="Secret Round",
                            body="secret notes", kind="announcement", status="failed", attempts=5)
    db.session.add_all([message, MailTemplate(kind="invitation", locale="da", subject="Secret Round",
                                              body="{{ link }} secret notes")])
    db.session.flush()
    return message


def _victim_send(app, db, cohort):
    """The closing survey sent to the victim's round (briefly selecting), with a secret answer in it."""
    from mentorby.tenants.surveys import builder, sending
    from mentorby.tenants.surveys.models import Answer

    with app.test_request_context():
        status, cohort.status = cohort.status, "selecting"
        send = sending.send(db.session, cohort, builder.current(db.session, "closing"), notify=False)
        cohort.status = status
        response = send.responses[0]
        question = next(question for question in send.survey.questions if question.key == "best")
        db.session.add(Answer(response_id=response.id, question_id=question.id, key="best", text="secret job goal"))
        db.session.flush()
    return send


def _fill(rule, values, city):
    def replace(match):
        name = match.group(2)
        if name == "city":
            return city
        if name not in values:
            raise AssertionError(f"{rule.rule}: no value for <{name}>; add it to the victim fixture")
        return str(values[name])

    return re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule.rule)


def _snapshot(db):
    db.session.expire_all()
    with cross_tenant(db.session):
        return {
            model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar()
            for model in (Partner, Invitation, ApiToken, ProgrammeEvent, SuccessCriterion, PartnerContact, Cohort,
                          CohortEvent, Application, Participant, CvDocument, Match, PairRule, MatchingWeights,
                          NetworkingPlan, Rating, Survey, Question, SurveyPolicy, SurveySend, Response, Answer,
                          EvaluationReport, EventDetails, EventMaterial, EventInvitation, Attendance, MailTemplate,
                          Announcement, SessionLog, SessionPair, Nudge, HealthPolicy, ConsentRecord, PrivacyNotice,
                          NoticeVersion)
        } | {
            "session_confirmations": tuple(db.session.execute(
                select(SessionPair.confirmed_at).order_by(SessionPair.id)).scalars()),
            "responses": tuple(db.session.execute(
                select(Response.submitted_at, Response.reminders_sent).order_by(Response.id))),
            "partner_names": tuple(db.session.execute(select(Partner.name).order_by(Partner.id)).scalars()),
            "event_names": tuple(db.session.execute(select(ProgrammeEvent.name_en)).scalars()),
            "cohorts": tuple(db.session.execute(select(Cohort.name, Cohort.status).order_by(Cohort.id))),
            "applications": tuple(db.session.execute(
                select(Application.status, Application.note, Application.job_goal).order_by(Application.id))),
            "matches": tuple(db.session.execute(select(Match.mentor_id, Match.status).order_by(Match.id))),
            "cohort_events": tuple(db.session.execute(
                select(CohortEvent.starts_at, CohortEvent.location).order_by(CohortEvent.id))),
            "revoked": tuple(db.session.execute(select(ApiToken.revoked_at)).scalars()),
            "invitations_open": db.session.execute(
                select(func.count()).select_from(Invitation).where(Invitation.revoked_at.is_(None))
            ).scalar(),
        }


def _city_rules(app):
    rules = [r for r in app.url_map.iter_rules() if "<city>" in r.rule]
    assert len(rules) >= 15, "the city's URL map looks empty"
    return rules


def _requests(app, values, city):
    for rule in _city_rules(app):
        url = _fill(rule, values, city)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, url


def _check(response, rule, method):
    assert response.status_code in (302, 401, 403, 404), f"{method} {rule.rule}: {response.status_code}"
    for secret in (SECRET_NAME, "secret.person@lyngby.example", "secret notes", "victim token", "Secret Round",
                   "Secret Applicant", "secret.applicant", "secret job goal", "Secret Contact", "%PDF",
                   "Secret Mentor", "secret.mentor"):
        assert secret not in response.text, f"{method} {rule.rule} shows {secret!r}"
    if response.status_code == 302:
        assert "/login" in response.headers["Location"], f"{method} {rule.rule} redirects elsewhere"


#: City pages the public may open: the front page, the public API detail, the application forms of a round that
#: recruits. They are walked too, but may answer 200; they must still show nothing private and change nothing.
PUBLIC_CITY_RULES = {
    "/<city>/", "/api/v1/cities/<city>", "/api/v1/cities/<city>/partners", "/<city>/apply/",
    "/<city>/apply/<int:cohort_id>/<role>",
    "/<city>/apply/<int:cohort_id>/<role>/thanks", "/<city>/apply/confirm/<token>", "/<city>/networking/<token>",
    "/<city>/survey/<token>", "/<city>/survey/<token>/save", "/<city>/events/rsvp/<token>",
    "/<city>/events/rsvp/<token>.ics", "/<city>/events/rsvp/<token>/materials/<int:material_id>",
    "/<city>/calendar/<token>.ics", "/<city>/model/", "/<city>/model/pdf", "/<city>/privacy/",
    "/<city>/privacy/<int:number>",
}
#: Public city pages whose answer is a PDF the page makes (it starts with %PDF, yet holds no private data).
MADE_PDFS = {"/<city>/model/pdf", "/<city>/portal/my-data.pdf"}
#: Portal pages about the signed-in person only (their own data): they answer any participant, with nothing of others.
OWN_PORTAL_RULES = {"/<city>/portal/", "/<city>/portal/my-data", "/<city>/portal/my-data.json",
                    "/<city>/portal/my-data/print", "/<city>/portal/my-data.pdf", "/<city>/portal/privacy",
                    "/<city>/portal/privacy/consent", "/<city>/portal/erase"}
#: What no public page may show (the recruiting round's name is public; its applicants are not).
PRIVATE = ("secret.person@lyngby.example", "secret notes", "victim token", "Secret Applicant", "secret.applicant",
           "secret job goal", "Secret Contact", "%PDF", "Secret Mentor", "secret.mentor")


def _check_public(response, rule, method):
    assert response.status_code in (200, 302, 400, 404, 405, 422), f"{method} {rule.rule}: {response.status_code}"
    made_pdf = rule.rule in MADE_PDFS
    body = response.get_data().decode("latin-1") if made_pdf else response.text
    for secret in PRIVATE:
        if secret == "%PDF" and made_pdf:
            continue
        assert secret not in body, f"{method} {rule.rule} shows {secret!r}"


def test_every_city_url_is_closed_to_strangers(app, db, victim):
    before = _snapshot(db)
    client = app.test_client()
    for rule, method, url in _requests(app, victim, "lyngby-taarbaek"):
        response = client.open(url, method=method, data={"name": "x"})
        if rule.rule in PUBLIC_CITY_RULES:
            _check_public(response, rule, method)
        else:
            _check(response, rule, method)
    assert _snapshot(db) == before


def test_another_citys_coordinator_sees_and_changes_nothing(app, db, victim, other_coordinator, login):
    before = _snapshot(db)
    client = login(other_coordinator, target=app.test_client())
    for rule, method, url in _requests(app, victim, "lyngby-taarbaek"):
        response = client.open(url, method=method, data={"name": "x", "public": "y"})
        if rule.rule in PUBLIC_CITY_RULES:
            _check_public(response, rule, method)
        else:
            _check(response, rule, method)
    # Lyngby's ids through Aarhus's own URLs: the same 404 as a missing row.
    for rule, method, url in _requests(app, victim, "aarhus"):
        if not re.search(r"<(?:\w+:)?\w+_id>", rule.rule):
            continue
        response = client.open(url, method=method, data={"name": "x"})
        # 403 where the page is not for this role at all (a coordinator in the portal): nothing is loaded either.
        # 401 from the API, which takes tokens, not the coordinator's session.
        assert response.status_code in (401, 403, 404), f"{method} {url}: {response.status_code}"
        assert SECRET_NAME not in response.text
    assert _snapshot(db) == before


def test_another_participant_of_the_same_city_sees_nothing_private(app, db, victim, host_city, login):
    """A mentee of Lyngby is not the victim applicant: their portal works, everyone else's data stays closed."""
    from tests.factories import create_user

    mentee = create_user(city=host_city, role="mentee", email="other.mentee@lyngby.example")
    before = _snapshot(db)
    client = login(mentee, target=app.test_client())
    for rule, method, url in _requests(app, victim, "lyngby-taarbaek"):
        response = client.open(url, method=method, data={"name": "x"})
        if rule.rule in PUBLIC_CITY_RULES or rule.rule in OWN_PORTAL_RULES:
            _check_public(response, rule, method)
        else:
            _check(response, rule, method)
    assert _snapshot(db) == before


def test_another_citys_api_token_gets_nothing(app, db, victim, as_city, other_coordinator, other_city):
    as_city(other_city)
    secret = create_api_token(db.session, other_coordinator, "aarhus").secret
    client = app.test_client()
    for rule, method, url in _requests(app, victim, "lyngby-taarbaek"):
        if not rule.rule.startswith("/api/") or rule.rule in PUBLIC_CITY_RULES:
            continue
        _check(client.open(url, method=method, headers={"Authorization": f"Bearer {secret}"}), rule, method)


def test_public_city_pages_show_no_private_data(app, db, victim):
    db.session.execute(select(Partner)).scalar_one().public = False
    db.session.flush()
    client = app.test_client()
    for url in ("/lyngby-taarbaek/", "/api/v1/cities/lyngby-taarbaek", "/api/v1/cities/lyngby-taarbaek/partners"):
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET_NAME not in response.text and "secret.person" not in response.text


def test_every_rule_is_covered(app):
    uncovered = [r.rule for r in app.url_map.iter_rules() if "<city>" not in r.rule and r.rule not in PLATFORM_RULES]
    assert uncovered == [], "new URLs must be walked by the isolation test or listed as platform pages"


def test_platform_pages_show_no_city_data_to_non_admins(app, db, victim, other_coordinator, login):
    client = login(other_coordinator, target=app.test_client())
    for url in ("/platform/cities", "/platform/outbox", "/platform/audit", "/national/", "/national/adoption/"):
        assert client.get(url).status_code == 403
    account = client.get("/account")
    assert "Aarhus Career Mentoring" in account.text
    assert "/lyngby-taarbaek/coordinator" not in account.text and SECRET_NAME not in account.text


def test_a_signed_out_session_opens_nothing(app, db, victim, coordinator, login):
    """The cookie of a session that ended (logout) is a stranger's: every city URL answers as to a stranger."""
    before = _snapshot(db)
    client = login(coordinator, target=app.test_client())
    assert client.get("/lyngby-taarbaek/coordinator/").status_code == 200
    cookie = client.get_cookie("session").value
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    replay.environ_base["HTTP_USER_AGENT"] = "another browser"
    for rule, method, url in _requests(app, victim, "lyngby-taarbaek"):
        response = replay.open(url, method=method, data={"name": "x"})
        if rule.rule in PUBLIC_CITY_RULES:
            _check_public(response, rule, method)
        else:
            _check(response, rule, method)
    assert replay.get("/account").status_code == 302
    assert _snapshot(db) == before


#: Endpoints that are not views of this project (files, the OpenAPI document flask-smorest serves).
NOT_VIEWS = {"static", "api-docs.openapi_json"}


def test_no_endpoint_answers_a_stranger_unless_it_says_it_is_public(app, db, victim):
    """Access is declared once per blueprint; a view open to strangers says @public. Everything else refuses."""
    from mentorby.blueprints.common import public_endpoint

    client = app.test_client()
    values = victim | {"action": "approve", "sign_in_id": 1}
    walked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_VIEWS or public_endpoint(app, rule.endpoint):
            continue
        url = _fill(rule, values, "lyngby-taarbaek")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            walked += 1
            assert response.status_code in (302, 401, 403, 404), f"{method} {rule.rule}: {response.status_code}"
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], f"{method} {rule.rule}"
    assert walked > 60
