"""Selection, the coordinator's side of recruitment: the board, an application's page, the notify step, the pool.

The public forms are blueprints/apply.py, the forms themselves blueprints/application_forms.py.
"""

import io
from types import SimpleNamespace
from typing import NamedTuple

from flask import abort, flash, g, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2_fragments.flask import render_block
from markupsafe import Markup, escape

from mentorby.blueprints.application_forms import NoteForm
from mentorby.blueprints.common import (
    CityBlueprint,
    RowLinks,
    attempt,
    cohort_view,
    kept_until_changed,
    loads,
    paginate,
    render,
    show_error,
    submitted,
)
from mentorby.blueprints.messages import message, register, text_for
from mentorby.blueprints.notice import consent_rows
from mentorby.platform.accounts import services as accounts
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.audit.listener import record
from mentorby.platform.extensions import db, htmx
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import utcnow
from mentorby.platform.translations import translations_in_force
from mentorby.tenants.applications import consent, queries, selection
from mentorby.tenants.applications.models import (
    ACCEPTED,
    OUTCOMES,
    Application,
    ApplicationStatus,
    CvDocument,
)
from mentorby.tenants.applications.profile import ROLES, DanishLevel, Field, Language, Role
from mentorby.tenants.applications.schemas import check_note
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, Cohort

bp = CityBlueprint("applications", __name__, access=(COORDINATOR,))
#: The applications area's own wordings (the codes it shares with the import are in blueprints/messages.py).
LOCAL_MESSAGES = register("applications", {
    "no_language": _l("Choose at least one language."),
    "bad_date": _l("Not a valid date value."),
})
#: The filters and order the board's address may carry: the pager keeps them, the bulk form posts back to them.
BOARD_KEYS = (*queries.FILTERS, "sort", "dir")
#: What the area's templates compare with: members of its vocabularies, never raw strings.
#: The area's vocabularies, for templates (registered with the others in blueprints/__init__.py).
VOCABULARIES = {"ApplicationStatus": ApplicationStatus, "Role": Role, "Field": Field, "Language": Language,
                "DanishLevel": DanishLevel}


def _problem(error: RuleError) -> str:
    """A refusal in the page's language; a phase refusal in a closed round says the round is past selection.

    (The phase messages say what comes next, which for a closed round is nothing.)
    """
    if isinstance(error, phases.PhaseError) and error.params.get("status") in (CLOSED, FOLLOWED_UP):
        return message("selection_closed")
    return text_for(error)


def _refusal(cohort: Cohort, step: str) -> str:
    """Why the round's phase does not allow `step` now, and what comes next."""
    return _problem(phases.PhaseError(f"phase_{step}", None, status=cohort.status))


# --- the selection board ----------------------------------------------------------------------------------------


def _board_context(cohort: Cohort, filters: queries.BoardFilters | None = None) -> dict:
    filters = filters if filters is not None else queries.BoardFilters.read(request.args)
    sort, direction = queries.sorting(request.args)
    by_status, pending = selection.counters(db.session, cohort.id)
    filter_args = filters.chosen()
    # The page's address without the page number: what sorting, selecting and the bulk form build on.
    here = filter_args | ({"sort": sort, "dir": direction} if (sort, direction) != queries.ARRIVAL else {})
    return {
        "cohort": cohort, "chosen": filters, "by_status": by_status,
        "accepted": {role: by_status.get((role, ACCEPTED), 0) for role in ROLES},
        "companies": queries.companies(db.session), "statuses": list(ApplicationStatus), "filter_args": filter_args,
        "here": here, "sort": sort, "direction": direction,
        "pending": pending,
        "may": {step: phases.allows(cohort, step) for step in ("review", "decide", "notify")},
        "bulk_choices": selection.bulk_choices(cohort), "outcomes": OUTCOMES,
        "notify_refused": _refusal(cohort, "notify"), "rows": BoardRows(cohort, here),
    }


class StatusChoice(NamedTuple):
    """A row's status cell, the same for every application in that status: can it change, and the options."""

    editable: bool
    options: Markup


