"""Recruitment and selection: the public application forms and the coordinator's selection board."""

import io

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField
from jinja2_fragments.flask import render_block
from sqlalchemy import case, func, or_, select
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
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from mentorby.blueprints.common import CityBlueprint, choices, paginate, public, render, strip
from mentorby.blueprints.common import show_error as put_error
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import (
    APPLICATION_STATUS_LABELS,
    AVAILABILITY_LABELS,
    DANISH_LEVEL_LABELS,
    FIELD_LABELS,
    FORMAT_LABELS,
    LANGUAGE_LABELS,
    ROLE_TITLES,
    message,
)
from mentorby.platform import clock
from mentorby.platform.accounts import services as accounts
from mentorby.platform.accounts.models import COORDINATOR, Invitation
from mentorby.platform.accounts.services import normalise_email
from mentorby.platform.accounts.tokens import LinkError, make_link_token, read_link_token
from mentorby.platform.audit.listener import record
from mentorby.platform.extensions import db, htmx, limiter
from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import get_in_city, utcnow
from mentorby.tenants.applications import consent
from mentorby.tenants.applications import services as applications
from mentorby.tenants.applications.models import (
    DECISIONS,
    OUTCOMES,
    STATUSES,
    Application,
    CvDocument,
    Participant,
)
from mentorby.tenants.applications.profile import AVAILABILITY, DANISH_LEVELS, FIELDS, LANGUAGES, MENTEE, ROLES
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import PLANNED, Cohort
from mentorby.tenants.cohorts.services import open_cohorts
from mentorby.tenants.partners.models import Partner

bp = CityBlueprint("applications", __name__, access=(COORDINATOR,))
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


def arrival_date(form, field):
    """WTForms validator: an arrival in Denmark lies between 1950 and today (the service checks it again)."""
    if field.data is not None and not applications.ARRIVED_FROM <= field.data <= clock.today():
        raise ValidationError(message("bad_arrival", earliest=applications.ARRIVED_FROM.year))


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
    arrived_on = DateField(_l("When did you arrive in Denmark?"), validators=[Optional(), arrival_date])
    partner_employer = StringField(_l("Where does your partner work?"), validators=[Length(max=120)],
                                   description=_l("The company of your partner, the international specialist."))
    cv = FileField(_l("Your CV (PDF, at most 5 MB, optional)"),
                   validators=[FileAllowed(["pdf"], _l("The CV must be a PDF file."))])
    share_cv = BooleanField(_l("My mentor may see my CV"))

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
@public
def open_rounds():
    """The rounds taking applications now, with a form for mentees and one for mentors."""
    return render("applications/open.html", cohorts=open_cohorts(db.session), city=g.city)


def _public_cohort(cohort_id: int) -> Cohort:
    cohort = get_in_city(db.session, Cohort, cohort_id)
    # Rounds that never opened are not public: the same 404 as a missing one.
    if cohort.status == PLANNED:
        abort(404)
    return cohort


def _closed(cohort: Cohort, role: str, status: int = 200):
    """The page an old form link leads to once the round takes no more applications.

    It says whom to ask and, when another round of the city takes applications, links to its form.
    """
    others = [other for other in open_cohorts(db.session) if other.id != cohort.id]
    return render("applications/closed.html", cohort=cohort, role=role, city=g.city, others=others,
                  submitted=request.method == "POST", status=status)


@bp.route("/apply/<int:cohort_id>/<role>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["APPLY_RATE_LIMIT"], methods=["POST"])
def apply(cohort_id: int, role: str):
    """The public application form of a round, for a mentee or a mentor; saves all or nothing."""
    if role not in ROLES:
        abort(404)
    cohort = _public_cohort(cohort_id)
    if not (phases.allows(cohort, "apply") and cohort.is_open_for_applications):
        # Nothing is saved; a form filled in as the deadline passed is answered with the same page.
        return _closed(cohort, role, 422 if request.method == "POST" else 200)
    locale = str(get_locale())
    form = FORMS[role]()
    if form.validate_on_submit():
        upload = None
        if role == "mentee" and form.cv.data:
            upload = applications.Upload(form.cv.data.filename or "cv.pdf", form.cv.data.read())
        values = form_values(form) | {"locale": locale}
        # The text agreed to is the one on the page, which must still be the current one.
        agreed = consent.CURRENT if request.form.get("consent_version") == consent.CURRENT else None
        try:
            application = applications.submit_application(db.session, cohort, role, values, cv=upload,
                                                          consent_version=agreed)
        except RuleError as error:
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
                  consent_version=consent.CURRENT, today=clock.today(), earliest=applications.ARRIVED_FROM,
                  consent_text=consent.consent_text(consent.CURRENT, locale, g.city.name),
                  status=422 if form.is_submitted() else 200)


