"""Erasure: a person taken out of everything the city holds, with every figure left as it was."""

import pytest
from sqlalchemy import JSON, LargeBinary, Text, cast, select

from mentorby.platform.accounts.models import Membership, User
from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.extensions import db as database
from mentorby.platform.national.figures import national
from mentorby.platform.national.models import CriterionRollup, RoundRollup
from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.privacy.records import Erase, mapped_tables
from mentorby.platform.tenancy import cross_tenant, tenant_scope, utcnow
from mentorby.tenants.applications.models import Application, CvDocument, Participant
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.evaluation.figures import evaluate_round
from mentorby.tenants.evaluation.rollups import rebuild
from mentorby.tenants.matching.models import Match
from mentorby.tenants.privacy import erasure
from mentorby.tenants.sessions.models import SessionLog
from mentorby.tenants.surveys.models import Answer, Response
from tests import factories as F
from tests.privacy.test_access import _person

NAME, EMAIL = "Quorra Vantablack", "quorra.vantablack@mentee.example"
CV = F.PDF.replace(b"%%EOF", b"%quorra-cv-marker\n%%EOF")


def _everything(city):
    """Quorra, a mentee of `city` with a row in every table that can hold her, and what points at her rows."""
    application, user = _person(city, NAME, email=EMAIL, secret="quorra-secret", sessions=2, emails=2,
                                mentor_name="Lars Holm")
    with tenant_scope(database.session, city.id):
        cohort = database.session.get(Cohort, application.cohort_id)
        database.session.execute(select(CvDocument).where(CvDocument.application_id == application.id)) \
            .scalar_one().content = CV
        first = database.session.execute(select(Match).where(Match.mentee_id == application.id)).scalar_one()
        # Her first mentor was replaced: the old pair points at its successor.
        mentor = F.create_application(cohort, role="mentor", status="accepted", name="Second Mentor")
        second = F.create_pair(cohort, mentor=mentor, mentee=application, published_at=utcnow())
        first.status, first.replaced_by_id, first.end_reason = "replaced", second.id, f"{NAME} asked for finance"
        first.reasons = [["languages", 10, f"{NAME} speaks Hindi"]]
        F.RatingFactory(city=city, cohort_id=cohort.id, rater_id=application.id, rated_id=mentor.id, value=5)
        event = sorted(cohort.events, key=lambda e: e.starts_at)[1]
        F.CalendarFeedFactory(city=city, application_id=application.id)
        F.EventInvitationFactory(city=city, event_id=event.id, application_id=application.id, answer="no")
        F.InvitationFactory(city=city, email=EMAIL, name=NAME, role="mentee")
        F.ImportJobFactory(city=city, cohort_id=cohort.id, state="done", data=None,
                           report={"rows": [{"row": 2, "name": NAME, "email": EMAIL, "problem": "none"}]})
        F.EvaluationReportFactory(city=city, cohort_id=cohort.id)
        # Her mentor was told who she is; the message is his, the name in it hers.
        F.OutboxMessageFactory(tenant_id=city.id, to_email="second.mentor@example.org", kind="match_published",
                               subject="Your new mentee", body=f"Dear mentor,\n\nyour mentee is {NAME} ({EMAIL}).")
        F.OutboxMessageFactory(tenant_id=None, to_email=EMAIL, kind="password_reset", subject="Reset",
                               body=f"Hello {NAME}")
        database.session.flush()
    return application, user, cohort


def _figures(city, cohort_ids):
    """Every figure erasure must not change: each round's evaluation, the rollups and the national figures."""
    with tenant_scope(database.session, city.id):
        rounds = []
        for cohort_id in cohort_ids:
            evaluation = evaluate_round(database.session, database.session.get(Cohort, cohort_id))
            rounds.append(([(row.criterion.id, row.role, repr(row.result), row.asked, row.respondents)
                            for row in evaluation.rows], evaluation.participants,
                           [repr(send.rates) for send in evaluation.sends], [q.text for q in evaluation.quotes]))
    with cross_tenant(database.session):
        rebuild(database.session)
        rollups = (sorted(tuple(r) for r in database.session.execute(
            select(*[c for c in RoundRollup.__table__.c if c.name not in ("id", "updated_at")])).all()),
                   sorted(tuple(r) for r in database.session.execute(
                       select(*[c for c in CriterionRollup.__table__.c if c.name != "id"])).all()))
    return rounds, rollups, national(database.session)


