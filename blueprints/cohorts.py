"""A city's rounds: plan one from the programme model, edit its dates and events, move it through its life cycle."""

from flask import flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import Optional

from mentorby.blueprints.common import (
    CityBlueprint,
    attempt,
    cohort_view,
    kept_until_changed,
    loads,
    paginate,
    render,
    show_error,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import STEP_LABELS, message, register, text_for
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.extensions import db, htmx
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.tenants.applications.services import accepted_by_cohort, counts
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts import services as cohorts
from mentorby.tenants.cohorts.models import NEXT, Cohort, CohortEvent, CohortStatus
from mentorby.tenants.cohorts.schemas import CohortEventSchema, CohortSchema

bp = CityBlueprint("cohorts", __name__, url_prefix="/coordinator/cohorts", access=(COORDINATOR,))
ROUND, EVENT = CohortSchema(), CohortEventSchema()


class CohortForm(Form):
    """A round's name, dates and capacities (their limits are the schema's: tenants/cohorts/schemas.py)."""

    name = StringField(_l("Name"), render_kw=limits(ROUND, "name"), description=_l("For example \"Spring 2027\"."))
    starts_on = DateField(_l("Start date"), validators=[Optional()], render_kw=limits(ROUND, "starts_on"),
                          description=_l("The day of the first joint event; the other events are laid out from it."))
    ends_on = DateField(_l("End date"), validators=[Optional()], render_kw=limits(ROUND, "ends_on"),
                        description=_l("Leave empty for four months after the start."))
    apply_by = DateField(_l("Application deadline"), validators=[Optional()], render_kw=limits(ROUND, "apply_by"),
                         description=_l("Optional. The public forms close after this day."))
    mentor_capacity = IntegerField(_l("Mentors"), default=20, validators=[Optional()],
                                   render_kw=limits(ROUND, "mentor_capacity"))
    mentee_capacity = IntegerField(_l("Mentees"), default=20, validators=[Optional()],
                                   render_kw=limits(ROUND, "mentee_capacity"))
    description = TextAreaField(_l("Description"), render_kw=limits(ROUND, "description"),
                                description=_l("Shown on the application forms."))


class EventForm(Form):
    """When and where a joint event of a round takes place."""

    day = DateField(_l("Date"), validators=[Optional()], render_kw=limits(EVENT, "day"))
    at = TimeField(_l("Start time"), validators=[Optional()])
    duration_minutes = IntegerField(_l("Duration in minutes"), validators=[Optional()],
                                    render_kw=limits(EVENT, "duration_minutes"))
    location = StringField(_l("Location"), render_kw=limits(EVENT, "location"))


@bp.get("/")
def index():
    """The city's rounds, newest first, with their accepted participants."""
    page = paginate(cohorts.newest_first())
    return render("cohorts/index.html", page=page,
                  accepted=accepted_by_cohort(db.session, [cohort.id for cohort in page.items]))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Plan a round: its joint events are laid out from the programme model and its start date."""
    form = CohortForm()
    if submitted(form, cohorts.check_cohort):
        try:
            with attempt():
                cohort = cohorts.plan_cohort(db.session, form.data, by_user_id=current_user.id)
        except RuleError as error:
            show_error(form, error)
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
    "event_in_past": _l("This event has not happened yet, so it cannot be moved to a time that has passed."),
})


def _page(cohort: Cohort, status: int = 200, problem: str | None = None):
    by_status = counts(db.session, cohort.id)
    moves = [(target, cohorts.readiness(db.session, cohort, target), cohorts.early_start(cohort, target))
             for target in NEXT[cohort.status]]
    return render(
        "cohorts/show.html", cohort=cohort, counts=by_status, moves=moves, statuses=list(CohortStatus),
        transitions={t.to_status: t for t in cohorts.timeline(db.session, cohort)}, locale=str(get_locale()),
        problem=problem, status=status,
        accepted={role: by_status.get((role, "accepted"), 0) for role in ("mentor", "mentee")},
        applied={role: sum(n for (r, _s), n in by_status.items() if r == role) for role in ("mentor", "mentee")},
        explain=lambda code, params: message(code, LOCAL_MESSAGES, **params), not_yet=NOT_YET,
        phase_text=PHASE_TEXTS[cohort.status], allowed=[STEP_LABELS[step] for step in phases.ALLOWED[cohort.status]],
        forward=[target for target in NEXT[cohort.status] if target.position > cohort.status.position],
    )


@bp.get("/<int:cohort_id>")
@kept_until_changed
@cohort_view
def show(cohort: Cohort):
    """A round: its timeline, what it takes to move on, its events and its applications at a glance."""
    return _page(cohort)


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@cohort_view
def edit(cohort: Cohort):
    """Change a round's name, dates, capacities or description."""
    form = CohortForm(obj=cohort)
    if submitted(form, cohorts.check_cohort):
        try:
            with attempt():
                cohorts.update_cohort(db.session, cohort, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render("cohorts/form.html", form=form, cohort=cohort, status=422 if form.is_submitted() else 200)


@bp.post("/<int:cohort_id>/move")
@cohort_view
def move(cohort: Cohort):
    """Move a round to the next status of its life cycle, if its rules allow it."""
    target = CohortStatus.get(request.form.get("target"))
    if target is None:
        return _page(cohort, 422, message("transition_not_allowed"))
    try:
        with attempt():
            cohorts.move(db.session, cohort, target, by_user_id=current_user.id, note=request.form.get("note", ""),
                         early=request.form.get("early") == "1")
    except RuleError as error:
        return _page(cohort, 422, text_for(error))
    flash(_("The round is now: %(status)s.", status=target.label), "info")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


@bp.route("/<int:cohort_id>/events/<int:cohort_event_id>", methods=["GET", "POST"])
@cohort_view
@loads("event", CohortEvent, "cohort_event_id", within="cohort")
def edit_event(cohort: Cohort, event: CohortEvent):
    """Move a joint event of a round or say where it is; with htmx the row turns into the form and back."""
    local = cohorts.to_local(event.starts_at)
    # A prefix per event keeps ids unique when several rows are open as forms on the round's page.
    current = {"day": local.date(), "at": local.time().replace(second=0, microsecond=0),
               "duration_minutes": event.duration_minutes, "location": event.location}
    form = EventForm(prefix=f"event-{event.id}", data=current)
    if submitted(form, cohorts.check_event):
        try:
            with attempt():
                cohorts.update_event(db.session, event, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            if htmx:
                return render("cohorts/show.html", "event_row", cohort=cohort, event=event, saved=True,
                              locale=str(get_locale()))
            flash(_("Saved."), "info")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    status = 422 if form.is_submitted() else 200
    return render("cohorts/edit_event.html", "event_form", cohort=cohort, event=event, form=form, status=status,
                  locale=str(get_locale()))



