"""Erasure (GDPR art. 17): a person taken out of everything the city holds, as each table declares.

Every model holding personal data declares what erasing a person does to it (`Personal.erase`,
platform/privacy/records.py): its rows about the person are deleted (a CV, the e-mails sent to them, their account),
cleared (an application keeps its round, role, field and status but loses name, address, profile and notes, so the
round's evaluation and the national figures do not change), or kept because they are already pseudonymous once the
row they point at is cleared (survey answers, ratings, attendance). This module walks those declarations, so a new
table is erased the way it says, and a test fails on a city table that says nothing.

Rows are never removed from under others: applications, pool entries, pairs and survey responses stay as cleared
rows, so a replaced pair still points at its successor and a survey answer still counts for its round. What only
mentions the person elsewhere is redacted: their name and address in e-mails sent to others, in import reports and in
the audit log (through the one database function that may touch the append-only log, migration f1a2b3c4d5e6). The
erasure itself is logged with counts, never with what was erased.
"""

import functools
import re
from dataclasses import dataclass, field

from sqlalchemy import String, Text, bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from mentorby.platform.accounts.models import COORDINATOR, Membership, User
from mentorby.platform.accounts.services import normalise_email
from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.extensions import db
from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.privacy.records import ERASED_NAME, Erase, Erasure, Whose, mapped_tables
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import TenantOwned, cross_tenant, session_tenant_id, utcnow
from mentorby.tenants.applications.models import Application, Participant
from mentorby.tenants.matching.models import Match
from mentorby.tenants.partners.models import PartnerContact
from mentorby.tenants.sessions.models import SessionLog, SessionPair
from mentorby.tenants.transfer.models import ImportJob

#: What replaces an erased value in the audit log and in texts that mentioned the person.
ERASED = "[erased]"
#: Names shorter than this are not searched for in other people's e-mails: "Li" would cut words apart.
SHORTEST_NAME = 3


class ErasureRefused(RuleError):
    """The person cannot be erased here; the code names why (messages in blueprints/messages.py)."""

    area = "privacy"


@dataclass
class Person:
    """Everything that identifies one person's rows in the session's city."""

    email: str
    user: User | None
    roles: set[str]
    application_ids: list[int]
    cohort_ids: list[int]
    names: set[str] = field(default_factory=set)

    def keys(self, whose: Whose) -> list:
        """The values the columns of a `whose` declaration hold for this person."""
        if whose == Whose.EMAIL:
            return [self.email]
        if whose == Whose.APPLICATION:
            return self.application_ids
        if whose == Whose.USER:
            return [self.user.id] if self.user is not None else []
        if whose == Whose.ROUND:
            return self.cohort_ids
        return []

    @functools.cached_property
    def mentions(self) -> re.Pattern:
        """The person's address and names as whole words, compiled once for every text erasure searches."""
        return _pattern(self)

    @property
    def found(self) -> bool:
        """Whether the city holds anything about the person."""
        return bool(self.application_ids or self.user is not None or self.roles)


def find(session: Session, email: str) -> Person:
    """The person with this address in the session's city: their applications, rounds, names and account."""
    email = normalise_email(email)
    rows = session.execute(select(Application.id, Application.cohort_id, Application.name)
                           .where(Application.email == email, Application.erased_at.is_(None))).all()
    names = {name for *_ids, name in rows}
    names |= set(session.execute(select(Participant.name).where(Participant.email == email)).scalars())
    names |= set(session.execute(select(PartnerContact.name).where(PartnerContact.email == email)).scalars())
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    roles = set()
    if user is not None:
        roles = {str(role) for role in session.execute(select(Membership.role).where(Membership.user_id == user.id))
                 .scalars()}
        if user.name:
            names.add(user.name)
        if not roles:
            user = None  # an account of another city only: not this city's to erase
    names.discard(ERASED_NAME)
    return Person(email=email, user=user, roles=roles, application_ids=[r[0] for r in rows],
                  cohort_ids=sorted({r[1] for r in rows}), names={n for n in names if n.strip()})


def check(person: Person) -> None:
    """Refuse what erasure must not do: erase nobody, or take a coordinator out from under the city."""
    if not person.found:
        raise ErasureRefused("erase_nothing")
    if COORDINATOR in person.roles:
        raise ErasureRefused("erase_coordinator")


