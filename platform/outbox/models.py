"""Outgoing e-mail, written in the request's transaction and delivered by the task queue."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    CONTACT,
    EVERYONE,
    MESSAGES,
    TECHNICAL,
    Basis,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Recipient,
    Whose,
)
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType


class OutboxStatus(Vocabulary):
    """Where an e-mail stands: waiting for the task queue (and retried on failure), sent, or given up."""

    QUEUED = "queued", _l("waiting to be sent")
    SENT = "sent", _l("sent")
    FAILED = "failed", _l("not delivered")


QUEUED, SENT, FAILED = OutboxStatus


class OutboxMessage(db.Model):
    """One e-mail; the row is the record that it was sent (or why it was not)."""

    __tablename__ = "outbox_message"
    __personal__ = Personal(_l("E-mails sent (the outbox)"), Purpose.COMMUNICATION, Basis.CONSENT,
                            EVERYONE,
                            (Recipient.COORDINATORS, Recipient.MAIL),
                            {"to_email": CONTACT, "subject": MESSAGES, "body": MESSAGES, "last_error": TECHNICAL},
                            erase=Erasure(Erase.DELETE, Whose.EMAIL, ("to_email",)))
    __not_personal__ = ("kind",)
    __table_args__ = (
        CheckConstraint("status in ('queued', 'sent', 'failed')", name="status"),
        Index("ix_outbox_message_tenant_created", "tenant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The city the message is about; None for platform mail (password resets, sign-ups).
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    to_email: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    #: What kind of message this is (invitation, password_reset, ...), for tests and support.
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    #: queued, sent or failed (after five attempts).
    status: Mapped[OutboxStatus] = mapped_column(VocabularyType(OutboxStatus, 10), nullable=False, default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the task queue last tried to send it (a queued message untouched for long was lost and is handed again).
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMessage id={self.id} tenant_id={self.tenant_id} kind={self.kind} status={self.status}>"


class MailTemplate(TenantOwned, db.Model):
    """A city's own wording of one kind of e-mail in one language (platform/outbox/kinds.py); else the file's."""

    __tablename__ = "mail_template"
    __not_personal__ = ("kind", "locale", "subject", "body")
    __audited__ = True
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "kind", "locale"),
        CheckConstraint("locale in ('da', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The kind of e-mail (a registered MailKind's name, which is its file template's name).
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    #: The language of this wording: da or en.
    locale: Mapped[str] = mapped_column(String(5), nullable=False)
    #: Jinja (sandboxed), with the kind's documented variables only.
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<MailTemplate id={self.id} tenant_id={self.tenant_id} kind={self.kind} locale={self.locale}>"
