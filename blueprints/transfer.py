"""Import applications from an earlier spreadsheet and export a round's participants (CSV and XLSX)."""


from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.routing import BuildError
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import Optional

from mentorby.blueprints.common import CityBlueprint, choices, cohort_view, loads, render
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import (
    AREA_MESSAGES,
    AVAILABILITY_LABELS,
    DANISH_LEVEL_LABELS,
    FIELD_LABELS,
    FORMAT_LABELS,
    LANGUAGE_LABELS,
    message,
    register,
)
from mentorby.blueprints.notice import current_consent_version
from mentorby.platform import clock
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.audit.listener import record
from mentorby.platform.extensions import db, htmx
from mentorby.platform.tenancy import current_city, utcnow
from mentorby.tenants.applications import consent
from mentorby.tenants.applications.models import ACCEPTED, CITY_CHANNELS, STATUSES, ConsentChannel
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.surveys.models import Employment, QuestionKind, SurveySend
from mentorby.tenants.transfer import answers, exporting, jobs, schema
from mentorby.tenants.transfer.checks import ImportRejected, Problem, Summary
from mentorby.tenants.transfer.models import IMPORT, ImportJob
from mentorby.tenants.transfer.reading import FORMATS_ACCEPTED

bp = CityBlueprint("transfer", __name__, url_prefix="/coordinator/cohorts", access=(COORDINATOR,))

#: Room for the multipart envelope and the other form fields around an upload of the largest file taken.
UPLOAD_OVERHEAD = 256 * 1024
#: The report lists at most this many problems on the page (it counts them all).
SHOWN_PROBLEMS = 1000

