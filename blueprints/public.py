"""The platform's public pages: home, the city sign-up, language switch, health."""

from functools import partial
from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Email

from mentorby.blueprints.common import (
    PUBLIC,
    PlatformBlueprint,
    attempt,
    choices,
    render,
    safe_next,
    show_error,
    strip,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.platform.accounts.models import LOCALES
from mentorby.platform.adoption import services as adoption
from mentorby.platform.cities import services as cities
from mentorby.platform.cities.models import ACTIVE, Region
from mentorby.platform.extensions import csrf, db, limiter
from mentorby.platform.i18n import SESSION_KEY
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.tenants.programme.services import open_city

bp = PlatformBlueprint("public", __name__, access=PUBLIC)
SIGNUP = cities.SIGNUP


class CitySignupForm(Form):
    """A city asks to run the programme (the limits are the schema's: platform/cities/schemas.py)."""

    name = StringField(_l("Programme name"), render_kw=limits(SIGNUP, "name"),
                       description=_l("As your city will call it, e.g. “Aarhus Career Mentoring”."))
    slug = StringField(_l("Web address"), render_kw=limits(SIGNUP, "slug"),
                       description=_l("Your pages will be at /your-address/. Lower-case letters, digits and hyphens."))
    municipality = StringField(_l("Municipality"), render_kw=limits(SIGNUP, "municipality"))
    region = SelectField(_l("Region"), validate_choice=False,
                         choices=lambda: choices([("", _("Choose your region")), *Region.choices()]),
                         description=_l("The national figures can be read by region."))
    contact_name = StringField(_l("Your name"), render_kw=limits(SIGNUP, "contact_name"),
                               description=_l("You become the city's first coordinator."))
    # The form reads an e-mail address as one (Email); the schema holds its length.
    contact_email = EmailField(_l("Your e-mail"), filters=[strip], validators=[Email()],
                               render_kw=limits(SIGNUP, "contact_email"))
    motivation = TextAreaField(_l("Why does your city want to run the programme?"),
                               render_kw=limits(SIGNUP, "motivation"))
    #: The active city whose programme model the new city copies (from "start this programme in your city").
    model = HiddenField(filters=[strip])


@bp.get("/")
def home():
    """What the platform is, and the cities that run the programme."""
    return render("public/home.html", cities=cities.list_cities(db.session, status=ACTIVE))


@bp.route("/start", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])
def start_city():
    """A city signs up by itself; the platform admin approves (or the platform approves automatically)."""
    form = CitySignupForm(data={"model": request.args.get("model", "")[:40]} if request.method == "GET" else None)
    source = adoption.model_source(db.session, form.model.data or "")
    # Every field is checked on the first submit, the address's rules included.
    if submitted(form, partial(cities.check_signup, session=db.session)):
        try:
            with attempt():
                city = cities.register_city(db.session, form.data)
                adoption.city_signed_up(db.session, city, model_from=source.slug if source else "")
                if current_app.config["AUTO_APPROVE_CITIES"]:
                    open_city(db.session, city, host_slug=current_app.config["HOST_CITY_SLUG"], approved_by=None)
        except RuleError as error:
            show_error(form, error)
        else:
            return redirect(url_for("public.city_started", slug=city.slug))
    status = 422 if form.is_submitted() else 200
    return render("public/start.html", form=form, source=source, status=status)


@bp.get("/start/sent")
def city_started():
    """Confirmation after the sign-up."""
    return render("public/started.html", auto=current_app.config["AUTO_APPROVE_CITIES"])


@bp.post("/lang")
@csrf.exempt
def switch_language():
    """Switch the page language (and remember it for signed-in people).

    A visitor who is not signed in may switch without a CSRF token: their pages carry none, so that looking at a
    page sets no cookie (templates/base.html), and all another site could do is change the language of a visitor's
    next pages. A signed-in person's choice is saved with their account: for them the token is checked as on every
    other form.
    """
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    elif not _sent_from_here():
        # Without a token, the browser's word that the form is one of ours: another site's form would otherwise be
        # answered with a new session (the signed-in one's cookie, SameSite=Lax, does not come along), signing the
        # person out.
        raise CSRFError("The language switch came from another site.")
    lang = request.form.get("lang", "")
    if lang not in LOCALES:
        flash(_("Unknown language."), "error")
    else:
        session[SESSION_KEY] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    return redirect(safe_next(request.form.get("next"), url_for("public.home")))


def _sent_from_here() -> bool:
    """Whether a POST came from the platform's own pages, as far as the browser says.

    Every current browser sends Sec-Fetch-Site; Origin is the older word for it; a client that says neither is
    believed.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


@bp.get("/health")
def health():
    """Liveness and database reachability, for load balancers."""
    try:
        db.session.execute(text("select 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
