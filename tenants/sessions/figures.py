"""A running round's health for the coordinator: per pair or group, sessions, last contact, at risk; nudges; digests.

Every figure comes from a fixed number of grouped queries, whatever the number of pairs: the page, the overview's
cards and the digest all read `gather`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from mentorby.platform import clock
from mentorby.platform.cities.models import Tenant
from mentorby.platform.cities.services import in_each_city
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.schemas import load
from mentorby.tenants.applications.models import Application
from mentorby.tenants.cohorts.models import RUNNING, Cohort
from mentorby.tenants.matching.models import ENDED_EARLY, PUBLISHED, Match
from mentorby.tenants.sessions.health import (
    NUDGE_BOTH,
    Action,
    Assessment,
    PairFacts,
    assess,
    auto_nudge_due,
    strongest,
)
from mentorby.tenants.sessions.models import HealthPolicy, Nudge, SessionLog, SessionPair
from mentorby.tenants.sessions.schemas import POLICY
from mentorby.tenants.sessions.services import SessionError

#: Where a participant logs and confirms sessions (the portal), for e-mails written outside a request.
PORTAL_PATH = "/{city}/portal/"


# --- the city's policy --------------------------------------------------------------------------------------------


def policy(session: Session) -> HealthPolicy:
    """The city's health policy (the defaults, unsaved, until it sets its own)."""
    found = session.execute(select(HealthPolicy)).scalar_one_or_none()
    return found or HealthPolicy(quiet_weeks=3, auto_nudges=False)


def check_policy(values: dict) -> dict:
    """The policy's fields as the schema takes them."""
    return load(POLICY, values, SessionError)


def update_policy(session: Session, values: dict) -> HealthPolicy:
    """Set the weeks without a session before a pair is at risk, and whether nudges go out by themselves."""
    data = check_policy(values)
    found = session.execute(select(HealthPolicy)).scalar_one_or_none()
    if found is None:
        found = HealthPolicy()
        session.add(found)
    found.quiet_weeks, found.auto_nudges = data["quiet_weeks"], data["auto_nudges"]
    session.flush()
    return found


# --- the figures --------------------------------------------------------------------------------------------------


@dataclass
class PairHealth:
    """One pair of a round: its sessions, last contact, nudges and what the rules say of it."""

    match: Match
    mentee: Application
    sessions: int = 0
    confirmed: int = 0
    last_contact: date | None = None
    last_nudged: date | None = None
    assessment: Assessment | None = None
    #: (attended, no-shows, invited) at the round's joint events; None until event check-in provides it.
    attendance: tuple | None = None

    @property
    def live(self) -> bool:
        """Whether the pair is meeting now (published), not ended."""
        return self.match.status == PUBLISHED

    @property
    def unconfirmed(self) -> int:
        """Sessions logged but not yet confirmed by the other side."""
        return self.sessions - self.confirmed


@dataclass
class UnitHealth:
    """A mentor with their pairs: a 1:1 pair, or a group when the mentor has several mentees."""

    mentor: Application
    pairs: list[PairHealth] = field(default_factory=list)
    session_ids: set = field(default_factory=set)
    confirmed_ids: set = field(default_factory=set)
    attendance: tuple | None = None

    @property
    def is_group(self) -> bool:
        """Whether the mentor mentors several mentees."""
        return len(self.pairs) > 1

    @property
    def sessions(self) -> int:
        """Sessions logged (a group session counts once)."""
        return len(self.session_ids)

    @property
    def confirmed(self) -> int:
        """Sessions confirmed by every pair they were held for."""
        return len(self.confirmed_ids)

    @property
    def last_contact(self) -> date | None:
        """The last session of any of its pairs."""
        return max((pair.last_contact for pair in self.pairs if pair.last_contact), default=None)

    @property
    def at_risk(self) -> bool:
        """Whether any of its pairs is at risk."""
        return any(pair.assessment.at_risk for pair in self.pairs)

    @property
    def action(self) -> Action | None:
        """The strongest action its pairs need."""
        return strongest(pair.assessment.action for pair in self.pairs)

    @property
    def live_pairs(self) -> list[PairHealth]:
        """Its pairs that are meeting now (those a nudge goes to)."""
        return [pair for pair in self.pairs if pair.live]

    @property
    def needs_nudge(self) -> bool:
        """Whether the rules advise nudging both sides."""
        return self.action == NUDGE_BOTH

    def nudged_on(self, today: date) -> bool:
        """Whether its live pairs were all nudged today (the button is spent until tomorrow)."""
        live = self.live_pairs
        return bool(live) and all(pair.last_nudged == today for pair in live)


@dataclass
class RoundHealth:
    """A round's pairs and groups, and its totals."""

    cohort: Cohort
    quiet_weeks: int
    units: list[UnitHealth] = field(default_factory=list)
    sessions: int = 0
    this_week: int = 0
    last_contact: date | None = None
    #: Whether joint-event attendance is known (it arrives with the events area's check-in).
    attendance_known: bool = False

    @property
    def at_risk(self) -> int:
        """Pairs at risk (a group's pairs count each)."""
        return sum(1 for unit in self.units for pair in unit.pairs if pair.assessment.at_risk)

    @property
    def pairs(self) -> int:
        """Pairs watched."""
        return sum(len(unit.pairs) for unit in self.units)