def _mail_applicant(to: str, template: str, cohort: Cohort, locale: str, **context) -> None:
    queue_template_mail(db.session, to=normalise_email(to), kind=template, template=template, tenant_id=g.city.id,
                        locale=locale, city=g.city, cohort=cohort, **context)


@bp.get("/apply/confirm/<token>")
@public
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
@public
def thanks(cohort_id: int, role: str):
    """The receipt after applying: what happens next."""
    if role not in ROLES:
        abort(404)
    return render("applications/thanks.html", cohort=_public_cohort(cohort_id), role=role, city=g.city)


# --- the selection board ----------------------------------------------------------------------------------------

FILTERS = ("role", "status", "field", "language", "company", "q")
#: The board's sortable columns; the pager and the filter requests carry `sort` and `dir` along.
SORTS = ("name", "applied", "field", "goal", "danish", "status")
#: Everything the board's address may carry: the pager keeps it, the bulk form posts back to it.
BOARD_KEYS = (*FILTERS, "sort", "dir")
#: The most applications one bulk change of "all that match" may take at once.
BULK_MAX = 1000


def _filters() -> dict:
    # From the address only: a row's form posts its own "status", which is not the board's status filter.
    args = request.args
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


def _sorting() -> tuple[str, str]:
    """The requested order: (column, "asc" or "desc"); the order of arrival when none or a strange one is asked."""
    column = request.args.get("sort")
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    return (column, direction) if column in SORTS else ("applied", "asc")


def _rank(codes, labels: dict | None = None):
    """A CASE ranking codes in the order given, or alphabetically by their label in the page's language."""
    ordered = sorted(codes, key=lambda code: str(labels[code]).casefold()) if labels else list(codes)
    return {code: index for index, code in enumerate(ordered)}


def _order_by(column: str, direction: str) -> list:
    """ORDER BY terms for a board column; mentors (who have no Danish level) stay last in both directions."""
    if column == "name":
        terms = [func.lower(Application.name)]
    elif column == "field":
        terms = [case(_rank(FIELDS, FIELD_LABELS), value=Application.field, else_=len(FIELDS))]
    elif column == "goal":
        # A mentee's job goal, a mentor's expertise: the column shows whichever the person has.
        terms = [func.lower(case((Application.role == MENTEE, Application.job_goal), else_=Application.expertise))]
    elif column == "danish":
        terms = [case(_rank(DANISH_LEVELS), value=Application.danish_level, else_=len(DANISH_LEVELS))]
    elif column == "status":
        terms = [case(_rank(STATUSES), value=Application.status, else_=len(STATUSES))]
    else:
        terms = [Application.created_at]
    terms = [term.desc() if direction == "desc" else term.asc() for term in terms]
    if column == "danish":
        terms.insert(0, case((Application.danish_level == "", 1), else_=0))
    return [*terms, Application.id.desc() if direction == "desc" else Application.id.asc()]


def _board_query(cohort: Cohort, chosen: dict, order: tuple[str, str] = ("applied", "asc")):
    query = (select(Application).where(Application.cohort_id == cohort.id, applications.CONFIRMED)
             .options(joinedload(Application.cv)).order_by(*_order_by(*order)))
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
    sort, direction = _sorting()
    by_status = applications.counts(db.session, cohort.id)
    companies = list(db.session.execute(
        select(Partner.id, Partner.name).where(Partner.kind == "company").order_by(Partner.name)
    ))
    filter_args = {key: value for key, value in chosen.items() if value}
    # The page's address without the page number: what sorting, selecting and the bulk form build on.
    here = filter_args | ({"sort": sort, "dir": direction} if (sort, direction) != ("applied", "asc") else {})
    return {
        "cohort": cohort, "chosen": chosen, "by_status": by_status,
        "accepted": {role: by_status.get((role, "accepted"), 0) for role in ROLES},
        "companies": companies, "statuses": STATUSES, "filter_args": filter_args, "here": here,
        "sort": sort, "direction": direction, "pending": applications.pending_counts(db.session, cohort.id),
        "may": {step: phases.allows(cohort, step) for step in ("review", "decide", "notify")},
        "bulk_choices": _bulk_choices(cohort), "choices_for": applications.choices_for, "outcomes": OUTCOMES,
        "told": _told, "role_titles": ROLE_TITLES, "notify_refused": _refusal(cohort, "notify"),
    }


