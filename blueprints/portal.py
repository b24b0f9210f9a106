"""The participant portal: a mentor's or mentee's round, what comes next, their profile, re-applying."""

from functools import wraps

from flask import abort, flash, g, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from mentorby.blueprints.application_forms import PROFILE_FORMS, answers, uploaded_cv
from mentorby.blueprints.applications import send_cv
from mentorby.blueprints.common import CityBlueprint, attempt, cohort_view, loads, render, show_error, submitted
from mentorby.blueprints.events import portal_events
from mentorby.blueprints.messages import text_for
from mentorby.blueprints.notice import current_consent_version, require_current_consent
from mentorby.platform import clock
from mentorby.platform.accounts.models import MENTEE, MENTOR
from mentorby.platform.extensions import db
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications import consent, filing, queries
from mentorby.tenants.applications.models import ACCEPTED, DECLINED, WITHDRAWN, Application
from mentorby.tenants.applications.profile import Role
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, Cohort
from mentorby.tenants.cohorts.services import open_cohorts
from mentorby.tenants.matching import services as matching
from mentorby.tenants.matching.models import PUBLISHED
from mentorby.tenants.sessions import services as sessions
from mentorby.tenants.surveys import sending

bp = CityBlueprint("portal", __name__, url_prefix="/portal", access=(MENTOR, MENTEE))
# A participant agrees to the city's privacy notice in force before continuing (after the access check).
bp.before_request(require_current_consent)


def own_application(view):
    """Hand the view `application`: the signed-in person's own application of the URL's <application_id>.

    Someone else's is the same 404 as one that does not exist (the rule is the service's: `filing.is_own`).
    """

    @loads("application", Application, "application_id")
    @wraps(view)
    def wrapped(*args, application: Application, **kwargs):
        if not filing.is_own(application, current_user, g.roles):
            abort(404)
        return view(*args, application=application, **kwargs)

    return wrapped


def _current(participations: list[Application]) -> Application | None:
    """The round that matters now: a running or starting round the person is in, else their open application.

    A closed round is never "current", even when it is the person's only acceptance: it is in their history.
    """
    live = [a for a in participations
            if a.cohort.status not in (CLOSED, FOLLOWED_UP) and a.status not in (WITHDRAWN, DECLINED)]
    accepted = [a for a in live if a.status == ACCEPTED]
    return (accepted or live or [None])[0]


@bp.get("/")
def home():
    """Your round, its next events for your role, your match once made, your history and open rounds."""
    participations = filing.participations(db.session, current_user)
    current = _current(participations)
    now = utcnow()
    upcoming = []
    if current is not None:
        upcoming = [event for event in current.cohort.events if event.is_for(current.role) and event.starts_at >= now]
    applied = {application.cohort_id for application in participations}
    pool = filing.pool_entries(db.session, current_user)
    can_reapply = [
        (cohort, participant) for cohort in open_cohorts(db.session) if cohort.id not in applied
        for participant in pool if participant.role in g.roles
    ]
    pairs, others = [], {}
    if current is not None and current.status == ACCEPTED:
        pairs = [m for m in matching.matches_of(db.session, [current.id]) if m.status == PUBLISHED]
        others = queries.by_ids(db.session, {m.mentor_id if current.role == Role.MENTEE else m.mentee_id
                                             for m in pairs})
    # 1:1 sessions the other side logged that wait for this person's one-tap confirmation.
    to_confirm = sessions.waiting_count(db.session, current) if pairs else 0
    locale = str(get_locale())
    # Surveys waiting for this person's answers, each with their personal link (the same one the e-mail carried).
    surveys = [(response, url_for("answer.answer", token=sending.token_of(response)))
               for response in sending.waiting_for(db.session, [p.id for p in participations], clock.today())]
    return render("portal/home.html", current=current, participations=participations, upcoming=upcoming,
                  surveys=surveys, to_confirm=to_confirm,
                  can_reapply=can_reapply, locale=locale, pairs=pairs, others=others,
                  may_leave=current is not None and filing.may_leave(current),
                  consent_text=consent.consent_text(consent.CURRENT, locale, g.city.name), **portal_events(current))


@bp.route("/profile/<int:application_id>", methods=["GET", "POST"])
@own_application
def profile(application: Application):
    """Change your profile for a round: what your coordinator and, later, your match see."""
    form = PROFILE_FORMS[application.role](data=filing.profile_values(application))
    values, cv = answers(form), uploaded_cv(form)
    if submitted(form, lambda _fields: filing.check_profile(application.role, values | {"cv": cv})):
        try:
            with attempt():
                filing.update_profile(db.session, application, values, cv=cv)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Your profile is saved."), "info")
            return redirect(url_for("portal.home"))
    return render("portal/profile.html", form=form, application=application,
                  status=422 if form.is_submitted() else 200)


@bp.get("/mentee/<int:application_id>/cv")
@loads("mentee", Application, "application_id")
def mentee_cv(mentee: Application):
    """Your mentee's CV, when they have agreed that their mentor may see it."""
    mine = [a.id for a in filing.participations(db.session, current_user)
            if a.role == Role.MENTOR and a.status == ACCEPTED]
    paired = any(m.mentee_id == mentee.id and m.status == PUBLISHED for m in matching.matches_of(db.session, mine))
    # Someone else's mentee, a mentee who keeps the CV to the coordinators, or no CV: the same 404.
    if not (paired and mentee.share_cv and mentee.cv is not None):
        abort(404)
    return send_cv(mentee.cv, mentee)


@bp.post("/reapply/<int:cohort_id>/<role>")
@cohort_view
def reapply(cohort: Cohort, role: str):
    """Apply to a new round in one click, with the profile of your last application."""
    participant = next((p for p in filing.pool_entries(db.session, current_user)
                        if p.role == role and role in g.roles), None)
    # A round that does not take applications is not offered, and nobody re-applies in a role they do not hold.
    if participant is None or not phases.allows(cohort, "apply"):
        abort(404)
    try:
        with attempt():
            filing.reapply(db.session, participant, cohort, consent_version=current_consent_version())
    except RuleError as error:
        flash(text_for(error), "error")
        return redirect(url_for("portal.home"))
    flash(_("You have applied to %(cohort)s. The coordinator will be in touch.", cohort=cohort.name), "info")
    return redirect(url_for("portal.home"))


@bp.post("/withdraw/<int:application_id>")
@own_application
def withdraw(application: Application):
    """Withdraw your application or your participation in a round."""
    try:
        with attempt():
            filing.withdraw_own(db.session, application)
    except RuleError as error:
        flash(text_for(error), "error")
        return redirect(url_for("portal.home"))
    flash(_("You have withdrawn from %(cohort)s.", cohort=application.cohort.name), "info")
    return redirect(url_for("portal.home"))
