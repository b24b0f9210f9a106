"""The city's programme model: the joint-event sequence and the success criteria, editable by coordinators."""

from flask import flash, g, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, EmailField, IntegerField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, StopValidation

from mentorby.blueprints.common import CityBlueprint, choices, render, show_error, strip
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import message
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.cities import services as cities
from mentorby.platform.extensions import db, htmx
from mentorby.platform.tenancy import get_in_city
from mentorby.tenants.programme import services as programme
from mentorby.tenants.programme.models import ProgrammeEvent, SuccessCriterion

bp = CityBlueprint("programme", __name__, url_prefix="/coordinator/programme", access=(COORDINATOR,))

AUDIENCE_LABELS = {"mentees": _l("Mentees"), "mentors": _l("Mentors"), "both": _l("Mentors and mentees")}
ROLE_LABELS = {"mentor": _l("Mentors"), "mentee": _l("Mentees"), "both": _l("Mentors and mentees"),
               "company": _l("Companies")}


class EventForm(Form):
    """A joint event's name, audience and timing."""

    name_da = StringField(_l("Name in Danish"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=120)])
    description_da = TextAreaField(_l("Description in Danish"), validators=[Length(max=2000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=2000)])
    audience = SelectField(_l("Who takes part"), choices=choices(AUDIENCE_LABELS.items()))
    week_offset = IntegerField(_l("Weeks after the round starts"), validators=[NumberRange(min=0, max=104)])
    duration_minutes = IntegerField(_l("Duration in minutes"), validators=[NumberRange(min=15, max=720)])


def _finite(form, field):
    # Decimal("sNaN") passes DecimalField and then breaks NumberRange.
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("Enter a number between 1 and 100."))


class CriterionForm(Form):
    """A success criterion's threshold and wording."""

    threshold_percent = DecimalField(_l("Threshold (%)"), places=1,
                                     validators=[DataRequired(), _finite, NumberRange(min=1, max=100)])
    statement_da = TextAreaField(_l("Criterion in Danish"), validators=[DataRequired(), Length(max=500)])
    statement_en = TextAreaField(_l("Criterion in English"), validators=[DataRequired(), Length(max=500)])


class CityDetailsForm(Form):
    """What the public sees of the programme: its own contact address and phone, and the front page's text."""

    public_email = EmailField(_l("The programme's e-mail address"), filters=[strip],
                              validators=[Optional(), Email(), Length(max=254)],
                              description=_l("Shown on the city's pages and on closed application forms. Use a "
                                             "shared mailbox, not a person's own address."))
    public_phone = TelField(_l("The programme's phone (optional)"), filters=[strip], validators=[Length(max=40)])
    intro_da = TextAreaField(_l("Introduction in Danish"), validators=[Length(max=4000)])
    intro_en = TextAreaField(_l("Introduction in English"), validators=[Length(max=4000)])


def _labels():
    return {"audience_labels": AUDIENCE_LABELS, "role_labels": ROLE_LABELS, "locale": str(get_locale())}


@bp.get("/")
def overview():
    """The joint events in order, the success criteria and the city's public details."""
    return render("programme/overview.html", city=g.city, events=programme.events(db.session),
                  criteria=programme.criteria(db.session), **_labels())


@bp.route("/details", methods=["GET", "POST"])
def details():
    """The programme's public contact and the front page's introduction."""
    form = CityDetailsForm(obj=g.city)
    if form.validate_on_submit():
        try:
            cities.update_public_details(db.session, g.city, {name: field.data for name, field in form._fields.items()
                                                              if name != "csrf_token"})
        except cities.CityError as error:
            show_error(form, error, message(error.code, **error.params))
        else:
            flash(_("Saved. The city's pages show it now."), "info")
            return redirect(url_for("programme.overview"))
    return render("programme/details.html", form=form, city=g.city, status=422 if form.is_submitted() else 200)


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
def edit_event(event_id: int):
    """Edit a joint event; with htmx the row turns into the form and back."""
    event = get_in_city(db.session, ProgrammeEvent, event_id)
    # A prefix per event keeps ids unique when several rows are open for editing at once.
    form = EventForm(obj=event, prefix=f"event-{event.id}")
    if form.validate_on_submit():
        values = {field.short_name: field.data for field in form if field.short_name != "csrf_token"}
        programme.update_event(event, values)
        if htmx:
            return render("programme/overview.html", "event_row", event=event, saved=True, **_labels())
        flash(_("Saved."), "info")
        return redirect(url_for("programme.overview"))
    status = 422 if form.is_submitted() else 200
    return render("programme/edit_event.html", "event_form", event=event, form=form, status=status, **_labels())


@bp.route("/criteria/<int:criterion_id>", methods=["GET", "POST"])
def edit_criterion(criterion_id: int):
    """Edit a success criterion's threshold and wording."""
    criterion = get_in_city(db.session, SuccessCriterion, criterion_id)
    form = CriterionForm(obj=criterion)
    if not form.is_submitted():
        form.threshold_percent.data = round(float(criterion.threshold) * 100, 1)
    if form.validate_on_submit():
        programme.update_criterion(criterion, {
            "threshold": round(float(form.threshold_percent.data) / 100, 4),
            "statement_da": form.statement_da.data, "statement_en": form.statement_en.data,
        })
        flash(_("Saved."), "info")
        return redirect(url_for("programme.overview"))
    status = 422 if form.is_submitted() else 200
    return render("programme/edit_criterion.html", criterion=criterion, form=form, status=status, **_labels())


