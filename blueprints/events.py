"""Joint events as people live them: the coordinator's event page, the door, RSVP links and calendar feeds.

The event page holds the venue, agenda, capacity, materials and invitations; check-in at the door works on a phone.
"""

import io
import re

from flask import abort, flash, g, make_response, redirect, request, send_file, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import Optional

from mentorby.blueprints.common import (
    CityBlueprint,
    attempt,
    cohort_view,
    loads,
    personal_page,
    public,
    render,
    show_error,
    strip,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import register, text_for
from mentorby.platform.accounts.models import COORDINATOR, MENTEE, MENTOR
from mentorby.platform.extensions import db, htmx
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.tenants.applications import filing
from mentorby.tenants.applications.models import ACCEPTED, Application
from mentorby.tenants.cohorts.models import Cohort, CohortEvent
from mentorby.tenants.events import calendar
from mentorby.tenants.events import services as events
from mentorby.tenants.events.errors import EventError
from mentorby.tenants.events.models import EventMaterial, Rsvp
from mentorby.tenants.events.schemas import EventDetailsSchema

bp = CityBlueprint("events", __name__, access=(COORDINATOR,))
#: The participant's own calendar link (revoking it) lives in the portal's roles.
mine_bp = CityBlueprint("my_events", __name__, url_prefix="/portal/events", access=(MENTOR, MENTEE))
DETAILS = EventDetailsSchema()
EVENT_URL = "/coordinator/cohorts/<int:cohort_id>/events/<int:cohort_event_id>"

MESSAGES = register("events", {
    "bad_capacity": _l("Use a whole number of places from %(min)d to %(max)d, or leave it empty for no limit."),
    "capacity_below_yes": _l("%(coming)d people have already said yes: the capacity cannot be lower than that."),
    "round_closed": _l("The round is closed: its events can no longer be changed."),
    "event_started": _l("The event has begun: invitations can no longer be sent."),
    "nobody_to_invite": _l("Everyone the event is for has been invited already (or nobody takes part yet)."),
    "bad_rsvp": _l("Choose \"Yes, I'm coming\" or \"No, I can't come\"."),
    "rsvp_closed": _l("The event has begun, so your answer can no longer be changed."),
    "not_taking_part": _l("You no longer take part in this round, so there is nothing to answer here."),
    "event_full": _l("Sorry, the event is full (%(capacity)d places). Write to the coordinator if you still want to "
                     "come."),
    "not_on_list": _l("This person is not on the list for this event."),
    "not_a_document": _l("This file is not a document we can take: upload a PDF, Word, PowerPoint or Excel file, "
                         "or a PNG or JPEG image."),
    "file_missing": _l("Choose a file to upload."),
    "file_too_large": _l("The file is larger than %(max)d MB."),
    "bad_reminder_days": _l("Reminder days must be whole numbers from 1 to 30."),
})


class DetailsForm(Form):
    """An event's venue, agenda and capacity (their limits are the schema's: tenants/events/schemas.py)."""

    address = StringField(_l("Address"), render_kw=limits(DETAILS, "address"),
                          description=_l("Street, number, postcode and town: the map link is made from it."))
    room = StringField(_l("Room"), render_kw=limits(DETAILS, "room"))
    agenda_da = TextAreaField(_l("Agenda in Danish"), render_kw=limits(DETAILS, "agenda_da"))
    agenda_en = TextAreaField(_l("Agenda in English"), render_kw=limits(DETAILS, "agenda_en"))
    capacity = IntegerField(_l("Capacity"), validators=[Optional()], render_kw=limits(DETAILS, "capacity"),
                            description=_l("Optional. A \"yes\" beyond it is refused."))


class ReminderForm(Form):
    """The city's days before a joint event on which reminders go out."""

    reminder_days = StringField(_l("Remind those invited (days before each event)"), filters=[strip],
                                description=_l("For every joint event of the city, e.g. 3, 1. Leave empty for no "
                                               "reminders. Those who said no are never reminded."))


def _days(written: str | None) -> list[int] | None:
    """"3, 1" as [3, 1]; None for anything that is not whole numbers."""
    parts = [part for part in re.split(r"[,\s]+", written or "") if part]
    if not all(part.isascii() and part.isdigit() and len(part) < 4 for part in parts):
        return None
    return [int(part) for part in parts]


class MaterialForm(Form):
    """A file for the event."""

    file = FileField(_l("File"), description=_l("PDF, Word, PowerPoint, Excel, PNG or JPEG, at most 10 MB."))


def _event_page(cohort: Cohort, event: CohortEvent, form: DetailsForm | None = None,
                upload: MaterialForm | None = None, status: int = 200, reminders: "ReminderForm | None" = None):
    details = events.details_of(db.session, event)
    if form is None:
        form = DetailsForm(obj=details)
    reminders = reminders or ReminderForm(formdata=None, reminder_days=", ".join(
        str(day) for day in events.reminder_days(db.session)))
    return render("events/show.html", cohort=cohort, event=event, details=details, form=form, reminders=reminders,
                  upload=upload or MaterialForm(), materials=events.materials_of(db.session, event),
                  counts=events.rsvp_counts(db.session, [event.id])[event.id],
                  invitees=len(events.invitees(db.session, event)), map_link=events.map_link(event, details),
                  locale=str(get_locale()), status=status)


@bp.route(EVENT_URL + "/details", methods=["GET", "POST"])
@cohort_view
@loads("event", CohortEvent, "cohort_event_id", within="cohort")
def show(cohort: Cohort, event: CohortEvent):
    """A joint event: its venue, agenda and capacity, its materials, invitations and answers."""
    details = events.details_of(db.session, event)
    form = DetailsForm(obj=details)
    if submitted(form, events.check_details):
        try:
            with attempt():
                events.update_details(db.session, event, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("events.show", cohort_id=cohort.id, cohort_event_id=event.id))
    return _event_page(cohort, event, form, status=422 if form.is_submitted() else 200)


@bp.post(EVENT_URL + "/reminders")
@cohort_view
@loads("event", CohortEvent, "cohort_event_id", within="cohort")
def reminders(cohort: Cohort, event: CohortEvent):
    """Set the city's reminder days (from an event's page, where a coordinator thinks of them)."""
    form = ReminderForm()
    if submitted(form):
        days = _days(form.reminder_days.data)
        try:
            with attempt():
                if days is None:
                    raise EventError("bad_reminder_days", "reminder_days")
                events.set_reminder_days(db.session, days)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Saved. Reminders of every joint event follow these days."), "info")
            return redirect(url_for("events.show", cohort_id=cohort.id, cohort_event_id=event.id))
    return _event_page(cohort, event, reminders=form, status=422)


@bp.post(EVENT_URL + "/materials")
@cohort_view
@loads("event", CohortEvent, "cohort_event_id", within="cohort")
def upload(cohort: Cohort, event: CohortEvent):
    """Add a file to the event (refused unless its content is a document or an image)."""
    form = MaterialForm()
    if form.validate_on_submit():
        data = form.file.data.read(events.MAX_MATERIAL + 1) if form.file.data else b""
        try:
            with attempt():
                material = events.add_material(db.session, event, form.file.data.filename if form.file.data else "",
                                               data)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("%(name)s is added.", name=material.filename), "info")
            return redirect(url_for("events.show", cohort_id=cohort.id, cohort_event_id=event.id, _anchor="materials"))
    return _event_page(cohort, event, upload=form, status=422)


