"""What the running round keeps: the 1:1 sessions a pair or group logs, nudges sent, and the city's health policy."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    NOTES,
    PARTICIPANTS,
    PARTICIPATION,
    Basis,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Recipient,
    Whose,
)
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, tenant_fk, utcnow
from mentorby.platform.vocab import Vocabulary

#: The lengths a session may have, in minutes; the form offers a few quick choices inside them.
SHORTEST, LONGEST = 10, 480
QUICK_MINUTES = (30, 45, 60, 90, 120)


class Topic(Vocabulary):
    """What a 1:1 session was about (the programme's own list)."""

    JOB_OPENINGS = "job_openings", _l("Job openings")
    CV = "cv", _l("CV")
    APPLICATIONS = "applications", _l("Applications")
    INTERVIEW = "interview", _l("Interview practice")
    NETWORKING = "networking", _l("Networking")
    WORKPLACE_CULTURE = "workplace_culture", _l("Danish workplace culture")
    OTHER = "other", _l("Other")


TOPICS = Topic.codes()


class SessionLog(TenantOwned, db.Model):
    """A 1:1 (or group) session of a mentor with one or more of their mentees, logged by one who was there.

    The private notes are for the people who met: never shown to the coordinator, never exported, never audited.
    """

    __tablename__ = "session_log"
    __personal__ = Personal(_l("Session logs"), Purpose.PROGRAMME, Basis.CONSENT, PARTICIPANTS,
                            (Recipient.COORDINATORS, Recipient.MATCHED), {
        "held_on": PARTICIPATION, "minutes": PARTICIPATION, "topics": NOTES, "next_step": NOTES, "notes": NOTES},
                            erase=Erasure(Erase.CLEAR, Whose.APPLICATION, ("logged_by_id",),
                                    keep=("held_on", "minutes")))
    __tenant_table_args__ = (
        tenant_fk("cohort_id", "cohort"),
        tenant_fk("mentor_id", "application"),
        tenant_fk("logged_by_id", "application"),
        Index(None, "tenant_id", "cohort_id", "held_on"),
        Index(None, "tenant_id", "mentor_id"),
        CheckConstraint(f"minutes between {SHORTEST} and {LONGEST}", name="minutes"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The mentor of the pair or group (an application id).
    mentor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: Who logged it (the mentor's or a mentee's application id); the others confirm it.
    logged_by_id: Mapped[int] = mapped_column(Integer, nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    #: Topic codes (Topic), in the list's order.
    topics: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    next_step: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    #: Only the mentor and the mentees who were there read these.
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    pairs: Mapped[list["SessionPair"]] = relationship(
        primaryjoin="SessionLog.id == foreign(SessionPair.session_id)", order_by="SessionPair.id",
        cascade="all, delete-orphan", overlaps="session")

    @property
    def topic_members(self) -> list[Topic]:
        """The topics as vocabulary members (unknown codes left out)."""
        return [Topic(code) for code in self.topics if code in TOPICS]

    def __repr__(self) -> str:
        return f"<SessionLog {self.id} of city {self.tenant_id}: {self.held_on}>"


class SessionPair(TenantOwned, db.Model):
    """A pair (match) a session was held for, and the other side's confirmation of it."""

    __tablename__ = "session_pair"
    __tenant_table_args__ = (
        tenant_fk("session_id", "session_log"),
        tenant_fk("match_id", "match"),
        UniqueConstraint("tenant_id", "session_id", "match_id"),
        Index(None, "tenant_id", "match_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, nullable=False)
    match_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: When the other side of the pair confirmed that the session took place (None: still to confirm).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[SessionLog] = relationship(primaryjoin="SessionLog.id == foreign(SessionPair.session_id)",
                                               overlaps="pairs")

    def __repr__(self) -> str:
        return f"<SessionPair {self.id} of city {self.tenant_id}: session {self.session_id}, match {self.match_id}>"


class Nudge(TenantOwned, db.Model):
    """A nudge to log a session, e-mailed to both sides of a pair: at most one a pair a day."""

    __tablename__ = "nudge"
    __tenant_table_args__ = (
        tenant_fk("cohort_id", "cohort"),
        tenant_fk("match_id", "match"),
        UniqueConstraint("tenant_id", "match_id", "sent_on"),
        Index(None, "tenant_id", "cohort_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    match_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The city's day it was sent on.
    sent_on: Mapped[date] = mapped_column(Date, nullable=False)
    #: Sent by the daily task (the city turned automatic nudges on), not by a coordinator's click.
    automatic: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<Nudge {self.id} of city {self.tenant_id}: match {self.match_id} on {self.sent_on}>"


class HealthPolicy(TenantOwned, db.Model):
    """How the city watches its running rounds: weeks without a session before a pair is at risk, automatic nudges."""

    __tablename__ = "health_policy"
    __tenant_table_args__ = (UniqueConstraint("tenant_id"),
                             CheckConstraint("quiet_weeks between 1 and 12", name="quiet_weeks"))
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Weeks without a session after which a pair is flagged "at risk".
    quiet_weeks: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    #: Whether pairs at risk are nudged by e-mail automatically (a daily task), at most once a week.
    auto_nudges: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    def __repr__(self) -> str:
        return f"<HealthPolicy {self.id} of city {self.tenant_id}: {self.quiet_weeks} weeks>"
