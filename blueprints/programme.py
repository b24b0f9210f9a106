"""The city's programme model: the joint-event sequence and the success criteria, editable by coordinators."""

from flask import flash, g, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, EmailField, IntegerField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import Email, Optional

from mentorby.blueprints.common import (
    CityBlueprint,
    attempt,
    choices,
    finite,
    loads,
    render,
    show_error,
    strip,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import register
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.cities import services as cities
from mentorby.platform.extensions import db, htmx
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.tenants.programme import services as programme
from mentorby.tenants.programme.models import Audience, ProgrammeEvent, SuccessCriterion

bp = CityBlueprint("programme", __name__, url_prefix="/coordinator/programme", access=(COORDINATOR,))
EVENT, CRITERION, DETAILS = programme.EVENT, programme.CRITERION, cities.PUBLIC_DETAILS

#: Messages for this area's own rule codes.
MESSAGES = register("programme", {
    "out_of_range": _l("Number must be between %(min)s and %(max)s."),
    "bad_threshold": _l("Enter a number between 1 and 100."),
})


class EventForm(Form):
    """A joint event's name, audience and timing (their limits are the schema's: tenants/programme/schemas.py)."""

    name_da = StringField(_l("Name in Danish"), render_kw=limits(EVENT, "name_da"))
    name_en = StringField(_l("Name in English"), render_kw=limits(EVENT, "name_en"))
    description_da = TextAreaField(_l("Description in Danish"), render_kw=limits(EVENT, "description_da"))
    description_en = TextAreaField(_l("Description in English"), render_kw=limits(EVENT, "description_en"))
    audience = SelectField(_l("Who takes part"), choices=lambda: choices(Audience.choices()))
    week_offset = IntegerField(_l("Weeks after the round starts"), validators=[Optional()],
                               render_kw=limits(EVENT, "week_offset"))
    duration_minutes = IntegerField(_l("Duration in minutes"), validators=[Optional()],
                                    render_kw=limits(EVENT, "duration_minutes"))


class CriterionForm(Form):
    """A success criterion's threshold and wording."""

    threshold_percent = DecimalField(_l("Threshold (%)"), places=1, validators=[Optional(), finite],
                                     render_kw=limits(CRITERION, "threshold_percent"))
    statement_da = TextAreaField(_l("Criterion in Danish"), render_kw=limits(CRITERION, "statement_da"))
    statement_en = TextAreaField(_l("Criterion in English"), render_kw=limits(CRITERION, "statement_en"))


class CityDetailsForm(Form):
    """What the public sees of the programme: its own contact address and phone, and the front page's text."""

    # The form reads an e-mail address as one (Email); the schema (platform/cities/schemas.py) holds the limits.
    public_email = EmailField(_l("The programme's e-mail address"), filters=[strip],
                              validators=[Optional(), Email()], render_kw=limits(DETAILS, "public_email"),
                              description=_l("Shown on the city's pages and on closed application forms. Use a "
                                             "shared mailbox, not a person's own address."))
    public_phone = TelField(_l("The programme's phone (optional)"), filters=[strip],
                            render_kw=limits(DETAILS, "public_phone"))
    intro_da = TextAreaField(_l("Introduction in Danish"), render_kw=limits(DETAILS, "intro_da"))
    intro_en = TextAreaField(_l("Introduction in English"), render_kw=limits(DETAILS, "intro_en"))


@bp.get("/")
def overview():
    """The joint events in order, the success criteria and the city's public details."""
    return render("programme/overview.html", city=g.city, events=programme.events(db.session),
                  criteria=programme.criteria(db.session), locale=str(get_locale()))


@bp.route("/details", methods=["GET", "POST"])
def details():
    """The programme's public contact and the front page's introduction."""
    form = CityDetailsForm(obj=g.city)
    if submitted(form, cities.check_public_details):
        try:
            with attempt():
                cities.update_public_details(db.session, g.city, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Saved. The city's pages show it now."), "info")
            return redirect(url_for("programme.overview"))
    return render("programme/details.html", form=form, city=g.city, status=422 if form.is_submitted() else 200)


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@loads("event", ProgrammeEvent, "event_id")
def edit_event(event: ProgrammeEvent):
    """Edit a joint event; with htmx the row turns into the form and back."""
    # A prefix per event keeps ids unique when several rows are open for editing at once.
    form = EventForm(obj=event, prefix=f"event-{event.id}")
    if submitted(form, programme.check_event):
        try:
            with attempt():
                programme.update_event(db.session, event, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            if htmx:
                return render("programme/overview.html", "event_row", event=event, saved=True,
                              locale=str(get_locale()))
            flash(_("Saved."), "info")
            return redirect(url_for("programme.overview"))
    status = 422 if form.is_submitted() else 200
    return render("programme/edit_event.html", "event_form", event=event, form=form, status=status)


@bp.route("/criteria/<int:criterion_id>", methods=["GET", "POST"])
@loads("criterion", SuccessCriterion, "criterion_id")
def edit_criterion(criterion: SuccessCriterion):
    """Edit a success criterion's threshold and wording."""
    form = CriterionForm(obj=criterion)
    if not form.is_submitted():
        form.threshold_percent.data = round(float(criterion.threshold) * 100, 1)
    if submitted(form, programme.check_criterion):
        try:
            with attempt():
                programme.update_criterion(db.session, criterion, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("programme.overview"))
    status = 422 if form.is_submitted() else 200
    return render("programme/edit_criterion.html", criterion=criterion, form=form, status=status)
