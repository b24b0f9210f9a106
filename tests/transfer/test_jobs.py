"""Large imports as jobs of the task queue: when a file becomes a job, how it runs, what its page shows."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications.models import Application
from mentorby.tenants.transfer import jobs
from mentorby.tenants.transfer.models import CHECKING, DONE, FAILED, QUEUED, READING, WRITING, ImportJob
from tests.transfer.samples import csv_bytes, mentee, mentor, xlsx_bytes
from tests.transfer.workbooks import numbers_bomb, shared_strings_bomb

#: A file of more rows than a request reads: it becomes a job.
BIG = 2_500


#: The test's own queries read as Lyngby, the host city of every job here.
pytestmark = pytest.mark.usefixtures("in_host_city")


def _url(cohort, path="import", city="lyngby-taarbaek"):
    return f"/{city}/coordinator/cohorts/{cohort.id}/{path}"


def _post(client, cohort, data: bytes, *, filename="people.csv", action="check", consent=True, language="en"):
    form = {"file": FileStorage(io.BytesIO(data), filename=filename), "action": action}
    if consent:
        form |= {"consent": "y", "consent_on": "2026-09-01", "consent_channel": "paper"}
    boundary, body = encode_multipart(form)
    return client.post(_url(cohort), data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers={"Accept-Language": language})


def _count(db, model, cohort, **where):
    query = select(func.count()).select_from(model).where(model.cohort_id == cohort.id)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.execute(query).scalar_one()


class Seen:
    """A job's columns as read (the row itself expires when a request commits)."""

    def __init__(self, job):
        self.__dict__.update({column: getattr(job, column) for column in ImportJob.__table__.columns.keys()})


def _jobs(db, cohort):
    return [Seen(job) for job in db.session.execute(
        select(ImportJob).where(ImportJob.cohort_id == cohort.id).order_by(ImportJob.id)).scalars()]


@pytest.fixture
def cohort(host_city, create_cohort):
    return create_cohort(host_city, name="Spring 2027", mentee_capacity=500, mentor_capacity=500)


def _rows(n):
    return [mentee(i) if i % 5 else mentor(i) for i in range(n)]


def test_a_small_file_is_done_in_the_request_and_makes_no_job(client, db, login, coordinator, cohort):
    login(coordinator)
    response = _post(client, cohort, csv_bytes(_rows(50)))
    assert response.status_code == 200 and "The file is ready to import" in response.text
    assert _jobs(db, cohort) == []


def test_a_file_of_many_rows_is_checked_as_a_job_and_its_page_shows_the_report(client, db, login, coordinator,
                                                                                 cohort):
    login(coordinator)
    data = csv_bytes(_rows(BIG))
    assert len(data) < jobs.INLINE_BYTES  # small in bytes: its rows make it a job
    response = _post(client, cohort, data, filename="big.csv")
    [job] = _jobs(db, cohort)
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(cohort, f"import/{job.id}"))
    assert (job.state, job.action, job.total, job.progress, job.data) == (DONE, "check", BIG, BIG, None)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Check of big.csv" in page.text and "The file is ready to import" in page.text
    assert "2500 rows read" in page.text and "2000 mentees" in page.text and "500 mentors" in page.text
    assert "Text encoding: UTF-8." in page.text
    assert "hx-trigger" not in page.text  # done: nothing to poll
    assert _count(db, Application, cohort) == 0


def test_a_large_import_runs_as_a_job_all_or_nothing_and_names_the_coordinator(client, db, login, coordinator,
                                                                                cohort):
    login(coordinator)
    rows = _rows(BIG)
    rows[1_234] = rows[1_234] | {"email": "broken.example.org"}
    response = _post(client, cohort, xlsx_bytes(rows), filename="big.xlsx", action="import")
    page = client.get(response.headers["Location"])
    assert "Nothing was imported" in page.text and "1 with problems" in page.text
    assert '<th scope="row">1236</th><td><code>email</code></td>' in page.text
    assert _count(db, Application, cohort) == 0

    del rows[1_234]
    response = _post(client, cohort, xlsx_bytes(rows), filename="big.xlsx", action="import")
    job = _jobs(db, cohort)[-1]
    assert job.state == DONE and job.report["imported"] == BIG - 1 and job.data is None
    page = client.get(response.headers["Location"])
    assert "2499 applications imported" in page.text and "Import another file" in page.text
    assert _count(db, Application, cohort) == BIG - 1
    authors = set(db.session.execute(select(AuditEntry.actor_id).where(AuditEntry.entity == "application")
                                     .where(AuditEntry.action == "create")).scalars())
    assert authors == {coordinator.id}


def test_a_large_import_without_the_consent_box_is_refused_before_it_is_queued(client, db, login, coordinator,
                                                                                cohort):
    login(coordinator)
    response = _post(client, cohort, csv_bytes(_rows(BIG)), action="import", consent=False)
    assert response.status_code == 422 and "Tick the box to confirm" in response.text
    assert _jobs(db, cohort) == [] and _count(db, Application, cohort) == 0