def _traces(needles: list[str], blobs: list[bytes]) -> list[str]:
    """table.column of every value in the database that still holds one of `needles` (any case) or `blobs`."""
    found = []
    with cross_tenant(database.session):
        for table in database.metadata.sorted_tables:
            for column in table.columns:
                kind = getattr(column.type, "impl", column.type)
                if isinstance(kind, LargeBinary):
                    for value in database.session.execute(select(column).where(column.is_not(None))).scalars():
                        found += [f"{table.name}.{column.name}" for blob in blobs if blob in value]
                elif hasattr(kind, "length") or isinstance(kind, Text | JSON):
                    for value in database.session.execute(select(cast(column, Text))).scalars():
                        text = (value or "").lower()
                        found += [f"{table.name}.{column.name}: {needle}" for needle in needles
                                  if needle.lower() in text]
    return sorted(set(found))


def test_every_city_table_says_what_erasure_does():
    """A table holding personal data that does not declare its erasure would keep the person: a test names it."""
    missing = [table.name for cls, table in mapped_tables(database.Model.registry)
               if getattr(cls, "__personal__", None) is not None and cls.__personal__.city
               and cls.__personal__.erase is None]
    assert missing == []
    for cls, declared in erasure.declared_models():
        assert set(declared.erase.keep) <= set(declared.fields), cls
        for column in declared.erase.by:
            assert column in cls.__table__.c, (cls, column)
        if declared.erase.action == Erase.CLEAR:
            erasure.blanks(cls, declared.erase, declared.fields)  # raises when a field has no blank


def test_erasure_leaves_no_trace_and_changes_no_figure(host_city, coordinator):
    application, user, cohort = _everything(host_city)
    other, _ = _person(host_city, "Priya Sharma", secret="priya-secret")
    cohort_ids = [application.cohort_id, other.cohort_id]
    before = _figures(host_city, cohort_ids)
    with cross_tenant(database.session):
        assert _traces([NAME, EMAIL, "quorra-secret"], [b"quorra-cv-marker"])  # the scan sees her before
    with tenant_scope(database.session, host_city.id):
        person = erasure.find(database.session, EMAIL.upper())
        assert person.application_ids == [application.id] and person.user.id == user.id
        done = erasure.erase(database.session, person, actor_id=coordinator.id, actor_role="coordinator")
        database.session.flush()
    assert done["application"] == 1 and done["cv_document"] == 1 and done["user_account"] == 1
    traces = _traces([NAME, EMAIL, "quorra-secret", "quorra"], [b"quorra-cv-marker"])
    assert traces == [], "\n".join(traces)
    assert _figures(host_city, cohort_ids) == before
    with tenant_scope(database.session, host_city.id):
        stub = database.session.get(Application, application.id)
        assert stub.erased_at is not None and stub.status == "accepted" and stub.role == "mentee"
        assert stub.name == "\u2014" and stub.email.endswith("@erased.invalid") and stub.job_goal == ""
        assert database.session.get(Participant, stub.participant_id).erased_at is not None
        first, second = database.session.execute(select(Match).where(Match.mentee_id == stub.id)
                                                  .order_by(Match.id)).scalars()
        assert first.replaced_by_id == second.id and first.reasons == [] and first.end_reason == ""
        logs = list(database.session.execute(select(SessionLog).where(SessionLog.logged_by_id == stub.id)).scalars())
        assert len(logs) == 2 and all(log.notes == "" and log.next_step == "" and log.held_on for log in logs)
        response = database.session.execute(select(Response).where(Response.application_id == stub.id)).scalar_one()
        assert database.session.execute(select(Answer.value).where(Answer.response_id == response.id)) \
            .scalars().all() == ["5"]
        # Priya, in the same city, is untouched.
        assert database.session.get(Application, other.id).name == "Priya Sharma"
        entry = database.session.execute(select(AuditEntry).where(AuditEntry.action == "erase")).scalar_one()
        assert entry.entity == "person" and entry.actor_id == coordinator.id and entry.changes["application"] == 1
    with cross_tenant(database.session):
        assert database.session.get(User, user.id) is None
        assert database.session.execute(select(OutboxMessage).where(OutboxMessage.to_email == EMAIL)).first() is None


def test_an_account_with_a_role_in_another_city_stays_there(host_city, other_city):
    application, user = _person(host_city, NAME, email=EMAIL)
    _person(other_city, NAME, email=EMAIL, account=user)
    with tenant_scope(database.session, host_city.id):
        erasure.erase(database.session, erasure.find(database.session, EMAIL), actor_id=None, actor_role="system")
        database.session.flush()
    with cross_tenant(database.session):
        assert database.session.get(User, user.id) is not None
        roles = database.session.execute(select(Membership.tenant_id).where(Membership.user_id == user.id)).scalars()
        assert list(roles) == [other_city.id]
    with tenant_scope(database.session, other_city.id):
        assert database.session.execute(select(Application.name).where(Application.email == EMAIL)) \
            .scalars().all() == [NAME]


