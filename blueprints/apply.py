"""The public side of recruitment, open to everyone: the rounds that take applications and their forms.

Also the link that confirms an application, and the receipt after sending one.
"""

from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from mentorby.blueprints.application_forms import FORMS, answers, uploaded_cv
from mentorby.blueprints.common import PUBLIC, CityBlueprint, attempt, cohort_view, render, show_error, submitted
from mentorby.blueprints.messages import message
from mentorby.blueprints.notice import current_consent_version
from mentorby.platform import clock
from mentorby.platform.accounts.services import normalise_email
from mentorby.platform.accounts.tokens import LinkError, make_link_token, read_link_token
from mentorby.platform.extensions import db, limiter
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.rules import RuleError
from mentorby.tenants.applications import consent, filing
from mentorby.tenants.applications.profile import Role
from mentorby.tenants.applications.schemas import ARRIVED_FROM
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import Cohort, CohortStatus
from mentorby.tenants.cohorts.services import open_cohorts

bp = CityBlueprint("apply", __name__, url_prefix="/apply", access=PUBLIC)
#: The purpose of the confirmation link's token, and how long it works (unconfirmed applications go after that).
CONFIRM = "confirm-application"
CONFIRM_MAX_AGE = filing.CONFIRM_WITHIN


def public_round(view):
    """Hand the view the round of the URL's <cohort_id> and its <role> (a Role).

    A round that never opened, or a role that is not one, is as missing as a round that does not exist.
    """

    @cohort_view
    @wraps(view)
    def wrapped(*args, cohort: Cohort, role: str, **kwargs):
        role = Role.get(role)
        if role is None or cohort.status == CohortStatus.PLANNED:
            abort(404)
        return view(*args, cohort=cohort, role=role, **kwargs)

    return wrapped


@bp.get("/")
def open_rounds():
    """The rounds taking applications now, with a form for mentees and one for mentors."""
    return render("applications/open.html", cohorts=open_cohorts(db.session), city=g.city)


def _closed(cohort: Cohort, role: Role, status: int = 200):
    """The page an old form link leads to once the round takes no more applications.

    It says whom to ask and, when another round of the city takes applications, links to its form.
    """
    others = [other for other in open_cohorts(db.session) if other.id != cohort.id]
    return render("applications/closed.html", cohort=cohort, role=role, city=g.city, others=others,
                  submitted=request.method == "POST", status=status)


@bp.route("/<int:cohort_id>/<role>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["APPLY_RATE_LIMIT"], methods=["POST"])
@public_round
def form(cohort: Cohort, role: Role):
    """A round's public application form, for a mentee or a mentor: every answer checked at once, all or nothing."""
    if not (phases.allows(cohort, "apply") and cohort.is_open_for_applications):
        # Nothing is saved; a form filled in as the deadline passed is answered with the same page.
        return _closed(cohort, role, 422 if request.method == "POST" else 200)
    locale = str(get_locale())
    form = FORMS[role]()
    values = answers(form) | {"locale": locale}
    cv = uploaded_cv(form)
    # The text agreed to is the one on the page (the platform's text and the city's notice), which must still be the
    # current one.
    current = current_consent_version()
    agreed = current if form.consent.data and request.form.get("consent_version") == current else None
    if submitted(form, lambda _fields: filing.check(role, values, cv=cv, consent_version=agreed)):
        try:
            with attempt():
                application = filing.submit_application(db.session, cohort, role, values, cv=cv,
                                                        consent_version=agreed)
        except RuleError as error:
            if error.code != "already_applied":
                show_error(form, error)
            else:
                # Told to the address, not to whoever typed it: the page would reveal who takes part.
                _mail_applicant(form.email.data, "already_applied", cohort, locale, name=form.name.data)
                return redirect(url_for("apply.thanks", cohort_id=cohort.id, role=role))
        else:
            token = make_link_token(CONFIRM, {"t": g.city.id, "a": application.id})
            _mail_applicant(application.email, "confirm_application", cohort, locale, name=application.name,
                            link=current_app.config["BASE_URL"].rstrip("/") + url_for("apply.confirm", token=token),
                            days=CONFIRM_MAX_AGE.days)
            return redirect(url_for("apply.thanks", cohort_id=cohort.id, role=role))
    if cv is not None and not form.cv.errors:
        # A browser never keeps a chosen file when a form comes back: say so, rather than lose the CV unnoticed.
        form.cv.description = Markup("<strong>{}</strong>").format(_(
            "Your CV (%(name)s) is fine, but a browser forgets a chosen file when the form comes back: choose it "
            "again before you send.", name=cv.filename))
    return render("applications/apply.html", form=form, cohort=cohort, role=role, city=g.city,
                  consent_version=current, today=clock.today(), earliest=ARRIVED_FROM,
                  consent_text=consent.consent_text(current, locale, g.city.name),
                  status=422 if form.is_submitted() else 200)


def _mail_applicant(to: str, template: str, cohort: Cohort, locale: str, **context) -> None:
    queue_template_mail(db.session, to=normalise_email(to), kind=template, template=template, tenant_id=g.city.id,
                        locale=locale, city=g.city, cohort=cohort, **context)


@bp.get("/confirm/<token>")
def confirm(token: str):
    """The link in the confirmation e-mail: the application counts from now on."""
    try:
        payload = read_link_token(CONFIRM, token, CONFIRM_MAX_AGE)
    except LinkError as error:
        return render("auth/link_problem.html", problem=message(error.reason), status=400)
    if payload.get("t") != g.city.id or not isinstance(payload.get("a"), int):
        return render("auth/link_problem.html", problem=message("invalid"), status=400)
    application = filing.awaiting_confirmation(db.session, payload["a"])
    if application is None:
        # Replaced by a newer application from the same address, or removed after a week unconfirmed.
        return render("auth/link_problem.html", problem=message("application_gone"), status=400)
    filing.confirm(db.session, application)
    return render("applications/confirmed.html", cohort=application.cohort, role=application.role, city=g.city)


@bp.get("/<int:cohort_id>/<role>/thanks")
@public_round
def thanks(cohort: Cohort, role: Role):
    """The receipt after applying: what happens next."""
    return render("applications/thanks.html", cohort=cohort, role=role, city=g.city)
