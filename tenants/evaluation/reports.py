"""The round's evaluation report as a PDF, built in the task queue so that a web worker never waits for it.

A coordinator asks for a report; the request only writes an EvaluationReport (queued) and hands it to the queue once
its transaction has committed (with HUEY_IMMEDIATE, in development and tests, it is built at once, inside the
request). The task counts the answers, renders the report's HTML (the page's tables and SVG charts, with a print
style sheet) and has WeasyPrint make the PDF, saving its progress at each step for the page's progress bar.
A round keeps only its newest report: starting one deletes the older finished ones.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mentorby.platform import clock
from mentorby.platform.cities.models import Tenant
from mentorby.platform.tasks import after_commit
from mentorby.platform.tenancy import session_tenant_id, utcnow
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.evaluation import charts, figures
from mentorby.tenants.evaluation.models import (
    DONE,
    DRAWING,
    FAILED,
    GATHERING,
    PRINTING,
    QUEUED,
    REPORT_DAYS,
    RUNNING,
    EvaluationReport,
    ReportState,
)
from mentorby.tenants.programme.models import Respondents
from mentorby.tenants.surveys.statistics import MINIMUM
from mentorby.tenants.transfer.exporting import slug

#: A report that has not moved for this long was lost (its worker stopped); the page says so and offers a new one.
STALLED_AFTER = timedelta(minutes=10)
#: The template of the PDF (the page's tables and charts with a print style sheet).
TEMPLATE = "evaluation/report_pdf.html"
log = logging.getLogger(__name__)


def start(session: Session, cohort: Cohort, *, by_user_id: int | None, locale: str) -> EvaluationReport:
    """Ask for a new report of the round in `locale`; it is built in the task queue."""
    session.execute(delete(EvaluationReport).where(EvaluationReport.cohort_id == cohort.id,
                                                   EvaluationReport.state.in_((DONE, FAILED)))
                    .execution_options(synchronize_session=False))
    report = EvaluationReport(cohort_id=cohort.id, created_by_id=by_user_id, locale=locale if locale == "da" else "en",
                              state=QUEUED, progress=0)
    session.add(report)
    session.flush()
    from mentorby.tenants.evaluation.tasks import build_report

    after_commit(session, build_report, report.tenant_id, report.id)
    return report


def latest(session: Session, cohort: Cohort) -> EvaluationReport | None:
    """The round's newest report, if any."""
    return session.execute(select(EvaluationReport).where(EvaluationReport.cohort_id == cohort.id)
                           .order_by(EvaluationReport.created_at.desc(), EvaluationReport.id.desc())
                           .limit(1)).scalar_one_or_none()


def stalled(report: EvaluationReport, now: datetime) -> bool:
    """Whether a report that has not finished has stopped moving (its worker was lost)."""
    return report.state in RUNNING and now - report.updated_at > STALLED_AFTER


def _step(report: EvaluationReport, state: ReportState, progress: int, save) -> None:
    report.state, report.progress, report.updated_at = state, progress, utcnow()
    save()


def helpers(session: Session, locale: str) -> dict:
    """What the evaluation's templates use besides their figures: number formats, chart geometry, labels."""
    return {"locale": locale, "percent": figures.percent, "bar": charts.bar, "charts": charts,
            "city": session.get(Tenant, session_tenant_id(session)), "minimum": MINIMUM,
            "respondents": lambda role: Respondents(role).label}


def context(session: Session, evaluation: figures.Evaluation, locale: str) -> dict:
    """What the report's template needs, on the page and in the PDF."""
    return helpers(session, locale) | {"evaluation": evaluation}


def run(session: Session, report_id: int, *, commit=None) -> str:
    """Build a queued report: count, draw, print; returns its state.

    `commit` saves the progress where the page can see it (the worker's commit); without it (in a request) each step
    is flushed and the request commits.
    """
    save = commit or session.flush
    report = session.execute(select(EvaluationReport).where(EvaluationReport.id == report_id)).scalar_one_or_none()
    if report is None or report.state != QUEUED:
        log.warning("evaluation report %s is not waiting to be built", report_id)
        return report.state.value if report else "missing"
    cohort = session.execute(select(Cohort).where(Cohort.id == report.cohort_id)).scalar_one()
    from weasyprint import HTML  # a heavy import, only where a PDF is made

    with force_locale(report.locale):
        _step(report, GATHERING, 10, save)
        evaluation = figures.evaluate_round(session, cohort)
        _step(report, DRAWING, 35, save)
        html = render_template(TEMPLATE, made_on=clock.today(), **context(session, evaluation, report.locale))
        _step(report, PRINTING, 60, save)
        # The report holds everything it shows (inline SVG and CSS): it fetches nothing, not even a local file.
        pdf = HTML(string=html, base_url=None, url_fetcher=_fetch_nothing).write_pdf()
    report.pdf, report.size, report.finished_at = pdf, len(pdf), utcnow()
    _step(report, DONE, 100, save)
    return report.state.value


def _fetch_nothing(url: str, *args, **kwargs):
    raise ValueError(f"the evaluation report fetches nothing ({url[:60]})")


def fail(session: Session, report_id: int) -> None:
    """Mark a report whose building broke off as failed (the worker then commits)."""
    report = session.execute(select(EvaluationReport).where(EvaluationReport.id == report_id)).scalar_one_or_none()
    if report is not None and report.state in RUNNING:
        report.state, report.finished_at = FAILED, utcnow()
        report.updated_at = report.finished_at


def pdf_of(session: Session, report: EvaluationReport) -> bytes | None:
    """The finished report's PDF."""
    return report.pdf if report.state == DONE else None


def filename(cohort: Cohort, report: EvaluationReport) -> str:
    """The download's name: ASCII letters, digits and hyphens only."""
    return f"{slug(cohort.name) or 'round'}-evaluation-{clock.local(report.created_at).date().isoformat()}.pdf"


#: A report quotes people's words: it is kept this long after it was made, then deleted (make a new one any time).
KEEP_FOR = timedelta(days=REPORT_DAYS)


def purge(session: Session, now: datetime) -> int:
    """Delete, in every city, the reports made more than KEEP_FOR ago; returns how many."""
    from mentorby.platform.cities.services import delete_in_each_city

    return delete_in_each_city(session, EvaluationReport, EvaluationReport.created_at < now - KEEP_FOR)
