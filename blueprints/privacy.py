"""Personal data rights: a person's own copy of what the city holds about them, and a coordinator's on request.

The person downloads it from the portal in one click, as a JSON file or a readable page (also as a PDF); a
coordinator makes the same for a person from their application's page. A coordinator's export is recorded in the
city's audit log (that it happened and in which format, never its content).
"""

import io
import json
from datetime import date, datetime
from types import SimpleNamespace

from flask import Response, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from wtforms import BooleanField
from wtforms.validators import DataRequired

from mentorby.blueprints.applications import send_cv
from mentorby.blueprints.audit import ApplicationWords
from mentorby.blueprints.common import (
    CityBlueprint,
    attempt,
    cohort_view,
    loads,
    render,
    safe_next,
    show_error,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.notice import consent_rows, current_consent_version
from mentorby.blueprints.portal import own_application
from mentorby.platform import clock
from mentorby.platform.accounts.models import COORDINATOR, MENTEE, MENTOR, CityRole
from mentorby.platform.audit.listener import record
from mentorby.platform.extensions import db
from mentorby.platform.i18n import format_day, format_moment
from mentorby.platform.outbox.models import OutboxStatus
from mentorby.platform.rules import RuleError
from mentorby.tenants.applications import consent as consents
from mentorby.tenants.applications.models import Application, ConsentChannel
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.events.models import Rsvp
from mentorby.tenants.matching.models import EndedBy, MatchStatus
from mentorby.tenants.privacy import access, erasure, notice
from mentorby.tenants.sessions.models import Topic

YES_NO = {True: _l("yes"), False: _l("no")}

#: The person's own data, in the portal.
bp = CityBlueprint("privacy", __name__, url_prefix="/portal", access=(MENTOR, MENTEE))
#: A person's data made by a coordinator on request, from the application's page.
coordinator_bp = CityBlueprint("privacy_coordinator", __name__, url_prefix="/coordinator/cohorts",
                               access=(COORDINATOR,))


def _mine() -> dict:
    return access.collect(db.session, current_user.email, user=current_user, own=True, locale=str(get_locale()),
                          city_name=g.city.name)


def _theirs(application: Application) -> dict:
    return access.collect(db.session, application.email, user=access.account_of(db.session, application.email),
                          own=False, locale=str(get_locale()), city_name=g.city.name)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _file_name(stem: str, ext: str) -> str:
    """The download's name: the city, what it is and the day (ASCII only; no name or address in it)."""
    return f"{g.city.slug}-{stem}-{clock.today().isoformat()}.{ext}"


def _json(data: dict, stem: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return _private(send_file(io.BytesIO(body), mimetype="application/json", as_attachment=True,
                              download_name=_file_name(stem, "json"), max_age=0))


def _pdf(data: dict, stem: str, *, own: bool) -> Response:
    from weasyprint import HTML  # a heavy import, only where a PDF is made

    html = render_template("privacy/data_pdf.html", data=data, h=HELPERS, locale=str(get_locale()),
                           own=own)
    pdf = HTML(string=html, base_url=None, url_fetcher=_fetch_nothing).write_pdf()
    return _private(send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                              download_name=_file_name(stem, "pdf"), max_age=0))


def _fetch_nothing(url: str, *args, **kwargs):
    raise ValueError(f"a personal data report fetches nothing ({url[:60]})")


def _show(key: str, value) -> str:
    """An application's value as the pages write it: a code by its label, a list joined, yes or no."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return str(YES_NO[value])
    if key in ApplicationWords.shows:
        return ApplicationWords.shows[key](value)
    if key.endswith("_at"):
        return format_moment(_moment(value))
    if key == "arrived_on":
        return format_day(_day(value))
    return str(value)


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _day(value: str) -> date:
    return date.fromisoformat(value)


#: What the page calls the coded values of each section.
VOCABULARIES = {"channel": ConsentChannel, "role": CityRole, "match": MatchStatus, "ended_by": EndedBy, "topic": Topic,
                "rsvp": Rsvp, "mail": OutboxStatus}
#: An application's fields that belong to the other role (stored with their defaults, so not shown on the page).
MENTOR_ONLY = ("employer", "job_title", "industry", "expertise", "mentoring_format", "mentee_capacity", "motivation")
MENTEE_ONLY = ("education", "years_experience", "job_goal", "danish_level", "arrived_on", "partner_employer",
               "share_cv")


def _label(kind: str, code: str | None) -> str:
    member = VOCABULARIES[kind].get(code) if code else None
    return str(member.label) if member is not None else (code or "–")


def _skip(role: str) -> tuple[str, ...]:
    return ("id", "cohort", "cv") + (MENTOR_ONLY if role == "mentee" else MENTEE_ONLY)


#: The page's helpers for the shared sections (templates/privacy/_sections.html).
HELPERS = SimpleNamespace(labels=ApplicationWords.labels | {"created_at": _l("applied")}, show=_show, lab=_label,
                          skip=_skip)


@bp.app_template_filter("isomoment")
def _iso_moment(value: str | None):
    """A moment written as ISO text in the data, back as a datetime for the date filters."""
    return _moment(value) if value else None


@bp.app_template_filter("isoday")
def _iso_day(value: str | None):
    """A day written as ISO text in the data, back as a date for the date filters."""
    return _day(value) if value else None


def _page(template: str, data: dict, **context):
    return render(template, data=data, h=HELPERS, locale=str(get_locale()), **context)


# --- the person's own ------------------------------------------------------------------------------------------------


@bp.get("/my-data")
def mine():
    """What the city holds about you: what it is, and the buttons to download it."""
    data = _mine()
    return _private(_page("privacy/mine.html", data))


def _downloaded(fmt: str) -> None:
    # The city's log shows that a person used their right of access (and how), never what the copy held.
    record(db.session, action="export", entity="user_account", entity_id=current_user.id,
           details={"report": "personal_data", "format": fmt})


@bp.get("/my-data.json")
def mine_json():
    """Everything the city holds about you, as a JSON file (the download is in the city's log)."""
    _downloaded("json")
    return _json(_mine(), "my-data")


@bp.get("/my-data/print")
def mine_print():
    """Everything the city holds about you, as a page to read or print (in the city's log)."""
    _downloaded("html")
    return _private(_page("privacy/data.html", _mine(), own=True))


@bp.get("/my-data.pdf")
def mine_pdf():
    """Everything the city holds about you, as a PDF (the download is in the city's log)."""
    _downloaded("pdf")
    return _pdf(_mine(), "my-data", own=True)


@bp.get("/my-data/cv/<int:application_id>")
@own_application
def my_cv(application: Application):
    """The CV you gave with an application, as the file you uploaded."""
    if application.cv is None:
        abort(404)
    return send_cv(application.cv, application)


# --- erasure ----------------------------------------------------------------------------------------------------------


class EraseForm(Form):
    """The one confirmation erasure asks for: it cannot be undone."""

    understood = BooleanField(_l("I understand that erasure is final and cannot be undone"),
                              validators=[DataRequired(_l("Tick the box to confirm; nothing has been erased."))])


def _erase(person: erasure.Person, form: EraseForm, actor_role: str) -> bool:
    """Erase the person when the confirmed form allows it; a refusal goes on the form. Whether it was done."""
    if not submitted(form):
        return False
    try:
        with attempt():
            erasure.erase(db.session, person, actor_id=current_user.id, actor_role=actor_role)
    except RuleError as error:
        show_error(form, error)
        return False
    return True


@bp.route("/erase", methods=["GET", "POST"])
def erase_own():
    """Erase everything the city holds about you, after saying what goes and what stays without your name."""
    person = erasure.find(db.session, current_user.email)
    form = EraseForm()
    if _erase(person, form, "participant"):
        logout_user()
        flash(_("Your data has been erased. Thank you for taking part in the programme."), "info")
        return redirect(url_for("city.front"))
    return _private(render("privacy/erase.html", form=form, person=person, own=True,
                           status=422 if form.is_submitted() else 200))


# --- a coordinator's, on request -------------------------------------------------------------------------------------


def _audited(application: Application, fmt: str) -> None:
    record(db.session, action="export", entity="application", entity_id=application.id,
           details={"report": "personal_data", "format": fmt})


@coordinator_bp.get("/<int:cohort_id>/applications/<int:application_id>/data")
@cohort_view
@loads("application", Application, "application_id", within="cohort")
def theirs(cohort: Cohort, application: Application):
    """Everything the city holds about this applicant, as a page to hand over or print (recorded in the log)."""
    _audited(application, "html")
    return _private(_page("privacy/data.html", _theirs(application), own=False, cohort=cohort,
                          application=application))


@coordinator_bp.get("/<int:cohort_id>/applications/<int:application_id>/data.json")
@cohort_view
@loads("application", Application, "application_id", within="cohort")
def theirs_json(cohort: Cohort, application: Application):
    """Everything the city holds about this applicant, as a JSON file (recorded in the log)."""
    _audited(application, "json")
    return _json(_theirs(application), f"personal-data-{application.id}")


@coordinator_bp.get("/<int:cohort_id>/applications/<int:application_id>/data.pdf")
@cohort_view
@loads("application", Application, "application_id", within="cohort")
def theirs_pdf(cohort: Cohort, application: Application):
    """Everything the city holds about this applicant, as a PDF (recorded in the log)."""
    _audited(application, "pdf")
    return _pdf(_theirs(application), f"personal-data-{application.id}", own=False)




@coordinator_bp.route("/<int:cohort_id>/applications/<int:application_id>/erase", methods=["GET", "POST"])
@cohort_view
@loads("application", Application, "application_id", within="cohort")
def erase_theirs(cohort: Cohort, application: Application):
    """Erase a person on their request: everything the city holds about them, in every round (recorded in the log)."""
    if application.erased_at is not None:
        abort(404)
    person = erasure.find(db.session, application.email)
    form = EraseForm()
    if _erase(person, form, "coordinator"):
        flash(_("The person's data has been erased from every round."), "info")
        return redirect(url_for("applications.board", cohort_id=cohort.id))
    return _private(render("privacy/erase.html", form=form, person=person, own=False, cohort=cohort,
                           application=application, status=422 if form.is_submitted() else 200))


# --- the person's consents, and agreeing again to a new text (issue 14, item 1) ------------------------------------


class AgreeForm(Form):
    """Agreeing to the consent text and privacy notice in force."""

    agree = BooleanField(_l("I have read the text and the privacy notice and agree to the processing of my data"))


@bp.get("/privacy")
def consents_page():
    """Your consents (which text and notice version, when, how), the notice in force and your data."""
    rows = consents.records_of(db.session, current_user.email)
    current = current_consent_version()
    return _private(render("privacy/consents.html", consents=consent_rows(rows), current=current,
                           agreed_current=any(row.version == current for row in rows),
                           notice_number=notice.version_number(db.session)))


@bp.route("/privacy/consent", methods=["GET", "POST"])
def consent_again():
    """The text or the city's notice changed since you agreed: read the new one and agree before continuing."""
    current = current_consent_version()
    previous = consents.needs_consent(db.session, current_user.email, current)
    target = safe_next(request.values.get("next"), url_for("portal.home"))
    if previous is None:
        return redirect(target)  # nothing new to agree to
    form = AgreeForm()
    if form.is_submitted():
        if not form.validate() or not form.agree.data:
            form.agree.errors = [*form.agree.errors, _("Tick the box to agree; without it the portal cannot go on.")]
        elif request.form.get("version") != current:
            # The notice changed again while the page was open: show the newest.
            form.agree.errors = [_("The text changed while the page was open. Read it again and agree.")]
        else:
            consents.record(db.session, current_user.email, current, ConsentChannel.PORTAL,
                            locale=str(get_locale()))
            flash(_("Thank you: your consent is recorded."), "info")
            return redirect(target)
    old, new = consents.parse(previous.version), consents.parse(current)
    return _private(render(
        "privacy/consent_again.html", form=form, current=current, previous=previous, old=old, new=new, target=target,
        text=consents.consent_text(current, str(get_locale()), g.city.name),
        old_text=consents.consent_text(previous.version, previous.locale, g.city.name) if old else "",
        status=422 if form.is_submitted() else 200))