def test_nobody_and_coordinators_are_refused(host_city, coordinator):
    with tenant_scope(database.session, host_city.id):
        with pytest.raises(erasure.ErasureRefused, match="erase_nothing"):
            erasure.erase(database.session, erasure.find(database.session, "nobody@example.org"), actor_id=None,
                          actor_role="system")
        with pytest.raises(erasure.ErasureRefused, match="erase_coordinator"):
            erasure.erase(database.session, erasure.find(database.session, coordinator.email), actor_id=None,
                          actor_role="system")
        assert database.session.get(User, coordinator.id) is not None


def test_names_elsewhere_are_replaced_whole_words_only(host_city):
    person = erasure.Person(email="al@example.org", user=None, roles=set(), application_ids=[], cohort_ids=[],
                            names={"Ali Khan", "Al"})
    pattern = erasure._pattern(person)
    assert pattern.sub("X", "Dear Ali Khan, Alice and al@example.org met Albert") == "Dear X, Alice and X met Albert"


def test_every_round_of_the_person_is_erased(host_city):
    """Several applications of one person (two rounds) are all erased."""
    application, _user = _person(host_city, NAME, email=EMAIL, rounds=2)
    with tenant_scope(database.session, host_city.id):
        person = erasure.find(database.session, EMAIL)
        assert len(person.application_ids) == 2
        erasure.erase(database.session, person, actor_id=None, actor_role="system")
        database.session.flush()
        stubs = database.session.execute(select(Application).where(Application.id.in_(person.application_ids))) \
            .scalars().all()
        assert {a.name for a in stubs} == {"\u2014"} and all(a.erased_at for a in stubs)
        assert erasure.find(database.session, EMAIL).found is False


# --- over HTTP ------------------------------------------------------------------------------------------------------

PORTAL = "/lyngby-taarbaek/portal"


def test_a_mentee_erases_herself_from_the_portal(client, login, host_city):
    application, user = _person(host_city, NAME, email=EMAIL)
    user_id = user.id
    login(user)
    page = client.get(f"{PORTAL}/erase")
    assert page.status_code == 200 and "What stays, without a name" in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    refused = client.post(f"{PORTAL}/erase", data={})
    assert refused.status_code == 422 and "Tick the box to confirm; nothing has been erased." in refused.text
    with tenant_scope(database.session, host_city.id):
        assert database.session.get(Application, application.id).name == NAME
    done = client.post(f"{PORTAL}/erase", data={"understood": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/lyngby-taarbaek/")
    # Signed out: the portal asks for a sign-in again, and the account is gone.
    assert client.get(f"{PORTAL}/my-data").status_code == 302
    database.session.expire_all()
    with cross_tenant(database.session):
        assert database.session.get(User, user_id) is None
        entry = database.session.execute(select(AuditEntry).where(AuditEntry.action == "erase")).scalar_one()
        assert entry.actor_id is None and entry.actor_role == "participant"
    with tenant_scope(database.session, host_city.id):
        assert database.session.get(Application, application.id).erased_at is not None


def test_a_coordinator_erases_a_person_on_request(client, login, host_city, coordinator):
    application, user = _person(host_city, NAME, email=EMAIL)
    base = f"/lyngby-taarbaek/coordinator/cohorts/{application.cohort_id}/applications/{application.id}"
    login(coordinator)
    assert "Erase this person" in client.get(base).text
    assert client.get(f"{base}/erase").status_code == 200
    assert client.post(f"{base}/erase", data={"understood": ""}).status_code == 422
    done = client.post(f"{base}/erase", data={"understood": "y"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/cohorts/{application.cohort_id}/applications")
    detail = client.get(base)
    assert detail.status_code == 200 and "data was erased on" in detail.text and NAME not in detail.text
    assert client.get(f"{base}/erase").status_code == 404  # nothing left to erase
    log = client.get("/lyngby-taarbaek/coordinator/audit")
    assert log.status_code == 200 and "erased a person&#39;s personal data" in log.text and NAME not in log.text


def test_a_coordinator_cannot_be_erased_as_an_applicant(client, login, host_city, coordinator):
    cohort = F.create_cohort(host_city)
    colleague = F.create_user(city=host_city, role="coordinator", email="colleague@lyngby.example", name="Colleague")
    application = F.create_application(cohort, email=colleague.email, name="Colleague")
    login(coordinator)
    refused = client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}/applications/{application.id}/erase",
                          data={"understood": "y"})
    assert refused.status_code == 422 and "Remove their coordinator role first" in refused.text
    with tenant_scope(database.session, host_city.id):
        assert database.session.get(Application, application.id).erased_at is None


def test_another_citys_coordinator_cannot_erase(client, login, host_city, other_coordinator):
    application, _user = _person(host_city, NAME, email=EMAIL)
    login(other_coordinator)
    url = f"/aarhus/coordinator/cohorts/{application.cohort_id}/applications/{application.id}/erase"
    assert client.post(url, data={"understood": "y"}).status_code == 404
    with tenant_scope(database.session, host_city.id):
        assert database.session.get(Application, application.id).erased_at is None
