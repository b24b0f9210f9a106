"""Recruitment and selection: the public application forms and the coordinator's selection board."""

import io

from flask import abort, current_app, flash, g, make_response, redirect, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField
from jinja2_fragments.flask import render_block
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mentorby.blueprints.common import CityBlueprint, choices, coordinator_required, paginate, render, strip
from mentorby.blueprints.common import show_error as put_error
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import (
    APPLICATION_STATUS_LABELS,
    AVAILABILITY_LABELS,
    DANISH_LEVEL_LABELS,
    FIELD_LABELS,
    FORMAT_LABELS,
    LANGUAGE_LABELS,
    message,
)
from mentorby.platform.accounts.services import normalise_email
from mentorby.platform.accounts.tokens import LinkError, make_link_token, read_link_token
from mentorby.platform.audit.listener import record
from mentorby.platform.extensions import db, htmx, limiter
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.tenancy import get_in_city
from mentorby.tenants.applications import consent
from mentorby.tenants.applications import services as applications
from mentorby.tenants.applications.models import DECISIONS, STATUSES, Application, CvDocument, Participant
from mentorby.tenants.applications.profile import AVAILABILITY, DANISH_LEVELS, FIELDS, LANGUAGES, ROLES
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.cohorts.services import open_cohorts
from mentorby.tenants.partners.models import Partner

bp = CityBlueprint("applications", __name__)
CONFIRM = "confirm-application"
CONFIRM_MAX_AGE = applications.CONFIRM_WITHIN


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes: easier on a phone than a multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _pairs(labels: dict, codes: tuple[str, ...]):
    return choices((code, labels[code]) for code in codes)


def _blank(labels: dict, codes: tuple[str, ...]):
    return choices([("", _l("Choose…")), *((code, labels[code]) for code in codes)])