def _began_on(match: Match, cohort: Cohort) -> date:
    published = clock.local(match.published_at).date() if match.published_at else cohort.starts_on
    return max(cohort.starts_on, published)


def attendance_of(session: Session, cohort: Cohort) -> dict | None:
    """Attendance at the round's joint events per person: {application id: (attended, no-shows, invited)}.

    The events area counts them from its invitations, answers and check-ins (three queries whatever the size).
    """
    from mentorby.tenants.events.services import attendance_by_person

    return attendance_by_person(session, cohort)


#: Made once: an alias of a wide table costs milliseconds to build (its column proxies), and each request made two.
_MENTOR, _MENTEE = aliased(Application, name="mentor"), aliased(Application, name="mentee")


def gather(session: Session, cohorts: list[Cohort], today: date, quiet_weeks: int,
           attendance: dict | None = None) -> dict[int, RoundHealth]:
    """The health of a few rounds in three queries (pairs with people, sessions, nudges), whatever their size."""
    found = {cohort.id: RoundHealth(cohort, quiet_weeks) for cohort in cohorts}
    # No shortcut for no rounds: a page asks the same queries whatever it shows.
    ids = list(found)
    mentor, mentee = _MENTOR, _MENTEE
    rows = list(session.execute(
        select(Match, mentor, mentee).join(mentor, mentor.id == Match.mentor_id)
        .join(mentee, mentee.id == Match.mentee_id)
        .where(Match.cohort_id.in_(ids), Match.status.in_((PUBLISHED, ENDED_EARLY)))
        .order_by(mentor.name, mentor.id, mentee.name, Match.id)
    ))
    # A pair ended early matters only while its mentee has no other pair in the round.
    paired = {(match.cohort_id, match.mentee_id) for match, _mentor, _mentee in rows if match.status == PUBLISHED}
    rows = [row for row in rows if row[0].status == PUBLISHED or (row[0].cohort_id, row[0].mentee_id) not in paired]
    pairs: dict[int, PairHealth] = {}
    units: dict[tuple[int, int], UnitHealth] = {}
    for match, mentor_row, mentee_row in rows:
        unit = units.get((match.cohort_id, mentor_row.id))
        if unit is None:
            unit = units[(match.cohort_id, mentor_row.id)] = UnitHealth(mentor_row)
            found[match.cohort_id].units.append(unit)
        pair = pairs[match.id] = PairHealth(match, mentee_row)
        unit.pairs.append(pair)
    week_ago = today - timedelta(days=7)
    sessions_seen: dict[int, set] = defaultdict(set)
    unconfirmed: set = set()
    held = session.execute(
        select(SessionLog.cohort_id, SessionLog.id, SessionLog.held_on, SessionLog.mentor_id, SessionPair.match_id,
               SessionPair.confirmed_at)
        .join(SessionPair, SessionPair.session_id == SessionLog.id).where(SessionLog.cohort_id.in_(ids))
    )
    for cohort_id, session_id, held_on, mentor_id, match_id, confirmed_at in held:
        state = found[cohort_id]
        if session_id not in sessions_seen[cohort_id]:
            sessions_seen[cohort_id].add(session_id)
            state.sessions += 1
            state.this_week += held_on > week_ago
            state.last_contact = max(state.last_contact or held_on, held_on)
        pair = pairs.get(match_id)
        if pair is None:
            continue  # a pair since replaced: its sessions count for the round, not for a pair shown
        pair.sessions += 1
        pair.confirmed += confirmed_at is not None
        pair.last_contact = max(pair.last_contact or held_on, held_on)
        unit = units[(cohort_id, mentor_id)]
        unit.session_ids.add(session_id)
        if confirmed_at is None:
            unconfirmed.add(session_id)
    for unit in units.values():
        unit.confirmed_ids = unit.session_ids - unconfirmed
    nudges = defaultdict(list)
    for match_id, sent_on in session.execute(
            select(Nudge.match_id, Nudge.sent_on).where(Nudge.cohort_id.in_(ids))):
        nudges[match_id].append(sent_on)
    for match_id, pair in pairs.items():
        sent = nudges.get(match_id, [])
        pair.last_nudged = max(sent, default=None)
        cohort = found[pair.match.cohort_id].cohort
        since = pair.last_contact or _began_on(pair.match, cohort)
        facts = PairFacts(began_on=_began_on(pair.match, cohort), last_contact=pair.last_contact,
                          nudges_since_contact=sum(1 for day in sent if day >= since),
                          ended_without_mentor=pair.match.status == ENDED_EARLY)
        pair.assessment = assess(facts, today, quiet_weeks)
    if attendance is not None:
        for (cohort_id, mentor_id), unit in units.items():
            found[cohort_id].attendance_known = True
            unit.attendance = attendance.get(mentor_id, (0, 0, 0))
            for pair in unit.pairs:
                pair.attendance = attendance.get(pair.mentee.id, (0, 0, 0))
    return found


