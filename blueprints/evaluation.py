"""The round's evaluation against the success criteria, its PDF report, and the city's rounds compared over time."""

import io

from flask import abort, redirect, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user

from mentorby.blueprints.common import CityBlueprint, cohort_view, loads, render
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.audit.listener import record
from mentorby.platform.extensions import db, htmx
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.evaluation import figures, national, reports
from mentorby.tenants.evaluation.models import EvaluationReport

bp = CityBlueprint("evaluation", __name__, url_prefix="/coordinator", access=(COORDINATOR,))


def _locale() -> str:
    return str(get_locale() or "en")


def _surveys_url(cohort: Cohort) -> str:
    """The round's surveys page, where the surveys the evaluation reads are sent."""
    return url_for("surveys.round_surveys", cohort_id=cohort.id)


@bp.get("/cohorts/<int:cohort_id>/evaluation")
@cohort_view
def cohort(cohort: Cohort):
    """The round against every success criterion: table, charts, participation, quotes, and the PDF report."""
    evaluation = figures.evaluate_round(db.session, cohort)
    report = reports.latest(db.session, cohort)
    # Beside the national figures of the round's year (read once, from the platform's rollups).
    national_rows = list(zip(evaluation.rows, national.for_round(db.session, evaluation), strict=True))
    return render("evaluation/cohort.html", report=report, stalled=bool(report and reports.stalled(report, utcnow())),
                  surveys_url=_surveys_url(cohort), national_rows=national_rows,
                  **reports.context(db.session, evaluation, _locale()))


@bp.post("/cohorts/<int:cohort_id>/evaluation/reports")
@cohort_view
def start_report(cohort: Cohort):
    """Ask for the round's report as a PDF: it is made in the task queue; its page shows the progress."""
    report = reports.start(db.session, cohort, by_user_id=current_user.id, locale=_locale())
    return redirect(url_for("evaluation.report", cohort_id=cohort.id, report_id=report.id))


@bp.get("/cohorts/<int:cohort_id>/evaluation/reports/<int:report_id>")
@cohort_view
@loads("report", EvaluationReport, "report_id", within="cohort")
def report(cohort: Cohort, report: EvaluationReport):
    """A report's progress (htmx polls it every second) and its download once done."""
    response = render("evaluation/report.html", "status", cohort=cohort, report=report,
                      stalled=reports.stalled(report, utcnow()), polled=bool(htmx) and not htmx.history_restore_request)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cohorts/<int:cohort_id>/evaluation/reports/<int:report_id>/pdf")
@cohort_view
@loads("report", EvaluationReport, "report_id", within="cohort")
def download(cohort: Cohort, report: EvaluationReport):
    """The finished report as a PDF file (quotes are personal data: never cached)."""
    data = reports.pdf_of(db.session, report)
    if data is None:
        abort(404)
    # The report quotes people's own words: the city's audit log says who took it, and when.
    record(db.session, action="export", entity="cohort", entity_id=cohort.id,
           details={"report": "evaluation", "format": "pdf"})
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=reports.filename(cohort, report), max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/evaluation")
def compare():
    """The city's rounds side by side against every success criterion, with each criterion's trend."""
    comparison = figures.compare(db.session)
    national_rows = list(zip(comparison.series, national.for_comparison(db.session, comparison), strict=True)) \
        if comparison.cohorts else []
    return render("evaluation/compare.html", comparison=comparison, national_rows=national_rows,
                  **reports.helpers(db.session, _locale()))