class ApplicationForm(Form):
    """What mentors and mentees both answer."""

    name = StringField(_l("Full name"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Email(), Length(max=254)])
    phone = TelField(_l("Phone (optional)"), filters=[strip], validators=[Length(max=40)])
    field = SelectField(_l("Professional field"), validators=[DataRequired()])
    languages = MultiCheckboxField(_l("Languages you can hold a conversation in"),
                                   validators=[DataRequired(_l("Choose at least one language."))])
    availability = MultiCheckboxField(_l("When can you usually meet?"), validators=[Optional()])
    consent = BooleanField(_l("Consent to the processing of your data"), validators=[
        DataRequired(_l("Tick the box to agree; we cannot take the application without it."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field.choices = _blank(FIELD_LABELS, FIELDS)
        self.languages.choices = _pairs(LANGUAGE_LABELS, LANGUAGES)
        self.availability.choices = _pairs(AVAILABILITY_LABELS, AVAILABILITY)


class MenteeForm(ApplicationForm):
    """The mentee application."""

    education = StringField(_l("Education"), validators=[Length(max=200)],
                            description=_l("Your highest degree and subject, e.g. \"MSc in Chemical Engineering\"."))
    years_experience = IntegerField(_l("Years of work experience"), validators=[Optional(), NumberRange(0, 60)])
    job_goal = TextAreaField(_l("What job are you looking for?"), validators=[DataRequired(), Length(max=2000)],
                             description=_l("The kind of job, field or company you aim for."))
    danish_level = SelectField(_l("Your Danish"), validators=[DataRequired()])
    arrived_on = DateField(_l("When did you arrive in Denmark?"), validators=[Optional()])
    partner_employer = StringField(_l("Where does your partner work?"), validators=[Length(max=120)],
                                   description=_l("The company of your partner, the international specialist."))
    cv = FileField(_l("Your CV (PDF, at most 5 MB, optional)"),
                   validators=[FileAllowed(["pdf"], _l("The CV must be a PDF file."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.danish_level.choices = _blank(DANISH_LEVEL_LABELS, DANISH_LEVELS)


class MentorForm(ApplicationForm):
    """The mentor application."""

    employer = StringField(_l("Employer"), validators=[DataRequired(), Length(max=120)])
    job_title = StringField(_l("Your role"), validators=[Length(max=120)])
    industry = SelectField(_l("Industry"), validators=[DataRequired()])
    expertise = TextAreaField(_l("What can you help with?"), validators=[DataRequired(), Length(max=2000)],
                              description=_l("Keywords separated by commas, e.g. \"project management, "
                                             "wind energy, job interviews\"."))
    mentoring_format = SelectField(_l("You can take"), validators=[DataRequired()])
    mentee_capacity = IntegerField(_l("How many mentees at most?"), default=1,
                                   validators=[InputRequired(), NumberRange(1, 5)])
    motivation = TextAreaField(_l("Why do you want to be a mentor?"), validators=[Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.industry.choices = _blank(FIELD_LABELS, FIELDS)
        self.mentoring_format.choices = _pairs(FORMAT_LABELS, ("one", "group", "either"))


FORMS = {"mentee": MenteeForm, "mentor": MentorForm}


def form_values(form: ApplicationForm) -> dict:
    """The answers of an application form as the service takes them."""
    skip = {"csrf_token", "consent", "cv"}
    return {name: field.data for name, field in form._fields.items() if name not in skip}


def show_error(form: Form, error: applications.ApplicationError) -> None:
    """Put an application rule's refusal on the field it is about (or on the form)."""
    put_error(form, error, message(error.code, **error.params))


# --- the public forms -------------------------------------------------------------------------------------------


@bp.get("/apply/")
def open_rounds():
    """The rounds taking applications now, with a form for mentees and one for mentors."""
    return render("applications/open.html", cohorts=open_cohorts(db.session), city=g.city)


def _open_cohort(cohort_id: int) -> Cohort:
    cohort = get_in_city(db.session, Cohort, cohort_id)
    # Rounds that never opened are not public: the same 404 as a missing one.
    if cohort.status != "recruiting":
        abort(404)
    return cohort


@bp.route("/apply/<int:cohort_id>/<role>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["APPLY_RATE_LIMIT"], methods=["POST"])
def apply(cohort_id: int, role: str):
    """The public application form of a round, for a mentee or a mentor; saves all or nothing."""
    if role not in ROLES:
        abort(404)
    cohort = _open_cohort(cohort_id)
    locale = str(get_locale())
    form = FORMS[role]()
    if cohort.is_open_for_applications and form.validate_on_submit():
        upload = None
        if role == "mentee" and form.cv.data:
            upload = applications.Upload(form.cv.data.filename or "cv.pdf", form.cv.data.read())
        values = form_values(form) | {"locale": locale}
        # The text agreed to is the one on the page, which must still be the current one.
        agreed = consent.CURRENT if request.form.get("consent_version") == consent.CURRENT else None
        try:
            application = applications.submit_application(db.session, cohort, role, values, cv=upload,
                                                          consent_version=agreed)
        except applications.ApplicationError as error:
            if error.code != "already_applied":
                show_error(form, error)
            else:
                # Told to the address, not to whoever typed it: the page would reveal who takes part.
                _mail_applicant(form.email.data, "already_applied", cohort, locale, name=form.name.data)
                return redirect(url_for("applications.thanks", cohort_id=cohort.id, role=role))
        else:
            token = make_link_token(CONFIRM, {"t": g.city.id, "a": application.id})
            _mail_applicant(application.email, "confirm_application", cohort, locale, name=application.name,
                            link=current_app.config["BASE_URL"].rstrip("/") + url_for("applications.confirm",
                                                                                     token=token),
                            days=CONFIRM_MAX_AGE.days)
            return redirect(url_for("applications.thanks", cohort_id=cohort.id, role=role))
    return render("applications/apply.html", form=form, cohort=cohort, role=role, city=g.city,
                  consent_version=consent.CURRENT,
                  consent_text=consent.consent_text(consent.CURRENT, locale, g.city.name),
                  status=422 if form.is_submitted() else 200)


def _mail_applicant(to: str, template: str, cohort: Cohort, locale: str, **context) -> None:
    queue_template_mail(db.session, to=normalise_email(to), kind=template, template=template, tenant_id=g.city.id,
                        locale=locale, city=g.city, cohort=cohort, **context)


@bp.get("/apply/confirm/<token>")
def confirm(token: str):
    """The link in the confirmation e-mail: the application counts from now on."""
    try:
        payload = read_link_token(CONFIRM, token, CONFIRM_MAX_AGE)
    except LinkError as error:
        return render("auth/link_problem.html", problem=message(error.reason), status=400)
    if payload.get("t") != g.city.id or not isinstance(payload.get("a"), int):
        return render("auth/link_problem.html", problem=message("invalid"), status=400)
    application = db.session.execute(
        select(Application).where(Application.id == payload["a"])
    ).scalar_one_or_none()
    if application is None:
        # Replaced by a newer application from the same address, or removed after a week unconfirmed.
        return render("auth/link_problem.html", problem=message("application_gone"), status=400)
    applications.confirm(db.session, application)
    return render("applications/confirmed.html", cohort=application.cohort, role=application.role, city=g.city)


@bp.get("/apply/<int:cohort_id>/<role>/thanks")
def thanks(cohort_id: int, role: str):
    """The receipt after applying: what happens next."""
    if role not in ROLES:
        abort(404)
    return render("applications/thanks.html", cohort=_open_cohort(cohort_id), role=role, city=g.city)


# --- the selection board ----------------------------------------------------------------------------------------

FILTERS = ("role", "status", "field", "language", "company", "q")


def _filters() -> dict:
    args = request.values
    company = args.get("company", "")
    chosen = {
        "role": args.get("role") if args.get("role") in ROLES else "",
        "status": args.get("status") if args.get("status") in STATUSES else "",
        "field": args.get("field") if args.get("field") in FIELDS else "",
        "language": args.get("language") if args.get("language") in LANGUAGES else "",
        "company": company if company.isascii() and company.isdigit() and len(company) < 10 else "",
        "q": (args.get("q") or "").strip()[:100],
    }
    return chosen


def _board_query(cohort: Cohort, chosen: dict):
    query = (select(Application).where(Application.cohort_id == cohort.id, applications.CONFIRMED)
             .options(joinedload(Application.cv)).order_by(Application.created_at, Application.id))
    if chosen["role"]:
        query = query.where(Application.role == chosen["role"])
    if chosen["status"]:
        query = query.where(Application.status == chosen["status"])
    if chosen["field"]:
        query = query.where(Application.field == chosen["field"])
    if chosen["language"]:
        # Codes are stored space-separated; padding both sides matches whole codes only.
        query = query.where((" " + Application.languages + " ").like(f"% {chosen['language']} %"))
    if chosen["company"]:
        company = int(chosen["company"])
        query = query.where(or_(Application.employer_id == company, Application.partner_employer_id == company))
    if chosen["q"]:
        query = query.where(applications.search_filter(chosen["q"]))
    return query


def _board_context(cohort: Cohort, chosen: dict | None = None) -> dict:
    chosen = chosen if chosen is not None else _filters()
    by_status = applications.counts(db.session, cohort.id)
    companies = list(db.session.execute(
        select(Partner.id, Partner.name).where(Partner.kind == "company").order_by(Partner.name)
    ))
    return {
        "cohort": cohort, "chosen": chosen, "by_status": by_status,
        "accepted": {role: by_status.get((role, "accepted"), 0) for role in ROLES},
        "companies": companies, "decisions": DECISIONS, "statuses": STATUSES,
        "filter_args": {key: value for key, value in chosen.items() if value},
    }


@bp.get("/coordinator/cohorts/<int:cohort_id>/applications")
@coordinator_required
def board(cohort_id: int):
    """All applications of a round with filters, search, inline status changes, live capacity counters."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    context = _board_context(cohort)
    page = paginate(_board_query(cohort, context["chosen"]))
    return render("applications/board.html", "board", page=page, **context)


def _row_response(cohort: Cohort, application: Application, error: str | None = None, status: int = 200):
    """An htmx answer: the changed row, and the counters out of band so they stay true."""
    context = _board_context(cohort, {key: "" for key in FILTERS})
    body = render_block("applications/board.html", "row", a=application, row_error=error, focus=True, **context)
    body += render_block("applications/board.html", "counters", oob=True, **context)
    return make_response(body, status)


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/status")
@coordinator_required
def set_status(cohort_id: int, application_id: int):
    """Change one application's status; accepting invites the person to make an account."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    application = _application(cohort, application_id)
    try:
        applications.decide(db.session, g.city, [application], request.form.get("status", ""), by=current_user)
    except applications.ApplicationError as error:
        text = message(error.code, **error.params)
        db.session.rollback()
        application = _application(cohort, application_id)
        if htmx:
            return _row_response(cohort, application, text, 422)
        flash(text, "error")
        return redirect(url_for("applications.board", cohort_id=cohort.id))
    if htmx:
        return _row_response(cohort, application)
    flash(_("%(name)s: %(status)s.", name=application.name,
            status=APPLICATION_STATUS_LABELS[application.status]), "info")
    return redirect(request.form.get("back") == "detail" and url_for(
        "applications.detail", cohort_id=cohort.id, application_id=application.id
    ) or url_for("applications.board", cohort_id=cohort.id))


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/bulk")
@coordinator_required
def bulk(cohort_id: int):
    """Set the status of the selected applications at once, all or none."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    ids = [int(value) for value in request.form.getlist("ids") if value.isascii() and value.isdigit()
           and len(value) < 10][:500]
    chosen = _filters()
    selected = list(db.session.execute(
        select(Application).where(Application.cohort_id == cohort.id, Application.id.in_(ids), applications.CONFIRMED)
    ).scalars()) if ids else []
    problem = changed = None
    if len(selected) != len(set(ids)):
        abort(404)
    try:
        applications.decide(db.session, g.city, selected, request.form.get("bulk_status", ""), by=current_user)
    except applications.ApplicationError as error:
        problem = message(error.code, **error.params)
        db.session.rollback()
        cohort = get_in_city(db.session, Cohort, cohort_id)
    else:
        changed = _("%(n)d applications changed.", n=len(selected))
        if not htmx:
            flash(changed, "info")
            kept = {key: value for key, value in chosen.items() if value}
            return redirect(url_for("applications.board", cohort_id=cohort.id, **kept))
    context = _board_context(cohort, chosen)
    page = paginate(_board_query(cohort, chosen))
    if htmx:
        # The list, and the counters out of band: a bulk acceptance changes them too.
        body = render_block("applications/board.html", "board", page=page, problem=problem, changed=changed,
                            selected_ids=set(ids) if problem else set(), **context)
        body += render_block("applications/board.html", "counters", oob=True, **context)
        return make_response(body, 422 if problem else 200)
    return render("applications/board.html", "board", page=page, problem=problem, selected_ids=set(ids),
                  status=422 if problem else 200, **context)


def _application(cohort: Cohort, application_id: int) -> Application:
    return get_in_city(db.session, Application, application_id, cohort_id=cohort.id)


@bp.get("/coordinator/pool/")
@coordinator_required
def pool():
    """The city's mentor pool (or mentees): everyone who ever applied, with their rounds, to invite back."""
    role = request.args.get("role") if request.args.get("role") in ROLES else "mentor"
    text = (request.args.get("q") or "").strip()[:100]
    query = select(Participant).where(Participant.role == role).order_by(Participant.name, Participant.id)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Participant.name).like(pattern),
                                func.lower(Participant.email).like(pattern)))
    page = paginate(query)
    history = applications.histories(db.session, [participant.id for participant in page.items])
    return render("applications/pool.html", "pool_list", page=page, role=role, q=text, history=history)


class NoteForm(Form):
    """The coordinator's private note on an application."""

    note = TextAreaField(_l("Note (only coordinators see it)"), validators=[Length(max=4000)])


@bp.get("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>")
@coordinator_required
def detail(cohort_id: int, application_id: int):
    """One application in full: answers, CV, status and the coordinator's note."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    application = _application(cohort, application_id)
    return render("applications/detail.html", cohort=cohort, a=application, form=NoteForm(obj=application),
                  decisions=DECISIONS, locale=str(get_locale()),
                  consent_text=consent.consent_text(application.consent_version, application.locale, g.city.name),
                  history=[other for other in applications.histories(db.session, [application.participant_id])
                           .get(application.participant_id, []) if other.id != application.id])


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/note")
@coordinator_required
def note(cohort_id: int, application_id: int):
    """Save the coordinator's note on an application."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    application = _application(cohort, application_id)
    form = NoteForm()
    saved = False
    if form.validate_on_submit():
        applications.set_note(db.session, application, form.note.data or "")
        saved = True
        if not htmx:
            flash(_("Note saved."), "info")
            return redirect(url_for("applications.detail", cohort_id=cohort.id, application_id=application.id))
    return render("applications/detail.html", "note_form", cohort=cohort, a=application, form=form, saved=saved,
                  status=200 if saved else 422)


@bp.get("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/cv")
@coordinator_required
def cv(cohort_id: int, application_id: int):
    """The applicant's CV as a download (never shown inline: it is a file from the public)."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    application = _application(cohort, application_id)
    document = db.session.execute(
        select(CvDocument).where(CvDocument.application_id == application.id)
    ).scalar_one_or_none()
    if document is None:
        abort(404)
    record(db.session, action="download", entity="cv_document", entity_id=document.id,
           details={"application_id": application.id})
    # send_file writes any file name safely (an ASCII fallback plus filename*=UTF-8''…).
    response = send_file(io.BytesIO(document.content), mimetype="application/pdf", as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