def test_a_large_file_for_a_round_that_takes_no_import_is_refused_before_it_is_queued(client, db, login,
                                                                                        coordinator, host_city,
                                                                                        create_cohort):
    running = create_cohort(host_city, status="running")
    login(coordinator)
    for action in ("check", "import"):
        response = _post(client, running, csv_bytes(_rows(BIG)), action=action)
        assert response.status_code == 422
        assert "Applications can be imported until the round starts running." in response.text
    assert _jobs(db, running) == []


def test_a_hostile_workbook_is_refused_in_the_request_when_a_limit_the_queue_shares_is_crossed(
        client, db, login, coordinator, cohort):
    login(coordinator)
    response = _post(client, cohort, numbers_bomb(), filename="hostile.xlsx", language="da")
    assert response.status_code == 422
    assert "Række 1: Kolonne AW har data, men en fil må højst have 48 kolonner" in response.text
    assert _jobs(db, cohort) == []


def test_a_hostile_workbook_is_handed_to_the_queue_and_refused_there_clearly(client, db, login, coordinator,
                                                                              cohort):
    login(coordinator)
    # More shared strings than a request reads, so it goes to the queue, which reads up to the full limit.
    response = _post(client, cohort, shared_strings_bomb(), filename="hostile.xlsx", language="da")
    [job] = _jobs(db, cohort)
    assert job.state == DONE and job.report["valid"] == 0 and job.data is None
    page = client.get(response.headers["Location"], headers={"Accept-Language": "da"})
    assert "Filen har mere end 240.012 forskellige tekster" in page.text


@pytest.mark.parametrize(("language", "text"), [
    ("da", "Filen har mere end 20.000 rækker. Del den op i mindre filer."),
    ("en", "The file has more than 20,000 rows. Split it into smaller files."),
])
def test_limits_are_named_in_the_readers_language_with_their_number(app, language, text):
    from mentorby.blueprints.transfer import problem_message
    from mentorby.tenants.transfer.checks import Problem

    with app.test_request_context(headers={"Accept-Language": language}):
        assert problem_message(Problem(None, None, "too_many_rows", {"max": 20_000})) == text


@pytest.mark.parametrize(("state", "progress", "total", "text"), [
    (QUEUED, 0, 0, "Waiting to start…"),
    (READING, 0, 0, "Reading the file…"),
    (CHECKING, 1_500, 20_000, "Checking the rows: 1,500 of 20,000."),
    (WRITING, 20_000, 20_000, "Every row is valid. Saving the applications…"),
])
def test_a_running_job_shows_its_progress_and_is_polled(client, db, login, coordinator, cohort, state, progress,
                                                        total, text):
    job = ImportJob(cohort_id=cohort.id, created_by_id=coordinator.id, action="import", filename="big.xlsx",
                    size=3_000_000, state=state, progress=progress, total=total)
    db.session.add(job)
    db.session.flush()
    login(coordinator)
    url = _url(cohort, f"import/{job.id}")
    page = client.get(url)
    assert page.status_code == 200 and text in page.text and "Importing big.xlsx" in page.text
    assert f'hx-get="{url}" hx-trigger="every 1s"' in page.text
    assert "<progress" in page.text and f'<a href="{url}">' in page.text  # without JavaScript: a link
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="job-status"') and "<html" not in fragment.text
    assert text in fragment.text and "hx-swap-oob" not in fragment.text


def test_the_last_poll_shows_the_report_stops_polling_and_announces_the_end(client, db, login, coordinator, cohort):
    login(coordinator)
    response = _post(client, cohort, csv_bytes(_rows(BIG)))
    fragment = client.get(response.headers["Location"], headers={"HX-Request": "true"})
    assert "hx-trigger" not in fragment.text and "The file is ready to import" in fragment.text
    assert '<div id="job-announce" hx-swap-oob="innerHTML">The check is finished' in fragment.text
    full = client.get(response.headers["Location"])
    assert full.text.count('id="job-announce"') == 1  # the page has the empty region; only a poll fills it


def test_a_job_that_stopped_moving_says_so_and_is_not_polled(client, db, login, coordinator, cohort):
    job = ImportJob(cohort_id=cohort.id, action="check", filename="big.csv", size=2_000_000, state=CHECKING,
                    updated_at=utcnow() - jobs.STALLED_AFTER - timedelta(minutes=1))
    failed = ImportJob(cohort_id=cohort.id, action="check", filename="big.csv", size=2_000_000, state=FAILED)
    db.session.add_all([job, failed])
    db.session.flush()
    login(coordinator)
    page = client.get(_url(cohort, f"import/{job.id}"))
    assert "The work on this file stopped before it was finished" in page.text and "hx-trigger" not in page.text
    page = client.get(_url(cohort, f"import/{failed.id}"))
    assert "Something went wrong on our side" in page.text and "hx-trigger" not in page.text


