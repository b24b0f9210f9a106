"""Speed networking at a round's kick-off: the saved plan, its sheets' data, and the ratings people give afterwards.

The seating itself is the pure planner in rotation.py; this module picks the round's people, keeps the plan (the
ids are frozen when it is made, so every printed sheet and phone stays the same), and keeps ratings to the rule that
a person rates only people they actually met in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load as load_values
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications.models import ACCEPTED, Application
from mentorby.tenants.applications.profile import MENTEE, MENTOR
from mentorby.tenants.applications.services import CONFIRMED
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, Cohort, CohortEvent
from mentorby.tenants.matching.models import NetworkingLink, NetworkingPlan, Rating
from mentorby.tenants.matching.rotation import (
    Participant,
    RotationPlan,
    ScheduleEntry,
    participant_schedule,
    plan_rotation,
)
from mentorby.tenants.matching.schemas import MIN_TURNS, PlanSchema

DEFAULT_MINUTES = 7
#: More turns than this rarely fit into a kick-off evening, whatever the number of people.
DEFAULT_MAX_TURNS = 12
MIN_RATING, MAX_RATING = 1, 5
#: Rounds in these statuses are over: their plan and ratings are kept as they are.
FINISHED = (CLOSED, FOLLOWED_UP)


class NetworkingError(RuleError):
    """A speed-networking rule was broken."""

    area = "networking"


@dataclass(frozen=True)
class Person:
    """Someone in a plan as the pages list them."""

    id: int
    name: str
    role: str
    #: Whether the person's personal link has been e-mailed to them (only they can be reminded).
    link_sent: bool = False


@dataclass(frozen=True)
class Networking:
    """A saved plan with its rotation worked out and the names of everyone in it."""

    plan: NetworkingPlan
    rotation: RotationPlan
    #: Application id -> name; people whose application was deleted since the plan was made are missing.
    names: dict[int, str]
    _roles: dict[int, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        roles = {i: MENTOR for i in self.rotation.mentor_ids} | {i: MENTEE for i in self.rotation.mentee_ids}
        object.__setattr__(self, "_roles", roles)

    def role(self, application_id: int) -> str | None:
        """Mentor or mentee, or None when the person is not in the plan."""
        return self._roles.get(application_id)

    def name(self, application_id: int | None) -> str | None:
        """The person's name (None for no one or for a deleted application)."""
        return self.names.get(application_id) if application_id is not None else None

    def schedule(self, application_id: int) -> tuple[ScheduleEntry, ...]:
        """One person's turns: table and partner, or a break."""
        role = self.role(application_id)
        if role is None:
            raise NetworkingError("not_in_plan")
        return participant_schedule(self.rotation, Participant(role, application_id))

    def partners(self, application_id: int) -> list[ScheduleEntry]:
        """The turns in which the person talked to someone, in order: the people they can rate."""
        return [entry for entry in self.schedule(application_id) if not entry.on_break]

    def people(self, role: str) -> list[Person]:
        """Everyone of `role` in the plan, by name (mentors then keep their table order on ties)."""
        ids = self.rotation.mentor_ids if role == MENTOR else self.rotation.mentee_ids
        # A deleted application has no name and no sheet: the person is gone from the round.
        people = [Person(i, self.names[i], role) for i in ids if i in self.names]
        return sorted(people, key=lambda p: (p.name.casefold(), p.id))

    def turn_times(self, start: datetime | None) -> list[tuple[datetime, datetime] | None]:
        """When each turn begins and ends, counted from `start`; None per turn when there is no start."""
        minutes = self.plan.minutes
        return [
            (start + timedelta(minutes=minutes * k), start + timedelta(minutes=minutes * (k + 1))) if start else None
            for k in range(self.plan.turns)
        ]


def default_turns(mentors: int, mentees: int) -> int:
    """Turns enough for everyone of the smaller side to meet everyone of the larger one, up to an evening's worth."""
    return max(MIN_TURNS, min(max(mentors, mentees), DEFAULT_MAX_TURNS))


def participants(session: Session, cohort: Cohort) -> tuple[list[int], list[int]]:
    """The round's accepted (and confirmed) mentors' and mentees' application ids, each ordered by id."""
    rows = session.execute(
        select(Application.id, Application.role)
        .where(Application.cohort_id == cohort.id, Application.status == ACCEPTED, CONFIRMED)
        .order_by(Application.id)
    )
    mentors, mentees = [], []
    for application_id, role in rows:
        (mentors if role == MENTOR else mentees).append(application_id)
    return mentors, mentees


