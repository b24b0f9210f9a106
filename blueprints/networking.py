"""Kick-off speed networking: the rotation plan, printable sheets, the phone view and ratings."""

from datetime import timedelta

from flask import current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import IntegerField
from wtforms.validators import InputRequired

from mentorby.blueprints.common import (
    CityBlueprint,
    attempt,
    cohort_view,
    personal_page,
    public,
    render,
    show_error,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import message, register, text_for
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.accounts.tokens import LinkError, make_link_token, read_link_token
from mentorby.platform.extensions import db
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.tenants.applications.models import Application
from mentorby.tenants.applications.profile import MENTEE, MENTOR, ROLES
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.matching import networking
from mentorby.tenants.matching.schemas import PlanSchema

bp = CityBlueprint("networking", __name__, access=(COORDINATOR,))
PLAN = PlanSchema()
#: The roles as the sheets and the phone compare them (the pages never spell a role out).
ROLE_NAMES = {"MENTOR": MENTOR, "MENTEE": MENTEE}
PHONE = "networking-phone"
#: The personal link is sent before the kick-off and used for the ratings afterwards.
PHONE_MAX_AGE = timedelta(days=30)

#: This area's rule codes; the rest come from messages.py.
MESSAGES = register("networking", {
    "bad_turns": _l("Use a whole number of turns from %(min)d to %(max)d."),
    "bad_minutes": _l("Use a whole number of minutes from %(min)d to %(max)d."),
    "no_plan": _l("There is no speed-networking plan for this round yet."),
    "not_in_plan": _l("You are not in this round's speed-networking plan. Ask the coordinator."),
    "not_met": _l("You can only rate people you talked to at the speed networking."),
    "bad_rating": _l("Choose a rating from 1 to 5, or \"No answer\"."),
    "nothing_rated": _l("Rate at least one person you talked to."),
    "not_taking_part": _l("You no longer take part in this round, so there is nothing to show here."),
    "rating_not_open": _l("You can rate the people you met once the kick-off has begun, on %(when)s."),
    "nobody_to_remind": _l("Everyone who was sent the personal link has answered: there is no one to remind."),
})
#: The answer scale on the phone: the number and what it means.
RATING_CHOICES = (
    (1, _l("Not at all")),
    (2, _l("Not really")),
    (3, _l("Perhaps")),
    (4, _l("Gladly")),
    (5, _l("Very much")),
)


def explain(code: str, **params) -> str:
    """The message for a rule code of this area (or a shared one), with its parameters filled in."""
    return message(code, MESSAGES, **params)


class PlanForm(Form):
    """How many turns of how many minutes (their limits are the schema's: tenants/matching/schemas.py)."""

    # InputRequired: a field left out of the post would otherwise keep the plan's current value.
    turns = IntegerField(_l("Turns"), validators=[InputRequired()], render_kw=limits(PLAN, "turns"))
    minutes = IntegerField(_l("Minutes per turn"), default=networking.DEFAULT_MINUTES, validators=[InputRequired()],
                           description=_l("Including the minute it takes to change tables."),
                           render_kw=limits(PLAN, "minutes"))


# --- the coordinator's pages --------------------------------------------------------------------------------------


def _plan_page(cohort: Cohort, form: PlanForm, status: int = 200):
    mentor_ids, mentee_ids = networking.participants(db.session, cohort)
    current = networking.load(db.session, cohort)
    waiting, taking_part = [], 0
    if current is not None:
        waiting = networking.who_has_not_answered(db.session, cohort, current)
        taking_part = len(networking.taking_part(db.session, cohort, current))
    changed = current is not None and (
        set(current.plan.mentor_ids) != set(mentor_ids) or set(current.plan.mentee_ids) != set(mentee_ids))
    start = networking.kickoff_start(db.session, cohort)
    return render(
        "networking/plan.html", cohort=cohort, form=form, nw=current, mentors=len(mentor_ids),
        mentees=len(mentee_ids), everyone_meets=max(len(mentor_ids), len(mentee_ids)), changed=changed,
        waiting=waiting, to_remind=[p for p in waiting if p.link_sent], taking_part=taking_part, start=start,
        finished=cohort.status in networking.FINISHED, allowed=phases.allows(cohort, "networking"),
        why_not=explain("phase_networking"), times=current.turn_times(start) if current else [], status=status,
        **ROLE_NAMES,
    )


@bp.route("/coordinator/cohorts/<int:cohort_id>/networking", methods=["GET", "POST"])
@cohort_view
def plan(cohort: Cohort):
    """The kick-off's speed-networking plan: make it, see the master sheet, send rating links, see who answered."""
    saved = networking.find_plan(db.session, cohort)
    if saved is not None:
        defaults = {"turns": saved.turns, "minutes": saved.minutes}
    else:
        mentor_ids, mentee_ids = networking.participants(db.session, cohort)
        defaults = {"turns": networking.default_turns(len(mentor_ids), len(mentee_ids)),
                    "minutes": networking.DEFAULT_MINUTES}
    form = PlanForm(data=defaults)
    if submitted(form, networking.check_plan):
        try:
            with attempt():
                made = networking.make_plan(db.session, cohort, form.turns.data, form.minutes.data)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("The plan is made: %(turns)d turns of %(minutes)d minutes.", turns=made.turns,
                    minutes=made.minutes), "info")
            return redirect(url_for("networking.plan", cohort_id=cohort.id, _anchor="master"))
    return _plan_page(cohort, form, 422 if form.is_submitted() else 200)


