"""Logging 1:1 sessions: a mentor or mentee logs one for their pair (or the mentor for their group), the other confirms.

A session belongs to the pairs (matches) it was held for; each pair's other side confirms it with one tap. The
private notes are read by the people who met, and by nobody else.
"""

from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications.models import Application
from mentorby.tenants.applications.profile import Role
from mentorby.tenants.matching.models import PUBLISHED, Match
from mentorby.tenants.sessions.models import TOPICS, SessionLog, SessionPair
from mentorby.tenants.sessions.schemas import SESSION


class SessionError(RuleError):
    """A session log refused."""

    area = "sessions"


def check_session(values: dict) -> dict:
    """A session's fields as the schema takes them, or every wrong field at once."""
    return load(SESSION, values, SessionError)


def pairs_of(session: Session, application: Application) -> list[Match]:
    """The published pairs a mentor or mentee is in now (a mentor of a group has several)."""
    side = Match.mentor_id if application.role == Role.MENTOR else Match.mentee_id
    return list(session.execute(
        select(Match).where(side == application.id, Match.status == PUBLISHED).order_by(Match.id)
    ).scalars())


def log_session(session: Session, application: Application, values: dict, match_ids, today: date) -> SessionLog:
    """Log a session for some of the person's published pairs (a mentee: their one mentor; a mentor: who came)."""
    own = {match.id: match for match in pairs_of(session, application)}
    wanted = {int(match_id) for match_id in match_ids}
    if wanted - set(own):
        raise SessionError("not_your_pair", "pairs")
    if not wanted:
        raise SessionError("choose_pair", "pairs")
    if application.role == Role.MENTEE and len(wanted) > 1:
        raise SessionError("one_mentor", "pairs")
    data = check_session(values)
    cohort = application.cohort
    if data["held_on"] > today:
        raise SessionError("date_in_future", "held_on")
    if data["held_on"] < cohort.starts_on:
        raise SessionError("before_round", "held_on", date=cohort.starts_on)
    chosen = [own[match_id] for match_id in sorted(wanted)]
    log = SessionLog(cohort_id=cohort.id, mentor_id=chosen[0].mentor_id, logged_by_id=application.id,
                     held_on=data["held_on"], minutes=data["minutes"],
                     topics=_ordered(data["topics"]), next_step=data["next_step"],
                     notes=data["notes"])
    session.add(log)
    session.flush()
    for match in chosen:
        log.pairs.append(SessionPair(session_id=log.id, match_id=match.id))
    session.flush()
    return log


def _ordered(codes) -> list[str]:
    return [code for code in TOPICS if code in set(codes)]


def sessions_of(session: Session, application: Application) -> list[SessionLog]:
    """The sessions a mentor held, or a mentee was at, newest first (with their pairs)."""
    if application.role == Role.MENTOR:
        where = SessionLog.mentor_id == application.id
    else:
        where = exists(select(SessionPair.id).join(Match, Match.id == SessionPair.match_id).where(
            SessionPair.session_id == SessionLog.id, Match.mentee_id == application.id))
    logs = list(session.execute(
        select(SessionLog).where(where).order_by(SessionLog.held_on.desc(), SessionLog.id.desc())
    ).scalars())
    _load_pairs(session, logs)
    return logs


def _load_pairs(session: Session, logs: list[SessionLog]) -> None:
    from sqlalchemy.orm import selectinload

    if logs:
        session.execute(select(SessionLog).where(SessionLog.id.in_([log.id for log in logs]))
                        .options(selectinload(SessionLog.pairs))).scalars().all()


def was_there(log: SessionLog, application: Application, matches: dict[int, Match]) -> bool:
    """Whether the person was at the session: its mentor, or a mentee of one of its pairs."""
    if application.id == log.mentor_id:
        return True
    return any(matches[pair.match_id].mentee_id == application.id for pair in log.pairs if pair.match_id in matches)


def matches_by_id(session: Session, logs: list[SessionLog]) -> dict[int, Match]:
    """The pairs of these sessions, by id (one query)."""
    ids = {pair.match_id for log in logs for pair in log.pairs}
    if not ids:
        return {}
    return {match.id: match for match in session.execute(select(Match).where(Match.id.in_(ids))).scalars()}


def confirmable(log: SessionLog, application: Application, matches: dict[int, Match]) -> list[SessionPair]:
    """The pairs of a session this person confirms: they were there and did not log it themselves.

    The mentor confirms a session a mentee logged; each mentee confirms a session the mentor logged for them.
    """
    if log.logged_by_id == application.id:
        return []
    if application.id == log.mentor_id:
        return list(log.pairs)
    return [pair for pair in log.pairs if matches[pair.match_id].mentee_id == application.id]


def to_confirm(log: SessionLog, application: Application, matches: dict[int, Match]) -> bool:
    """Whether the session waits for this person's confirmation."""
    return any(pair.confirmed_at is None for pair in confirmable(log, application, matches))


def confirm(session: Session, log: SessionLog, application: Application) -> SessionLog:
    """Confirm with one tap that a session the other side logged took place."""
    matches = matches_by_id(session, [log])
    if not was_there(log, application, matches):
        raise SessionError("not_your_session")
    if log.logged_by_id == application.id:
        raise SessionError("own_entry")
    mine = confirmable(log, application, matches)
    waiting = [pair for pair in mine if pair.confirmed_at is None]
    if not waiting:
        raise SessionError("already_confirmed")
    for pair in waiting:
        pair.confirmed_at = utcnow()
    session.flush()
    return log


def waiting_count(session: Session, application: Application) -> int:
    """How many sessions wait for this person's confirmation (for the portal's home)."""
    if application.role == Role.MENTOR:
        where = (SessionLog.mentor_id == application.id, SessionLog.logged_by_id != application.id)
    else:
        where = (Match.mentee_id == application.id, SessionLog.logged_by_id == SessionLog.mentor_id)
    return session.execute(
        select(func.count(func.distinct(SessionLog.id))).select_from(SessionLog)
        .join(SessionPair, SessionPair.session_id == SessionLog.id).join(Match, Match.id == SessionPair.match_id)
        .where(SessionPair.confirmed_at.is_(None), *where)
    ).scalar_one()