def blanks(model, erasure: Erasure, declared: dict) -> dict:
    """The values a CLEAR declaration writes over the declared personal fields not kept (column -> value/SQL)."""
    values = {}
    for name in declared:
        if name in erasure.keep:
            continue
        column = model.__table__.c[name]
        if name in erasure.blanks:
            value = erasure.blanks[name]
            values[name] = value(model) if callable(value) else value
            continue
        default = column.default
        if default is not None and default.is_scalar:
            values[name] = default.arg
        elif default is not None and default.is_callable and isinstance(made := default.arg(None), list | dict):
            values[name] = made
        elif column.nullable:
            values[name] = None
        elif isinstance(column.type, String | Text):
            values[name] = ""
        else:
            raise ValueError(f"{model.__tablename__}.{name}: no blank value; keep it or give one in `blanks`")
    return values


def declared_models() -> list[tuple[type, object]]:
    """(model, its Personal) of every mapped model that declares what erasure does to it."""
    found = []
    for cls, _table in mapped_tables(db.Model.registry):
        declared = getattr(cls, "__personal__", None)
        if declared is not None and declared.erase is not None:
            found.append((cls, declared))
    return found


def erase(session: Session, person: Person, *, actor_id: int | None, actor_role: str) -> dict[str, int]:
    """Erase the person from the session's city; returns the rows changed per table. The caller commits."""
    check(person)
    tenant_id = session_tenant_id(session)
    session.flush()
    done: dict[str, int] = {}
    touched: list[tuple[str, list[int], list[str]]] = []  # (entity, ids, fields) for the audit log
    account = None
    for model, declared in declared_models():
        erasure = declared.erase
        if erasure.action not in (Erase.DELETE, Erase.CLEAR):
            continue
        keys = person.keys(erasure.whose)
        if not keys:
            continue
        if model is User:
            account = person.user
            continue  # last: rows of other tables point at it
        where = [or_(*(getattr(model, column).in_(keys) for column in erasure.by))]
        if issubclass(model, TenantOwned) or model is OutboxMessage:
            where.append(model.tenant_id == tenant_id)
        ids = list(session.execute(select(model.id).where(*where)).scalars())
        if not ids:
            continue
        if erasure.action == Erase.DELETE:
            session.execute(delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False))
        else:
            values = blanks(model, erasure, declared.fields)
            if hasattr(model, "erased_at"):
                values["erased_at"] = utcnow()
            session.execute(update(model).where(model.id.in_(ids)).values(**values)
                            .execution_options(synchronize_session=False))
        done[model.__tablename__] = len(ids)
        touched.append((model.__tablename__, ids, list(declared.fields)))
    if person.user is not None:
        done["membership"] = session.execute(
            delete(Membership).where(Membership.user_id == person.user.id, Membership.tenant_id == tenant_id)
            .execution_options(synchronize_session=False)).rowcount
    _redact_mentions(session, person, tenant_id, done)
    _clear_shared_sessions(session, person, done)
    _redact_imports(session, person, done)
    redact_audit(session, touched)
    closed = account is not None and bool(_close_account(session, account))
    if closed:
        done[User.__tablename__] = 1
        # An actor erasing their own account is no longer there to be named in the log.
        if actor_id == account.id:
            actor_id = None
        session.expunge(account)
    session.expire_all()
    _log(session, tenant_id, done, actor_id=actor_id, actor_role=actor_role)
    return done


def _close_account(session: Session, user: User) -> bool:
    """Delete the account, unless it still has a role in another city or on the platform (then it stays as it is)."""
    with cross_tenant(session):
        elsewhere = session.execute(select(func.count()).select_from(Membership)
                                    .where(Membership.user_id == user.id)).scalar_one()
        if elsewhere or user.platform_role is not None:
            return False
        redact_audit(session, [(User.__tablename__, [user.id], list(User.__personal__.fields))])
        # The platform's own mail to the address (password resets) goes with the account.
        session.execute(delete(OutboxMessage).where(OutboxMessage.tenant_id.is_(None),
                                                    OutboxMessage.to_email == user.email)
                        .execution_options(synchronize_session=False))
        session.execute(delete(User).where(User.id == user.id).execution_options(synchronize_session=False))
    return True


def _pattern(person: Person) -> re.Pattern | None:
    words = [re.escape(person.email)] + [re.escape(n) for n in sorted(person.names, key=len, reverse=True)
                                         if len(n) >= SHORTEST_NAME]
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