@bp.get("/coordinator/cohorts/<int:cohort_id>/networking/sheets")
@cohort_view
def sheets(cohort: Cohort):
    """Printable sheets: the master sheet, then one page per participant with their table and partner per turn."""
    current = networking.load(db.session, cohort)
    start = networking.kickoff_start(db.session, cohort)
    people = []
    if current is not None:
        for role in ROLES:
            people += [(person, current.schedule(person.id)) for person in current.people(role)]
    return render("networking/sheets.html", cohort=cohort, nw=current, people=people, start=start,
                  times=current.turn_times(start) if current else [], **ROLE_NAMES)


def phone_link(application: Application) -> str:
    """The participant's personal page: their schedule during the kick-off and their ratings afterwards."""
    token = make_link_token(PHONE, {"t": g.city.id, "c": application.cohort_id, "a": application.id})
    return current_app.config["BASE_URL"].rstrip("/") + url_for("networking.phone", token=token)


@bp.post("/coordinator/cohorts/<int:cohort_id>/networking/send")
@cohort_view
def send_links(cohort: Cohort):
    """E-mail each participant of the plan their personal link, or remind those who got it and have not answered."""
    reminder = request.form.get("only") == "missing"
    try:
        with attempt():
            recipients = networking.link_recipients(db.session, cohort, reminder=reminder)
    except RuleError as error:
        flash(text_for(error), "error")
        return redirect(url_for("networking.plan", cohort_id=cohort.id, _anchor="ratings"))
    for application in recipients:
        queue_template_mail(
            db.session, to=application.email, kind="rating_link", template="rating_link", tenant_id=g.city.id,
            locale=application.locale, city=g.city, cohort=cohort, name=application.name,
            link=phone_link(application), days=PHONE_MAX_AGE.days,
        )
    if reminder:
        flash(ngettext("Reminder sent to %(num)d participant.", "Reminders sent to %(num)d participants.",
                       len(recipients)), "info")
    else:
        flash(ngettext("Personal link sent to %(num)d participant.", "Personal links sent to %(num)d participants.",
                       len(recipients)), "info")
    return redirect(url_for("networking.plan", cohort_id=cohort.id, _anchor="ratings"))


# --- the participant's phone ----------------------------------------------------------------------------------------


def _problem(code: str):
    return render("auth/link_problem.html", problem=explain(code), status=400)


def _read_ratings(partner_ids: set[int]) -> tuple[dict[int, int], dict[int | None, str]]:
    """The ratings in the posted form, and what is wrong with them (per person; None for the whole form)."""
    values, errors = {}, {}
    for key, raw in request.form.items():
        if not key.startswith("rating-"):
            continue
        raw_id, raw = key.removeprefix("rating-"), raw.strip()
        if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 10) or int(raw_id) not in partner_ids:
            errors[None] = explain("not_met")
            continue
        rated_id = int(raw_id)
        if raw == "":
            continue  # "No answer"
        if not (raw.isascii() and raw.isdigit() and len(raw) < 3
                and networking.MIN_RATING <= int(raw) <= networking.MAX_RATING):
            errors[rated_id] = explain("bad_rating")
            continue
        values[rated_id] = int(raw)
    return values, errors


@bp.route("/networking/<token>", methods=["GET", "POST"])
@public
def phone(token: str):
    """A participant's own page from their personal link (no sign-in): the evening's schedule, then the ratings."""
    try:
        payload = read_link_token(PHONE, token, PHONE_MAX_AGE)
    except LinkError as error:
        return render("auth/link_problem.html", problem=message(error.reason), status=400)
    ids = (payload.get("t"), payload.get("c"), payload.get("a"))
    if ids[0] != g.city.id or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return _problem("invalid")
    try:
        application = networking.link_holder(db.session, payload["c"], payload["a"])
    except RuleError as error:
        return render("auth/link_problem.html", problem=text_for(error), status=400)
    # The participant's own language (they chose it when applying), unless they switched on this device.
    return personal_page(application.locale, _phone_page, token, application)


def _phone_page(token: str, application: Application):
    cohort = application.cohort
    current = networking.load(db.session, cohort)
    if current is None:
        return _problem("no_plan")
    if current.role(application.id) is None:
        return _problem("not_in_plan")
    partners = current.partners(application.id)
    errors: dict[int | None, str] = {}
    chosen = networking.ratings_by(db.session, cohort, application)
    if request.method == "POST":
        values, errors = _read_ratings({entry.partner_id for entry in partners})
        if not errors:
            try:
                with attempt():
                    networking.save_ratings(db.session, cohort, application, values, current)
            except RuleError as error:
                rated = error.params.get("rated_id")
                errors[rated if rated in values else None] = text_for(error)
            else:
                # The thanks goes beside the form (a flash would sit above the schedule, out of sight).
                return redirect(url_for("networking.phone", token=token, saved=1, _anchor="ratings"))
        # Shown again as sent, so a correction needs only the one wrong answer.
        chosen = {entry.partner_id: request.form.get(f"rating-{entry.partner_id}", "") for entry in partners}
    start = networking.kickoff_start(db.session, cohort)
    return render(
        "networking/phone.html", token=token, cohort=cohort, me=application, nw=current,
        schedule=current.schedule(application.id), partners=partners, times=current.turn_times(start), start=start,
        opens=networking.rating_opens_at(db.session, cohort), errors=errors, chosen=chosen,
        saved=request.method == "GET" and request.args.get("saved") == "1", choices=RATING_CHOICES,
        finished=cohort.status in networking.FINISHED, status=422 if errors else 200, **ROLE_NAMES,
    )