def test_a_job_belongs_to_its_round_and_city(client, db, login, coordinator, other_coordinator, cohort, host_city,
                                             create_cohort):
    login(coordinator)
    response = _post(client, cohort, csv_bytes(_rows(BIG)))
    [job] = _jobs(db, cohort)
    other_round = create_cohort(host_city)
    assert client.get(_url(other_round, f"import/{job.id}")).status_code == 404
    client.get("/logout")
    login(other_coordinator)
    assert client.get(response.headers["Location"]).status_code == 403
    assert client.get(_url(cohort, f"import/{job.id}", city="aarhus")).status_code == 404


def test_a_worker_saves_the_progress_as_it_goes_and_the_import_in_one_commit(db, host_city, coordinator, cohort):
    job = ImportJob(cohort_id=cohort.id, created_by_id=coordinator.id, action="import", consent_confirmed=True,
                    consent_on=date(2026, 9, 1), consent_channel="paper", filename="big.csv", size=1,
                    data=csv_bytes(_rows(1_200)), state=QUEUED)
    db.session.add(job)
    db.session.flush()
    seen = []

    def commit():
        # What another process would see at each commit: the state, the progress, whether rows are written.
        written = db.session.execute(select(func.count()).select_from(Application)).scalar_one()
        seen.append((job.state, job.progress, written))

    assert jobs.run(db.session, job.id, commit=commit) == DONE
    assert seen == [(READING, 0, 0), (CHECKING, 0, 0), (CHECKING, 500, 0), (CHECKING, 1_000, 0), (WRITING, 1_000, 0),
                    (DONE, 1_200, 1_200)]
    assert job.data is None and job.report["imported"] == 1_200 and job.finished_at is not None
    # A second run of the same job (a retried task) does nothing.
    assert jobs.run(db.session, job.id, commit=commit) == DONE
    assert _count(db, Application, cohort) == 1_200


def test_a_worker_marks_a_job_that_broke_off_as_failed(db, host_city, cohort, monkeypatch):
    from mentorby.platform import tasks as platform_tasks
    from mentorby.tenants.transfer import tasks

    job = ImportJob(cohort_id=cohort.id, action="check", filename="x.csv", size=1, data=b"x", state=QUEUED)
    db.session.add(job)
    db.session.commit()  # as the request that queued it did
    job_id = job.id

    def broken(session, job_id, commit=None):
        raise RuntimeError("a bug")

    monkeypatch.setattr(jobs, "run", broken)
    # As a worker runs it: outside any request, with commits of its own.
    monkeypatch.setattr(platform_tasks, "in_request", lambda: False)
    city_id = host_city.id
    assert tasks.run_import.call_local(city_id, job_id) == "failed"
    seen = db.session.execute(select(ImportJob).where(ImportJob.id == job_id)).scalar_one()
    assert (seen.state, seen.data) == (FAILED, None)


def test_a_job_is_queued_only_once_its_request_has_committed(db, host_city, coordinator, cohort, monkeypatch):
    from mentorby.tenants.transfer import tasks

    queued = []
    monkeypatch.setattr(tasks.huey, "immediate", False)
    monkeypatch.setattr(tasks, "run_import", lambda tenant_id, job_id: queued.append((tenant_id, job_id)))
    outcome = jobs.submit(db.session, cohort, "big.csv", csv_bytes(_rows(BIG)), action="check",
                          consent_confirmed=False, by_user_id=coordinator.id)
    assert outcome.job.state == QUEUED and queued == []
    db.session.commit()
    assert queued == [(host_city.id, outcome.job.id)]
    jobs.submit(db.session, cohort, "big.csv", csv_bytes(_rows(BIG)), action="check", consent_confirmed=False,
                by_user_id=coordinator.id)
    db.session.rollback()
    assert len(queued) == 1  # the job of a request that failed never reaches a worker


def test_old_jobs_are_purged_in_every_city(db, host_city, other_city, create_cohort, cohort, as_city):
    elsewhere = create_cohort(other_city)
    now = utcnow()
    for city, round_ in ((host_city, cohort), (other_city, elsewhere)):
        as_city(city)
        db.session.add_all([
            ImportJob(cohort_id=round_.id, action="check", filename="old.csv", size=1, state=DONE,
                      updated_at=now - jobs.KEEP_FOR - timedelta(hours=1)),
            ImportJob(cohort_id=round_.id, action="check", filename="new.csv", size=1, state=DONE,
                      updated_at=now - timedelta(days=1)),
        ])
        db.session.flush()
    assert jobs.purge(db.session, now) == 2
    for city, round_ in ((host_city, cohort), (other_city, elsewhere)):
        as_city(city)
        assert [job.filename for job in _jobs(db, round_)] == ["new.csv"]