class BoardRows:
    """What every row of the selection board shares, made once a page (a page shows 25 to 100 rows).

    Through the template, each row translated a dozen texts, looked up the CSRF token, asked the round's phase which
    statuses it may offer and built three addresses: a fifth of the board's work (bench/README.md). Here the texts
    are translated once (`texts`, marked safe as `_()` marks them), each status's options are made once (`choices`,
    by the application's status: the phase decides them, not the person), and the addresses come from one pattern
    each (RowLinks). The row's HTML stays in the template.
    """

    def __init__(self, cohort: Cohort, here: dict):
        translations = translations_in_force()

        def gettext(text: str) -> Markup:
            return Markup(translations.ugettext(text))

        self.texts = SimpleNamespace(
            select=gettext("Select %(name)s"), cv=gettext("CV"), note=gettext("note"), applied=gettext("Applied"),
            field=gettext("Field"), job_goal=gettext("Job goal"), expertise=gettext("Expertise"),
            danish=gettext("Danish"), employer=gettext("Employer"), partner_employer=gettext("Partner's employer"),
            status=gettext("Status"), status_of=gettext("Status of %(name)s"), save=gettext("Save"),
            told=gettext("told"), not_told=gettext("not told yet"), saved=gettext("Saved"),
            unsaved=gettext("Not saved yet: Enter saves, Escape undoes."))
        self.token = generate_csrf()
        self.detail = RowLinks("applications.detail", "application_id", cohort_id=cohort.id)
        self.cv = RowLinks("applications.cv", "application_id", cohort_id=cohort.id)
        self.status = RowLinks("applications.set_status", "application_id", cohort_id=cohort.id, **here)
        self.choices = {status: self._choice(cohort, status) for status in ApplicationStatus}

    @staticmethod
    def _choice(cohort: Cohort, current: ApplicationStatus) -> StatusChoice:
        """The status cell of an application in `current` status.

        Its own status comes first when the phase does not offer it (shown, not choosable), then what the phase
        offers, the current one selected.
        """
        offered = selection.choices_for(cohort, current)
        options = [] if current in offered else [
            f'<option value="{current}" selected disabled>{escape(current.label)}</option>']
        options += [f'<option value="{status}"{" selected" if status == current else ""}>{escape(status.label)}'
                    '</option>' for status in offered]
        return StatusChoice(len(offered) > 1 or (bool(offered) and current not in offered), Markup("".join(options)))


def _oob(**context) -> str:
    """The counters and the notify step's buttons, out of band: every decision changes them."""
    return (render_block("applications/board.html", "counters", oob=True, **context)
            + render_block("applications/board.html", "notify_panel", oob=True, **context))


@bp.get("/coordinator/cohorts/<int:cohort_id>/applications")
@kept_until_changed
@cohort_view
def board(cohort: Cohort):
    """All applications of a round: filters, search, sorting, decisions in place, live counters, the notify step."""
    context = _board_context(cohort)
    page = paginate(queries.board_query(cohort, context["chosen"], (context["sort"], context["direction"])))
    selecting = request.args.get("select") if request.args.get("select") in ("page", "matching") else ""
    if selecting == "matching" and page.pages <= 1:
        selecting = "page"
    context |= {"page": page, "selecting": selecting,
                "selected_ids": {a.id for a in page.items} if selecting else set()}
    if htmx and not htmx.history_restore_request:
        # The list, and the filter form's sort fields out of band, so the next filter keeps the new order.
        body = render_block("applications/board.html", "board", **context)
        body += render_block("applications/board.html", "sort_state", oob=True, **context)
        return make_response(body)
    return render("applications/board.html", **context)


def _row_response(cohort: Cohort, application: Application, error: str | None = None, status: int = 200):
    """An htmx answer: the changed row, and the counters and notify buttons out of band so they stay true."""
    # The filters come along in the form's address, so the row has the same columns as the page it replaces.
    context = _board_context(cohort)
    body = render_block("applications/board.html", "row", a=application, row_error=error, focus=True,
                        saved=error is None, **context)
    return make_response(body + _oob(**context), status)


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/status")
@cohort_view
@loads("application", Application, "application_id", within="cohort")
def set_status(cohort: Cohort, application: Application):
    """Record one application's status (nobody is told yet: that is the notify step)."""
    try:
        with attempt():
            selection.decide(db.session, g.city, [application], request.form.get("status", ""), by=current_user)
    except RuleError as error:
        if htmx:
            return _row_response(cohort, application, _problem(error), 422)
        flash(_problem(error), "error")
        return redirect(_back(cohort, application))
    if htmx:
        return _row_response(cohort, application)
    flash(_("%(name)s: %(status)s.", name=application.name, status=application.status.label), "info")
    return redirect(_back(cohort, application))


