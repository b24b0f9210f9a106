"""The coordinator's pages: the overview of the city's rounds, the team, the city's audit log, API tokens."""

from dataclasses import dataclass, field
from datetime import date

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import get_locale, ngettext, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

from mentorby.blueprints import audit as audit_words  # noqa: F401 (registers every table's words in the log)
from mentorby.blueprints.common import CityBlueprint, paginate, render, strip
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import COHORT_ACTIONS, label, message
from mentorby.platform import clock
from mentorby.platform.accounts import services as accounts
from mentorby.platform.accounts.models import COORDINATOR, ApiToken, Invitation, Membership, User
from mentorby.platform.audit.describe import AREAS, tables_in, tell
from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.extensions import db
from mentorby.platform.i18n import format_day
from mentorby.platform.tenancy import get_in_city, utcnow
from mentorby.tenants.applications.models import ACCEPTED, SHORTLISTED, SUBMITTED, Application
from mentorby.tenants.applications.services import CONFIRMED
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import (
    CLOSED,
    FOLLOWED_UP,
    PLANNED,
    RECRUITING,
    RUNNING,
    SELECTING,
    Cohort,
    CohortEvent,
)
from mentorby.tenants.matching.models import PROPOSED, PUBLISHED, Match, NetworkingPlan
from mentorby.tenants.partners.services import count_partners

bp = CityBlueprint("coordinator", __name__, url_prefix="/coordinator", access=(COORDINATOR,))
#: The overview shows this many rounds that are not finished; the rounds page has them all.
CURRENT_ROUNDS = 8


class InviteForm(Form):
    """Invite a colleague as coordinator (company contacts are invited from their partner's page)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Email(), Length(max=254)])


class TokenForm(Form):
    """Name a new API token."""

    name = StringField(_l("What is the token for?"), validators=[DataRequired(), Length(max=80)])


# --- the overview -------------------------------------------------------------------------------------------------


@dataclass
class Step:
    """Something to do next for a round: a link to the page where it is done, and why (optional)."""

    text: str
    url: str
    why: str = ""


@dataclass
class RoundState:
    """Where a round stands: its figures, what comes next, and the next thing to do."""

    cohort: Cohort
    applied: int = 0
    to_decide: int = 0
    new: int = 0
    accepted: dict = field(default_factory=lambda: {"mentor": 0, "mentee": 0})
    not_told: int = 0
    proposed: int = 0
    published: int = 0
    paired_mentees: int = 0
    has_plan: bool = False
    events: int = 0
    next_event: CohortEvent | None = None
    kickoff: CohortEvent | None = None
    facts: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def unpaired(self) -> int:
        """Accepted mentees without a published pair."""
        return max(0, self.accepted["mentee"] - self.paired_mentees)


def _states(cohorts: list[Cohort]) -> list[RoundState]:
    """The figures of a few rounds in four grouped queries, whatever their number of applications and pairs."""
    states = {cohort.id: RoundState(cohort) for cohort in cohorts}
    ids = list(states)
    if not ids:
        return []
    rows = db.session.execute(
        select(Application.cohort_id, Application.role, Application.status, Application.invited, func.count())
        .where(Application.cohort_id.in_(ids), CONFIRMED)
        .group_by(Application.cohort_id, Application.role, Application.status, Application.invited)
    )
    for cohort_id, role, status, invited, number in rows:
        state = states[cohort_id]
        state.applied += number
        if status in (SUBMITTED, SHORTLISTED):
            state.to_decide += number
        if status == SUBMITTED:
            state.new += number
        if status == ACCEPTED:
            state.accepted[role] = state.accepted.get(role, 0) + number
            if not invited:
                state.not_told += number
    rows = db.session.execute(
        select(Match.cohort_id, Match.status, func.count(), func.count(func.distinct(Match.mentee_id)))
        .where(Match.cohort_id.in_(ids), Match.status.in_((PROPOSED, PUBLISHED)))
        .group_by(Match.cohort_id, Match.status)
    )
    for cohort_id, status, number, mentees in rows:
        if status == PROPOSED:
            states[cohort_id].proposed = number
        else:
            states[cohort_id].published, states[cohort_id].paired_mentees = number, mentees
    for cohort_id in db.session.execute(select(NetworkingPlan.cohort_id).where(NetworkingPlan.cohort_id.in_(ids))):
        states[cohort_id[0]].has_plan = True
    # A round has a handful of joint events: all of them, in one query, give the count and the next one.
    now = utcnow()
    events = db.session.execute(
        select(CohortEvent).where(CohortEvent.cohort_id.in_(ids)).order_by(CohortEvent.starts_at, CohortEvent.step)
    ).scalars()
    for event in events:
        state = states[event.cohort_id]
        state.events += 1
        if event.starts_at >= now:
            state.next_event = state.next_event or event
            if event.kind == "kickoff" and state.kickoff is None:
                state.kickoff = event
    return list(states.values())


def _local_day(moment) -> date:
    """The day of a stored time in the city's time zone."""
    return to_user_timezone(moment).date()


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


