"""Dissemination and adoption: the register of who was told, and each city's model as inspiration material.

The register is at /national/adoption/; a city's programme model, public, at /<city>/model/.
"""

import io

from flask import abort, current_app, redirect, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from mentorby.blueprints.common import (
    PUBLIC,
    CityBlueprint,
    PlatformBlueprint,
    attempt,
    choices,
    paginate,
    render,
    show_error,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import register
from mentorby.platform import clock
from mentorby.platform.adoption import services as adoption
from mentorby.platform.adoption.models import Channel, OrganisationKind, Stage
from mentorby.platform.extensions import db
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.platform.tenancy import current_city
from mentorby.tenants.evaluation import inspiration


def _host_slug() -> str:
    return current_app.config["HOST_CITY_SLUG"]


def _reads(user) -> bool:
    return adoption.reads_register(db.session, user, _host_slug())


def _keeps() -> bool:
    return adoption.keeps_register(db.session, current_user, _host_slug())


bp = PlatformBlueprint("adoption", __name__, url_prefix="/national/adoption", access=_reads)
model_bp = CityBlueprint("inspiration", __name__, url_prefix="/model", access=PUBLIC)

MESSAGES = register("adoption", {
    "date_in_future": _l("The date cannot be in the future."),
    "before_informed": _l("The date cannot be before the organisation was informed (%(date)s)."),
    "same_stage": _l("The organisation is already at this stage: choose another."),
    "bad_date": _l("Enter a date as YYYY-MM-DD."),
})

#: What each target's line says.
TARGET_TEXTS = {
    Stage.INFORMED: _l("At least %(minimum)d organisations informed by %(date)s"),
    Stage.INTERESTED: _l("At least %(minimum)d of them interested in implementing by %(date)s"),
    Stage.IMPLEMENTING: _l("At least %(minimum)d implementing by %(date)s"),
    Stage.RUNNING: _l("At least %(minimum)d running rounds by %(date)s"),
}


class ContactForm(Form):
    """An organisation told about the programme (limits from platform/adoption/schemas.py)."""

    name = StringField(_l("Organisation or city"), render_kw=limits(adoption.CONTACT, "name"))
    kind = SelectField(_l("Kind"), choices=lambda: choices(OrganisationKind.choices()))
    channel = SelectField(_l("How it was informed"),
                          choices=lambda: choices(Channel.choices([c for c in Channel if c != Channel.SIGNUP])))
    informed_on = DateField(_l("Informed on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), render_kw=limits(adoption.CONTACT, "notes"))


class StageForm(Form):
    """A step on the way to running the programme."""

    stage = SelectField(_l("New stage"), choices=lambda: choices(Stage.choices()))
    changed_on = DateField(_l("On"), validators=[Optional()])
    note = StringField(_l("Note"), render_kw=limits(adoption.STAGE, "note"))


def _stage_filter() -> Stage | None:
    code = request.args.get("stage", "")
    if not code:
        return None
    stage = Stage.get(code)
    if stage is None:
        abort(400, description=str(_l("Unknown stage.")))
    return stage


@bp.get("/")
def register_page():
    """The funnel, the targets met or not, the timeline, and the register (paged)."""
    stage = _stage_filter()
    page = paginate(adoption.register_query(stage))
    return render("adoption/register.html", page=page, stage=stage, stages=list(Stage),
                  funnel=adoption.funnel(db.session), targets=adoption.targets(db.session),
                  timeline=adoption.timeline(db.session), keeps=_keeps(), target_texts=TARGET_TEXTS)


@bp.route("/new", methods=["GET", "POST"])
def new_contact():
    """Record an organisation told about the programme."""
    if not _keeps():
        abort(403)
    form = ContactForm(data={"informed_on": clock.today()} if request.method == "GET" else None)
    if submitted(form, adoption.check_contact):
        try:
            with attempt():
                contact = adoption.add_contact(db.session, form.data, by=current_user)
        except RuleError as error:
            show_error(form, error)
        else:
            return redirect(url_for("adoption.contact", entry_id=contact.id))
    return render("adoption/edit.html", form=form, contact=None, status=422 if form.is_submitted() else 200)


def _contact(contact_id: int):
    contact = adoption.get_contact(db.session, contact_id)
    if contact is None:
        abort(404)
    return contact


@bp.route("/<int:entry_id>", methods=["GET", "POST"])
def contact(entry_id: int):
    """One organisation: its details (editable by those who keep the register) and its way through the stages."""
    found = _contact(entry_id)
    keeps = _keeps()
    if request.method == "POST" and not keeps:
        abort(403)
    form = ContactForm(obj=found if request.method == "GET" else None)
    if keeps and submitted(form, adoption.check_contact):
        try:
            with attempt():
                adoption.update_contact(db.session, found, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            return redirect(url_for("adoption.contact", entry_id=found.id))
    stage_form = StageForm(formdata=None, data={"changed_on": clock.today()})
    return render("adoption/contact.html", contact=found, form=form, stage_form=stage_form, keeps=keeps,
                  status=422 if form.is_submitted() else 200)


@bp.post("/<int:entry_id>/stage")
def move(entry_id: int):
    """Move an organisation to another stage on a date."""
    if not _keeps():
        abort(403)
    found = _contact(entry_id)
    stage_form = StageForm()
    if submitted(stage_form, adoption.check_stage):
        try:
            with attempt():
                adoption.move(db.session, found, stage_form.data, by=current_user)
        except RuleError as error:
            show_error(stage_form, error)
        else:
            return redirect(url_for("adoption.contact", entry_id=found.id))
    return render("adoption/contact.html", contact=found, form=ContactForm(formdata=None, obj=found),
                  stage_form=stage_form, keeps=True, status=422)


# --- inspiration material: a city's programme model, public ---------------------------------------------------------


def _material(template: str):
    locale = str(get_locale() or "en")
    return render(template, model=inspiration.model(db.session), locale=locale, city=current_city,
                  shown=inspiration.shown, made_on=clock.today())


@model_bp.get("/")
def model():
    """The city's programme model explained to another city, with its aggregated results and a way to start it."""
    return _material("adoption/model.html")


@model_bp.get("/pdf")
def model_pdf():
    """The same material as a PDF (made in the request: a few pages of text and tables)."""
    locale = str(get_locale() or "en")
    html = _material("adoption/model_pdf.html").get_data(as_text=True)
    pdf = inspiration.to_pdf(html)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{current_city.slug}-programme-model-{locale}.pdf")