def _whole(value, low: int, high: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and low <= value <= high


def check_plan(values: dict) -> dict:
    """The plan's turns and minutes as the schema takes them, every field checked at once."""
    return load_values(PlanSchema(), values, NetworkingError)


def _allowed(cohort: Cohort) -> None:
    """Planning and links only in the phases that allow speed networking (a closed round keeps its plan)."""
    if cohort.status in FINISHED:
        raise NetworkingError("cohort_closed")
    phases.require(cohort, "networking")


def find_plan(session: Session, cohort: Cohort) -> NetworkingPlan | None:
    """The round's saved plan, if it has one."""
    return session.execute(
        select(NetworkingPlan).where(NetworkingPlan.cohort_id == cohort.id)
    ).scalar_one_or_none()


def make_plan(session: Session, cohort: Cohort, turns: int, minutes: int) -> NetworkingPlan:
    """Seat the round's accepted mentors and mentees for `turns` turns of `minutes`, saving or replacing its plan.

    A replaced plan keeps only the ratings between people who still meet in the new one, so a rating is always
    about a conversation the plan says took place.
    """
    _allowed(cohort)
    values = check_plan({"turns": turns, "minutes": minutes})
    mentor_ids, mentee_ids = participants(session, cohort)
    if not mentor_ids:
        raise NetworkingError("needs_accepted_mentors")
    if not mentee_ids:
        raise NetworkingError("needs_accepted_mentees")
    plan = find_plan(session, cohort)
    if plan is None:
        plan = NetworkingPlan(cohort_id=cohort.id)
        session.add(plan)
    plan.turns, plan.minutes = values["turns"], values["minutes"]
    plan.mentor_ids, plan.mentee_ids = mentor_ids, mentee_ids
    session.flush()
    pairs = met(plan)
    for rating in session.execute(select(Rating).where(Rating.cohort_id == cohort.id)).scalars():
        if _pair(rating.rater_id, rating.rated_id, plan) not in pairs:
            session.delete(rating)
    session.flush()
    return plan


def _pair(a: int, b: int, plan: NetworkingPlan) -> tuple[int, int]:
    return (a, b) if a in plan.mentor_ids else (b, a)


def rotation(plan: NetworkingPlan) -> RotationPlan:
    """The seating of a saved plan (the planner is deterministic, so it is worked out again, not stored)."""
    return plan_rotation(list(plan.mentor_ids), list(plan.mentee_ids), plan.turns)


def load(session: Session, cohort: Cohort) -> Networking | None:
    """The round's plan with its rotation and everyone's name (two queries whatever the size), or None."""
    plan = find_plan(session, cohort)
    if plan is None:
        return None
    ids = [*plan.mentor_ids, *plan.mentee_ids]
    names = dict(session.execute(select(Application.id, Application.name).where(Application.id.in_(ids))).all())
    return Networking(plan, rotation(plan), names)


def met(plan: RotationPlan | NetworkingPlan | Networking) -> frozenset[tuple[int, int]]:
    """Every (mentor id, mentee id) pair that talks in the plan."""
    if isinstance(plan, Networking):
        plan = plan.rotation
    elif isinstance(plan, NetworkingPlan):
        plan = rotation(plan)
    return frozenset((s.mentor_id, s.mentee_id) for r in plan.slots for s in r.seats if s.mentee_id is not None)


def kickoff_start(session: Session, cohort: Cohort) -> datetime | None:
    """When the round's kick-off (where the speed networking takes place) starts, if it has one."""
    return session.execute(
        select(CohortEvent.starts_at).where(CohortEvent.cohort_id == cohort.id, CohortEvent.kind == "kickoff")
        .order_by(CohortEvent.starts_at).limit(1)
    ).scalar_one_or_none()


def rating_opens_at(session: Session, cohort: Cohort) -> datetime | None:
    """When the participants may rate: when the kick-off begins (no kick-off, no wait); None once it has begun."""
    start = kickoff_start(session, cohort)
    return start if start is not None and utcnow() < start else None


def ratings_by(session: Session, cohort: Cohort, rater: Application) -> dict[int, int]:
    """The rater's current answers: rated application id -> value."""
    return dict(session.execute(
        select(Rating.rated_id, Rating.value).where(Rating.cohort_id == cohort.id, Rating.rater_id == rater.id)
    ).all())


def save_ratings(session: Session, cohort: Cohort, rater: Application, values: Mapping[int, int],
                 networking: Networking | None = None) -> dict[int, int]:
    """Replace the rater's answers with `values` (rated application id -> 1..5); all or nothing.

    Only people the rater met in the plan may be rated; a person left out has no rating afterwards.
    """
    if rater.cohort_id != cohort.id:
        raise NetworkingError("not_in_plan")
    if cohort.status in FINISHED:
        raise NetworkingError("cohort_closed")
    opens = rating_opens_at(session, cohort)
    if opens is not None:
        raise NetworkingError("rating_not_open", when=opens)
    networking = networking or load(session, cohort)
    if networking is None:
        raise NetworkingError("no_plan")
    if networking.role(rater.id) is None:
        raise NetworkingError("not_in_plan")
    partners = {entry.partner_id for entry in networking.partners(rater.id)}
    for rated_id, value in values.items():
        if rated_id not in partners:
            raise NetworkingError("not_met", rated_id=rated_id)
        if not _whole(value, MIN_RATING, MAX_RATING):
            raise NetworkingError("bad_rating", rated_id=rated_id, min=MIN_RATING, max=MAX_RATING)
    if not values:
        raise NetworkingError("nothing_rated")
    earlier = {rating.rated_id: rating for rating in session.execute(
        select(Rating).where(Rating.cohort_id == cohort.id, Rating.rater_id == rater.id)).scalars()}
    for rated_id, rating in earlier.items():
        if rated_id not in values:
            session.delete(rating)
    for rated_id, value in values.items():
        if rated_id in earlier:
            earlier[rated_id].value = value
        else:
            session.add(Rating(cohort_id=cohort.id, rater_id=rater.id, rated_id=rated_id, value=value))
    session.flush()
    return dict(values)


def taking_part(session: Session, cohort: Cohort, networking: Networking) -> list[Application]:
    """The people of the plan who are still accepted in the round, by role and name (one query)."""
    ids = [*networking.rotation.mentor_ids, *networking.rotation.mentee_ids]
    return list(session.execute(
        select(Application)
        .where(Application.cohort_id == cohort.id, Application.id.in_(ids), Application.status == ACCEPTED, CONFIRMED)
        .order_by(Application.role, Application.name, Application.id)
    ).scalars())


def who_has_not_answered(session: Session, cohort: Cohort, networking: Networking | None = None) -> list[Person]:
    """People still in the round who talked to someone in the plan and have rated no one yet, by role and name.

    Each says whether their personal link was sent: only those can be reminded.
    """
    networking = networking or load(session, cohort)
    if networking is None:
        return []
    answered = set(session.execute(
        select(Rating.rater_id).where(Rating.cohort_id == cohort.id).distinct()).scalars())
    sent = links_sent(session, cohort)
    talked = {i for pair in met(networking) for i in pair}
    return [Person(a.id, a.name, a.role, a.id in sent) for a in taking_part(session, cohort, networking)
            if a.id in talked and a.id not in answered]


def link_holder(session: Session, cohort_id: int, application_id: int) -> Application:
    """The participant a personal link was made for, while they still take part in that round."""
    application = session.execute(
        select(Application).where(Application.id == application_id, Application.cohort_id == cohort_id)
    ).scalar_one_or_none()
    if application is None or application.status != ACCEPTED:
        raise NetworkingError("not_taking_part")
    return application


def links_sent(session: Session, cohort: Cohort) -> set[int]:
    """The application ids whose personal link has been e-mailed."""
    return set(session.execute(
        select(NetworkingLink.application_id).where(NetworkingLink.cohort_id == cohort.id)).scalars())


def link_recipients(session: Session, cohort: Cohort, *, reminder: bool = False) -> list[Application]:
    """Who gets their personal link now, recorded as sent (everyone in the plan, or those to remind).

    A reminder goes only to people who were sent the link and have not answered.
    """
    _allowed(cohort)
    networking = load(session, cohort)
    if networking is None:
        raise NetworkingError("no_plan")
    recipients = taking_part(session, cohort, networking)
    if reminder:
        waiting = {person.id for person in who_has_not_answered(session, cohort, networking) if person.link_sent}
        recipients = [a for a in recipients if a.id in waiting]
        if not recipients:
            raise NetworkingError("nobody_to_remind")
    earlier = {link.application_id: link for link in session.execute(
        select(NetworkingLink).where(NetworkingLink.cohort_id == cohort.id)).scalars()}
    now = utcnow()
    for application in recipients:
        link = earlier.get(application.id)
        if link is None:
            session.add(NetworkingLink(cohort_id=cohort.id, application_id=application.id, sent_at=now,
                                       last_sent_at=now))
        else:
            link.last_sent_at = now
    session.flush()
    return recipients


#: Made once: building an alias of a wide table costs milliseconds.
_RATER, _RATED = aliased(Application, name="rater"), aliased(Application, name="rated")


def ratings_for_matching(session: Session, cohort: Cohort) -> dict[tuple[int, int], tuple[int | None, int | None]]:
    """{(mentor id, mentee id): (mentor's rating of the mentee, mentee's rating of the mentor)} for scoring.

    Only pairs of people still accepted in the round are given, since the engine refuses ids it was not given.
    """
    rater, rated = _RATER, _RATED
    rows = session.execute(
        select(Rating.rater_id, Rating.rated_id, Rating.value, rater.role)
        .join(rater, rater.id == Rating.rater_id)
        .join(rated, rated.id == Rating.rated_id)
        .where(Rating.cohort_id == cohort.id, rater.status == ACCEPTED, rated.status == ACCEPTED,
               rater.confirmed_at.is_not(None), rated.confirmed_at.is_not(None), rater.role != rated.role)
    )
    result: dict[tuple[int, int], tuple[int | None, int | None]] = {}
    for rater_id, rated_id, value, role in rows:
        if role == MENTOR:
            key = (rater_id, rated_id)
            result[key] = (value, result.get(key, (None, None))[1])
        else:
            key = (rated_id, rater_id)
            result[key] = (result.get(key, (None, None))[0], value)
    return result
