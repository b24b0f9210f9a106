"""A city's rounds: plan one from the programme model, edit its dates and events, move it through its life cycle."""

from flask import flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import DateField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from mentorby.blueprints.common import CityBlueprint, paginate, render, show_error
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import COHORT_ACTIONS, COHORT_STATUS_LABELS, STEP_LABELS, label, message, register
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.extensions import db, htmx
from mentorby.platform.tenancy import get_in_city
from mentorby.tenants.applications.services import accepted_by_cohort, counts
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts import services as cohorts
from mentorby.tenants.cohorts.models import NEXT, STATUSES, Cohort, CohortEvent

bp = CityBlueprint("cohorts", __name__, url_prefix="/coordinator/cohorts", access=(COORDINATOR,))


class CohortForm(Form):
    """A round's name, dates and capacities."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("For example \"Spring 2027\"."))
    starts_on = DateField(_l("Start date"), validators=[InputRequired()],
                          description=_l("The day of the first joint event; the other events are laid out from it."))
    ends_on = DateField(_l("End date"), validators=[Optional()],
                        description=_l("Leave empty for four months after the start."))
    apply_by = DateField(_l("Application deadline"), validators=[Optional()],
                         description=_l("Optional. The public forms close after this day."))
    mentor_capacity = IntegerField(_l("Mentors"), default=20, validators=[InputRequired(), NumberRange(1, 500)])
    mentee_capacity = IntegerField(_l("Mentees"), default=20, validators=[InputRequired(), NumberRange(1, 500)])
    description = TextAreaField(_l("Description"), validators=[Length(max=4000)],
                                description=_l("Shown on the application forms."))


class EventForm(Form):
    """When and where a joint event of a round takes place."""

    day = DateField(_l("Date"), validators=[InputRequired()])
    at = TimeField(_l("Start time"), validators=[InputRequired()])
    duration_minutes = IntegerField(_l("Duration in minutes"), validators=[InputRequired(), NumberRange(15, 1440)])
    location = StringField(_l("Location"), validators=[Length(max=200)])


def _values(form: CohortForm) -> dict:
    return {key: getattr(form, key).data for key in cohorts.FIELDS}


def _apply_error(form: Form, error: cohorts.CohortError) -> None:
    show_error(form, error, message(error.code, **error.params))


@bp.get("/")
def index():
    """The city's rounds, newest first, with their accepted participants."""
    page = paginate(select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.id.desc()))
    ids = [cohort.id for cohort in page.items]
    accepted = accepted_by_cohort(db.session, ids)
    return render("cohorts/index.html", page=page, accepted=accepted)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Plan a round: its joint events are laid out from the programme model and its start date."""
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = cohorts.plan_cohort(db.session, _values(form), by_user_id=current_user.id)
        except cohorts.CohortError as error:
            _apply_error(form, error)
        else:
            flash(_("%(name)s is planned. Check the dates of its events, then open recruitment.", name=cohort.name),
                  "info")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render("cohorts/form.html", form=form, cohort=None, status=422 if form.is_submitted() else 200)


#: What a round in each status is for, and what comes next (the round's page says it above the buttons).
PHASE_TEXTS = {
    "planned": _l("The round is being planned: check its dates and joint events, then open recruitment so that the "
                  "application forms take applications."),
    "recruiting": _l("Recruitment is open: the application forms take applications. Read and shortlist them now; "
                     "you decide who takes part once you close the applications."),
    "selecting": _l("The application forms are closed. Decide who takes part and tell them, plan the kick-off's "
                    "speed networking and publish the pairs; then start the round at the kick-off."),
    "running": _l("The round is running: the pairs meet between the joint events. Close it after the closing "
                  "meeting."),
    "closed": _l("The round is closed. Its 6-month follow-up comes next."),
    "followed_up": _l("The round and its 6-month follow-up are done."),
}
#: Refusals that only time lifts: the page shows when instead of a button that cannot work yet.
NOT_YET = ("not_started", "follow_up_not_due")
LOCAL_MESSAGES = register("cohorts", {
    "early_start": _l("The kick-off is on %(date)s. To start the round before it, tick the box and say why."),
})


def _page(cohort: Cohort, status: int = 200, problem: str | None = None):
    by_status = counts(db.session, cohort.id)
    moves = [(target, cohorts.readiness(db.session, cohort, target), cohorts.early_start(cohort, target))
             for target in NEXT[cohort.status]]
    transitions = {t.to_status: t for t in cohorts.timeline(db.session, cohort)}
    return render(
        "cohorts/show.html", cohort=cohort, counts=by_status, moves=moves, transitions=transitions,
        statuses=STATUSES, locale=str(get_locale()), actions=COHORT_ACTIONS, problem=problem, status=status,
        accepted={role: by_status.get((role, "accepted"), 0) for role in ("mentor", "mentee")},
        applied={role: sum(n for (r, _s), n in by_status.items() if r == role) for role in ("mentor", "mentee")},
        explain=lambda code, params: message(code, LOCAL_MESSAGES, **params), not_yet=NOT_YET,
        phase_text=PHASE_TEXTS[cohort.status], allowed=[STEP_LABELS[step] for step in phases.ALLOWED[cohort.status]],
        forward=[target for target in NEXT[cohort.status] if STATUSES.index(target) > STATUSES.index(cohort.status)],
    )


@bp.get("/<int:cohort_id>")
def show(cohort_id: int):
    """A round: its timeline, what it takes to move on, its events and its applications at a glance."""
    return _page(get_in_city(db.session, Cohort, cohort_id))


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
def edit(cohort_id: int):
    """Change a round's name, dates, capacities or description."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    form = CohortForm(obj=cohort)
    if form.validate_on_submit():
        try:
            cohorts.update_cohort(db.session, cohort, _values(form))
        except cohorts.CohortError as error:
            _apply_error(form, error)
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render("cohorts/form.html", form=form, cohort=cohort, status=422 if form.is_submitted() else 200)


