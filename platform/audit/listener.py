"""Write an audit entry for every create/update/delete of an audited model, inside the same flush."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.tenancy import utcnow

ACTOR_KEY = "mentorby.actor"  # (user_id | None, role) of whoever acts in this session
SECRET = "[changed]"


def set_actor(session: Session, user_id: int | None, role: str) -> None:
    """Record who acts in this session, for the audit entries of its changes."""
    session.info[ACTOR_KEY] = (user_id, role)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    secret = set(getattr(type(obj), "__audit_secret__", ()))
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        history = state.attrs[key].history
        if action == "update":
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        elif action == "create":
            old, new = None, getattr(obj, key)
            if new is None:
                continue
        else:
            if key in secret:
                changes[key] = SECRET
                continue
            if key not in state.dict:
                continue  # a deferred column never loaded (a file's content): loading it after the DELETE fails
            old, new = state.dict[key], None
        changes[key] = SECRET if key in secret else [_plain(old), _plain(new)]
    return changes


def _tenant_of(obj) -> int | None:
    if type(obj).__tablename__ == "tenant":
        return obj.id
    return getattr(obj, "tenant_id", None)


@event.listens_for(Session, "after_flush")
def _audit(session, flush_context):
    actor = session.info.get(ACTOR_KEY)
    if actor is None:
        return
    actor_id, role = actor
    rows = []
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if not getattr(type(obj), "__audited__", False):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(
                {
                    "tenant_id": _tenant_of(obj),
                    "actor_id": actor_id,
                    "actor_role": role,
                    "action": action,
                    "entity": type(obj).__tablename__,
                    "entity_id": getattr(obj, "id", None),
                    "changes": changes,
                    "created_at": utcnow(),
                }
            )
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def record(session: Session, *, action: str, entity: str, entity_id: int | None, details: dict | None = None) -> None:
    """Log a read of personal data that changes nothing (a CV downloaded, participants exported) in the city's log.

    Written in the request's transaction like every other entry; a request without a signed-in actor logs nothing.
    """
    from mentorby.platform.tenancy import TENANT_KEY

    actor = session.info.get(ACTOR_KEY)
    if actor is None:
        return
    actor_id, role = actor
    session.connection().execute(insert(AuditEntry.__table__), [{
        "tenant_id": session.info.get(TENANT_KEY), "actor_id": actor_id, "actor_role": role, "action": action,
        "entity": entity, "entity_id": entity_id, "changes": details or {}, "created_at": utcnow(),
    }])
