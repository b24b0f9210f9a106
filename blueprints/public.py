"""The platform's public pages: home, the city sign-up, language switch, health."""

from flask import current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from mentorby.blueprints.common import PUBLIC, PlatformBlueprint, render, safe_next, strip
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import message
from mentorby.platform.accounts.models import LOCALES
from mentorby.platform.cities.models import ACTIVE
from mentorby.platform.cities.services import CityError, list_cities, register_city
from mentorby.platform.extensions import db, limiter
from mentorby.platform.i18n import SESSION_KEY
from mentorby.tenants.programme.services import open_city

bp = PlatformBlueprint("public", __name__, access=PUBLIC)


class CitySignupForm(Form):
    """A city asks to run the programme."""

    name = StringField(
        _l("Programme name"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("As your city will call it, e.g. “Aarhus Career Mentoring”."),
    )
    slug = StringField(
        _l("Web address"),
        validators=[DataRequired(), Length(min=2, max=40)],
        description=_l("Your pages will be at /your-address/. Lower-case letters, digits and hyphens."),
    )
    municipality = StringField(_l("Municipality or region"), validators=[DataRequired(), Length(max=120)])
    contact_name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("You become the city's first coordinator."),
    )
    contact_email = EmailField(
        _l("Your e-mail"), filters=[strip], validators=[DataRequired(), Email(), Length(max=254)]
    )
    motivation = TextAreaField(_l("Why does your city want to run the programme?"), validators=[Length(max=2000)])


@bp.get("/")
def home():
    """What the platform is, and the cities that run the programme."""
    return render("public/home.html", cities=list_cities(db.session, status=ACTIVE))


@bp.route("/start", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])
def start_city():
    """A city signs up by itself; the platform admin approves (or the platform approves automatically)."""
    form = CitySignupForm()
    if form.validate_on_submit():
        try:
            city = register_city(
                db.session,
                slug=form.slug.data,
                name=form.name.data,
                municipality=form.municipality.data,
                contact_name=form.contact_name.data,
                contact_email=form.contact_email.data,
                motivation=form.motivation.data or "",
            )
        except CityError as error:
            getattr(form, error.field).errors.append(message(error.code))
        else:
            if current_app.config["AUTO_APPROVE_CITIES"]:
                open_city(db.session, city, host_slug=current_app.config["HOST_CITY_SLUG"], approved_by=None)
            return redirect(url_for("public.city_started", slug=city.slug))
    status = 422 if form.is_submitted() else 200
    return render("public/start.html", form=form, status=status)


@bp.get("/start/sent")
def city_started():
    """Confirmation after the sign-up."""
    return render("public/started.html", auto=current_app.config["AUTO_APPROVE_CITIES"])


@bp.post("/lang")
def switch_language():
    """Switch the page language (and remember it for signed-in people)."""
    lang = request.form.get("lang", "")
    if lang not in LOCALES:
        flash(_("Unknown language."), "error")
    else:
        session[SESSION_KEY] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    return redirect(safe_next(request.form.get("next"), url_for("public.home")))


@bp.get("/health")
def health():
    """Liveness and database reachability, for load balancers."""
    try:
        db.session.execute(text("select 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
