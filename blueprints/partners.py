"""The city's partner organisations, their contact persons and the people they send; the company contact's page."""

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, EmailField, SelectField, StringField, TelField, TextAreaField, URLField
from wtforms.validators import URL, Optional

from mentorby.blueprints.common import (
    CityBlueprint,
    attempt,
    choices,
    loads,
    paginate,
    render,
    show_error,
    strip,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import APPLICATION_STATUS_LABELS, register, text_for
from mentorby.platform.accounts.models import COMPANY_CONTACT, COORDINATOR
from mentorby.platform.extensions import db, htmx
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.tenants.applications import of_partners
from mentorby.tenants.applications.models import STATUSES as APPLICATION_STATUSES
from mentorby.tenants.partners import services as partners
from mentorby.tenants.partners.models import Partner, PartnerContact, PartnerKind

bp = CityBlueprint("partners", __name__, url_prefix="/coordinator/partners", access=(COORDINATOR,))
#: The company contact's own page: which of the company's people take part (registered in blueprints/__init__.py).
company_bp = CityBlueprint("company", __name__, url_prefix="/company", access=(COMPANY_CONTACT,))

#: Messages for this area's own rule codes; the others (required, bad_email, ...) are in the shared catalogue.
MESSAGES = register("partners", {
    "contact_email_taken": _l("This organisation already has a contact with this e-mail address."),
    "contact_limit": _l("An organisation can have at most %(max)d contacts. Remove one before adding another."),
    "not_a_company": _l("Only contacts at companies can be invited as company contacts."),
    "already_member": _l("%(name)s already is a company contact of the city: they can sign in and see which of "
                         "their company's people take part."),
    "contact_not_of_partner": _l("That contact person belongs to another organisation."),
    "bad_url": _l("Enter the whole web address, beginning with https://."),
})
PARTNER, CONTACT = partners.PARTNER, partners.CONTACT


class PartnerForm(Form):
    """A partner organisation (its limits are the schema's: tenants/partners/schemas.py)."""

    name = StringField(_l("Name"), render_kw=limits(PARTNER, "name"))
    kind = SelectField(_l("Kind"), choices=lambda: choices(PartnerKind.choices()))
    # The form reads a web address as one (URL); the schema holds its length.
    website = URLField(_l("Website"), validators=[Optional(), URL()], render_kw=limits(PARTNER, "website"))
    description = TextAreaField(_l("Description"), render_kw=limits(PARTNER, "description"))
    public = BooleanField(_l("Show on the city's front page"), default=True)


class ContactForm(Form):
    """A contact person at a partner (its limits and checks are the schema's: tenants/partners/schemas.py)."""

    name = StringField(_l("Name"), filters=[strip], render_kw=limits(CONTACT, "name"))
    job_title = StringField(_l("Job title"), filters=[strip], render_kw=limits(CONTACT, "job_title"),
                            description=_l("Optional, e.g. HR partner."))
    email = EmailField(_l("E-mail"), filters=[strip], render_kw=limits(CONTACT, "email"))
    phone = TelField(_l("Phone"), filters=[strip], render_kw=limits(CONTACT, "phone"), description=_l("Optional."))

    def __init__(self, *args, **kwargs):
        # The prefix keeps the ids apart from the partner form's on the same page.
        super().__init__(*args, prefix="contact", **kwargs)


@bp.get("/")
def index():
    """The partners, filtered by kind, a page at a time."""
    kind = PartnerKind.get(request.args.get("kind"))
    return render("partners/index.html", "partner_list", page=paginate(partners.by_name(kind=kind)), kind=kind,
                  kinds=list(PartnerKind))


def _contacts_context(partner: Partner, contact_form: ContactForm | None = None, notice: str | None = None,
                      notice_kind: str = "info") -> dict:
    contacts = partners.contacts_of(db.session, partner)
    return {
        "partner": partner,
        "contacts": contacts,
        "with_access": partners.contacts_with_access(db.session, contacts),
        "contact_form": contact_form or ContactForm(formdata=None),
        "max_contacts": partners.MAX_CONTACTS,
        "notice": notice,
        "notice_kind": notice_kind,
    }


def _people_context(partner: Partner) -> dict:
    rounds: dict[int, dict] = {}
    for row in of_partners.people_counts(db.session, partner):
        entry = rounds.setdefault(row.cohort_id,
                                  {"id": row.cohort_id, "name": row.cohort_name, "mentor": {}, "mentee": {}})
        entry[row.role][row.status] = row.count
    for entry in rounds.values():
        for role in ("mentor", "mentee"):
            entry[role] = [(status, entry[role][status]) for status in APPLICATION_STATUSES if status in entry[role]]
    return {"rounds": list(rounds.values()), "people": paginate(of_partners.people_query([partner.id])),
            "status_labels": APPLICATION_STATUS_LABELS}


def _partner_page(partner: Partner | None, form: PartnerForm, status: int = 200, **contacts_state):
    context = {"form": form, "partner": partner}
    if partner is not None:
        context |= _contacts_context(partner, **contacts_state) | _people_context(partner)
    return render("partners/form.html", status=status, **context)


def _save(form: PartnerForm, partner: Partner | None):
    if submitted(form, partners.check_partner):
        try:
            with attempt():
                partners.save_partner(db.session, form.data, partner)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("partners.index"))
    return _partner_page(partner, form, status=422 if form.is_submitted() else 200)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add a partner."""
    return _save(PartnerForm(), None)


@bp.route("/<int:partner_id>", methods=["GET", "POST"])
@loads("partner", Partner, "partner_id")
def edit(partner: Partner):
    """Change a partner; its contact persons and the people it sends to rounds."""
    return _save(PartnerForm(obj=partner), partner)


@bp.route("/<int:partner_id>/delete", methods=["GET", "POST"])
@loads("partner", Partner, "partner_id")
def delete(partner: Partner):
    """Remove a partner, once the coordinator has seen what goes with it and confirmed."""
    if request.method == "POST" and request.form.get("confirm") == "1":
        with attempt():
            partners.delete_partner(db.session, partner)
        flash(_("%(name)s is removed.", name=partner.name), "info")
        return redirect(url_for("partners.index"))
    return render("partners/delete.html", partner=partner, contacts=partners.contacts_of(db.session, partner),
                  people=sum(row.count for row in of_partners.people_counts(db.session, partner)))


# --- contact persons ----------------------------------------------------------------------------


def _contacts_answer(partner: Partner, notice: str, notice_kind: str = "info", status: int = 200):
    """After a change: the contacts block for htmx, else back to the partner's page (post, redirect, get)."""
    if htmx:
        return render("partners/form.html", "contacts", status=status,
                      **_contacts_context(partner, notice=notice, notice_kind=notice_kind))
    flash(notice, "error" if notice_kind == "error" else "info")
    return redirect(url_for("partners.edit", partner_id=partner.id, _anchor="contacts"))


