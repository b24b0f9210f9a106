"""The audit log: who changed what, when, in which city."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorby.platform.accounts.models import User
from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    EVERYONE,
    IDENTITY,
    NOTES,
    Basis,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Recipient,
    Whose,
)
from mentorby.platform.tenancy import UTCDateTime, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType


class ActorRole(Vocabulary):
    """The role someone made a change in, as the log names it after the time ("coordinator", "through the API")."""

    COORDINATOR = "coordinator", _l("coordinator")
    ADMIN = "admin", _l("platform admin")
    PARTICIPANT = "participant", _l("participant")
    API = "api", _l("through the API")
    SYSTEM = "system", _l("system")


class AuditEntry(db.Model):
    """One create, update or delete of an audited row, written in the same transaction as the change."""

    __tablename__ = "audit_entry"
    __personal__ = Personal(_l("Audit log"), Purpose.ACCOUNTABILITY, Basis.LEGAL_OBLIGATION,
                            EVERYONE,
                            (Recipient.COORDINATORS,), {"actor_id": IDENTITY, "changes": NOTES},
                            erase=Erasure(Erase.REDACT, Whose.USER, ("actor_id",)))
    __not_personal__ = ("action", "entity")
    # No RETURNING on insert: under row-level security the app may append entries about any city it
    # acts in, but reads them back only within that city.
    __table_args__ = (
        Index("ix_audit_entry_tenant_created", "tenant_id", "created_at"),
        # The log's filter by person, and its list of the people who made changes in the city.
        Index("ix_audit_entry_tenant_actor", "tenant_id", "actor_id"),
        {"implicit_returning": False},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The city whose data changed; None for platform-wide changes (a user's own account).
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    #: Who made the change; None for the system (CLI, tasks) or after the person was erased.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: The role the actor acted in: coordinator, admin, participant, api, system.
    actor_role: Mapped[ActorRole] = mapped_column(VocabularyType(ActorRole, 20), nullable=False)
    #: create, update or delete.
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    #: The table and id of the changed row.
    entity: Mapped[str] = mapped_column(String(60), nullable=False)
    entity_id: Mapped[int | None] = mapped_column(Integer)
    #: {column: [old, new]}; secrets are recorded as changed, never with their values.
    changes: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<AuditEntry id={self.id} tenant_id={self.tenant_id} {self.action} {self.entity}:{self.entity_id}>"