#: Messages for the codes of the import; codes not here are the applications' own (blueprints.messages).
MESSAGES = register("transfer", {
    # the file as a whole
    "file_type": _l("Choose a .csv or .xlsx file: save the spreadsheet as “CSV UTF-8” or as an Excel workbook."),
    "file_empty": _l("The file is empty."),
    "file_too_large": _l("The file is larger than %(megabytes)d MB. Split it into smaller files."),
    "too_many_rows": _l("The file has more than %(max)s rows. Split it into smaller files."),
    "too_many_columns": _l("Column %(letter)s has data, but a file may have at most %(max)s columns. Keep only the "
                           "columns of the template."),
    "too_many_cells": _l("The file has more than %(max)s cells, more than an import can hold. Split it into smaller "
                         "files, or remove what is not in the template."),
    "too_many_strings": _l("The file has more than %(max)s different texts, more than an import can hold. Split it "
                           "into smaller files."),
    "too_many_characters": _l("The file has more than %(max)s characters of text, more than an import can hold. "
                              "Split it into smaller files."),
    "unreadable_csv": _l("The file could not be read as CSV. Save it as “CSV UTF-8” and try again."),
    "unknown_encoding": _l("The text of the file could not be read: its encoding is not one we know. Save it as "
                           "“CSV UTF-8” and try again."),
    "replacement_characters": _l("Some letters in the file were lost in an earlier conversion and show as “�”, for "
                                 "example in “%(sample)s”. Save the original spreadsheet as “CSV UTF-8” and try "
                                 "again."),
    "garbled_text": _l("Letters in the file are garbled, for example “%(sample)s”: the text was converted to another "
                       "encoding before. Save the original spreadsheet as “CSV UTF-8” and try again."),
    "unreadable_xlsx": _l("The file could not be read as an Excel workbook. Save it again as .xlsx and try again."),
    "no_header": _l("The first row must name the columns, as in the template."),
    "unknown_columns": _l("Unknown columns: %(columns)s. Use the column names of the template."),
    "duplicate_columns": _l("These columns appear more than once: %(columns)s."),
    "missing_columns": _l("These columns are missing: %(columns)s."),
    "unnamed_column": _l("Column %(letter)s has data but no name in the first row."),
    "no_rows": _l("The file has no applications below the header row."),
    "import_consent_required": _l("Tick the box to confirm that everyone in the file agreed; without it nothing is "
                                  "imported."),
    "import_consent_date_required": _l("Give the day the people in the file agreed: here for the whole file, or in "
                                       "the file's consent_date column."),
    "import_consent_channel_required": _l("Choose how the city collected their consent: here for the whole file, or "
                                          "in the file's consent_channel column."),
    "consent_date_future": _l("The day of the consent lies in the future."),
    "consent_date_missing": _l("Fill in the day this person agreed, or give a day for the whole file on the form."),
    "consent_channel_missing": _l("Fill in how this person's consent was collected, or choose one for the whole "
                                  "file on the form."),
    "import_mentors_full": _l("The round takes %(capacity)d mentors and %(accepted)d are accepted; the file would "
                              "accept %(adding)d more. Raise the capacity or give fewer rows the status accepted."),
    "import_mentees_full": _l("The round takes %(capacity)d mentees and %(accepted)d are accepted; the file would "
                              "accept %(adding)d more. Raise the capacity or give fewer rows the status accepted."),
    "import_decisions_not_yet": _l("The round is not recruiting yet: import every row with the status submitted, "
                                   "or open recruitment first."),
    # one cell
    "unknown_code": _l("“%(value)s” is not one of the codes: %(allowed)s."),
    "bad_date": _l("Write the date as yyyy-mm-dd, dd-mm-yyyy or dd.mm.yyyy."),
    "already_in_round": _l("This e-mail address already has an application in this round."),
    "duplicate_in_file": _l("This e-mail address is also on row %(first)d: one application per address and round."),
    # a file of survey answers
    "no_answers": _l("The file has no answers below the header row."),
    "unknown_answer_columns": _l("Unknown columns: %(columns)s. Use the survey's question keys, as in the template."),
    "answer_duplicate": _l("This e-mail address is also on row %(first)d: one row per person."),
    "answer_not_in_round": _l("Nobody who takes part in this round has this e-mail address."),
    "answer_not_in_audience": _l("This person takes part as %(role)s, but this survey asks %(audience)s."),
    "answer_not_sent_to": _l("This person was not yet accepted when the survey went out to the round, so it was not "
                             "sent to them."),
    "answer_already_given": _l("This person already answered through their personal link on %(date)s."),
    "answer_already_imported": _l("This person's answers were already imported (dated %(date)s)."),
    "answer_date_future": _l("The date lies in the future."),
    "answer_not_asked": _l("This question is for %(asked)s only: leave it empty for this person (%(role)s)."),
    "answer_hidden": _l("This person is not asked this question, because of their answer to %(key)s: leave it "
                        "empty."),
    "answer_required": _l("This question needs an answer."),
    "answer_out_of_range": _l("Write a whole number from %(min)s to %(max)s."),
    "answer_not_a_number": _l("Write a whole number."),
    "answer_one_choice": _l("Give one answer only."),
    "answer_too_long": _l("At most %(max)s characters."),
    "bad_answer": _l("The answer contains characters that cannot be stored."),
})
#: Words for the roles and audiences that the messages of a file of answers name.
ANSWER_PARAMS = {
    "role": {"mentor": _l("a mentor"), "mentee": _l("a mentee"), "company": _l("a company contact")},
    "asked": {"mentor": _l("mentors"), "mentee": _l("mentees"), "everyone": _l("everyone")},
    "audience": {"mentor": _l("mentors only"), "mentee": _l("mentees only"), "both": _l("mentors and mentees"),
                 "company": _l("company contacts only")},
}