def _redact_mentions(session: Session, person: Person, tenant_id: int | None, done: dict) -> None:
    """Take the person's name and address out of e-mails the city sent to others ("your mentor is ...")."""
    pattern = person.mentions
    needles = [person.email] + [n for n in person.names if len(n) >= SHORTEST_NAME]
    mentions = or_(*(column.contains(needle, autoescape=True) for needle in needles
                     for column in (OutboxMessage.subject, OutboxMessage.body)))
    rows = session.execute(select(OutboxMessage.id, OutboxMessage.subject, OutboxMessage.body)
                           .where(OutboxMessage.tenant_id == tenant_id, mentions)).all()
    for message_id, subject, body in rows:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                        .values(subject=pattern.sub(ERASED, subject), body=pattern.sub(ERASED, body))
                        .execution_options(synchronize_session=False))
    if rows:
        done["outbox_mentions"] = len(rows)


def _clear_shared_sessions(session: Session, person: Person, done: dict) -> None:
    """Clear the sessions of the person's pairs that someone else logged.

    A 1:1's notes are about the person and go; a group's are about the others too, so only the person's name and
    address are taken out of them.
    """
    if not person.application_ids:
        return
    ids = person.application_ids
    theirs = select(Match.id).where(or_(Match.mentor_id.in_(ids), Match.mentee_id.in_(ids)))
    rows = session.execute(
        select(SessionLog.id, SessionLog.notes, SessionLog.next_step,
               func.count(SessionPair.id).filter(SessionPair.match_id.not_in(theirs)))
        .join(SessionPair, SessionPair.session_id == SessionLog.id)
        .where(SessionLog.id.in_(select(SessionPair.session_id).where(SessionPair.match_id.in_(theirs))),
               SessionLog.logged_by_id.not_in(ids))
        .group_by(SessionLog.id, SessionLog.notes, SessionLog.next_step)).all()
    pattern = person.mentions
    for log_id, notes, next_step, others in rows:
        values = ({"notes": "", "next_step": "", "topics": []} if not others else
                  {"notes": pattern.sub(ERASED, notes), "next_step": pattern.sub(ERASED, next_step)})
        session.execute(update(SessionLog).where(SessionLog.id == log_id).values(**values)
                        .execution_options(synchronize_session=False))
    if rows:
        done["shared_session_log"] = len(rows)


def _scrub(value, pattern: re.Pattern):
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, pattern) for key, item in value.items()}
    return value


def _redact_imports(session: Session, person: Person, done: dict) -> None:
    """Import reports name rows: take the person out of those of their rounds, and drop any file not yet removed."""
    if not person.cohort_ids:
        return
    pattern = person.mentions
    jobs = session.execute(select(ImportJob.id, ImportJob.report).where(ImportJob.cohort_id.in_(person.cohort_ids)))
    changed = 0
    for job_id, report in jobs.all():
        scrubbed = _scrub(report, pattern) if report is not None else None
        session.execute(update(ImportJob).where(ImportJob.id == job_id).values(report=scrubbed, data=None)
                        .execution_options(synchronize_session=False))
        changed += 1
    if changed:
        done[ImportJob.__tablename__] = changed


def redact_audit(session: Session, touched: list[tuple[str, list[int], list[str]]]) -> None:
    """Replace the erased fields' old and new values in the audit entries about the erased rows with "[erased]"."""
    postgres = session.connection().dialect.name == "postgresql"
    for entity, ids, fields in touched:
        if postgres:
            # The app role may not UPDATE the log; this function can only do this (migration f1a2b3c4d5e6).
            session.execute(text("select mentorby_erase_from_audit(:entity, cast(:ids as integer[]), "
                                 "cast(:fields as text[]))"),
                            {"entity": entity, "ids": ids, "fields": fields})
            continue
        entries = session.execute(select(AuditEntry.id, AuditEntry.changes)
                                  .where(AuditEntry.entity == entity, AuditEntry.entity_id.in_(ids))).all()
        for entry_id, changes in entries:
            redacted = {key: ERASED if key in fields else value for key, value in (changes or {}).items()}
            session.execute(update(AuditEntry.__table__).where(AuditEntry.__table__.c.id == entry_id)
                            .values(changes=bindparam("changes", redacted, type_=AuditEntry.__table__.c.changes.type)))


def _log(session: Session, tenant_id: int | None, done: dict[str, int], *, actor_id: int | None,
         actor_role: str) -> None:
    """The erasure in the city's audit log: who, when and how many rows of each table; never whom or what."""
    session.connection().execute(insert(AuditEntry.__table__), [{
        "tenant_id": tenant_id, "actor_id": actor_id, "actor_role": actor_role, "action": "erase",
        "entity": "person", "entity_id": None, "changes": dict(done), "created_at": utcnow(),
    }])