def _back(cohort: Cohort, application: Application) -> str:
    """Where a form of the board or of the application's page returns to after a plain (no-JavaScript) post."""
    if request.form.get("back") == "detail":
        return url_for("applications.detail", cohort_id=cohort.id, application_id=application.id)
    if request.form.get("back") == "notify" and application.status in OUTCOMES:
        return url_for("applications.notify_preview", cohort_id=cohort.id, status=application.status)
    return url_for("applications.board", cohort_id=cohort.id, **_kept())


def _kept() -> dict:
    """The board's filters and order from the request's address, to return to the same view."""
    return {key: request.args[key] for key in BOARD_KEYS if request.args.get(key)}


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/bulk")
@cohort_view
def bulk(cohort: Cohort):
    """Set the status of the selected applications (or of all that match the filters) at once, all or none."""
    filters = queries.BoardFilters.read(request.args)
    order = queries.sorting(request.args)
    matching = request.form.get("scope") == "matching"
    if matching:
        # One more than a change may take, so that too many is refused rather than cut short.
        selected = queries.first_of_board(db.session, cohort, filters, order, selection.BULK_MAX + 1)
        ids = [application.id for application in selected]
    else:
        ids = [int(value) for value in request.form.getlist("ids") if value.isascii() and value.isdigit()
               and len(value) < 10][:500]
        selected = queries.of_round(db.session, cohort, ids)
        if len(selected) != len(set(ids)):
            abort(404)
    problem = changed = None
    try:
        with attempt():
            selection.decide(db.session, g.city, selected, request.form.get("bulk_status", ""), by=current_user)
    except RuleError as error:
        problem = _problem(error)
    else:
        changed = ngettext("%(num)d application changed.", "%(num)d applications changed.", len(selected))
        if not htmx:
            flash(changed, "info")
            return redirect(url_for("applications.board", cohort_id=cohort.id, **_kept()))
    context = _board_context(cohort, filters)
    page = paginate(queries.board_query(cohort, filters, order))
    # A refused change keeps the selection, so it can be tried again with another status.
    context |= {"page": page, "problem": problem, "changed": changed,
                "selected_ids": set(ids) if problem else set(), "selecting": "matching" if problem and matching else ""}
    if htmx:
        # The list, and the counters and notify buttons out of band: a bulk acceptance changes them too.
        body = render_block("applications/board.html", "board", **context)
        return make_response(body + _oob(**context), 422 if problem else 200)
    return render("applications/board.html", status=422 if problem else 200, **context)


# --- telling people what was decided ----------------------------------------------------------------------------


def _outcome(status: str) -> ApplicationStatus:
    found = selection.outcome(status)
    if found is None:
        abort(404)
    return found


def _rendered(notification: selection.Notification) -> tuple[str, str]:
    """(subject, body) of a notification exactly as the outbox will render it, in the person's language."""
    with force_locale(notification.locale):
        context = notification.context
        if "link" in context:
            # The personal link is made when the e-mail is sent; its place says so, in the e-mail's language.
            context = context | {"link": _("(the personal link is made when the e-mail is sent)")}
        subject = render_template(f"mail/{notification.template}.subject.txt", **context).strip()
        body = render_template(f"mail/{notification.template}.txt", **context)
    return subject, body


def _notify_page(cohort: Cohort, status: ApplicationStatus, problem: str | None = None, code: int = 200):
    page = paginate(selection.pending_query(cohort, status))
    batch = selection.pending(db.session, cohort, status)
    previews = [(item, *_rendered(item)) for item in selection.notifications(db.session, g.city, cohort, page.items)]
    told = selection.told(db.session, cohort, status)
    return render("applications/notify.html", cohort=cohort, outcome=status, page=page, previews=previews,
                  total=len(batch), fingerprint=selection.batch_fingerprint(batch) if batch else "",
                  told=told, delivery=selection.delivery(db.session, g.city, told, status),
                  with_account=selection.members(db.session, told) if status == ACCEPTED else set(),
                  may_notify=phases.allows(cohort, "notify"),
                  problem=problem, expires_at=selection.invitation_expiry(db.session, cohort),
                  refused=_refusal(cohort, "notify"), status=code)


@bp.get("/coordinator/cohorts/<int:cohort_id>/notify/<status>")
@cohort_view
def notify_preview(cohort: Cohort, status: str):
    """Who waits to hear a decision, with each e-mail as it will be sent (in the person's language)."""
    return _notify_page(cohort, _outcome(status))