def round_health(session: Session, cohort: Cohort, today: date) -> RoundHealth:
    """One round's health, for its page."""
    return gather(session, [cohort], today, policy(session).quiet_weeks, attendance_of(session, cohort))[cohort.id]


# --- nudges -------------------------------------------------------------------------------------------------------


def unit_of(session: Session, match: Match) -> list[Match]:
    """The published pairs of a match's mentor in its round (the pair itself, or the whole group)."""
    return list(session.execute(
        select(Match).where(Match.cohort_id == match.cohort_id, Match.mentor_id == match.mentor_id,
                            Match.status == PUBLISHED).order_by(Match.id)
    ).scalars())


def _portal_link(city: Tenant) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + PORTAL_PATH.format(city=city.slug)


def nudge(session: Session, city: Tenant, match: Match, today: date, *, by_user_id: int | None = None,
          automatic: bool = False) -> int:
    """E-mail both sides of a pair (a group: the mentor once, each mentee) to log their next session.

    Recorded per pair, so that no pair is nudged twice on one day; how many pairs were nudged.
    """
    if match.status != PUBLISHED:
        raise SessionError("not_running")
    group = unit_of(session, match)
    done = set(session.execute(select(Nudge.match_id).where(
        Nudge.match_id.in_([pair.id for pair in group]), Nudge.sent_on == today)).scalars())
    due = [pair for pair in group if pair.id not in done]
    if not due:
        raise SessionError("nudged_today")
    people = {row.id: row for row in session.execute(select(Application).where(
        Application.id.in_({match.mentor_id} | {pair.mentee_id for pair in due}))).scalars()}
    mentor, link = people[match.mentor_id], _portal_link(city)
    cohort = mentor.cohort
    queue_template_mail(session, to=mentor.email, kind="nudge", template="nudge", tenant_id=city.id,
                        locale=mentor.locale or "da", name=mentor.name, city=city, cohort=cohort, link=link,
                        others=[people[pair.mentee_id].name for pair in due])
    for pair in due:
        mentee = people[pair.mentee_id]
        queue_template_mail(session, to=mentee.email, kind="nudge", template="nudge", tenant_id=city.id,
                            locale=mentee.locale or "da", name=mentee.name, city=city, cohort=cohort, link=link,
                            others=[mentor.name])
        session.add(Nudge(cohort_id=pair.cohort_id, match_id=pair.id, sent_on=today, automatic=automatic,
                          sent_by_id=by_user_id))
    session.flush()
    return len(due)


def _running(session: Session) -> list[Cohort]:
    return list(session.execute(select(Cohort).where(Cohort.status == RUNNING).order_by(Cohort.id)).scalars())


def auto_nudges(session: Session, today: date | None = None) -> int:
    """Every day, in each city that turned automatic nudges on: nudge the running rounds' pairs that need it."""
    total = 0
    for city in in_each_city(session, active_only=True):
        rules = policy(session)
        if not rules.auto_nudges:
            continue
        day = today or clock.today(city)
        for state in gather(session, _running(session), day, rules.quiet_weeks).values():
            for unit in state.units:
                due = [pair for pair in unit.pairs if auto_nudge_due(pair.assessment, pair.last_nudged, day)]
                if due:
                    total += nudge(session, city, due[0].match, day, automatic=True)
    return total


# --- the weekly digest --------------------------------------------------------------------------------------------


def weekly_digest(session: Session, today: date | None = None) -> int:
    """Every week, to each city's coordinators: the running rounds' pairs at risk and the sessions of the week."""
    from mentorby.platform.accounts.models import COORDINATOR, Membership, User

    sent = 0
    for city in in_each_city(session, active_only=True):
        running = _running(session)
        if not running:
            continue
        day = today or clock.today(city)
        states = list(gather(session, running, day, policy(session).quiet_weeks).values())
        coordinators = list(session.execute(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.role == COORDINATOR, User.active.is_(True)).order_by(User.id)
        ).scalars())
        base = current_app.config["BASE_URL"].rstrip("/")
        rounds = [{"cohort": state.cohort, "sessions": state.sessions, "this_week": state.this_week,
                   "pairs": state.pairs, "link": f"{base}/{city.slug}/coordinator/cohorts/{state.cohort.id}/health",
                   "at_risk": [
                       (unit.mentor.name, [pair.mentee.name for pair in unit.pairs if pair.assessment.at_risk],
                        unit.action) for unit in state.units if unit.at_risk]}
                  for state in states]
        for user in coordinators:
            queue_template_mail(session, to=user.email, kind="digest", template="digest", tenant_id=city.id,
                                locale=user.locale or "da", name=user.display_name, city=city, rounds=rounds)
            sent += 1
        session.flush()
    return sent
