"""A city's privacy notice: the public page, the coordinator's page, and agreeing to it again in the portal.

The coordinator edits and publishes the notice; a participant agrees to the notice in force before continuing in
the portal.

The data controller is the city (its municipality); the notice is the platform's template filled in with what the
city states. What is collected and why is the record of processing (platform/privacy/records.py), so the notice
cannot say less than the platform holds.
"""

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, IntegerField, StringField, TextAreaField

from mentorby.blueprints.common import (
    PUBLIC,
    CityBlueprint,
    attempt,
    render,
    show_error,
    strip,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import register
from mentorby.platform.accounts.models import COORDINATOR, MENTEE, MENTOR
from mentorby.platform.extensions import db
from mentorby.platform.privacy import records
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.tenants.applications import consent
from mentorby.tenants.privacy import notice
from mentorby.tenants.privacy.schemas import NOTICE

#: The public notice, in force and as published before.
bp = CityBlueprint("notice", __name__, url_prefix="/privacy", access=PUBLIC)
#: The coordinator's page that edits and publishes it.
coordinator_bp = CityBlueprint("notice_coordinator", __name__, url_prefix="/coordinator/privacy",
                               access=(COORDINATOR,))

MESSAGES = register("privacy", {
    "notice_unchanged": _l("Nothing has changed since version %(version)s: there is nothing new to publish."),
    "bad_retention_days": _l("Write a whole number of days from %(min)s to %(max)s."),
})
#: The Danish data protection authority, where a person may complain.
AUTHORITY_URL = "https://www.datatilsynet.dk"


def current_consent_version() -> str:
    """The consent a person gives now in the request's city: the platform text and the city's notice in force."""
    return consent.key(notice.version_number(db.session))


def _context(values: dict, number: int, published_at=None) -> dict:
    periods = {name: values[name] for name in notice.PERIODS}
    entries = records.record(db.Model.registry, periods)
    locale = str(get_locale())
    return {"city": g.city, "n": values, "number": number, "published_at": published_at, "entries": entries,
            "periods": periods, "locale": locale, "extra": values["extra_da" if locale == "da" else "extra_en"]
            or values["extra_en" if locale == "da" else "extra_da"], "authority_url": AUTHORITY_URL,
            "versions": notice.versions(db.session)}


@bp.get("/")
def show():
    """The city's privacy notice in force: who is responsible, what is collected and why, for how long, your rights."""
    published = notice.current(db.session)
    if published is None:
        return _show(_context(notice.starting_values(g.city), 0))
    return _show(_context(published.filled(), published.version, published.published_at))


def _show(context: dict, old: bool = False):
    return render("notice/show.html", c=context, old=old, **context)


@bp.get("/<int:number>")
def version(number: int):
    """A version of the notice as it was published (0: the platform's template, before the city published one)."""
    if number == 0:
        return _show(_context(notice.starting_values(g.city), 0), old=notice.version_number(db.session) > 0)
    published = notice.version(db.session, number)
    if published is None:
        abort(404)
    return _show(_context(published.filled(), published.version, published.published_at),
                 old=published.version != notice.version_number(db.session))


class NoticeForm(Form):
    """What the city states on its privacy notice (the limits are the schema's: tenants/privacy/schemas.py)."""

    controller_name = StringField(_l("Data controller"), filters=[strip], render_kw=limits(NOTICE, "controller_name"),
                                  description=_l("The municipality, as it names itself: it is responsible for the "
                                                 "data."))
    controller_address = StringField(_l("The controller's address"), filters=[strip],
                                     render_kw=limits(NOTICE, "controller_address"))
    contact_email = EmailField(_l("E-mail for questions about personal data"), filters=[strip],
                               render_kw=limits(NOTICE, "contact_email"))
    dpo_contact = StringField(_l("Data-protection officer (DPO)"), filters=[strip],
                              render_kw=limits(NOTICE, "dpo_contact"),
                              description=_l("How to reach the municipality's DPO: the function's e-mail or phone, "
                                             "not a private address."))
    extra_da = TextAreaField(_l("A paragraph of your own, in Danish (optional)"), filters=[strip],
                             render_kw=limits(NOTICE, "extra_da") | {"rows": 3, "lang": "da"})
    extra_en = TextAreaField(_l("A paragraph of your own, in English (optional)"), filters=[strip],
                             render_kw=limits(NOTICE, "extra_en") | {"rows": 3, "lang": "en"})
    never_accepted_days = IntegerField(_l("Days to keep the applications of people never accepted"),
                                       render_kw=limits(NOTICE, "never_accepted_days"),
                                       description=_l("Counted from the end of the round they applied to."))
    cv_days = IntegerField(_l("Days to keep CVs"), render_kw=limits(NOTICE, "cv_days"),
                           description=_l("Counted from the end of the round the CV came with."))
    after_followup_days = IntegerField(_l("Days to keep participants' personal data after the follow-up"),
                                       render_kw=limits(NOTICE, "after_followup_days"),
                                       description=_l("Counted from the round's 6-month follow-up."))


def _values(form: NoticeForm) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@coordinator_bp.route("/notice", methods=["GET", "POST"])
def edit_notice():
    """Edit the city's privacy notice and publish it: participants then agree to the new version in the portal."""
    form = NoticeForm(data=notice.draft_values(db.session, g.city))
    publishing = request.form.get("action") == "publish"
    if submitted(form, notice.check):
        try:
            with attempt():
                if publishing:
                    published = notice.publish(db.session, _values(form), by_user_id=current_user.id)
                else:
                    notice.save(db.session, _values(form))
        except RuleError as error:
            show_error(form, error)
        else:
            if publishing:
                flash(_("Version %(version)s of the privacy notice is published. Participants are asked to agree to "
                        "it the next time they open the portal.", version=published.version), "info")
            else:
                flash(_("The draft is saved. Publish it when it is ready."), "info")
            return redirect(url_for("notice_coordinator.edit_notice"))
    published = notice.current(db.session)
    preview = _context(notice.draft_values(db.session, g.city), (published.version if published else 0) + 1)
    return render("notice/edit.html", form=form, published=published, versions=notice.versions(db.session),
                  changed=notice.unpublished_changes(db.session), preview=preview,
                  status=422 if form.is_submitted() else 200)


def consent_rows(rows) -> list[dict]:
    """Each consent with what a page shows of it: the platform text in the language read, the notice version."""
    shown = []
    for row in rows:
        parsed = consent.parse(row.version)
        shown.append({"record": row, "notice": parsed.notice if parsed else None,
                      "text": consent.consent_text(row.version, row.locale, g.city.name) if parsed else ""})
    return shown


# --- re-consent: a participant agrees to the notice in force before continuing in the portal ------------------------


def require_current_consent():
    """Before a portal page: a participant whose last consent named an older text or notice agrees to the new first.

    Registered on the portal's blueprints after their access check; the consent page itself is the privacy area's.
    """
    if not current_user.is_authenticated or not (g.get("roles", set()) & {MENTOR, MENTEE}):
        return None
    if consent.needs_consent(db.session, current_user.email, current_consent_version()) is None:
        return None
    if "privacy.consent_again" not in current_app.view_functions:
        return None
    return redirect(url_for("privacy.consent_again", next=request.full_path if request.query_string else request.path))
