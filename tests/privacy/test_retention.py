"""Retention: each city's periods applied every night, reported, with every figure left as it was."""

from datetime import date, timedelta

from sqlalchemy import select

from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.extensions import db as database
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.applications.models import Application, CvDocument
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.evaluation.figures import evaluate_round
from mentorby.tenants.privacy import retention
from tests import factories as F
from tests.privacy.test_access import _person

TODAY = date.today()
PERIODS = retention.Periods(never_accepted_days=180, cv_days=365, after_followup_days=365)


def _aged(application: Application, days: int) -> None:
    """Make an application's round one that ended `days` ago."""
    cohort = database.session.get(Cohort, application.cohort_id)
    cohort.starts_on, cohort.ends_on = TODAY - timedelta(days=days + 180), TODAY - timedelta(days=days)
    database.session.flush()


def _erased(city, application_id: int) -> bool:
    with tenant_scope(database.session, city.id):
        database.session.expire_all()
        return database.session.get(Application, application_id).erased_at is not None


def test_people_never_accepted_go_after_their_period(host_city):
    cohort = F.create_cohort(host_city, status="closed", starts_on=TODAY - timedelta(days=400))
    old = F.create_application(cohort, status="declined", name="Old Applicant")
    recent = F.create_application(F.create_cohort(host_city, status="closed"), status="waitlisted",
                                  name="Recent Applicant")
    # Declined once long ago, accepted in a later round: a participant, not "never accepted".
    later = F.create_cohort(host_city, status="running", starts_on=TODAY - timedelta(days=20))
    returning = F.create_application(F.create_cohort(host_city, status="closed"), status="declined",
                                     name="Returning Mentee")
    F.create_application(later, status="accepted", name="Returning Mentee", email=returning.email)
    ids = old.id, recent.id, returning.id
    with tenant_scope(database.session, host_city.id):
        for application, days in ((old, 200), (recent, 10), (returning, 300)):
            _aged(database.session.get(Application, application.id), days)
        assert retention.never_accepted(database.session, PERIODS, TODAY) == [old.email]
        report = retention.apply(database.session, PERIODS, TODAY)
        database.session.flush()
    assert (report.never_accepted, report.after_follow_up, report.skipped) == (1, 0, 0)
    assert [_erased(host_city, application_id) for application_id in ids] == [True, False, False]


def test_old_cvs_are_deleted_and_the_application_stays(host_city):
    old = F.create_application(F.create_cohort(host_city, status="closed"), status="accepted", cv=F.PDF,
                               name="Old CV")
    new = F.create_application(F.create_cohort(host_city, status="running"), status="accepted", cv=F.PDF,
                               name="New CV")
    old_id, new_id = old.id, new.id
    with tenant_scope(database.session, host_city.id):
        _aged(database.session.get(Application, old.id), 400)
        report = retention.apply(database.session, PERIODS, TODAY)
        database.session.flush()
        database.session.expire_all()
        cvs = database.session.execute(select(CvDocument.application_id)).scalars().all()
    assert report.cvs == 1 and cvs == [new_id]
    assert not _erased(host_city, old_id)


def test_a_rounds_people_go_after_its_follow_up_and_the_figures_stay(host_city):
    application, _user = _person(host_city, "Ana Followed", email="ana.followed@mentee.example")
    with tenant_scope(database.session, host_city.id):
        cohort = database.session.get(Cohort, application.cohort_id)
        cohort.status, cohort.follow_up_on = "followed_up", TODAY - timedelta(days=400)
        database.session.flush()
        mentor_id = next(m.mentor_id for m in database.session.execute(
            select(F._lazy_import("mentorby.tenants.matching.models.Match"))).scalars())
        mentor = database.session.get(Application, mentor_id)
        # The mentor applied again to a round still running: he stays, with every application.
        later = F.create_cohort(host_city, status="running", starts_on=TODAY - timedelta(days=10))
        F.create_application(later, role="mentor", status="accepted", name=mentor.name, email=mentor.email)
        before = evaluate_round(database.session, cohort)
        rows = [(r.criterion.id, r.role, repr(r.result), r.asked, r.respondents) for r in before.rows]
        assert retention.after_follow_up(database.session, PERIODS, TODAY) == [application.email]
        report = retention.apply(database.session, PERIODS, TODAY)
        database.session.flush()
        after = evaluate_round(database.session, database.session.get(Cohort, application.cohort_id))
        assert [(r.criterion.id, r.role, repr(r.result), r.asked, r.respondents) for r in after.rows] == rows
        assert after.participants == before.participants
        entry = database.session.execute(select(AuditEntry).where(AuditEntry.action == "retention")).scalar_one()
        assert entry.changes == {"never_accepted": 0, "cvs": 0, "after_follow_up": 1, "skipped": 0}
        assert retention.last_run(database.session).id == entry.id
    assert report.after_follow_up == 1
    assert _erased(host_city, application.id) and not _erased(host_city, mentor_id)


