"""A round of the programme (a cohort), its joint events and the timeline of its life cycle."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorby.platform import clock
from mentorby.platform.extensions import db
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, tenant_fk, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType
from mentorby.tenants.programme.models import Audience  # the events' vocabulary is the programme model's


class CohortStatus(Vocabulary):
    """A round's place in its life cycle, in order (the timeline shows it left to right)."""

    PLANNED = "planned", _l("Planned")
    RECRUITING = "recruiting", _l("Recruiting")
    SELECTING = "selecting", _l("Selecting")
    RUNNING = "running", _l("Running")
    CLOSED = "closed", _l("Closed")
    FOLLOWED_UP = "followed_up", _l("Follow-up done")

    @property
    def action(self) -> str:
        """What moving a round to this status is called on its button."""
        return str(_ACTIONS[self])


_ACTIONS = {
    CohortStatus.PLANNED: _l("Back to planning"),
    CohortStatus.RECRUITING: _l("Open recruitment"),
    CohortStatus.SELECTING: _l("Close applications and select"),
    CohortStatus.RUNNING: _l("Start the round"),
    CohortStatus.CLOSED: _l("Close the round"),
    CohortStatus.FOLLOWED_UP: _l("Mark the follow-up as done"),
}
PLANNED, RECRUITING, SELECTING, RUNNING, CLOSED, FOLLOWED_UP = CohortStatus
#: The life cycle, in order.
STATUSES = CohortStatus.codes()


#: Which status may follow which; going back is allowed only before the round runs.
NEXT = {
    PLANNED: (RECRUITING,),
    RECRUITING: (SELECTING, PLANNED),
    SELECTING: (RUNNING, RECRUITING),
    RUNNING: (CLOSED,),
    CLOSED: (FOLLOWED_UP,),
    FOLLOWED_UP: (),
}
#: Statuses in which the public application forms accept applications.
OPEN_FOR_APPLICATIONS = (RECRUITING,)
#: Statuses in which the coordinator may still change who takes part.
SELECTION_OPEN = (RECRUITING, SELECTING, RUNNING)


class Cohort(TenantOwned, db.Model):
    """One round of the programme: about 20 mentors and 20 mentees for 4 months."""

    __tablename__ = "cohort"
    __not_personal__ = ("name", "description")
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint(f"status in {STATUSES}", name="status"),
        CheckConstraint("mentor_capacity between 1 and 500 and mentee_capacity between 1 and 500", name="capacity"),
        CheckConstraint("ends_on > starts_on", name="dates"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The round's name, e.g. "Spring 2027".
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    #: The first joint event's date; the programme model's week offsets count from it.
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    #: The last day the public forms take applications (optional; recruiting status opens and closes them).
    apply_by: Mapped[date | None] = mapped_column(Date)
    mentor_capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=20)
    mentee_capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=20)
    #: planned, recruiting, selecting, running, closed or followed_up.
    status: Mapped[CohortStatus] = mapped_column(VocabularyType(CohortStatus, 12), nullable=False, default=PLANNED)
    #: Set on closing: six months after the round's end, when the follow-up survey is due.
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    #: When the coordinators were reminded that the follow-up is due (once per round).
    follow_up_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    # Joins name only the id: tenant_id is shared by both rows (the composite foreign key guarantees it), and
    # SQLAlchemy would otherwise see two relationships writing one tenant_id column.
    events: Mapped[list["CohortEvent"]] = relationship(
        back_populates="cohort", primaryjoin="Cohort.id == foreign(CohortEvent.cohort_id)",
        order_by="(CohortEvent.starts_at, CohortEvent.step)", cascade="all, delete-orphan", passive_deletes=True,
    )

    @property
    def is_open_for_applications(self) -> bool:
        """Whether the public forms take applications for this round today."""
        return self.status in OPEN_FOR_APPLICATIONS and (self.apply_by is None or clock.today() <= self.apply_by)


class CohortEvent(TenantOwned, db.Model):
    """A joint event of one round, laid out from the programme model and then edited for the round."""

    __tablename__ = "cohort_event"
    __not_personal__ = ("kind", "name_da", "name_en", "location")
    __tenant_table_args__ = (
        tenant_fk("cohort_id", "cohort"),
        Index(None, "tenant_id", "cohort_id", "starts_at"),
        CheckConstraint("audience in ('mentees', 'mentors', 'both')", name="audience"),
        CheckConstraint("duration_minutes between 15 and 1440", name="duration"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    step: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The programme model's key (kickoff, midway, ...), so later features find e.g. the kick-off.
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    name_da: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False)
    audience: Mapped[Audience] = mapped_column(VocabularyType(Audience, 10), nullable=False)
    #: When it starts (UTC; shown in the city's time zone).
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=120)
    location: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    cohort: Mapped[Cohort] = relationship(
        back_populates="events", primaryjoin="Cohort.id == foreign(CohortEvent.cohort_id)")

    def name(self, locale: str) -> str:
        """The event's name in `locale`."""
        return self.name_da if locale == "da" else self.name_en

    def is_for(self, role: str) -> bool:
        """Whether a mentor or mentee takes part in this event."""
        return self.audience == "both" or self.audience == f"{role}s"


class CohortTransition(TenantOwned, db.Model):
    """One step of a round's life cycle: the timeline on the round's page."""

    __tablename__ = "cohort_transition"
    __not_personal__ = ("note",)
    __tenant_table_args__ = (tenant_fk("cohort_id", "cohort"), Index(None, "tenant_id", "cohort_id", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    from_status: Mapped[CohortStatus | None] = mapped_column(VocabularyType(CohortStatus, 12))
    to_status: Mapped[CohortStatus] = mapped_column(VocabularyType(CohortStatus, 12), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
