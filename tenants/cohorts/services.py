"""Plan a round from the programme model, edit it, and move it through its life cycle under the rules."""

from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform import clock
from mentorby.platform.adoption import services as adoption
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.cohorts import signals
from mentorby.tenants.cohorts.models import (
    CLOSED,
    FOLLOWED_UP,
    NEXT,
    PLANNED,
    RECRUITING,
    RUNNING,
    Cohort,
    CohortEvent,
    CohortTransition,
)
from mentorby.tenants.cohorts.schemas import CohortEventSchema, CohortSchema
from mentorby.tenants.programme.models import ProgrammeEvent

#: Joint events start at 17:00 local time unless the coordinator says otherwise: after work, for the mentors.
DEFAULT_START = time(17, 0)
#: A round lasts four months in the source programme.
DEFAULT_LENGTH = relativedelta(months=4)
#: The follow-up survey (employment 6 months after) is due this long after the round's end.
FOLLOW_UP_AFTER = relativedelta(months=6)
FIELDS = ("name", "starts_on", "ends_on", "apply_by", "mentor_capacity", "mentee_capacity", "description")


class CohortError(RuleError):
    """A round rule was broken."""

    area = "cohorts"


def local_datetime(day: date, at: time) -> datetime:
    """A wall-clock time in the city as the UTC datetime stored."""
    return clock.at(day, at)


def to_local(moment: datetime) -> datetime:
    """A stored UTC datetime in the city's time."""
    return clock.local(moment)


def _name_free(session: Session, name: str, cohort: Cohort | None) -> None:
    clash = session.execute(select(Cohort.id).where(func.lower(Cohort.name) == name.lower())).scalar_one_or_none()
    if clash is not None and (cohort is None or clash != cohort.id):
        raise CohortError("cohort_name_taken", "name")


def check_cohort(values: dict) -> dict:
    """The round's values as the schema takes them (every field checked at once), or Refusals."""
    return load(CohortSchema(), {key: values.get(key) for key in FIELDS if key in values}, CohortError)


def plan_cohort(session: Session, values: dict, *, by_user_id: int | None = None) -> Cohort:
    """A new round in the planned status, its joint events laid out from the programme model and its start date."""
    values = check_cohort(values)
    values["ends_on"] = values["ends_on"] or values["starts_on"] + DEFAULT_LENGTH
    _name_free(session, values["name"], None)
    cohort = Cohort(**values, status=PLANNED)
    session.add(cohort)
    session.flush()
    model = session.execute(select(ProgrammeEvent).order_by(ProgrammeEvent.step, ProgrammeEvent.id)).scalars()
    for event in model:
        day = cohort.starts_on + timedelta(weeks=event.week_offset)
        session.add(CohortEvent(
            cohort_id=cohort.id, step=event.step, kind=event.kind, name_da=event.name_da, name_en=event.name_en,
            audience=event.audience, starts_at=local_datetime(day, DEFAULT_START),
            duration_minutes=event.duration_minutes,
        ))
    session.add(CohortTransition(cohort_id=cohort.id, from_status=None, to_status=PLANNED, by_user_id=by_user_id))
    session.flush()
    return cohort


def update_cohort(session: Session, cohort: Cohort, values: dict) -> Cohort:
    """Change a round's name, dates, capacities or description; capacities never drop below those accepted."""
    if cohort.status in (CLOSED, FOLLOWED_UP):
        raise CohortError("cohort_closed")
    merged = check_cohort({key: getattr(cohort, key) for key in FIELDS} | {
        key: values[key] for key in FIELDS if key in values})
    merged["ends_on"] = merged["ends_on"] or merged["starts_on"] + DEFAULT_LENGTH
    _name_free(session, merged["name"], cohort)
    taken: dict[str, int] = {}
    for _receiver, answer in signals.places_taken.send(cohort, session=session):
        for role, number in (answer or {}).items():
            taken[role] = max(taken.get(role, 0), number)
    for role in ("mentor", "mentee"):
        if merged[f"{role}_capacity"] < taken.get(role, 0):
            raise CohortError("capacity_below_accepted", f"{role}_capacity", accepted=taken[role])
    for key, value in merged.items():
        setattr(cohort, key, value)
    session.flush()
    return cohort


def check_event(values: dict) -> dict:
    """A joint event's new time and place as the schema takes them (every field checked at once), or Refusals."""
    return load(CohortEventSchema(), values, CohortError)


def update_event(session: Session, event: CohortEvent, values: dict) -> CohortEvent:
    """Move or describe one joint event of a round: `values` has day, at, duration_minutes and location."""
    if event.cohort.status in (CLOSED, FOLLOWED_UP):
        raise CohortError("cohort_closed")
    values = check_event(values)
    starts_at = local_datetime(values["day"], values["at"])
    now = utcnow()
    # An event that has not happened yet cannot be moved into the past (a slip of the date picker); one that has
    # happened may still be corrected to when it really took place.
    if starts_at != _aware(event.starts_at) and starts_at < now <= _aware(event.starts_at):
        raise CohortError("event_in_past", "day")
    before = (_aware(event.starts_at), event.duration_minutes, event.location)
    event.starts_at = starts_at
    event.duration_minutes = values["duration_minutes"]
    event.location = values["location"].strip()
    session.flush()
    if (starts_at, event.duration_minutes, event.location) != before:
        signals.event_moved.send(event, session=session)
    return event