#: What each column of the file takes, for the page's column guide.
COLUMN_HELP = {
    "role": _l("mentor or mentee"),
    "name": _l("The person's name"),
    "email": _l("Their e-mail address; one application per address and round"),
    "phone": _l("Digits, spaces and an optional +"),
    "locale": _l("da or en: the language their e-mails come in (empty: en)"),
    "field": _l("Their professional field, one code"),
    "languages": _l("Languages they speak: codes separated by commas, semicolons or spaces"),
    "availability": _l("When they can meet: codes separated by commas, semicolons or spaces"),
    "education": _l("Mentees: their education"),
    "years_experience": _l("Mentees: years of work experience, a whole number from 0 to 60"),
    "job_goal": _l("Mentees: the job they aim for"),
    "danish_level": _l("Mentees: their Danish, one code"),
    "arrived_on": _l("Mentees: when they came to Denmark, as yyyy-mm-dd, dd-mm-yyyy or dd.mm.yyyy"),
    "partner_employer": _l("Mentees: where their partner works"),
    "employer": _l("Mentors: where they work"),
    "job_title": _l("Mentors: their job title"),
    "industry": _l("Mentors: their employer's industry, one field code"),
    "expertise": _l("Mentors: keywords of what they know"),
    "mentoring_format": _l("Mentors: one mentee, a group, or either"),
    "mentee_capacity": _l("Mentors: how many mentees they can take, 1 to 5 (empty: 1)"),
    "motivation": _l("Mentors: why they take part"),
    "status": _l("The application's status (empty: submitted, a new application)"),
    "consent_date": _l("Optional: the day the person agreed to the data-processing text (empty: the day given on the "
                       "form)"),
    "consent_channel": _l("Optional: how the city collected their consent (empty: the way chosen on the form)"),
}
#: The codes a column takes, with their labels, for the column guide.
COLUMN_CODES = {
    "field": FIELD_LABELS,
    "industry": FIELD_LABELS,
    "languages": LANGUAGE_LABELS,
    "availability": AVAILABILITY_LABELS,
    "danish_level": DANISH_LEVEL_LABELS,
    "mentoring_format": FORMAT_LABELS,
    "consent_channel": {channel.value: channel._label for channel in CITY_CHANNELS},
}
#: Columns required for every row, and for the rows of one role.
REQUIRED_FOR = {
    **dict.fromkeys(schema.REQUIRED_COLUMNS, _l("every row")),
    **dict.fromkeys(schema.ROLE_COLUMNS["mentee"], _l("mentees")),
    **dict.fromkeys(schema.ROLE_COLUMNS["mentor"], _l("mentors")),
}


def problem_message(problem: Problem) -> str:
    """A problem of the import in the page's language, with its parameters filled in (limits as "20,000")."""
    params = dict(problem.params)
    if isinstance(params.get("max"), int):
        params["max"] = format_decimal(params["max"])
    for name, words in ANSWER_PARAMS.items():
        if problem.code.startswith("answer_") and params.get(name) in words:
            params[name] = words[params[name]]
    # Refusals of sending that an import of answers can meet are the surveys area's.
    return message(problem.code, {**AREA_MESSAGES.get("surveys", {}), **MESSAGES}, **params)


