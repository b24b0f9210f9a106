"""Communications: the city's outbox, its own wording of e-mails, announcements and certificates of participation."""

import hashlib
import io
import json

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from mentorby.blueprints.common import (
    CityBlueprint,
    attempt,
    choices,
    cohort_view,
    loads,
    paginate,
    render,
    show_error,
    strip,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import register, text_for
from mentorby.blueprints.portal import own_application
from mentorby.platform.accounts.models import COORDINATOR, MENTEE, MENTOR
from mentorby.platform.extensions import db, htmx
from mentorby.platform.outbox import services as outbox
from mentorby.platform.outbox.kinds import LOCALES, kind_of, kinds
from mentorby.platform.outbox.models import OutboxStatus
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.tenants.applications.models import Application
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.communications import certificates, wording
from mentorby.tenants.communications import services as announcements
from mentorby.tenants.communications.models import ROUND_AUDIENCES, Audience
from mentorby.tenants.communications.schemas import ANNOUNCEMENT

bp = CityBlueprint("communications", __name__, url_prefix="/coordinator", access=(COORDINATOR,))
#: The participant's own certificates, in the portal.
certificates_bp = CityBlueprint("certificates", __name__, url_prefix="/portal/certificates", access=(MENTOR, MENTEE))

register("communications", {
    "required": _l("Write something here."),
    "text_too_long": _l("This is too long (at most %(max)s characters)."),
    "template_syntax": _l("The template cannot be read (line %(line)s): %(detail)s."),
    "template_unknown_variable": _l("This e-mail has no variable %(names)s: use only the variables listed."),
    "template_missing_variable": _l("Keep %(names)s in the e-mail: without it the person cannot act on it."),
    "template_subject_too_long": _l("The subject is too long (at most %(max)s characters)."),
    "template_broken": _l("The template could not be filled in: %(detail)s."),
    "not_failed": _l("Only an e-mail that was not delivered can be sent again."),
    "no_round": _l("Choose who in the round gets the announcement."),
    "no_recipients": _l("Nobody would get this announcement: nobody is taking part in it yet."),
    "round_not_closed": _l("Certificates can be downloaded once the round is closed."),
    "not_a_participant": _l("A certificate is only for people who took part in the round."),
})

LOCALE_NAMES = {"da": _l("Danish"), "en": _l("English")}


# --- the city's outbox ----------------------------------------------------------------------------------------------


@bp.get("/outbox")
def outbox_list():
    """The city's e-mails, newest first, by status, with "send again" for those not delivered."""
    status = OutboxStatus(request.args["status"]) if request.args.get("status") in OutboxStatus.codes() else None
    page = paginate(outbox.city_outbox(g.city.id, status))
    return render("communications/outbox.html", page=page, status=status,
                  counts=outbox.status_counts(db.session, g.city.id), OutboxStatus=OutboxStatus)


@bp.post("/outbox/<int:message_id>/send-again")
def send_again(message_id: int):
    """Give an e-mail that was not delivered a new set of attempts."""
    message = outbox.message_of_city(db.session, g.city.id, message_id)
    if message is None:
        abort(404)
    try:
        with attempt():
            outbox.send_again(db.session, message)
    except RuleError as error:
        flash(text_for(error), "error")
    else:
        flash(_("The e-mail to %(to)s is queued again.", to=message.to_email), "info")
    return redirect(url_for("communications.outbox_list", status="failed"))


# --- the city's wording of its e-mails ------------------------------------------------------------------------------


class WordingForm(Form):
    """A city's wording of one kind of e-mail in one language."""

    subject = StringField(_l("Subject"), filters=[strip], render_kw={"maxlength": 200})
    body = TextAreaField(_l("Text"), render_kw={"rows": 14})


def _kind_and_locale(kind: str, locale: str):
    mail_kind = kind_of(kind)
    if mail_kind is None or locale not in LOCALES:
        abort(404)
    return mail_kind


@bp.get("/mail-templates/")
def mail_templates():
    """The e-mails the city may word itself, their variables, and which it has reworded."""
    return render("communications/mail_templates.html", kinds=kinds(), saved=wording.saved(db.session),
                  locales=LOCALES, locale_names=LOCALE_NAMES)


@bp.route("/mail-templates/<kind>/<locale>", methods=["GET", "POST"])
def edit_mail_template(kind: str, locale: str):
    """Edit the city's wording of one e-mail in one language, with a preview on sample values."""
    mail_kind = _kind_and_locale(kind, locale)
    own = wording.wording(db.session, mail_kind, locale)
    subject, body = wording.current(db.session, mail_kind, locale)
    form = WordingForm(data={"subject": subject, "body": body})
    shown = None
    if submitted(form):
        try:
            with attempt():
                if request.form.get("action") == "preview":
                    shown = wording.preview(mail_kind, form.subject.data, form.body.data)
                else:
                    wording.save(db.session, mail_kind, locale, form.subject.data, form.body.data)
        except RuleError as error:
            show_error(form, error)
        else:
            if shown is None:
                flash(_("Your wording of “%(kind)s” (%(language)s) is saved; it is used from the next e-mail.",
                        kind=mail_kind.label, language=LOCALE_NAMES[locale]), "info")
                return redirect(url_for("communications.mail_templates"))
    elif not form.is_submitted():
        shown = _try_preview(mail_kind, subject, body)[0]
    return render("communications/edit_mail_template.html", form=form, kind=mail_kind, locale=locale, own=own,
                  shown=shown, locale_names=LOCALE_NAMES,
                  status=422 if form.is_submitted() and form.errors else 200)


def _try_preview(mail_kind, subject, body):
    try:
        with attempt():
            return wording.preview(mail_kind, subject, body), []
    except RuleError as error:
        return None, [text_for(problem) for problem in error.problems]


@bp.post("/mail-templates/<kind>/<locale>/preview")
def preview_mail_template(kind: str, locale: str):
    """The preview of the wording being typed (an htmx fragment; the whole page without htmx)."""
    mail_kind = _kind_and_locale(kind, locale)
    form = WordingForm()
    if not form.validate():
        abort(400)
    shown, problems = _try_preview(mail_kind, form.subject.data, form.body.data)
    if not htmx:
        return edit_mail_template(kind=kind, locale=locale)
    return render("communications/edit_mail_template.html", "preview", form=form, kind=mail_kind, locale=locale,
                  shown=shown, problems=problems, locale_names=LOCALE_NAMES)


@bp.post("/mail-templates/<kind>/<locale>/reset")
def reset_mail_template(kind: str, locale: str):
    """Go back to the platform's wording of one e-mail in one language."""
    mail_kind = _kind_and_locale(kind, locale)
    if wording.reset(db.session, mail_kind, locale):
        flash(_("“%(kind)s” (%(language)s) uses the platform's wording again.", kind=mail_kind.label,
                language=LOCALE_NAMES[locale]), "info")
    return redirect(url_for("communications.mail_templates"))


# --- announcements --------------------------------------------------------------------------------------------------


class AnnouncementForm(Form):
    """An announcement in both languages; the audience when it goes to a round."""

    audience = SelectField(_l("To"), choices=choices((member.value, member._label) for member in ROUND_AUDIENCES),
                           default=Audience.ROUND.value)
    subject_da = StringField(_l("Subject in Danish"), filters=[strip], render_kw=limits(ANNOUNCEMENT, "subject_da"))
    body_da = TextAreaField(_l("Text in Danish"), render_kw={"rows": 8} | limits(ANNOUNCEMENT, "body_da"))
    subject_en = StringField(_l("Subject in English"), filters=[strip], render_kw=limits(ANNOUNCEMENT, "subject_en"))
    body_en = TextAreaField(_l("Text in English"), render_kw={"rows": 8} | limits(ANNOUNCEMENT, "body_en"))
    #: The digest of what was previewed: only that is sent.
    previewed = HiddenField()


def _digest(audience: Audience, form: AnnouncementForm) -> str:
    texts = {name: (form[name].data or "").replace("\r\n", "\n") for name in ANNOUNCEMENT.fields}
    return hashlib.sha256(json.dumps([audience.value, texts], sort_keys=True).encode()).hexdigest()


@bp.get("/announcements/")
def announcements_list():
    """The city's announcements, and where a new one can go: a round or the mentor pool."""
    sent = announcements.sent(db.session)
    return render("communications/announcements.html", sent=sent, rounds=announcements.rounds(db.session),
                  names=announcements.round_names(db.session, {a.cohort_id for a in sent if a.cohort_id}))


@bp.route("/announcements/rounds/<int:cohort_id>", methods=["GET", "POST"])
@cohort_view
def announce_to_round(cohort: Cohort):
    """Write to a round, its mentors or its mentees: a preview first, then one e-mail per person."""
    return _announce(cohort)


@bp.route("/announcements/pool", methods=["GET", "POST"])
def announce_to_pool():
    """Write to every mentor of the city's pool: a preview first, then one e-mail per person."""
    return _announce(None)


def _announce(cohort: Cohort | None):
    form = AnnouncementForm()
    if cohort is None:
        del form.audience
    audience = Audience.POOL if cohort is None else Audience(form.audience.data if form.audience.data in
                                                                 Audience.codes() else Audience.ROUND.value)
    people, shown = None, False
    if submitted(form, announcements.check):
        digest = _digest(audience, form)
        try:
            with attempt():
                if request.form.get("action") == "send" and form.previewed.data == digest:
                    announcement = announcements.send(db.session, audience, cohort, form.data,
                                                      by_user_id=current_user.id)
                else:
                    people = announcements.recipients(db.session, audience, cohort)
                    if not people:
                        raise announcements.CommunicationsError("no_recipients", "audience")
        except RuleError as error:
            show_error(form, error)
        else:
            if people is None:
                flash(ngettext("The announcement is on its way to %(num)d person.",
                               "The announcement is on its way to %(num)d people.", announcement.recipients),
                      "info")
                return redirect(url_for("communications.announcements_list"))
            if request.form.get("action") == "send":
                form.form_errors.append(_("The text changed after the preview: check the preview, then send."))
            form.previewed.data = digest
            shown = True
    return render("communications/announce.html", form=form, cohort=cohort, audience=audience, people=people,
                  shown=shown, status=422 if form.is_submitted() and not shown else 200)


# --- certificates of participation ----------------------------------------------------------------------------------


@bp.get("/rounds/<int:cohort_id>/certificates")
@cohort_view
def round_certificates(cohort: Cohort):
    """The round's participants with their certificates (once the round is closed) and an announcement link."""
    return render("communications/round_certificates.html", cohort=cohort,
                  people=certificates.participants(db.session, cohort), closed=certificates.is_closed(cohort))


@bp.get("/rounds/<int:cohort_id>/certificates/<int:application_id>")
@cohort_view
@loads("person", Application, "application_id", within="cohort")
def round_certificate(cohort: Cohort, person: Application):
    """One participant's certificate, as the participant gets it."""
    return _certificate(person, signed_by=current_user.name)


@certificates_bp.get("/<int:application_id>")
@own_application
def my_certificate(application: Application):
    """Your certificate of participation in a closed round, in your language."""
    return _certificate(application, signed_by="")


def _certificate(application: Application, *, signed_by: str):
    try:
        data = certificates.pdf(db.session, application, signed_by=signed_by)
    except RuleError as error:
        return render("communications/no_certificate.html", message=text_for(error), status=409)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=certificates.filename(application), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