def _describe(state: RoundState, today: date) -> RoundState:
    """The round's figures and next steps, as its phase allows them (tenants/cohorts/phases.py)."""
    cohort = state.cohort
    # Moving the round on is done with the life cycle's buttons on its page; the step says what the button says.
    show = url_for("cohorts.show", cohort_id=cohort.id, _anchor="timeline-title")
    board = url_for("applications.board", cohort_id=cohort.id)
    matching = url_for("matching.board", cohort_id=cohort.id)
    facts, steps = state.facts, state.steps
    accepted_line = _("%(mentors)d of %(mentor_places)d mentors and %(mentees)d of %(mentee_places)d mentees "
                      "accepted", mentors=state.accepted["mentor"], mentor_places=cohort.mentor_capacity,
                      mentees=state.accepted["mentee"], mentee_places=cohort.mentee_capacity)
    if cohort.status in (RECRUITING, SELECTING):
        applied = ngettext("%(num)d application", "%(num)d applications", state.applied)
        if state.to_decide:
            applied = _("%(applications)s, %(n)d to decide", applications=applied, n=state.to_decide)
        facts.append(applied)
    if cohort.status in (SELECTING, RUNNING):
        facts.append(accepted_line)
    if cohort.status == RUNNING:
        facts.append(ngettext("%(num)d pair published", "%(num)d pairs published", state.published))
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
            steps.append(Step(label(COHORT_ACTIONS, RECRUITING), show,
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
        steps.append(Step(label(COHORT_ACTIONS, SELECTING), show, why))
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
                steps.append(Step(label(COHORT_ACTIONS, RUNNING), show,
                                  _("Every accepted mentee has a published pair.")))
            elif not both and not state.to_decide:
                steps.append(Step(_("Accept mentors and mentees"), board))
        elif cohort.ends_on < today:
            steps.append(Step(label(COHORT_ACTIONS, CLOSED), show,
                              _("The round ended on %(date)s.", date=_day(cohort.ends_on))))
    elif cohort.status == CLOSED:
        if cohort.follow_up_on is not None and cohort.follow_up_on <= today:
            steps.append(Step(label(COHORT_ACTIONS, FOLLOWED_UP), show,
                              _("The 6-month follow-up is due.")))
        elif cohort.follow_up_on is not None:
            facts.append(_("6-month follow-up due on %(date)s (%(when)s)", date=_day(cohort.follow_up_on),
                           when=_in_days(cohort.follow_up_on, today)))
    return state


@bp.get("/")
def home():
    """Where the city's current rounds stand and what to do next for each, with links to where it is done."""
    today = clock.today()
    current = list(db.session.execute(
        select(Cohort).where(Cohort.status != FOLLOWED_UP).order_by(Cohort.starts_on, Cohort.id)
        .limit(CURRENT_ROUNDS)
    ).scalars())
    # Rounds at work first, in the order they start; closed ones wait for their follow-up at the end.
    current.sort(key=lambda cohort: (cohort.status == CLOSED, cohort.starts_on, cohort.id))
    states = [_describe(state, today) for state in _states(current)]
    coordinators = db.session.execute(
        select(func.count()).select_from(Membership).where(Membership.role == COORDINATOR)
    ).scalar_one()
    invited = db.session.execute(
        select(func.count()).select_from(Invitation)
        .where(Invitation.role == COORDINATOR, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
    ).scalar_one()
    setup = {"partners": count_partners(db.session) == 0, "colleague": coordinators + invited < 2}
    return render("coordinator/home.html", city=g.city, states=states, setup=setup)


# --- the team ---------------------------------------------------------------------------------------------------


@bp.route("/team", methods=["GET", "POST"])
def team():
    """The city's coordinators and the invitations sent to new ones."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            accounts.invite(db.session, g.city, email=form.email.data, name=form.name.data, role=COORDINATOR,
                            invited_by=current_user)
        except accounts.AccountError as error:
            getattr(form, error.field or "email").errors.append(message(error.code))
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data.strip().lower()), "info")
            return redirect(url_for("coordinator.team"))
    members = paginate(
        select(Membership).join(User).where(Membership.role == COORDINATOR).order_by(User.name, Membership.id)
    )
    # Mentors, mentees and company contacts are invited from the selection board and the partners' pages.
    invitations = db.session.execute(
        select(Invitation)
        .where(Invitation.role == COORDINATOR, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc()).limit(50)
    ).scalars().all()
    return render("coordinator/team.html", form=form, members=members, invitations=invitations,
                  status=422 if form.is_submitted() else 200)


@bp.post("/team/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id: int):
    """Withdraw an invitation; its link stops working."""
    invitation = get_in_city(db.session, Invitation, invitation_id)
    if invitation.is_open:
        invitation.revoked_at = utcnow()
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
    query = select(AuditEntry).where(AuditEntry.tenant_id == g.city.id)
    if area:
        query = query.where(AuditEntry.entity.in_(tables_in(area)))
    if person is not None:
        query = query.where(AuditEntry.actor_id == person)
    page = paginate(query.order_by(AuditEntry.id.desc()))
    people = db.session.execute(
        select(User).where(User.id.in_(
            select(AuditEntry.actor_id).where(AuditEntry.tenant_id == g.city.id).distinct().scalar_subquery()
        )).order_by(User.name, User.email)
    ).scalars().all()
    return render("coordinator/audit.html", "audit_rows", page=page, lines=tell(db.session, page.items),
                  areas=list(AREAS.values()), area=area, people=people, person=person)


# --- API tokens -----------------------------------------------------------------------------------------------------


@bp.route("/api-tokens", methods=["GET", "POST"])
def api_tokens():
    """The coordinator's personal API tokens for this city."""
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        new_secret = accounts.create_api_token(db.session, current_user, form.name.data).secret
        form = TokenForm(formdata=None)
    tokens = (
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc()).limit(50)
        )
        .scalars()
        .all()
    )
    status = 422 if form.errors else 200
    return render("coordinator/api_tokens.html", form=form, tokens=tokens, new_secret=new_secret, status=status)


@bp.post("/api-tokens/<int:token_id>/revoke")
def revoke_api_token(token_id: int):
    """Revoke one of the coordinator's own tokens."""
    token = get_in_city(db.session, ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    accounts.revoke_api_token(token)
    flash(_("The token “%(name)s” is revoked.", name=token.name), "info")
    return redirect(url_for("coordinator.api_tokens"))