def _bulk_choices(cohort: Cohort) -> tuple[str, ...]:
    """What a bulk change may set in the round's phase (shortlisting while recruiting, every decision later)."""
    return tuple(status for status in DECISIONS if phases.allows(cohort, applications.step_for("", status)))


def _told(application: Application) -> bool | None:
    """Whether the person has been told their current decision (None: there is nothing to tell)."""
    if application.status not in OUTCOMES:
        return None
    if application.status == "accepted":
        return application.invited
    return application.notified_status == application.status


def _problem(error: RuleError) -> str:
    """A refusal in the page's language; a phase refusal in a closed round says the round is past selection.

    (The phase messages say what comes next, which for a closed round is nothing.)
    """
    if isinstance(error, phases.PhaseError) and error.params.get("status") in ("closed", "followed_up"):
        return message("selection_closed")
    return message(error.code, **error.params)


def _refusal(cohort: Cohort, step: str) -> str:
    """Why the round's phase does not allow `step` now, and what comes next."""
    return _problem(phases.PhaseError(f"phase_{step}", None, status=cohort.status))


def _oob(**context) -> str:
    """The counters and the notify step's buttons, out of band: every decision changes them."""
    return (render_block("applications/board.html", "counters", oob=True, **context)
            + render_block("applications/board.html", "notify_panel", oob=True, **context))


@bp.get("/coordinator/cohorts/<int:cohort_id>/applications")
def board(cohort_id: int):
    """All applications of a round: filters, search, sorting, decisions in place, live counters, the notify step."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    context = _board_context(cohort)
    page = paginate(_board_query(cohort, context["chosen"], (context["sort"], context["direction"])))
    selecting = request.args.get("select") if request.args.get("select") in ("page", "matching") else ""
    if selecting == "matching" and page.pages <= 1:
        selecting = "page"
    context |= {"page": page, "selecting": selecting,
                "selected_ids": {a.id for a in page.items} if selecting else set()}
    if htmx and not htmx.history_restore_request:
        # The list, and the filter form's sort fields out of band, so the next filter keeps the new order.
        body = render_block("applications/board.html", "board", **context)
        body += render_block("applications/board.html", "sort_state", oob=True, **context)
        return make_response(body)
    return render("applications/board.html", **context)


def _row_response(cohort: Cohort, application: Application, error: str | None = None, status: int = 200):
    """An htmx answer: the changed row, and the counters and notify buttons out of band so they stay true."""
    # The filters come along in the form's address, so the row has the same columns as the page it replaces.
    context = _board_context(cohort)
    body = render_block("applications/board.html", "row", a=application, row_error=error, focus=True,
                        saved=error is None, **context)
    return make_response(body + _oob(**context), status)


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/status")
def set_status(cohort_id: int, application_id: int):
    """Record one application's status (nobody is told yet: that is the notify step)."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    application = _application(cohort, application_id)
    try:
        applications.decide(db.session, g.city, [application], request.form.get("status", ""), by=current_user)
    except RuleError as error:
        text = _problem(error)
        db.session.rollback()
        cohort = get_in_city(db.session, Cohort, cohort_id)
        application = _application(cohort, application_id)
        if htmx:
            return _row_response(cohort, application, text, 422)
        flash(text, "error")
        return redirect(_back(cohort, application))
    if htmx:
        return _row_response(cohort, application)
    flash(_("%(name)s: %(status)s.", name=application.name,
            status=APPLICATION_STATUS_LABELS[application.status]), "info")
    return redirect(_back(cohort, application))


def _back(cohort: Cohort, application: Application) -> str:
    """Where a form of the board or of the application's page returns to after a plain (no-JavaScript) post."""
    if request.form.get("back") == "detail":
        return url_for("applications.detail", cohort_id=cohort.id, application_id=application.id)
    if request.form.get("back") == "notify" and application.status in OUTCOMES:
        return url_for("applications.notify_preview", cohort_id=cohort.id, status=application.status)
    return url_for("applications.board", cohort_id=cohort.id, **_kept())