@bp.post("/<int:cohort_id>/move")
def move(cohort_id: int):
    """Move a round to the next status of its life cycle, if its rules allow it."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    target = request.form.get("target", "")
    if target not in STATUSES:
        return _page(cohort, 422, message("transition_not_allowed"))
    try:
        cohorts.move(db.session, cohort, target, by_user_id=current_user.id, note=request.form.get("note", ""),
                     early=request.form.get("early") == "1")
    except cohorts.CohortError as error:
        db.session.rollback()
        return _page(get_in_city(db.session, Cohort, cohort_id), 422,
                     message(error.code, LOCAL_MESSAGES, **error.params))
    flash(_("The round is now: %(status)s.", status=label(COHORT_STATUS_LABELS, target)), "info")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


@bp.route("/<int:cohort_id>/events/<int:cohort_event_id>", methods=["GET", "POST"])
def edit_event(cohort_id: int, cohort_event_id: int):
    """Move a joint event of a round or say where it is; with htmx the row turns into the form and back."""
    cohort = get_in_city(db.session, Cohort, cohort_id)
    event = get_in_city(db.session, CohortEvent, cohort_event_id, cohort_id=cohort.id)
    local = cohorts.to_local(event.starts_at)
    # A prefix per event keeps ids unique when several rows are open as forms on the round's page.
    current = {"day": local.date(), "at": local.time().replace(second=0, microsecond=0),
               "duration_minutes": event.duration_minutes, "location": event.location}
    form = EventForm(prefix=f"event-{event.id}", data=current)
    if form.validate_on_submit():
        try:
            cohorts.update_event(db.session, event, day=form.day.data, at=form.at.data,
                                 duration_minutes=form.duration_minutes.data, location=form.location.data or "")
        except cohorts.CohortError as error:
            _apply_error(form, error)
        else:
            if htmx:
                return render("cohorts/show.html", "event_row", cohort=cohort, event=event, saved=True,
                              locale=str(get_locale()))
            flash(_("Saved."), "info")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    status = 422 if form.is_submitted() else 200
    return render("cohorts/edit_event.html", "event_form", cohort=cohort, event=event, form=form, status=status,
                  locale=str(get_locale()))



