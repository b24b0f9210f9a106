"""The coordinator's overview: the city's current rounds and their figures, counted across the areas.

The overview asks the rounds, the applications and the matching areas at once, so it is an area of its own that
imports them (none of them imports it).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.accounts.services import team_size_of
from mentorby.tenants.applications.models import ACCEPTED, SHORTLISTED, SUBMITTED, Application
from mentorby.tenants.applications.services import CONFIRMED
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, RUNNING, Cohort, CohortEvent
from mentorby.tenants.matching.models import PROPOSED, PUBLISHED, Match, NetworkingPlan
from mentorby.tenants.sessions import figures as health

#: The overview shows this many rounds that are not finished; the rounds page has them all.
CURRENT_ROUNDS = 8


@dataclass
class RoundFigures:
    """Where a round stands in numbers: its applications, decisions, pairs, plan and joint events."""

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
    #: A running round's health (tenants/sessions/figures.py): sessions logged, pairs at risk, last contact.
    health: "health.RoundHealth | None" = None

    @property
    def unpaired(self) -> int:
        """Accepted mentees without a published pair."""
        return max(0, self.accepted["mentee"] - self.paired_mentees)


def current_rounds(session: Session) -> list[Cohort]:
    """The rounds not yet followed up (at most CURRENT_ROUNDS): those at work by start, then closed ones."""
    rounds = list(session.execute(
        select(Cohort).where(Cohort.status != FOLLOWED_UP).order_by(Cohort.starts_on, Cohort.id).limit(CURRENT_ROUNDS)
    ).scalars())
    # Closed rounds only wait for their follow-up: they come last.
    return sorted(rounds, key=lambda cohort: (cohort.status == CLOSED, cohort.starts_on, cohort.id))


def round_figures(session: Session, cohorts: list[Cohort], now: datetime,
                  today: date | None = None) -> list[RoundFigures]:
    """The figures of a few rounds in grouped queries, whatever their number of applications, pairs and sessions."""
    figures = {cohort.id: RoundFigures(cohort) for cohort in cohorts}
    ids = list(figures)
    if not ids:
        return []
    rows = session.execute(
        select(Application.cohort_id, Application.role, Application.status, Application.invited, func.count())
        .where(Application.cohort_id.in_(ids), CONFIRMED)
        .group_by(Application.cohort_id, Application.role, Application.status, Application.invited)
    )
    for cohort_id, role, status, invited, number in rows:
        state = figures[cohort_id]
        state.applied += number
        if status in (SUBMITTED, SHORTLISTED):
            state.to_decide += number
        if status == SUBMITTED:
            state.new += number
        if status == ACCEPTED:
            state.accepted[role] = state.accepted.get(role, 0) + number
            if not invited:
                state.not_told += number
    rows = session.execute(
        select(Match.cohort_id, Match.status, func.count(), func.count(func.distinct(Match.mentee_id)))
        .where(Match.cohort_id.in_(ids), Match.status.in_((PROPOSED, PUBLISHED)))
        .group_by(Match.cohort_id, Match.status)
    )
    for cohort_id, status, number, mentees in rows:
        if status == PROPOSED:
            figures[cohort_id].proposed = number
        else:
            figures[cohort_id].published, figures[cohort_id].paired_mentees = number, mentees
    for (cohort_id,) in session.execute(select(NetworkingPlan.cohort_id).where(NetworkingPlan.cohort_id.in_(ids))):
        figures[cohort_id].has_plan = True
    # A round has a handful of joint events: all of them, in one query, give the count and the next one.
    events = session.execute(
        select(CohortEvent).where(CohortEvent.cohort_id.in_(ids)).order_by(CohortEvent.starts_at, CohortEvent.step)
    ).scalars()
    for event in events:
        state = figures[event.cohort_id]
        state.events += 1
        if event.starts_at >= now:
            state.next_event = state.next_event or event
            if event.kind == "kickoff" and state.kickoff is None:
                state.kickoff = event
    # Running rounds show how they live (sessions, pairs at risk) rather than how they were set up.
    running = [cohort for cohort in cohorts if cohort.status == RUNNING]
    if today is not None:
        for cohort_id, state in health.gather(session, running, today, health.policy(session).quiet_weeks).items():
            figures[cohort_id].health = state
    return list(figures.values())


def setup_left(session: Session) -> dict[str, bool]:
    """What a new city has still to set up, asked in one statement: partners, and a second coordinator."""
    from mentorby.tenants.partners.models import Partner

    partners, team = session.execute(
        select(select(func.count()).select_from(Partner).scalar_subquery(), team_size_of(COORDINATOR))).one()
    return {"partners": partners == 0, "colleague": team < 2}