def test_a_round_not_yet_past_its_period_keeps_its_people(host_city):
    application, _user = _person(host_city, "Bo Recent", email="bo.recent@mentee.example")
    with tenant_scope(database.session, host_city.id):
        cohort = database.session.get(Cohort, application.cohort_id)
        cohort.status, cohort.follow_up_on = "followed_up", TODAY - timedelta(days=30)
        database.session.flush()
        assert retention.after_follow_up(database.session, PERIODS, TODAY) == []
        due = retention.after_follow_up(database.session, retention.Periods(after_followup_days=29), TODAY)
        assert application.email in due and len(due) == 2  # she and her mentor


def test_a_dry_run_counts_and_changes_nothing(host_city):
    cohort = F.create_cohort(host_city, status="running", starts_on=TODAY - timedelta(days=250))
    old = F.create_application(cohort, status="declined", cv=F.PDF, name="Old Applicant")
    with tenant_scope(database.session, host_city.id):
        _aged(database.session.get(Application, old.id), 400)
        report = retention.apply(database.session, PERIODS, TODAY, dry_run=True)
        assert (report.never_accepted, report.cvs) == (1, 1)
        assert database.session.execute(select(AuditEntry).where(AuditEntry.action == "retention")).first() is None
    assert not _erased(host_city, old.id)


def test_a_coordinator_past_a_period_is_counted_not_erased(host_city):
    cohort = F.create_cohort(host_city, status="running", starts_on=TODAY - timedelta(days=250))
    colleague = F.create_user(city=host_city, role="coordinator", email="colleague@lyngby.example")
    application = F.create_application(cohort, status="declined", email=colleague.email)
    with tenant_scope(database.session, host_city.id):
        _aged(database.session.get(Application, application.id), 400)
        report = retention.apply(database.session, PERIODS, TODAY)
    assert (report.never_accepted, report.skipped) == (0, 1)
    assert not _erased(host_city, application.id)


def test_the_command_applies_every_city_and_prints_a_report(app, host_city, other_city):
    cohort = F.create_cohort(other_city, status="running", starts_on=TODAY - timedelta(days=250))
    old = F.create_application(cohort, status="declined", name="Old Applicant")
    with tenant_scope(database.session, other_city.id):
        _aged(database.session.get(Application, old.id), 400)
    result = app.test_cli_runner().invoke(args=["apply-retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith(other_city.slug))
    assert line.split()[1:] == ["1", "0", "0", "0"]
    assert "Nothing was changed" in result.output


def test_the_records_page_shows_the_last_run(client, login, host_city, coordinator):
    login(coordinator)
    assert "Nothing has been past its retention period yet." in client.get(
        "/lyngby-taarbaek/coordinator/privacy/records").text
    cohort = F.create_cohort(host_city, status="running", starts_on=TODAY - timedelta(days=250))
    old = F.create_application(cohort, status="declined", name="Old Applicant")
    with tenant_scope(database.session, host_city.id):
        _aged(database.session.get(Application, old.id), 400)
        retention.apply(database.session, PERIODS, TODAY)
        database.session.flush()
    page = client.get("/lyngby-taarbaek/coordinator/privacy/records").text
    assert "Last run that erased anything" in page and "1 person never accepted" in page
    log = client.get("/lyngby-taarbaek/coordinator/audit").text
    assert "The system applied the city&#39;s retention periods" in log
