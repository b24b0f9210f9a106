"""The participant portal: a mentor's or mentee's round, what comes next, their profile, re-applying."""

from datetime import UTC, datetime

from flask import abort, flash, g, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mentorby.blueprints.applications import MenteeForm, MentorForm, form_values, send_cv, show_error
from mentorby.blueprints.common import CityBlueprint, render
from mentorby.blueprints.messages import message
from mentorby.platform.accounts.models import MENTEE, MENTOR
from mentorby.platform.accounts.services import normalise_email
from mentorby.platform.extensions import db
from mentorby.platform.tenancy import get_in_city
from mentorby.tenants.applications import consent
from mentorby.tenants.applications import services as applications
from mentorby.tenants.applications.models import ACCEPTED, WITHDRAWN, Application
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.cohorts.services import open_cohorts
from mentorby.tenants.matching import services as matching
from mentorby.tenants.matching.models import PUBLISHED

bp = CityBlueprint("portal", __name__, url_prefix="/portal", access=(MENTOR, MENTEE))


class MenteeProfileForm(MenteeForm):
    """A mentee's own profile: the application's answers without the account's name and e-mail."""

    name = email = consent = None


class MentorProfileForm(MentorForm):
    """A mentor's own profile."""

    name = email = consent = cv = None


PROFILE_FORMS = {MENTEE: MenteeProfileForm, MENTOR: MentorProfileForm}


#: Rounds that are not over: the portal leads with one of these; closed rounds are history.
LIVE_ROUNDS = ("planned", "recruiting", "selecting", "running")


def _current(participations: list[Application]) -> Application | None:
    """The round that matters now: a running or starting round the person is in, else their open application.

    A closed round is never "current", even when it is the person's only acceptance: it is in their history.
    """
    live = [a for a in participations if a.cohort.status in LIVE_ROUNDS and a.status not in (WITHDRAWN, "declined")]
    accepted = [a for a in live if a.status == ACCEPTED]
    return (accepted or live or [None])[0]


@bp.get("/")
def home():
    """Your round, its next events for your role, your match once made, your history and open rounds."""
    participations = applications.participations(db.session, current_user)
    current = _current(participations)
    now = datetime.now(UTC)
    upcoming = []
    if current is not None:
        upcoming = [event for event in current.cohort.events if event.is_for(current.role) and event.starts_at >= now]
    applied = {application.cohort_id for application in participations}
    pool = applications.pool(db.session, current_user)
    can_reapply = [
        (cohort, participant) for cohort in open_cohorts(db.session) if cohort.id not in applied
        for participant in pool if participant.role in g.roles
    ]
    pairs, others = [], {}
    if current is not None and current.status == ACCEPTED:
        pairs = [m for m in matching.matches_of(db.session, [current.id]) if m.status == PUBLISHED]
        ids = {m.mentor_id if current.role == MENTEE else m.mentee_id for m in pairs}
        others = {a.id: a for a in db.session.execute(
            select(Application).where(Application.id.in_(ids)).options(joinedload(Application.cv))).scalars()
        } if ids else {}
    locale = str(get_locale())
    return render("portal/home.html", current=current, participations=participations, upcoming=upcoming,
                  can_reapply=can_reapply, locale=locale, pairs=pairs, others=others,
                  consent_text=consent.consent_text(consent.CURRENT, locale, g.city.name))


def _own(application_id: int) -> Application:
    application = get_in_city(db.session, Application, application_id)
    # Someone else's application is as missing as one that does not exist.
    if application.email != normalise_email(current_user.email) or application.role not in g.roles:
        abort(404)
    return application


@bp.route("/profile/<int:application_id>", methods=["GET", "POST"])
def profile(application_id: int):
    """Change your profile for a round: what your coordinator and, later, your match see."""
    application = _own(application_id)
    form_class = PROFILE_FORMS[application.role]
    data = {key: getattr(application, key) for key in applications.PROFILE_FIELDS[application.role]}
    data["languages"] = application.languages.split()
    data["availability"] = application.availability.split()
    form = form_class(data=data)
    if form.validate_on_submit():
        try:
            applications.update_profile(db.session, application, form_values(form))
            if application.role == MENTEE and form.cv.data:
                applications.replace_cv(db.session, application, applications.Upload(
                    form.cv.data.filename or "cv.pdf", form.cv.data.read()))
        except applications.ApplicationError as error:
            show_error(form, error)
        else:
            flash(_("Your profile is saved."), "info")
            return redirect(url_for("portal.home"))
    return render("portal/profile.html", form=form, application=application,
                  status=422 if form.is_submitted() else 200)


@bp.get("/mentee/<int:application_id>/cv")
def mentee_cv(application_id: int):
    """Your mentee's CV, when they have agreed that their mentor may see it."""
    mentee = get_in_city(db.session, Application, application_id)
    mine = [a.id for a in applications.participations(db.session, current_user)
            if a.role == MENTOR and a.status == ACCEPTED]
    paired = any(m.mentee_id == mentee.id and m.status == PUBLISHED for m in matching.matches_of(db.session, mine))
    # Someone else's mentee, a mentee who keeps the CV to the coordinators, or no CV: the same 404.
    if not (paired and mentee.share_cv and mentee.cv is not None):
        abort(404)
    return send_cv(mentee.cv, mentee)


@bp.post("/reapply/<int:cohort_id>/<role>")
def reapply(cohort_id: int, role: str):
    """Apply to a new round in one click, with the profile of your last application."""
    if role not in g.roles or role not in (MENTOR, MENTEE):
        abort(404)
    cohort = get_in_city(db.session, Cohort, cohort_id)
    participant = next((p for p in applications.pool(db.session, current_user) if p.role == role), None)
    if participant is None or cohort.status != "recruiting":
        abort(404)
    try:
        applications.reapply(db.session, participant, cohort)
    except applications.ApplicationError as error:
        flash(message(error.code, **error.params), "error")
        return redirect(url_for("portal.home"))
    flash(_("You have applied to %(cohort)s. The coordinator will be in touch.", cohort=cohort.name), "info")
    return redirect(url_for("portal.home"))


@bp.post("/withdraw/<int:application_id>")
def withdraw(application_id: int):
    """Withdraw your application or your participation in a round."""
    application = _own(application_id)
    try:
        applications.withdraw_own(db.session, application)
    except applications.ApplicationError as error:
        flash(message(error.code, **error.params), "error")
        return redirect(url_for("portal.home"))
    flash(_("You have withdrawn from %(cohort)s.", cohort=application.cohort.name), "info")
    return redirect(url_for("portal.home"))