@bp.post("/coordinator/cohorts/<int:cohort_id>/notify/<status>")
@cohort_view
def notify(cohort: Cohort, status: str):
    """Send the previewed e-mails in one go through the outbox; each person is recorded as told."""
    status = _outcome(status)
    try:
        with attempt():
            sent = selection.notify(db.session, g.city, cohort, status, by=current_user,
                                    fingerprint=request.form.get("fingerprint", ""))
    except RuleError as error:
        return _notify_page(cohort, status, _problem(error), 422)
    flash(ngettext("%(num)d e-mail is on its way.", "%(num)d e-mails are on their way.", len(sent)), "info")
    return redirect(url_for("applications.notify_preview", cohort_id=cohort.id, status=status))


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/invite")
@cohort_view
@loads("application", Application, "application_id", within="cohort")
def resend(cohort: Cohort, application: Application):
    """Send an accepted person a fresh invitation link (the old one stops working)."""
    try:
        with attempt():
            selection.resend_invitation(db.session, g.city, application, by=current_user)
    except RuleError as error:
        flash(_problem(error), "error")
    else:
        flash(_("A new invitation is on its way to %(email)s.", email=application.email), "info")
    return redirect(_back(cohort, application))


# --- the pool and one application -------------------------------------------------------------------------------


@bp.get("/coordinator/pool/")
def pool():
    """The city's mentor pool (or mentees): everyone who ever applied, with their rounds, to invite back."""
    role = Role.get(request.args.get("role"), Role.MENTOR)
    text = (request.args.get("q") or "").strip()[:100]
    page = paginate(queries.pool_query(role, text))
    history = queries.histories(db.session, [participant.id for participant in page.items])
    return render("applications/pool.html", "pool_list", page=page, role=role, q=text, history=history)


def _detail_context(cohort: Cohort, application: Application, form: NoteForm) -> dict:
    invitation = None
    has_account = False
    if application.status == ACCEPTED and application.invited:
        invitation = selection.latest_invitation(db.session, application)
        has_account = bool(selection.members(db.session, [application]))
    return {
        "cohort": cohort, "a": application, "form": form, "locale": str(get_locale()),
        "choices": selection.choices_for(cohort, application.status),
        "may": {step: phases.allows(cohort, step) for step in ("review", "decide", "notify")},
        "invitation": invitation, "has_account": has_account, "review_refused": _refusal(cohort, "review"),
        "invitation_until": invitation and accounts.invitation_expiry(invitation), "now": utcnow(),
        "consent_text": consent.consent_text(application.consent_version, application.locale, g.city.name),
        "consents": consent_rows(consent.records_of(db.session, application.email)),
        "history": [other for other in queries.histories(db.session, [application.participant_id])
                    .get(application.participant_id, []) if other.id != application.id],
    }


@bp.get("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>")
@cohort_view
@loads("application", Application, "application_id", within="cohort")
def detail(cohort: Cohort, application: Application):
    """One application in full: answers, CV, status, what the person was told, and the coordinator's note."""
    return render("applications/detail.html", **_detail_context(cohort, application, NoteForm(obj=application)))


@bp.post("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/note")
@cohort_view
@loads("application", Application, "application_id", within="cohort")
def note(cohort: Cohort, application: Application):
    """Save the coordinator's note on an application (while the round's phase allows reviewing)."""
    form = NoteForm()
    saved = False
    if submitted(form, check_note):
        try:
            with attempt():
                selection.set_note(db.session, application, form.note.data or "")
        except RuleError as error:
            show_error(form, error, _problem(error))
        else:
            saved = True
            if not htmx:
                flash(_("Note saved."), "info")
                return redirect(url_for("applications.detail", cohort_id=cohort.id, application_id=application.id))
    return render("applications/detail.html", "note_form", saved=saved, status=200 if saved else 422,
                  **_detail_context(cohort, application, form))


@bp.get("/coordinator/cohorts/<int:cohort_id>/applications/<int:application_id>/cv")
@cohort_view
@loads("application", Application, "application_id", within="cohort")
def cv(cohort: Cohort, application: Application):
    """The applicant's CV as a download (never shown inline: it is a file from the public)."""
    if application.cv is None:
        abort(404)
    return send_cv(application.cv, application)


def send_cv(document: CvDocument, application: Application):
    """A CV as a download, recorded in the city's audit log (never shown inline: it is a file from the public)."""
    record(db.session, action="download", entity="cv_document", entity_id=document.id,
           details={"application_id": application.id})
    # send_file writes any file name safely (an ASCII fallback plus filename*=UTF-8''…).
    response = send_file(io.BytesIO(document.content), mimetype="application/pdf", as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