def _kept() -> dict:
    """The board's filters and order from the request's address, to return to the same view."""
    return {key: request.args[key] for key in BOARD_KEYS if request.args.get(key)}


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/bulk")
def bulk(cohort_id: int):
    """Set the status of the selected applications (or of all that match the filters) at once, all or none."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    chosen = _filters()
    order = _sorting()
    matching = request.form.get("scope") == "matching"
    if matching:
        selected = list(db.session.execute(_board_query(cohort, chosen, order).limit(BULK_MAX + 1)).unique()
                        .scalars())
        ids = [application.id for application in selected]
    else:
        ids = [int(value) for value in request.form.getlist("ids") if value.isascii() and value.isdigit()
               and len(value) < 10][:500]
        selected = list(db.session.execute(
            select(Application).where(Application.cohort_id == cohort.id, Application.id.in_(ids),
                                      applications.CONFIRMED)
        ).scalars()) if ids else []
        if len(selected) != len(set(ids)):
            abort(404)
    problem = changed = None
    try:
        if len(selected) > BULK_MAX:
            # Refused rather than cut short: a change to "all that match" must take all of them or none.
            raise applications.ApplicationError("too_many", None, max=BULK_MAX)
        applications.decide(db.session, g.city, selected, request.form.get("bulk_status", ""), by=current_user)
    except RuleError as error:
        problem = _problem(error)
        db.session.rollback()
        cohort = get_in_city(db.session, Cohort, cohort_id)
    else:
        changed = ngettext("%(num)d application changed.", "%(num)d applications changed.", len(selected))
        if not htmx:
            flash(changed, "info")
            return redirect(url_for("applications.board", cohort_id=cohort.id, **_kept()))
    context = _board_context(cohort, chosen)
    page = paginate(_board_query(cohort, chosen, order))
    # A refused change keeps the selection, so it can be tried again with another status.
    context |= {"page": page, "problem": problem, "changed": changed,
                "selected_ids": set(ids) if problem else set(), "selecting": "matching" if problem and matching else ""}
    if htmx:
        # The list, and the counters and notify buttons out of band: a bulk acceptance changes them too.
        body = render_block("applications/board.html", "board", **context)
        return make_response(body + _oob(**context), 422 if problem else 200)
    return render("applications/board.html", status=422 if problem else 200, **context)


def _application(cohort: Cohort, application_id: int) -> Application:
    return get_in_city(db.session, Application, application_id, cohort_id=cohort.id)


# --- telling people what was decided ----------------------------------------------------------------------------


def _outcome(status: str) -> str:
    if status not in OUTCOMES:
        abort(404)
    return status


def _rendered(notification: applications.Notification) -> tuple[str, str]:
    """(subject, body) of a notification exactly as the outbox will render it, in the person's language."""
    with force_locale(notification.locale):
        context = notification.context
        if "link" in context:
            # The personal link is made when the e-mail is sent; its place says so, in the e-mail's language.
            context = context | {"link": _("(the personal link is made when the e-mail is sent)")}
        subject = render_template(f"mail/{notification.template}.subject.txt", **context).strip()
        body = render_template(f"mail/{notification.template}.txt", **context)
    return subject, body


def _notify_page(cohort: Cohort, status: str, problem: str | None = None, code: int = 200):
    page = paginate(applications.pending_query(cohort, status))
    batch = list(db.session.execute(applications.pending_query(cohort, status)).scalars())
    previews = [(item, *_rendered(item)) for item in applications.notifications(db.session, g.city, cohort,
                                                                                   page.items)]
    told = list(db.session.execute(
        select(Application).where(Application.cohort_id == cohort.id, applications.CONFIRMED,
                                  Application.status == status,
                                  Application.invited.is_(True) if status == "accepted"
                                  else Application.notified_status == status)
        .order_by(Application.notified_at.desc().nulls_last(), Application.id.desc()).limit(100)
    ).scalars())
    return render("applications/notify.html", cohort=cohort, outcome=status, page=page, previews=previews,
                  total=len(batch), fingerprint=applications.batch_fingerprint(batch) if batch else "",
                  told=told, delivery=_delivery(told, status),
                  with_account=applications.members(db.session, told) if status == "accepted" else set(),
                  may_notify=phases.allows(cohort, "notify"),
                  problem=problem, expires_at=applications.invitation_expiry(db.session, cohort),
                  role_titles=ROLE_TITLES, refused=_refusal(cohort, "notify"),
                  status=code)


def _delivery(told: list[Application], status: str) -> dict[str, str]:
    """E-mail address -> the state in the outbox (queued, sent, failed) of the newest message that told it."""
    if not told:
        return {}
    kinds = ("invitation", "accepted") if status == "accepted" else (status,)
    rows = db.session.execute(
        select(OutboxMessage.to_email, OutboxMessage.status)
        .where(OutboxMessage.tenant_id == g.city.id, OutboxMessage.kind.in_(kinds),
               OutboxMessage.to_email.in_({application.email for application in told}))
        .order_by(OutboxMessage.id)
    )
    return dict(rows.all())


