"""The programme model a city runs its rounds from; copied from the host city and then the city's own."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.tenancy import TenantOwned
from mentorby.platform.vocab import Vocabulary, VocabularyType


class Audience(Vocabulary):
    """Who takes part in a joint event (of the programme model, and of a round laid out from it)."""

    MENTEES = "mentees", _l("Mentees")
    MENTORS = "mentors", _l("Mentors")
    BOTH = "both", _l("Mentors and mentees")


class Respondents(Vocabulary):
    """Whose answers a success criterion counts: each role on its own for both, or the partner companies."""

    MENTOR = "mentor", _l("Mentors")
    MENTEE = "mentee", _l("Mentees")
    BOTH = "both", _l("Mentors and mentees")
    COMPANY = "company", _l("Companies")


class MeasuringPoint(Vocabulary):
    """When a success criterion is measured."""

    CLOSING = "closing", _l("closing evaluation")
    FOLLOW_UP = "follow_up", _l("6-month follow-up")


AUDIENCES = Audience.codes()
CRITERION_ROLES = Respondents.codes()
MEASURED_AT = MeasuringPoint.codes()


class ProgrammeEvent(TenantOwned, db.Model):
    """One joint event of the programme's fixed sequence (CV workshop, kick-off, midway, ...)."""

    __tablename__ = "programme_event"
    __not_personal__ = ("kind", "name_da", "name_en", "description_da", "description_en")
    __tenant_table_args__ = (
        CheckConstraint(f"audience in {AUDIENCES}", name="audience"),
        CheckConstraint("step between 1 and 20", name="step"),
        CheckConstraint("week_offset between 0 and 104", name="week_offset"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The place in the sequence; two events may share a step (CV workshop and mentor course).
    step: Mapped[int] = mapped_column(Integer, nullable=False)
    #: A stable key (cv_workshop, mentor_course, kickoff, midway, interview_workshop, closing).
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    #: The city's own name for the event, per language.
    name_da: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False)
    description_da: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: Who takes part: mentees, mentors or both.
    audience: Mapped[Audience] = mapped_column(VocabularyType(Audience, 10), nullable=False)
    #: Weeks after the round's start; a new round lays its dates out from this.
    week_offset: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=120)

    def name(self, locale: str) -> str:
        """The event's name in `locale`."""
        return self.name_da if locale == "da" else self.name_en

    def description(self, locale: str) -> str:
        """The event's description in `locale`, falling back to the other language."""
        first, second = (
            (self.description_da, self.description_en) if locale == "da" else (self.description_en, self.description_da)
        )
        return first or second


class SuccessCriterion(TenantOwned, db.Model):
    """A success criterion a round is evaluated against, e.g. ≥ 2/3 of mentees report a stronger network."""

    __tablename__ = "success_criterion"
    __not_personal__ = ("code", "statement_da", "statement_en", "question_key", "yes_values")
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint(f"role in {CRITERION_ROLES}", name="role"),
        CheckConstraint(f"measured_at in {MEASURED_AT}", name="measured_at"),
        CheckConstraint("threshold > 0 and threshold <= 1", name="threshold"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    #: A stable key that surveys and reports refer to (mentor_network, mentee_employed_6m, ...).
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    #: Whose answers count: mentor, mentee, both (each role on its own) or company.
    role: Mapped[Respondents] = mapped_column(VocabularyType(Respondents, 10), nullable=False)
    #: The share that must agree, 0 < threshold ≤ 1 (2/3 is stored as 0.6667).
    threshold: Mapped[float] = mapped_column(Numeric(5, 4), nullable=False)
    #: When it is measured: at the closing evaluation or in the 6-month follow-up.
    measured_at: Mapped[MeasuringPoint] = mapped_column(VocabularyType(MeasuringPoint, 10), nullable=False,
                                                        default=MeasuringPoint.CLOSING)
    statement_da: Mapped[str] = mapped_column(Text, nullable=False)
    statement_en: Mapped[str] = mapped_column(Text, nullable=False)
    #: The survey question it reads, by its stable key (network, employment, ...).
    question_key: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    #: The answers that count as a yes: Likert ["4", "5"], ["yes"], employment ["full_time", ...].
    yes_values: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: Whether the share is of everyone who took part (employment: non-respondents are not silently dropped)
    #: rather than of those who answered.
    of_everyone: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    def statement(self, locale: str) -> str:
        """The criterion in `locale`."""
        return self.statement_da if locale == "da" else self.statement_en
