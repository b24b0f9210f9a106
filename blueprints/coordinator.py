"""The coordinator's pages: the overview of the city's rounds, the team, the city's audit log, API tokens."""

from dataclasses import dataclass, field
from datetime import date

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, StringField
from wtforms.validators import Email

from mentorby.blueprints import audit as audit_words  # noqa: F401 (registers every table's words in the log)
from mentorby.blueprints.common import (
    CityBlueprint,
    attempt,
    loads,
    paginate,
    render,
    show_error,
    strip,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.platform import clock
from mentorby.platform.accounts import services as accounts
from mentorby.platform.accounts.models import COORDINATOR, ApiToken, Invitation
from mentorby.platform.audit import services as audit_log
from mentorby.platform.audit.describe import AREAS, tell
from mentorby.platform.extensions import db
from mentorby.platform.i18n import format_day
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications.models import ACCEPTED, SUBMITTED
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, PLANNED, RECRUITING, RUNNING, SELECTING, CohortEvent
from mentorby.tenants.coordinator import services as overview
from mentorby.tenants.coordinator.services import RoundFigures

bp = CityBlueprint("coordinator", __name__, url_prefix="/coordinator", access=(COORDINATOR,))
INVITATION, API_TOKEN = accounts.INVITATION, accounts.API_TOKEN


class InviteForm(Form):
    """Invite a colleague as coordinator (company contacts are invited from their partner's page)."""

    name = StringField(_l("Name"), render_kw=limits(INVITATION, "name"))
    # The form reads an e-mail address as one (Email); the schema (platform/accounts/schemas.py) holds the limits.
    email = EmailField(_l("E-mail"), filters=[strip], validators=[Email()], render_kw=limits(INVITATION, "email"))


class TokenForm(Form):
    """Name a new API token."""

    name = StringField(_l("What is the token for?"), render_kw=limits(API_TOKEN, "name"))


# --- the overview -------------------------------------------------------------------------------------------------


@dataclass
class Step:
    """Something to do next for a round: a link to the page where it is done, and why (optional)."""

    text: str
    url: str
    why: str = ""


@dataclass
class RoundCard:
    """A round on the overview: its figures, what they say, and the next things to do."""

    figures: RoundFigures
    facts: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def cohort(self):
        """The round."""
        return self.figures.cohort


def _local_day(moment) -> date:
    """The day of a stored time in the city's time zone."""
    return clock.local(moment).date()


def _whole(text: str) -> str:
    """A date or a "in 5 days" that a narrow card must not break in the middle."""
    return text.replace(" ", "\u00a0")


def _day(value) -> str:
    return _whole(format_day(value))


def _in_days(when: date, today: date) -> str:
    days = (when - today).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return _whole(ngettext("in %(num)d day", "in %(num)d days", days))


def _event_name(event: CohortEvent) -> str:
    return event.name(str(get_locale()))


def _describe(state: RoundFigures, today: date) -> RoundCard:
    """The round's figures and next steps, as its phase allows them (tenants/cohorts/phases.py)."""
    card = RoundCard(state)
    cohort = state.cohort
    # Moving the round on is done with the life cycle's buttons on its page; the step says what the button says.
    show = url_for("cohorts.show", cohort_id=cohort.id, _anchor="timeline-title")
    board = url_for("applications.board", cohort_id=cohort.id)
    matching = url_for("matching.board", cohort_id=cohort.id)
    facts, steps = card.facts, card.steps
    accepted_line = _("%(mentors)d of %(mentor_places)d mentors and %(mentees)d of %(mentee_places)d mentees "
                      "accepted", mentors=state.accepted["mentor"], mentor_places=cohort.mentor_capacity,
                      mentees=state.accepted["mentee"], mentee_places=cohort.mentee_capacity)
    if cohort.status in (RECRUITING, SELECTING):
        applied = ngettext("%(num)d application", "%(num)d applications", state.applied)
        if state.to_decide:
            applied = _("%(applications)s, %(n)d to decide", applications=applied, n=state.to_decide)
        facts.append(applied)
    running = state.health if cohort.status == RUNNING else None
    if cohort.status == SELECTING or (cohort.status == RUNNING and running is None):
        facts.append(accepted_line)
    if cohort.status == RUNNING and running is None:
        facts.append(ngettext("%(num)d pair published", "%(num)d pairs published", state.published))
    if running is not None:
        # A running round shows how it lives (tenants/sessions/figures.py), not how it was set up.
        facts.append(ngettext("%(num)d session logged", "%(num)d sessions logged", running.sessions))
        facts.append(ngettext("%(num)d of %(pairs)d pairs at risk", "%(num)d of %(pairs)d pairs at risk",
                              running.at_risk, pairs=running.pairs))
        facts.append(_("Last contact: %(date)s", date=_day(running.last_contact)) if running.last_contact
                     else _("No session logged yet"))
        if running.at_risk:
            steps.append(Step(ngettext("Look after %(num)d pair at risk", "Look after %(num)d pairs at risk",
                                       running.at_risk), url_for("health.show", cohort_id=cohort.id),
                              ngettext("No session for %(num)d week or more.", "No session for %(num)d weeks or more.",
                                       running.quiet_weeks)))
    if state.next_event is not None and cohort.status in (PLANNED, RECRUITING, SELECTING, RUNNING):
        when = state.next_event.starts_at
        facts.append(_("Next joint event: %(event)s on %(date)s (%(when)s)", event=_event_name(state.next_event),
                       date=_day(when), when=_in_days(_local_day(when), today)))

    if cohort.status == PLANNED:
        if not state.events:
            steps.append(Step(_("Add joint events to the programme model"), url_for("programme.overview"),
                              _("The round has no joint events yet.")))
        elif cohort.apply_by is not None and cohort.apply_by < today:
            steps.append(Step(_("Move the application deadline"), url_for("cohorts.edit", cohort_id=cohort.id),
                              _("The deadline %(date)s has passed.", date=_day(cohort.apply_by))))
        else:
            steps.append(Step(RECRUITING.action, show,
                              _("Check the dates of the joint events first; the application forms then open.")))
    elif cohort.status == RECRUITING:
        if state.new and phases.allows(cohort, "review"):
            steps.append(Step(ngettext("Read %(num)d new application", "Read %(num)d new applications", state.new),
                              url_for("applications.board", cohort_id=cohort.id, status=SUBMITTED)))
        if cohort.apply_by is None:
            why = _("No application deadline is set: close recruitment when you have enough applications.")
        elif cohort.apply_by >= today:
            why = _("Applications close on %(date)s.", date=_day(cohort.apply_by))
        else:
            why = _("Applications closed on %(date)s.", date=_day(cohort.apply_by))
        steps.append(Step(SELECTING.action, show, why))
    elif cohort.status in (SELECTING, RUNNING):
        if state.to_decide and phases.allows(cohort, "decide"):
            steps.append(Step(ngettext("Decide on %(num)d application", "Decide on %(num)d applications",
                                       state.to_decide), board))
        if state.not_told and phases.allows(cohort, "notify"):
            steps.append(Step(ngettext("Tell %(num)d accepted person", "Tell %(num)d accepted people",
                                       state.not_told),
                              url_for("applications.board", cohort_id=cohort.id, status=ACCEPTED),
                              _("Accepted, but not told yet.")))
        both = state.accepted["mentor"] and state.accepted["mentee"]
        if (cohort.status == SELECTING and both and not state.has_plan and state.kickoff is not None
                and phases.allows(cohort, "networking")):
            steps.append(Step(_("Plan the speed networking"), url_for("networking.plan", cohort_id=cohort.id),
                              _("The kick-off is %(when)s.",
                                when=_in_days(_local_day(state.kickoff.starts_at), today))))
        if both and phases.allows(cohort, "match"):
            if state.proposed:
                steps.append(Step(ngettext("Publish %(num)d proposed pair", "Publish %(num)d proposed pairs",
                                           state.proposed), matching, _("The pairs are not published yet.")))
            elif state.unpaired:
                steps.append(Step(ngettext("Find a mentor for %(num)d mentee", "Find mentors for %(num)d mentees",
                                           state.unpaired), matching))
        if cohort.status == SELECTING:
            if both and not state.unpaired and not state.proposed:
                steps.append(Step(RUNNING.action, show,
                                  _("Every accepted mentee has a published pair.")))
            elif not both and not state.to_decide:
                steps.append(Step(_("Accept mentors and mentees"), board))
        elif cohort.ends_on < today:
            steps.append(Step(CLOSED.action, show,
                              _("The round ended on %(date)s.", date=_day(cohort.ends_on))))
    elif cohort.status == CLOSED:
        if cohort.follow_up_on is not None and cohort.follow_up_on <= today:
            steps.append(Step(FOLLOWED_UP.action, show,
                              _("The 6-month follow-up is due.")))
        elif cohort.follow_up_on is not None:
            facts.append(_("6-month follow-up due on %(date)s (%(when)s)", date=_day(cohort.follow_up_on),
                           when=_in_days(cohort.follow_up_on, today)))
    return card


@bp.get("/")
def home():
    """Where the city's current rounds stand and what to do next for each, with links to where it is done."""
    today = clock.today()
    figures = overview.round_figures(db.session, overview.current_rounds(db.session), utcnow(), today)
    return render("coordinator/home.html", city=g.city, states=[_describe(state, today) for state in figures],
                  setup=overview.setup_left(db.session))


# --- the team ---------------------------------------------------------------------------------------------------


@bp.route("/team", methods=["GET", "POST"])
def team():
    """The city's coordinators and the invitations sent to new ones."""
    form = InviteForm()
    if submitted(form, accounts.check_invitation):
        try:
            with attempt():
                invitation = accounts.invite_coordinator(db.session, g.city, form.data, invited_by=current_user)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Invitation sent to %(email)s.", email=invitation.email), "info")
            return redirect(url_for("coordinator.team"))
    # Mentors, mentees and company contacts are invited from the selection board and the partners' pages.
    return render("coordinator/team.html", form=form, members=paginate(accounts.members(COORDINATOR)),
                  invitations=accounts.open_invitations(db.session, COORDINATOR),
                  status=422 if form.is_submitted() else 200)


@bp.post("/team/invitations/<int:invitation_id>/revoke")
@loads("invitation", Invitation, "invitation_id")
def revoke_invitation(invitation: Invitation):
    """Withdraw an invitation; its link stops working."""
    with attempt():
        accounts.revoke_invitation(invitation)
    flash(_("The invitation to %(email)s is withdrawn.", email=invitation.email), "info")
    return redirect(url_for("coordinator.team"))


# --- the audit log ------------------------------------------------------------------------------------------------


def _person_id() -> int | None:
    person = request.args.get("person", "")
    return int(person) if person.isascii() and person.isdigit() and 0 < int(person) < 2**31 else None


@bp.get("/audit")
def audit():
    """Every change made in the city as a sentence (who, when, what), filtered by area and by who made it."""
    area = request.args.get("area", "")
    area = area if area in AREAS else ""
    person = _person_id()
    page = paginate(audit_log.city_entries(g.city.id, area=area, actor_id=person))
    return render("coordinator/audit.html", "audit_rows", page=page, lines=tell(db.session, page.items),
                  areas=list(AREAS.values()), area=area, people=audit_log.actors_in_city(db.session, g.city.id),
                  person=person)


# --- API tokens -----------------------------------------------------------------------------------------------------


@bp.route("/api-tokens", methods=["GET", "POST"])
def api_tokens():
    """The coordinator's personal API tokens for this city."""
    form = TokenForm()
    new_secret = None
    if submitted(form, accounts.check_api_token):
        try:
            with attempt():
                new_secret = accounts.create_api_token(db.session, current_user, form.name.data).secret
        except RuleError as error:
            show_error(form, error)
        else:
            form = TokenForm(formdata=None)
    status = 422 if form.errors else 200
    return render("coordinator/api_tokens.html", form=form, tokens=accounts.tokens_of(db.session, current_user),
                  new_secret=new_secret, status=status)


@bp.post("/api-tokens/<int:token_id>/revoke")
@loads("token", ApiToken, "token_id")
def revoke_api_token(token: ApiToken):
    """Revoke one of the coordinator's own tokens."""
    try:
        with attempt():
            accounts.revoke_api_token(token, by=current_user)
    except RuleError:
        abort(404)  # another coordinator's token: as if it did not exist
    flash(_("The token “%(name)s” is revoked.", name=token.name), "info")
    return redirect(url_for("coordinator.api_tokens"))