@bp.get("/coordinator/cohorts/<int:cohort_id>/notify/<status>")
def notify_preview(cohort_id: int, status: str):
    """Who waits to hear a decision, with each e-mail as it will be sent (in the person's language)."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    return _notify_page(cohort, _outcome(status))


@bp.post("/coordinator/cohorts/<int:cohort_id>/notify/<status>")
def notify(cohort_id: int, status: str):
    """Send the previewed e-mails in one go through the outbox; each person is recorded as told."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    status = _outcome(status)
    try:
        sent = applications.notify(db.session, g.city, cohort, status, by=current_user,
                                   fingerprint=request.form.get("fingerprint", ""))
    except RuleError as error:
        db.session.rollback()
        return _notify_page(get_in_city(db.session, Cohort, cohort_id), status, _problem(error), 422)
    flash(ngettext("%(num)d e-mail is on its way.", "%(num)d e-mails are on their way.", len(sent)), "info")
    return redirect(url_for("applications.notify_preview", cohort_id=cohort.id, status=status))


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/invite")
def resend(cohort_id: int, application_id: int):
    """Send an accepted person a fresh invitation link (the old one stops working)."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    application = _application(cohort, application_id)
    try:
        applications.resend_invitation(db.session, g.city, application, by=current_user)
    except RuleError as error:
        db.session.rollback()
        flash(_problem(error), "error")
        application = _application(get_in_city(db.session, Cohort, cohort_id), application_id)
    else:
        flash(_("A new invitation is on its way to %(email)s.", email=application.email), "info")
    return redirect(_back(cohort, application))


@bp.get("/coordinator/pool/")
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


def _detail_context(cohort: Cohort, application: Application, form: NoteForm) -> dict:
    invitation = None
    has_account = False
    if application.status == "accepted" and application.invited:
        invitation = db.session.execute(
            select(Invitation).where(Invitation.email == application.email, Invitation.role == application.role)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(1)
        ).scalar_one_or_none()
        has_account = bool(applications.members(db.session, [application]))
    return {
        "cohort": cohort, "a": application, "form": form, "locale": str(get_locale()),
        "choices": applications.choices_for(cohort, application.status), "told": _told(application),
        "may": {step: phases.allows(cohort, step) for step in ("review", "decide", "notify")},
        "invitation": invitation, "has_account": has_account, "role_titles": ROLE_TITLES,
        "review_refused": _refusal(cohort, "review"),
        "invitation_until": invitation and accounts.invitation_expiry(invitation), "now": utcnow(),
        "consent_text": consent.consent_text(application.consent_version, application.locale, g.city.name),
        "history": [other for other in applications.histories(db.session, [application.participant_id])
                    .get(application.participant_id, []) if other.id != application.id],
    }


@bp.get("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>")
def detail(cohort_id: int, application_id: int):
    """One application in full: answers, CV, status, what the person was told, and the coordinator's note."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    application = _application(cohort, application_id)
    return render("applications/detail.html", **_detail_context(cohort, application, NoteForm(obj=application)))


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/note")
def note(cohort_id: int, application_id: int):
    """Save the coordinator's note on an application (while the round's phase allows reviewing)."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    application = _application(cohort, application_id)
    form = NoteForm()
    saved = False
    if form.validate_on_submit():
        try:
            applications.set_note(db.session, application, form.note.data or "")
        except RuleError as error:
            form.note.errors = [*form.note.errors, _problem(error)]
        else:
            saved = True
            if not htmx:
                flash(_("Note saved."), "info")
                return redirect(url_for("applications.detail", cohort_id=cohort.id, application_id=application.id))
    return render("applications/detail.html", "note_form", saved=saved, status=200 if saved else 422,
                  **_detail_context(cohort, application, form))


@bp.get("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/cv")
def cv(cohort_id: int, application_id: int):
    """The applicant's CV as a download (never shown inline: it is a file from the public)."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    application = _application(cohort, application_id)
    document = db.session.execute(
        select(CvDocument).where(CvDocument.application_id == application.id)
    ).scalar_one_or_none()
    if document is None:
        abort(404)
    return send_cv(document, application)


def send_cv(document: CvDocument, application: Application):
    """A CV as a download, recorded in the city's audit log (never shown inline: it is a file from the public)."""
    record(db.session, action="download", entity="cv_document", entity_id=document.id,
           details={"application_id": application.id})
    # send_file writes any file name safely (an ASCII fallback plus filename*=UTF-8''…).
    response = send_file(io.BytesIO(document.content), mimetype="application/pdf", as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