@bp.post("/<int:partner_id>/contacts")
@loads("partner", Partner, "partner_id")
def add_contact(partner: Partner):
    """Add a contact person to a partner."""
    form = ContactForm()
    if submitted(form, partners.check_contact):
        try:
            with attempt():
                contact = partners.add_contact(db.session, partner, form.data)
        except RuleError as error:
            if error.field is None:
                # Not about a field (the partner has all the contacts it may have): said beside the list.
                return _contacts_answer(partner, text_for(error), notice_kind="error", status=409)
            show_error(form, error)
        else:
            return _contacts_answer(partner, _("%(name)s is added.", name=contact.name))
    if htmx:
        return render("partners/form.html", "contacts", status=422, **_contacts_context(partner, contact_form=form))
    return _partner_page(partner, PartnerForm(obj=partner, formdata=None), status=422, contact_form=form)


@bp.post("/<int:partner_id>/contacts/<int:contact_id>/delete")
@loads("partner", Partner, "partner_id")
@loads("contact", PartnerContact, "contact_id", within="partner")
def delete_contact(partner: Partner, contact: PartnerContact):
    """Remove a contact person from a partner."""
    with attempt():
        partners.remove_contact(db.session, contact)
    return _contacts_answer(partner, _("%(name)s is removed.", name=contact.name))


@bp.post("/<int:partner_id>/contacts/<int:contact_id>/invite")
@loads("partner", Partner, "partner_id")
@loads("contact", PartnerContact, "contact_id", within="partner")
def invite_contact(partner: Partner, contact: PartnerContact):
    """Invite a company's contact person as the city's company contact."""
    try:
        with attempt():
            partners.invite_contact(db.session, g.city, partner, contact, invited_by=current_user)
    except RuleError as error:
        # Nothing was written: an answer about the contact's state, shown beside the list, not an error page.
        return _contacts_answer(partner, text_for(error), notice_kind="error", status=409)
    return _contacts_answer(partner, _("Invitation sent to %(email)s.", email=contact.email))


# --- the company contact's page -----------------------------------------------------------------


@company_bp.get("/")
def home():
    """Which of the company's people take part in the city's rounds: accepted participants' names and rounds only."""
    linked = partners.partners_of_contact(db.session, current_user.email)
    people = paginate(of_partners.people_query([p.id for p in linked], accepted_only=True)) if linked else None
    return render("partners/company.html", partners=linked, people=people, names={p.id: p.name for p in linked})