@bp.get(EVENT_URL + "/materials/<int:material_id>")
@cohort_view
@loads("event", CohortEvent, "cohort_event_id", within="cohort")
@loads("material", EventMaterial, "material_id", within="event")
def material(cohort: Cohort, event: CohortEvent, material: EventMaterial):
    """Download one of the event's files."""
    return _send(material)


@bp.post(EVENT_URL + "/materials/<int:material_id>/delete")
@cohort_view
@loads("event", CohortEvent, "cohort_event_id", within="cohort")
@loads("material", EventMaterial, "material_id", within="event")
def delete_material(cohort: Cohort, event: CohortEvent, material: EventMaterial):
    """Remove one of the event's files."""
    events.remove_material(db.session, material)
    flash(_("%(name)s is removed.", name=material.filename), "info")
    return redirect(url_for("events.show", cohort_id=cohort.id, cohort_event_id=event.id, _anchor="materials"))


def _send(material: EventMaterial):
    response = send_file(io.BytesIO(material.content), mimetype=material.mimetype, as_attachment=True,
                         download_name=material.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post(EVENT_URL + "/invite")
@cohort_view
@loads("event", CohortEvent, "cohort_event_id", within="cohort")
def invite(cohort: Cohort, event: CohortEvent):
    """E-mail a personal RSVP link to everyone of the event's audience who has not been invited yet."""
    try:
        with attempt():
            invited = events.invite(db.session, event)
    except RuleError as error:
        flash(text_for(error), "error")
    else:
        flash(ngettext("Invitation sent to %(num)d participant.", "Invitations sent to %(num)d participants.",
                       invited), "info")
    return redirect(url_for("events.show", cohort_id=cohort.id, cohort_event_id=event.id))


# --- check-in at the door ----------------------------------------------------------------------------------------

def _door(cohort: Cohort, event: CohortEvent, status: int = 200, problem: str | None = None,
          block: str | None = None):
    query = request.values.get("q", "")[:80]
    return render("events/check_in.html", block, cohort=cohort, event=event, query=query,
                  people=events.door_list(db.session, event, query), count=events.attended_count(db.session, event),
                  yes=events.yes_count(db.session, event), locale=str(get_locale()), problem=problem, status=status)


@bp.get(EVENT_URL + "/check-in")
@cohort_view
@loads("event", CohortEvent, "cohort_event_id", within="cohort")
def check_in(cohort: Cohort, event: CohortEvent):
    """The door on a phone: search by name as you type, one tap to check someone in, the count."""
    return _door(cohort, event, block="door")


@bp.post(EVENT_URL + "/check-in/<int:application_id>")
@cohort_view
@loads("event", CohortEvent, "cohort_event_id", within="cohort")
def tap(cohort: Cohort, event: CohortEvent, application_id: int):
    """Check someone in, or (undo) take it back."""
    try:
        with attempt():
            if request.form.get("undo") == "1":
                events.undo_check_in(db.session, event, application_id)
            else:
                events.check_in(db.session, event, application_id)
    except EventError as error:
        return _door(cohort, event, status=422, problem=text_for(error), block="door")
    if htmx:
        return _door(cohort, event, block="door")
    return redirect(url_for("events.check_in", cohort_id=cohort.id, cohort_event_id=event.id,
                            q=request.form.get("q", "")))


# --- the participant's side: RSVP by personal link, calendars ----------------------------------------------------

def _invitation_or_404(token: str):
    invitation = events.find_invitation(db.session, token)
    if invitation is None:
        abort(404)
    return invitation


@bp.route("/events/rsvp/<token>", methods=["GET", "POST"])
@public
def rsvp(token: str):
    """Yes or no to a joint event through the personal link (no sign-in); it may change until the event starts."""
    invitation = _invitation_or_404(token)
    person = db.session.get(Application, invitation.application_id)
    return personal_page(person.locale, _rsvp_page, token, invitation, person)


def _rsvp_page(token, invitation, person):
    event = db.session.get(CohortEvent, invitation.event_id)
    details = events.details_of(db.session, event)
    problem, status = None, 200
    if request.method == "POST":
        try:
            with attempt():
                events.answer(db.session, invitation, request.form.get("answer", ""))
        except RuleError as error:
            problem, status = text_for(error), 422 if error.code != "rsvp_closed" else 410
        else:
            flash(_("Thank you: your answer is saved.") if invitation.answer == Rsvp.YES
                  else _("Thank you: we are sorry you cannot come."), "info")
            return redirect(url_for("events.rsvp", token=token))
    return render("events/rsvp.html", invitation=invitation, event=event, details=details, person=person,
                  token=token, open=events.can_change(event), problem=problem, status=status,
                  materials=events.materials_of(db.session, event), map_link=events.map_link(event, details),
                  feed=events.feed_link(g.city, events.feed_of(db.session, person)),
                  locale=str(get_locale()), Rsvp=Rsvp)


@bp.get("/events/rsvp/<token>/materials/<int:material_id>")
@public
def rsvp_material(token: str, material_id: int):
    """One of the event's files, for someone invited to it."""
    invitation = _invitation_or_404(token)
    found = db.session.get(EventMaterial, material_id) if 0 < material_id < 2**31 else None
    if found is None or found.event_id != invitation.event_id:
        abort(404)
    return _send(found)


def _ics(body: bytes, filename: str):
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/events/rsvp/<token>.ics")
@public
def event_ics(token: str):
    """One event as an .ics file, through the invitation's personal link (the venue is not for everyone)."""
    invitation = _invitation_or_404(token)
    person = db.session.get(Application, invitation.application_id)
    event = db.session.get(CohortEvent, invitation.event_id)
    body = calendar.calendar(g.city, [(event, events.details_of(db.session, event))], person.locale or "da")
    return _ics(body, f"event-{event.id}.ics")


@bp.get("/calendar/<token>.ics")
@public
def feed(token: str):
    """A participant's private subscription: every joint event of their round that is for them."""
    found = events.find_feed(db.session, token)
    person = db.session.get(Application, found.application_id) if found else None
    if person is None or person.status != ACCEPTED:
        abort(404)
    body = calendar.calendar(g.city, events.events_for(db.session, person), person.locale or "da",
                             name=f"{g.city.name} · {person.cohort.name}")
    return _ics(body, "mentorby.ics")


@mine_bp.post("/<int:application_id>/calendar/renew")
@loads("application", Application, "application_id")
def renew_feed(application: Application):
    """Replace your calendar link with a new one (the old one stops working)."""
    if not filing.is_own(application, current_user, g.roles):
        abort(404)
    events.revoke_feed(db.session, events.feed_of(db.session, application))
    flash(_("Your calendar has a new link. Subscribe to it again; the old link no longer works."), "info")
    return redirect(url_for("portal.home", _anchor="my-events"))


def portal_events(current: Application | None) -> dict:
    """What the portal's home shows of the events: the person's events, answers, RSVP links and calendar link."""
    if current is None or current.status != ACCEPTED:
        return {"my_events": [], "calendar_link": None}
    invitations = events.answers_of(db.session, [current.id])
    rows = [(event, invitations.get(event.id),
             url_for("events.rsvp", token=events.rsvp_token(invitations[event.id]))
             if event.id in invitations else None)
            for event, _details in events.events_for(db.session, current)]
    return {"my_events": rows, "calendar_link": events.feed_link(g.city, events.feed_of(db.session, current))}
