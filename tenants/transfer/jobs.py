"""Imports too large for a request: run in the task queue as jobs, with their progress kept for the page to show.

A web worker spends at most a moment on an upload: a file of up to INLINE_BYTES is read within INLINE_LIMITS
(a couple of thousand rows) and checked or imported at once; anything larger, or crossing those limits, is kept
as an ImportJob and run by the task queue (`tenants.transfer.tasks.run_import`), which reads it within the full limits,
checks it with its progress saved every few hundred rows, and imports it all or nothing as the request would.
The job is handed to the queue once the request's transaction has committed, so the worker always finds it; with
HUEY_IMMEDIATE (development, tests) it runs at once, inside the request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorby.platform import clock
from mentorby.platform.audit.listener import set_actor
from mentorby.platform.tasks import after_commit
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications import consent
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.transfer import filing, reading
from mentorby.tenants.transfer.checks import FileProblem, ImportRejected, LimitExceeded, Report, Summary
from mentorby.tenants.transfer.models import (
    CHECKING,
    DONE,
    FAILED,
    IMPORT,
    IMPORT_DAYS,
    QUEUED,
    READING,
    RUNNING,
    WRITING,
    ImportJob,
)
from mentorby.tenants.transfer.schema import LIMITS, NOT_STATED, ConsentDefault, read_file

#: Files up to this size are read in the request (within INLINE_LIMITS); larger ones go to the task queue.
INLINE_BYTES = 1024 * 1024
#: What the request reads of a small file before it hands the file to the queue instead.
INLINE_LIMITS = replace(LIMITS, bytes=INLINE_BYTES, rows=2_000, cells=2_001 * LIMITS.columns,
                        strings=12 * 2_001, characters=INLINE_BYTES)
#: A job that has not moved for this long was lost (its worker stopped); the page says so.
STALLED_AFTER = timedelta(minutes=15)
#: Finished jobs (their reports quote cells of personal data) are deleted after this long.
KEEP_FOR = timedelta(days=IMPORT_DAYS)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What an upload led to: a report now, or a job to follow."""

    report: Report | None = None
    job: ImportJob | None = None


def submit(session: Session, cohort: Cohort, filename: str, data: bytes, *, action: str, consent_confirmed: bool,
           by_user_id: int | None, consent_default: ConsentDefault = NOT_STATED,
           consent_version: str = consent.CURRENT) -> Outcome:
    """Check or import an upload: a small file at once (its report, or ImportRejected), a larger one as a job.

    `consent_default` is the day and channel the form states for the rows that do not say how and when the city
    collected consent; `consent_version` the text and notice version the imported people are recorded as agreeing to.
    """
    importing = action == IMPORT
    how = {"consent_default": consent_default, "consent_version": consent_version}
    small = len(data) <= INLINE_BYTES
    if not small and len(data) <= LIMITS.bytes:
        try:
            reading.file_format(filename, data)
        except FileProblem as problem:
            return _refused(problem, importing, consent_confirmed)
        return _queue(session, cohort, filename, data, action, consent_confirmed, by_user_id, **how)
    try:
        sheet = read_file(filename, data, limits=INLINE_LIMITS if small else LIMITS)
    except LimitExceeded as problem:
        if not (small and _only_inline(problem)):
            return _refused(problem, importing, consent_confirmed)
        return _queue(session, cohort, filename, data, action, consent_confirmed, by_user_id, **how)
    except FileProblem as problem:
        return _refused(problem, importing, consent_confirmed)
    if importing:
        return Outcome(report=filing.import_rows(session, cohort, sheet, consent_confirmed=consent_confirmed,
                                                 by_user_id=by_user_id, **how))
    return Outcome(report=filing.check_rows(session, cohort, sheet, consent_default=consent_default))


def _only_inline(problem: LimitExceeded) -> bool:
    """Whether the limit crossed is one the task queue allows more of (too many columns is too many anywhere)."""
    names = {code: name for name, code in reading.LIMIT_CODES.items()}
    name = names.get(problem.problems[0].code)
    return name is not None and getattr(INLINE_LIMITS, name) < getattr(LIMITS, name)


def _refused(problem: FileProblem, importing: bool, consent_confirmed: bool) -> Outcome:
    if importing:
        raise filing.refused_file(problem, consent_confirmed=consent_confirmed) from problem
    return Outcome(report=filing.ApplicationReport(problems=problem.problems))


