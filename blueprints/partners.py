"""The city's partner organisations."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional

from mentorby.blueprints.common import CityBlueprint, choices, coordinator_required, paginate, render
from mentorby.blueprints.messages import KIND_LABELS, message
from mentorby.platform.extensions import db
from mentorby.platform.tenancy import get_in_city
from mentorby.tenants.partners import services as partners
from mentorby.tenants.partners.models import KINDS, Partner

bp = CityBlueprint("partners", __name__, url_prefix="/coordinator/partners")



class PartnerForm(FlaskForm):
    """A partner organisation."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()))
    website = URLField(_l("Website"), validators=[Optional(), URL(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    public = BooleanField(_l("Show on the city's front page"), default=True)


@bp.get("/")
@coordinator_required
def index():
    """The partners, filtered by kind, a page at a time."""
    kind = request.args.get("kind", "")
    query = select(Partner).order_by(Partner.name, Partner.id)
    if kind in KINDS:
        query = query.where(Partner.kind == kind)
    else:
        kind = ""
    return render("partners/index.html", "partner_list", page=paginate(query), kind=kind, kind_labels=KIND_LABELS)


def _save(form: PartnerForm, partner: Partner | None):
    if form.validate_on_submit():
        values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        values["website"] = values["website"] or ""
        try:
            partners.save_partner(db.session, values, partner)
        except partners.PartnerError as error:
            getattr(form, error.field).errors.append(message(error.code))
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("partners.index"))
    status = 422 if form.is_submitted() else 200
    return render("partners/form.html", form=form, partner=partner, kind_labels=KIND_LABELS, status=status)


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new():
    """Add a partner."""
    return _save(PartnerForm(), None)


@bp.route("/<int:partner_id>", methods=["GET", "POST"])
@coordinator_required
def edit(partner_id: int):
    """Change a partner."""
    partner = get_in_city(db.session, Partner, partner_id)
    return _save(PartnerForm(obj=partner), partner)


@bp.post("/<int:partner_id>/delete")
@coordinator_required
def delete(partner_id: int):
    """Remove a partner."""
    partner = get_in_city(db.session, Partner, partner_id)
    partners.delete_partner(db.session, partner)
    flash(_("%(name)s is removed.", name=partner.name), "info")
    return redirect(url_for("partners.index"))


