"""What the events area keeps beside a round's joint events (`CohortEvent`, owned by the rounds area)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    ERASED_TOKEN,
    PARTICIPANTS,
    PARTICIPATION,
    TECHNICAL,
    Basis,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Recipient,
    Whose,
)
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, tenant_fk, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType


class Rsvp(Vocabulary):
    """A person's answer to an invitation."""

    YES = "yes", _l("Coming")
    NO = "no", _l("Not coming")


YES, NO = Rsvp
#: Days before an event that reminders go out, unless the city says otherwise.
DEFAULT_REMINDER_DAYS = [3, 1]


class EventDetails(TenantOwned, db.Model):
    """The venue, agenda and capacity of one joint event, and the version its calendar entries carry."""

    __tablename__ = "event_details"
    __not_personal__ = ("address", "room", "agenda_da", "agenda_en")
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "event_id"),
        tenant_fk("event_id", "cohort_event"),
        CheckConstraint("capacity is null or capacity between 1 and 2000", name="capacity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The street address; the map link is built from it.
    address: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    room: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    agenda_da: Mapped[str] = mapped_column(Text, nullable=False, default="")
    agenda_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: How many may come (None: no limit); a "yes" beyond it is refused.
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: The calendar entry's SEQUENCE (RFC 5545): raised each time the time or place changes.
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: When the invitations last went out.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def agenda(self, locale: str) -> str:
        """The agenda in `locale`, else in the other language."""
        first, second = (self.agenda_da, self.agenda_en) if locale == "da" else (self.agenda_en, self.agenda_da)
        return first or second

    def __repr__(self) -> str:
        return f"<EventDetails {self.id} event={self.event_id} tenant={self.tenant_id}>"


class EventMaterial(TenantOwned, db.Model):
    """A file handed out for an event (slides, a worksheet), kept in the database like a CV."""

    __tablename__ = "event_material"
    __not_personal__ = ("filename", "mimetype", "sha256", "content")
    __tenant_table_args__ = (
        tenant_fk("event_id", "cohort_event"),
        Index(None, "tenant_id", "event_id"),
        CheckConstraint("size > 0", name="size"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The file's name on the coordinator's machine, cleaned.
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    #: The media type found from the file's content (never the browser's word).
    mimetype: Mapped[str] = mapped_column(String(120), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    #: Deferred: lists never load the file.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<EventMaterial {self.id} {self.filename!r} tenant={self.tenant_id}>"


class EventInvitation(TenantOwned, db.Model):
    """One person invited to one event, with their personal RSVP link (only its hash is kept) and answer."""

    __tablename__ = "event_invitation"
    __personal__ = Personal(_l("Invitations to joint events"), Purpose.PROGRAMME, Basis.CONSENT,
                            PARTICIPANTS, (Recipient.COORDINATORS,),
                            {"nonce": TECHNICAL, "token_hash": TECHNICAL, "answer": PARTICIPATION},
                            erase=Erasure(Erase.CLEAR, Whose.APPLICATION, ("application_id",), keep=("answer",),
                                    blanks={"nonce": "erased", "token_hash": ERASED_TOKEN}))
    __not_personal__ = ("reminded",)
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "event_id", "application_id"),
        UniqueConstraint("tenant_id", "token_hash"),  # per city: the city is in the link's path
        tenant_fk("event_id", "cohort_event"),
        tenant_fk("application_id", "application"),
        CheckConstraint("answer is null or answer in ('yes', 'no')", name="answer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, nullable=False)
    application_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: A random nonce; the link's token is an HMAC of it under the server's secret.
    nonce: Mapped[str] = mapped_column(String(32), nullable=False)
    #: SHA-256 of the token: how a link finds its invitation.
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    #: yes, no, or None while unanswered.
    answer: Mapped[Rsvp | None] = mapped_column(VocabularyType(Rsvp, 3))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: Days-before of the reminders already sent (each once), e.g. [3].
    reminded: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    def __repr__(self) -> str:
        return f"<EventInvitation {self.id} event={self.event_id} application={self.application_id}>"


class Attendance(TenantOwned, db.Model):
    """One person checked in at the door of one event."""

    __tablename__ = "event_attendance"
    __personal__ = Personal(_l("Attendance at joint events"), Purpose.PROGRAMME, Basis.CONSENT,
                            PARTICIPANTS, (Recipient.COORDINATORS,),
                            {"checked_in_at": PARTICIPATION},
                            erase=Erasure(Erase.KEEP, Whose.APPLICATION, ("application_id",)))
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "event_id", "application_id"),
        tenant_fk("event_id", "cohort_event"),
        tenant_fk("application_id", "application"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, nullable=False)
    application_id: Mapped[int] = mapped_column(Integer, nullable=False)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<Attendance {self.id} event={self.event_id} application={self.application_id}>"


class CalendarFeed(TenantOwned, db.Model):
    """A participant's private calendar subscription (one per application); revoking it makes a new link."""

    __tablename__ = "calendar_feed"
    __personal__ = Personal(_l("Personal calendar links"), Purpose.PROGRAMME, Basis.CONSENT,
                            PARTICIPANTS, (), {"nonce": TECHNICAL, "token_hash": TECHNICAL},
                            erase=Erasure(Erase.DELETE, Whose.APPLICATION, ("application_id",)))
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "application_id"),
        UniqueConstraint("tenant_id", "token_hash"),  # per city: the city is in the link's path
        tenant_fk("application_id", "application"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, nullable=False)
    nonce: Mapped[str] = mapped_column(String(32), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} application={self.application_id} tenant={self.tenant_id}>"


class EventPolicy(TenantOwned, db.Model):
    """A city's choices for its events: the days before an event that reminders go out."""

    __tablename__ = "event_policy"
    __not_personal__ = ("reminder_days",)
    __tenant_table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Days before the event, e.g. [3, 1]; empty: no reminders.
    reminder_days: Mapped[list] = mapped_column(JSON, nullable=False, default=lambda: list(DEFAULT_REMINDER_DAYS))

    def __repr__(self) -> str:
        return f"<EventPolicy {self.id} tenant={self.tenant_id}>"