def _queue(session: Session, cohort: Cohort, filename: str, data: bytes, action: str, consent_confirmed: bool,
           by_user_id: int | None, *, consent_default: ConsentDefault, consent_version: str) -> Outcome:
    """A job for the file, unless what the job would refuse whatever the file holds is known already."""
    problems = [problem for problem in (filing.consent_problem() if action == IMPORT and not consent_confirmed
                                        else None, filing.phase_problem(cohort)) if problem]
    problems += filing.check_default(consent_default, clock.today())
    if problems:
        report = filing.ApplicationReport(problems=problems)
        if action == IMPORT:
            raise ImportRejected(report)
        return Outcome(report=report)
    job = ImportJob(cohort_id=cohort.id, created_by_id=by_user_id, action=action, consent_confirmed=consent_confirmed,
                    consent_on=consent_default.on, consent_channel=consent_default.channel or "",
                    consent_version=consent_version, filename=(filename or "")[:200], size=len(data), data=data,
                    state=QUEUED)
    session.add(job)
    session.flush()
    from mentorby.tenants.transfer.tasks import run_import

    after_commit(session, run_import, job.tenant_id, job.id)
    return Outcome(job=job)


def _step(job: ImportJob, state: str, commit) -> None:
    job.state = state
    job.updated_at = utcnow()
    commit()


def run(session: Session, job_id: int, *, commit=None) -> str:
    """Run a queued job: read the file, check every row (saving the progress), import if asked; returns its state.

    `commit` saves the progress where someone else can see it (the worker's commit); without it (in a request)
    everything is flushed and the request commits. The import itself is all or nothing either way.
    """
    save = commit or session.flush
    job = session.execute(select(ImportJob).where(ImportJob.id == job_id)).scalar_one_or_none()
    if job is None or job.state != QUEUED:
        log.warning("import job %s is not waiting to run", job_id)
        return job.state if job else "missing"
    set_actor(session, job.created_by_id, "coordinator")
    cohort = session.execute(select(Cohort).where(Cohort.id == job.cohort_id)).scalar_one()
    importing = job.action == IMPORT
    _step(job, READING, save)
    try:
        sheet = read_file(job.filename, job.data or b"")
    except FileProblem as problem:
        report = (filing.refused_file(problem, consent_confirmed=job.consent_confirmed).report if importing
                  else filing.ApplicationReport(problems=problem.problems))
        return _finish(job, report, save)
    job.total = len(sheet.rows)
    _step(job, CHECKING, save)

    def progress(done: int) -> None:
        job.progress = done
        _step(job, CHECKING, save)

    default = ConsentDefault(job.consent_on, job.consent_channel or None)
    if not importing:
        return _finish(job, filing.check_rows(session, cohort, sheet, progress=progress, consent_default=default),
                       save)
    try:
        report = filing.import_rows(session, cohort, sheet, consent_confirmed=job.consent_confirmed,
                                    by_user_id=job.created_by_id, progress=progress,
                                    writing=lambda: _step(job, WRITING, save), consent_default=default,
                                    consent_version=job.consent_version or consent.CURRENT)
    except ImportRejected as rejected:
        report = rejected.report
    return _finish(job, report, save)


def _finish(job: ImportJob, report: Report, save) -> str:
    job.report = report.summary().to_json()
    job.progress = job.total = report.total
    job.data = None
    job.finished_at = utcnow()
    _step(job, DONE, save)
    return job.state


def fail(session: Session, job_id: int) -> None:
    """Mark a job whose run broke off as failed, and drop its file (the worker then commits)."""
    job = session.execute(select(ImportJob).where(ImportJob.id == job_id)).scalar_one_or_none()
    if job is not None and job.state in RUNNING:
        job.data = None
        job.finished_at = utcnow()
        job.state = FAILED
        job.updated_at = job.finished_at


def summary(job: ImportJob) -> Summary | None:
    """The report of a finished job."""
    return Summary.from_json(job.report) if job.report else None


def stalled(job: ImportJob, now: datetime) -> bool:
    """Whether a job that has not finished has stopped moving (its worker was lost)."""
    return job.state in RUNNING and now - job.updated_at > STALLED_AFTER


def purge(session: Session, now: datetime) -> int:
    """Delete, in every city, the jobs that last moved more than KEEP_FOR ago; returns how many."""
    from mentorby.platform.cities.services import delete_in_each_city

    return delete_in_each_city(session, ImportJob, ImportJob.updated_at < now - KEEP_FOR)