def _aware(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite hands some back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_today() -> date:
    """Today's date in the city, not the server's."""
    return clock.today()


def kickoff_day(cohort: Cohort) -> date:
    """The day the round's kick-off takes place (its first joint event of kind "kickoff"), else its start date."""
    for event in cohort.events:
        if event.kind == "kickoff":
            return to_local(event.starts_at).date()
    return cohort.starts_on


def early_start(cohort: Cohort, target: str, today: date | None = None) -> date | None:
    """The kick-off day when starting the round now would be before it (a start that needs a reason), else None."""
    if target != RUNNING:
        return None
    day = kickoff_day(cohort)
    return day if (today or local_today()) < day else None


def readiness(session: Session, cohort: Cohort, target: str, today: date | None = None) -> list[tuple[str, dict]]:
    """What stops `cohort` from moving to `target`: (message code, params) pairs; empty when it may move.

    Starting a round also asks the other areas (signals.start_checks): accepted people, published pairs.
    """
    today = today or local_today()
    problems: list[tuple[str, dict]] = []
    if target not in NEXT[cohort.status]:
        return [("transition_not_allowed", {"current": cohort.status, "target": target})]
    if target == RECRUITING:
        if not cohort.events:
            problems.append(("needs_events", {}))
        if cohort.apply_by is not None and cohort.apply_by < today:
            problems.append(("apply_by_passed", {}))
    if target == RUNNING:
        problems.extend(signals.problems_from(signals.start_checks, cohort, session=session))
    if target == CLOSED and today < cohort.starts_on:
        problems.append(("not_started", {"date": cohort.starts_on}))
    if target == FOLLOWED_UP and cohort.follow_up_on and today < cohort.follow_up_on:
        problems.append(("follow_up_not_due", {"date": cohort.follow_up_on}))
    return problems


def move(session: Session, cohort: Cohort, target: str, *, by_user_id: int | None, note: str = "",
         early: bool = False, today: date | None = None) -> CohortTransition:
    """Move a round to `target` if the rules allow it; closing sets the date the 6-month follow-up is due.

    Starting before the kick-off needs `early` and a reason in `note`, kept on the round's timeline.
    """
    problems = readiness(session, cohort, target, today)
    if problems:
        code, params = problems[0]
        raise CohortError(code, None, **params)
    kickoff = early_start(cohort, target, today)
    if kickoff is not None and not (early and note.strip()):
        raise CohortError("early_start", "note", date=kickoff)
    transition = CohortTransition(cohort_id=cohort.id, from_status=cohort.status, to_status=target,
                                  by_user_id=by_user_id, note=note.strip()[:2000])
    if target == CLOSED:
        # A round closed before its planned end is followed up six months after it really ended.
        cohort.follow_up_on = min(cohort.ends_on, today or local_today()) + FOLLOW_UP_AFTER
    cohort.status = target
    session.add(transition)
    session.flush()
    if target == RUNNING:
        # The dissemination register: a city whose first round starts is running the programme.
        adoption.round_started(session, cohort.tenant_id)
    return transition


def newest_first():
    """The city's rounds, newest first: a select for paging."""
    return select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.id.desc())


def timeline(session: Session, cohort: Cohort) -> list[CohortTransition]:
    """The round's transitions, oldest first."""
    return list(session.execute(
        select(CohortTransition).where(CohortTransition.cohort_id == cohort.id)
        .order_by(CohortTransition.at, CohortTransition.id)
    ).scalars())


def open_cohorts(session: Session) -> list[Cohort]:
    """Rounds taking applications now, soonest first (the public front page and forms)."""
    return [cohort for cohort in session.execute(
        select(Cohort).where(Cohort.status == RECRUITING).order_by(Cohort.starts_on, Cohort.id)
    ).scalars() if cohort.is_open_for_applications]


def remind_due_follow_ups(session: Session, today: date | None = None) -> int:
    """E-mail every city's coordinators once when a closed round's 6-month follow-up falls due; how many rounds.

    "Due" is counted in each city's own today (`today` fixes it for all, in tests).
    """
    from mentorby.platform.accounts.models import COORDINATOR, Membership, User
    from mentorby.platform.cities.services import in_each_city
    from mentorby.platform.outbox.services import queue_template_mail

    reminded = 0
    for city in in_each_city(session, active_only=True):
        due = [cohort for cohort in due_follow_ups(session, today or clock.today(city))
               if cohort.follow_up_reminded_at is None]
        if not due:
            continue
        coordinators = list(session.execute(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.role == COORDINATOR, User.active.is_(True))
        ).scalars())
        for cohort in due:
            for user in coordinators:
                queue_template_mail(session, to=user.email, kind="follow_up_due", template="follow_up_due",
                                    tenant_id=city.id, locale=user.locale or "da", name=user.display_name,
                                    city=city, cohort=cohort)
            cohort.follow_up_reminded_at = utcnow()
            reminded += 1
        session.flush()
    return reminded


def due_follow_ups(session: Session, today: date) -> list[Cohort]:
    """Closed rounds whose 6-month follow-up is due (for the coordinator's home and reminders)."""
    return list(session.execute(
        select(Cohort).where(Cohort.status == CLOSED, Cohort.follow_up_on <= today).order_by(Cohort.follow_up_on)
    ).scalars())