class ImportForm(Form):
    """A spreadsheet of applications, and the coordinator's word that the people in it consented."""

    file = FileField(
        _l("Spreadsheet (CSV or Excel .xlsx)"),
        description=_l("At most %(megabytes)d MB and %(rows)d rows. The first row names the columns.",
                       megabytes=schema.MAX_BYTES // (1024 * 1024), rows=schema.MAX_ROWS),
        validators=[
            FileRequired(_l("Choose the file to import.")),
            FileAllowed(list(FORMATS_ACCEPTED), MESSAGES["file_type"]),
        ],
    )
    consent = BooleanField(
        _l("The people in this file agreed to the data-processing text"),
        # Shown above the box with the text itself (the field macro points the box at it with aria-describedby).
        description=_l("Imported applications record that the person agreed to this data-processing text and the "
                       "city's privacy notice. Tick the box only if everyone in the file agreed to it, for example "
                       "on the paper or e-mail application you collected:"),
    )
    consent_on = DateField(
        _l("The day they agreed"), validators=[Optional()],
        description=_l("For the whole file; a consent_date column in the file gives each person's own day."))
    consent_channel = SelectField(
        _l("How the city collected their consent"), validate_choice=False,
        choices=lambda: choices([("", _("In the file's consent_channel column")),
                                 *ConsentChannel.choices(CITY_CHANNELS)]),
        description=_l("For the whole file; a consent_channel column in the file gives each person's own."))


@bp.url_value_preprocessor
def allow_large_upload(endpoint, values):
    """Cut the import page's uploads off just above schema.MAX_BYTES, so a bigger file never reaches the parser.

    A URL value preprocessor runs before any before_request hook, so before CSRF protection reads the form.
    """
    if endpoint == "transfer.import_applications":
        request.max_content_length = schema.MAX_BYTES + UPLOAD_OVERHEAD
    elif endpoint == "transfer.import_answers":
        request.max_content_length = answers.MAX_BYTES + UPLOAD_OVERHEAD


def _round_url(cohort: Cohort) -> str | None:
    # The round's page belongs to the cohorts blueprint; until it exists the import page is the way back.
    try:
        return url_for("cohorts.show", cohort_id=cohort.id)
    except BuildError:
        return None


#: The import form's fields that a problem of the whole file can name.
CONSENT_FIELDS = ("consent", "consent_on", "consent_channel")


def _show(form: ImportForm, summary: Summary | None) -> tuple[list[dict], int]:
    """Put the file's own problems on the form's fields (the error summary links them); cells go in the table.

    Returns the table's rows (at most SHOWN_PROBLEMS) and how many cell problems there are in all.
    """
    if summary is None:
        return [], 0
    for problem in summary.file_problems:
        target = form[problem.column] if problem.column in CONSENT_FIELDS and problem.column in form else form.file
        target.errors.append(_row_message(problem))
    return _cell_rows(summary), summary.cell_problems


def _row_message(problem: Problem) -> str:
    text = problem_message(problem)
    return _("Row %(row)d: %(message)s", row=problem.row, message=text) if problem.row else text


def _cell_rows(summary: Summary) -> list[dict]:
    return [{"row": problem.row, "column": problem.column, "value": problem.value, "message": problem_message(problem)}
            for problem in summary.cells[:SHOWN_PROBLEMS]]


def _page(form: ImportForm, cohort: Cohort, summary: Summary | None, action: str, status: int):
    problems, problem_count = _show(form, summary)
    return render(
        "transfer/import.html", status=status, form=form, cohort=cohort, report=summary, problems=problems,
        problem_count=problem_count, action=action, round_url=_round_url(cohort), statuses=STATUSES,
        columns=schema.IMPORT_COLUMNS, column_help=COLUMN_HELP, column_codes=COLUMN_CODES, required_for=REQUIRED_FOR,
        consent_text=consent.consent_text(current_consent_version(), str(get_locale() or "en"), current_city.name),
        can_import=phases.allows(cohort, "import"), phase_message=message("phase_import"),
        background_rows=format_decimal(jobs.INLINE_LIMITS.rows),
    )


@bp.route("/<int:cohort_id>/import", methods=["GET", "POST"])
@cohort_view
def import_applications(cohort: Cohort):
    """Check a spreadsheet of applications (a dry run), or import it into the round: every row or none.

    A small file is done at once; a larger one becomes a job of the task queue, whose page shows its progress.
    """
    form = ImportForm()
    action = IMPORT if request.form.get("action") == IMPORT else "check"
    if not form.validate_on_submit():
        return _page(form, cohort, None, action, 422 if form.is_submitted() else 200)
    upload = form.file.data
    # One byte past the limit is enough to refuse the file as too large.
    data = upload.read(schema.MAX_BYTES + 1)
    try:
        outcome = jobs.submit(db.session, cohort, upload.filename or "", data, action=action,
                              consent_confirmed=form.consent.data, by_user_id=current_user.id,
                              consent_default=schema.ConsentDefault(form.consent_on.data,
                                                                    form.consent_channel.data or None),
                              consent_version=current_consent_version())
    except ImportRejected as rejected:
        report = rejected.report
        if report.bad_rows:
            form.file.errors.append(ngettext(
                "%(num)d row has problems: see the list below. Nothing was imported.",
                "%(num)d rows have problems: see the list below. Nothing was imported.",
                report.bad_rows))
        return _page(form, cohort, report.summary(), action, 422)
    if outcome.job is not None:
        return redirect(url_for("transfer.import_job", cohort_id=cohort.id, job_id=outcome.job.id))
    summary = outcome.report.summary()
    if action == IMPORT:
        flash(ngettext("%(num)d application imported.", "%(num)d applications imported.", summary.imported), "info")
        return redirect(_round_url(cohort) or url_for("transfer.import_applications", cohort_id=cohort.id))
    # The dry run of a readable file answers with its report, bad rows and all; a file that cannot be read or
    # imported as a whole (its type, header, size, the round's phase) is refused.
    return _page(form, cohort, summary, action, 422 if summary.file_problems else 200)


@bp.get("/<int:cohort_id>/import/<int:job_id>")
@cohort_view
@loads("job", ImportJob, "job_id", within="cohort")
def import_job(cohort: Cohort, job: ImportJob):
    """The progress of a large file being checked or imported, and its report once done (htmx polls the status)."""
    summary = jobs.summary(job)
    cells = _cell_rows(summary) if summary else []
    response = render(
        "transfer/job.html", "status", job=job, cohort=cohort, report=summary, problems=cells,
        problem_count=summary.cell_problems if summary else 0, action=job.action,
        file_messages=[_row_message(problem) for problem in summary.file_problems] if summary else [],
        stalled=jobs.stalled(job, utcnow()), round_url=_round_url(cohort),
        polled=bool(htmx) and not htmx.history_restore_request,
        done=format_decimal(job.progress), total=format_decimal(job.total),
    )
    # Never a copy from a cache: the page changes as the job runs, and its report quotes personal data.
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(body: bytes, fmt: str, name: str):
    response = make_response(body)
    response.headers["Content-Type"] = exporting.MIMETYPES[fmt]
    # The name is a slug of ASCII letters, digits and hyphens: no quoting or encoding needed.
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # Personal data: no copy in the browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:cohort_id>/export.<fmt>")
@cohort_view
def export(cohort: Cohort, fmt: str):
    """Download the round's participants (?status= another status, or all) as CSV or XLSX, in the import's columns."""
    if fmt not in FORMATS_ACCEPTED:
        abort(404)
    status = request.args.get("status") or ACCEPTED
    if status != exporting.ALL and status not in STATUSES:
        abort(400)
    rows = exporting.applications(db.session, cohort, status)
    # Personal data leaving the platform: the city's audit log says who took which round's list, and when.
    record(db.session, action="export", entity="cohort", entity_id=cohort.id,
           details={"status": status, "format": fmt, "rows": len(rows)})
    today = clock.today()
    return _download(exporting.render(rows, fmt, title=cohort.name), fmt,
                     exporting.filename(cohort, status, fmt, today))


@bp.get("/<int:cohort_id>/import-template.<fmt>")
@cohort_view
def import_template(cohort: Cohort, fmt: str):
    """Download an empty import file: the header row with every column."""
    if fmt not in FORMATS_ACCEPTED:
        abort(404)
    name = f"{exporting.slug(cohort.name) or 'round'}-import-template.{fmt}"
    return _download(exporting.template(fmt), fmt, name)


# --- survey answers collected elsewhere, and a sent survey's raw answers -----------------------------------------


class AnswersImportForm(Form):
    """A spreadsheet of survey answers collected on paper or in another survey tool."""

    file = FileField(
        _l("Spreadsheet (CSV or Excel .xlsx)"),
        description=_l("At most %(megabytes)d MB and %(rows)d rows. The first row names the columns.",
                       megabytes=answers.MAX_BYTES // (1024 * 1024), rows=answers.MAX_ROWS),
        validators=[
            FileRequired(_l("Choose the file to import.")),
            FileAllowed(list(FORMATS_ACCEPTED), MESSAGES["file_type"]),
        ],
    )


def _target(cohort: Cohort, key: str) -> answers.Target:
    """The survey of the URL's key for this round (the version sent to it, else the current one), or 404."""
    found = answers.target(db.session, cohort, key)
    if found is None:
        abort(404)
    return found


def _question_guide(question) -> str:
    """What a question's column takes, in the page's language."""
    kind = question.kind
    if kind == QuestionKind.LIKERT:
        return _("A number from 1 (strongly disagree) to 5 (strongly agree)")
    if kind == QuestionKind.YES_NO:
        return _("yes or no (ja or nej)")
    if kind == QuestionKind.NUMBER:
        return _("A whole number from %(min)s to %(max)s", min=question.minimum, max=question.maximum)
    if kind == QuestionKind.TEXT:
        return _("Free text")
    if kind == QuestionKind.MULTIPLE:
        return _("One or more of the codes, separated by ; or ,")
    return _("One of the codes")


def _question_codes(question, locale: str) -> list[tuple[str, str]]:
    """The codes a question's column takes with their words (none for numbers, texts, yes/no and Likert steps)."""
    if question.kind == QuestionKind.EMPLOYMENT:
        return [(member.value, member.label) for member in Employment]
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return [(option["code"], option.get(locale) or option.get("en") or "") for option in question.options]
    return []


def _answers_page(form: AnswersImportForm, cohort: Cohort, where: answers.Target, summary: Summary | None,
                  action: str, status: int):
    problems, problem_count = _show(form, summary)
    locale = str(get_locale() or "en")
    questions = list(where.survey.questions)
    by_key = {question.key: question for question in questions}
    guide = [{"key": question.key, "text": question.text(locale), "what": _question_guide(question),
              "codes": _question_codes(question, locale), "required": question.required,
              "asked_of": question.asked_of, "show_if": question.show_if,
              "condition": by_key.get((question.show_if or {}).get("key"))} for question in questions]
    return render(
        "transfer/answers_import.html", status=status, form=form, cohort=cohort, survey=where.survey,
        send=where.send, report=summary, problems=problems, problem_count=problem_count, action=action,
        round_url=_round_url(cohort), guide=guide, locale=locale, can_import=phases.allows(cohort, "survey"),
        phase_message=message("phase_survey"), key=where.survey.key,
    )


@bp.route("/<int:cohort_id>/surveys/<key>/import", methods=["GET", "POST"])
@cohort_view
def import_answers(cohort: Cohort, key: str):
    """Check a spreadsheet of a survey's answers (a dry run), or import it into the round: every row or none."""
    where = _target(cohort, key)
    form = AnswersImportForm()
    action = IMPORT if request.form.get("action") == IMPORT else "check"
    if not form.validate_on_submit():
        return _answers_page(form, cohort, where, None, action, 422 if form.is_submitted() else 200)
    upload = form.file.data
    # One byte past the limit is enough to refuse the file as too large.
    data = upload.read(answers.MAX_BYTES + 1)
    try:
        report = answers.submit(db.session, cohort, where, upload.filename or "", data, action=action,
                                by_user_id=current_user.id)
    except ImportRejected as rejected:
        report = rejected.report
        if report.bad_rows:
            form.file.errors.append(ngettext(
                "%(num)d row has problems: see the list below. Nothing was imported.",
                "%(num)d rows have problems: see the list below. Nothing was imported.",
                report.bad_rows))
        return _answers_page(form, cohort, where, report.summary(), action, 422)
    summary = report.summary()
    if action == IMPORT:
        flash(ngettext("%(num)d person's answers imported.", "%(num)d people's answers imported.",
                       summary.imported), "info")
        if "surveys.round_surveys" in current_app.view_functions:
            return redirect(url_for("surveys.round_surveys", cohort_id=cohort.id))
        return redirect(url_for("transfer.import_answers", cohort_id=cohort.id, key=where.survey.key))
    return _answers_page(form, cohort, where, summary, action, 422 if summary.file_problems else 200)


@bp.get("/<int:cohort_id>/surveys/<key>/import-template.<fmt>")
@cohort_view
def answers_template(cohort: Cohort, key: str, fmt: str):
    """Download an import file for a survey's answers: its header row and one example row."""
    if fmt not in FORMATS_ACCEPTED:
        abort(404)
    where = _target(cohort, key)
    today = clock.today()
    body = answers.template(where.survey, fmt, today=today)
    return _download(body, fmt, answers.filename(cohort, where.survey.key, "import-template", fmt, today))


@bp.get("/<int:cohort_id>/surveys/<int:send_id>/answers.<fmt>")
@cohort_view
@loads("send", SurveySend, "send_id", within="cohort")
def export_answers(cohort: Cohort, send: SurveySend, fmt: str):
    """Download a sent survey's raw answers, one row per person who answered (pseudonymous where the send is)."""
    if fmt not in FORMATS_ACCEPTED:
        abort(404)
    body, _rows = answers.export(db.session, cohort, send, fmt)
    return _download(body, fmt, answers.filename(cohort, send.survey_key, "answers", fmt, clock.today()))
