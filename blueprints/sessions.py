"""The running round: mentors and mentees log 1:1 sessions in the portal; the coordinator watches the round's health."""

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField, TextAreaField

from mentorby.blueprints.application_forms import MultiCheckboxField
from mentorby.blueprints.common import (
    CityBlueprint,
    attempt,
    choices,
    cohort_view,
    loads,
    render,
    show_error,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import register, text_for
from mentorby.blueprints.notice import require_current_consent
from mentorby.blueprints.portal import own_application
from mentorby.platform import clock
from mentorby.platform.accounts.models import COORDINATOR, MENTEE, MENTOR
from mentorby.platform.extensions import db, htmx
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.tenants.applications import queries
from mentorby.tenants.applications.models import Application
from mentorby.tenants.applications.profile import Role
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.matching.models import Match
from mentorby.tenants.sessions import figures
from mentorby.tenants.sessions import services as sessions
from mentorby.tenants.sessions.models import QUICK_MINUTES, SessionLog, Topic
from mentorby.tenants.sessions.schemas import POLICY, SESSION

#: Logging and confirming sessions, in the participant's portal.
bp = CityBlueprint("sessions", __name__, url_prefix="/portal/sessions", access=(MENTOR, MENTEE))
bp.before_request(require_current_consent)
#: The round's health, for the coordinator (registered in blueprints/__init__.py).
health_bp = CityBlueprint("health", __name__, url_prefix="/coordinator/cohorts", access=(COORDINATOR,))

MESSAGES = register("sessions", {
    "not_your_pair": _l("You can only log sessions of your own mentoring."),
    "choose_pair": _l("Choose who was at the session."),
    "one_mentor": _l("Log a session with one mentor at a time."),
    "date_in_future": _l("The session cannot be in the future: log it when it has taken place."),
    "before_round": _l("The round started on %(date)s: choose a date from then on."),
    "bad_minutes": _l("Use %(min)d to %(max)d minutes."),
    "bad_topic": _l("Choose topics from the list."),
    "no_topics": _l("Choose at least one topic."),
    "not_your_session": _l("You were not at this session."),
    "own_entry": _l("You logged this session yourself: the other side confirms it."),
    "already_confirmed": _l("This session is already confirmed."),
    "not_running": _l("Only pairs that are meeting can be nudged."),
    "nudged_today": _l("This pair was already nudged today."),
    "bad_quiet_weeks": _l("Use %(min)d to %(max)d weeks."),
})


class SessionForm(Form):
    """Log a session: a few taps on a phone."""

    held_on = DateField(_l("Date"), default=lambda: clock.today())
    # Quick choices; the limits are the schema's, so another value is refused with its message.
    minutes = RadioField(_l("Length"), choices=lambda: choices([(m, _l("%(num)d min", num=m)) for m in QUICK_MINUTES]),
                         coerce=int, default=60, validate_choice=False)
    topics = MultiCheckboxField(_l("Topics"), choices=lambda: choices(Topic.choices()), validate_choice=False)
    pairs = MultiCheckboxField(_l("Who was there"), coerce=int, validate_choice=False)
    next_step = StringField(_l("Next step"), description=_l("One line: what happens before you meet again."),
                            render_kw=limits(SESSION, "next_step"))
    notes = TextAreaField(_l("Private notes"), description=_l("Only you and the people you met read these: never the "
                                                              "coordinator."),
                          render_kw=limits(SESSION, "notes") | {"rows": 3})


class PolicyForm(Form):
    """The city's health policy."""

    quiet_weeks = IntegerField(_l("Weeks without a session before a pair is at risk"),
                               render_kw=limits(POLICY, "quiet_weeks"))
    auto_nudges = BooleanField(_l("Nudge pairs at risk by e-mail automatically"))


# --- the portal -----------------------------------------------------------------------------------------------------


def _others(application: Application, pairs) -> dict[int, Application]:
    """The other side of each pair, by application id."""
    ids = {m.mentor_id if application.role == Role.MENTEE else m.mentee_id for m in pairs}
    return queries.by_ids(db.session, ids)


def _list_context(application: Application) -> dict:
    logs = sessions.sessions_of(db.session, application)
    matches = sessions.matches_by_id(db.session, logs)
    people = queries.by_ids(db.session, {m.mentee_id for m in matches.values()} | {log.mentor_id for log in logs})
    return {"application": application, "logs": logs, "matches": matches, "people": people,
            "waiting": {log.id for log in logs if sessions.to_confirm(log, application, matches)},
            "pairs": sessions.pairs_of(db.session, application)}


@bp.get("/<int:application_id>")
@own_application
def index(application: Application):
    """Your sessions in the round, newest first, with those waiting for your confirmation."""
    return render("sessions/index.html", **_list_context(application))


@bp.route("/<int:application_id>/new", methods=["GET", "POST"])
@own_application
def new(application: Application):
    """Log a session: date, length, topics, a next step and private notes; a mentor ticks who came."""
    pairs = sessions.pairs_of(db.session, application)
    if not pairs:
        abort(404)
    others = _others(application, pairs)
    form = SessionForm()
    form.pairs.choices = choices([(m.id, others[m.mentee_id if application.role == Role.MENTOR else m.mentor_id].name)
                                  for m in pairs])
    if not form.is_submitted():
        form.pairs.data = [m.id for m in pairs] if application.role == Role.MENTOR or len(pairs) == 1 else []
    if submitted(form, lambda values: sessions.check_session(values)):
        try:
            with attempt():
                sessions.log_session(db.session, application, {key: form[key].data for key in
                                                               ("held_on", "minutes", "topics", "next_step",
                                                                "notes")},
                                     form.pairs.data or [], clock.today())
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("The session is logged. The other side confirms it in their portal."), "info")
            return redirect(url_for("sessions.index", application_id=application.id))
    return render("sessions/new.html", form=form, application=application, pairs=pairs,
                  today_iso=clock.today().isoformat(), status=422 if form.is_submitted() else 200)


@bp.post("/<int:application_id>/<int:log_id>/confirm")
@own_application
@loads("log", SessionLog, "log_id")
def confirm(application: Application, log: SessionLog):
    """Confirm with one tap that a session the other side logged took place."""
    if not sessions.was_there(log, application, sessions.matches_by_id(db.session, [log])):
        abort(404)  # someone else's session: as if it did not exist
    try:
        with attempt():
            sessions.confirm(db.session, log, application)
    except RuleError as error:
        if not htmx:
            flash(text_for(error), "error")
            return redirect(url_for("sessions.index", application_id=application.id))
        return render("sessions/index.html", "session_list", error=text_for(error), status=422,
                      **_list_context(application))
    if not htmx:
        flash(_("Thank you: the session is confirmed."), "info")
        return redirect(url_for("sessions.index", application_id=application.id))
    return render("sessions/index.html", "session_list", **_list_context(application))


# --- the round's health ---------------------------------------------------------------------------------------------


def _health(cohort: Cohort, **extra):
    today = clock.today()
    rules = figures.policy(db.session)
    form = extra.pop("form", None) or PolicyForm(formdata=None, quiet_weeks=rules.quiet_weeks,
                                                 auto_nudges=rules.auto_nudges)
    return dict(cohort=cohort, health=figures.round_health(db.session, cohort, today), today=today, form=form,
                **extra)


@health_bp.get("/<int:cohort_id>/health")
@cohort_view
def show(cohort: Cohort):
    """Per pair or group: sessions, last contact, joint events; pairs at risk with the suggested action."""
    return render("sessions/health.html", **_health(cohort))


@health_bp.post("/<int:cohort_id>/health/pairs/<int:match_id>/nudge")
@cohort_view
@loads("match", Match, "match_id", within="cohort")
def nudge(cohort: Cohort, match: Match):
    """E-mail both sides of a pair (or the whole group) to log their next session; once a day at most."""
    error = None
    try:
        with attempt():
            figures.nudge(db.session, g.city, match, clock.today(), by_user_id=current_user.id)
    except RuleError as refusal:
        error = text_for(refusal)
    if not htmx:
        flash(error or _("Nudged: both sides got an e-mail."), "error" if error else "info")
        return redirect(url_for("health.show", cohort_id=cohort.id, _anchor=f"mentor-{match.mentor_id}"))
    context = _health(cohort)
    unit = next(u for u in context["health"].units if any(p.match.id == match.id for p in u.pairs))
    return render("sessions/health.html", "unit", unit=unit, error=error, done=error is None,
                  status=422 if error else 200, **context)


@health_bp.post("/<int:cohort_id>/health/policy")
@cohort_view
def policy(cohort: Cohort):
    """Set the weeks before a pair is at risk and whether nudges go out by themselves (for the whole city)."""
    form = PolicyForm()
    if submitted(form, figures.check_policy):
        try:
            with attempt():
                figures.update_policy(db.session, {"quiet_weeks": form.quiet_weeks.data,
                                                   "auto_nudges": form.auto_nudges.data})
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("The health settings are saved."), "info")
            return redirect(url_for("health.show", cohort_id=cohort.id))
    return render("sessions/health.html", status=422, **_health(cohort, form=form))
