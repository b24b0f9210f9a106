"""Evaluation surveys: the city's surveys (versioned), sections and questions; sending one to a round; answers.

A survey is identified by its `key` (closing, follow_up, ...) and a version. Once a version has been sent, it is
frozen: an edit makes the next version, and responses keep the version they were given to. Questions carry stable
keys (network, employment, ...), so answers compare across versions, rounds and cities, and success criteria name
the key they read.
"""

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
    ERASED_TOKEN,
    OPINIONS,
    TECHNICAL,
    Basis,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Recipient,
    Subject,
    Whose,
)
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, tenant_fk, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType
from mentorby.tenants.programme.models import Respondents


class Moment(Vocabulary):
    """Where a survey sits in a round's timeline (and which programme template it starts from)."""

    BASELINE = "baseline", _l("Baseline, at the start")
    MIDWAY = "midway", _l("Midway meeting")
    CLOSING = "closing", _l("Closing meeting")
    FOLLOW_UP = "follow_up", _l("Six months after the round")
    COMPANY = "company", _l("Company retention, at the follow-up")
    OTHER = "other", _l("Any time")


class QuestionKind(Vocabulary):
    """How a question is answered."""

    LIKERT = "likert", _l("Agree or disagree (1-5)")
    YES_NO = "yes_no", _l("Yes or no")
    SINGLE = "single", _l("One choice")
    MULTIPLE = "multiple", _l("Several choices")
    NUMBER = "number", _l("A number")
    TEXT = "text", _l("Free text")
    EMPLOYMENT = "employment", _l("Employment status")


class Employment(Vocabulary):
    """The answers of an employment question (the 6-month follow-up's criterion counts the first three)."""

    FULL_TIME = "full_time", _l("Employed full time")
    PART_TIME = "part_time", _l("Employed part time")
    SELF_EMPLOYED = "self_employed", _l("Self-employed")
    EDUCATION = "education", _l("In education")
    JOB_SEEKING = "job_seeking", _l("Seeking a job")
    OTHER = "other", _l("Other")


class Likert(Vocabulary):
    """The five steps of an agree/disagree question, stored as 1..5."""

    STRONGLY_DISAGREE = "1", _l("Strongly disagree")
    DISAGREE = "2", _l("Disagree")
    NEUTRAL = "3", _l("Neither agree nor disagree")
    AGREE = "4", _l("Agree")
    STRONGLY_AGREE = "5", _l("Strongly agree")


class YesNo(Vocabulary):
    """The answers of a yes/no question."""

    YES = "yes", _l("Yes")
    NO = "no", _l("No")


class Anonymity(Vocabulary):
    """What the coordinator sees of an answer: the person's name with it, or only that the person answered."""

    NAMED = "named", _l("Named: coordinators see who gave each answer")
    PSEUDONYMOUS = "pseudonymous", _l("Pseudonymous: coordinators see who answered, not what")


class AnswerSource(Vocabulary):
    """How a response arrived."""

    LINK = "link", _l("the personal link")
    IMPORT = "import", _l("an import")


class AskedOf(Vocabulary):
    """Which respondents of a survey see a question."""

    EVERYONE = "everyone", _l("Everyone")
    MENTORS = "mentor", _l("Mentors only")
    MENTEES = "mentee", _l("Mentees only")


class Survey(TenantOwned, db.Model):
    """One version of one of the city's surveys."""

    __tablename__ = "survey"
    __not_personal__ = ("key", "title_da", "title_en", "intro_da", "intro_en")
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "key", "version"),
        CheckConstraint("version >= 1", name="version"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable across versions: closing, follow_up, ... (or the city's own, e.g. closing_short).
    key: Mapped[str] = mapped_column(String(40), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    #: The newest version of a key is the current one; older ones are kept for the answers given to them.
    is_current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    moment: Mapped[Moment] = mapped_column(VocabularyType(Moment, 12), nullable=False)
    audience: Mapped[Respondents] = mapped_column(VocabularyType(Respondents, 10), nullable=False)
    title_da: Mapped[str] = mapped_column(String(160), nullable=False)
    title_en: Mapped[str] = mapped_column(String(160), nullable=False)
    intro_da: Mapped[str] = mapped_column(Text, nullable=False, default="")
    intro_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    sections: Mapped[list["SurveySection"]] = relationship(
        primaryjoin="Survey.id == foreign(SurveySection.survey_id)", order_by="SurveySection.position",
        cascade="all, delete-orphan", passive_deletes=True)
    questions: Mapped[list["Question"]] = relationship(
        primaryjoin="Survey.id == foreign(Question.survey_id)", order_by="(Question.position, Question.id)",
        cascade="all, delete-orphan", passive_deletes=True, overlaps="questions")

    def title(self, locale: str) -> str:
        """The survey's title in `locale`."""
        return self.title_da if locale == "da" else self.title_en

    def intro(self, locale: str) -> str:
        """The survey's introduction in `locale`, falling back to the other language."""
        first, second = (self.intro_da, self.intro_en) if locale == "da" else (self.intro_en, self.intro_da)
        return first or second


class SurveySection(TenantOwned, db.Model):
    """A group of questions with a heading."""

    __tablename__ = "survey_section"
    __not_personal__ = ("title_da", "title_en")
    __tenant_table_args__ = (tenant_fk("survey_id", "survey"), Index(None, "tenant_id", "survey_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    title_da: Mapped[str] = mapped_column(String(160), nullable=False)
    title_en: Mapped[str] = mapped_column(String(160), nullable=False)

    questions: Mapped[list["Question"]] = relationship(
        primaryjoin="SurveySection.id == foreign(Question.section_id)", order_by="(Question.position, Question.id)",
        viewonly=True)

    def title(self, locale: str) -> str:
        """The heading in `locale`."""
        return self.title_da if locale == "da" else self.title_en


class Question(TenantOwned, db.Model):
    """One question of a survey version."""

    __tablename__ = "survey_question"
    __not_personal__ = ("key", "text_da", "text_en", "options", "show_if")
    __tenant_table_args__ = (
        tenant_fk("survey_id", "survey"),
        tenant_fk("section_id", "survey_section"),
        UniqueConstraint("tenant_id", "survey_id", "key"),
        Index(None, "tenant_id", "survey_id", "position"),
        CheckConstraint("position >= 1", name="position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(Integer, nullable=False)
    section_id: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    #: Stable across versions, rounds and cities (network, job_search_active, employment, ...).
    key: Mapped[str] = mapped_column(String(40), nullable=False)
    kind: Mapped[QuestionKind] = mapped_column(VocabularyType(QuestionKind, 12), nullable=False)
    #: In a survey for mentors and mentees, whether both are asked or one role only.
    asked_of: Mapped[AskedOf] = mapped_column(VocabularyType(AskedOf, 10), nullable=False,
                                              default=AskedOf.EVERYONE)
    text_da: Mapped[str] = mapped_column(Text, nullable=False)
    text_en: Mapped[str] = mapped_column(Text, nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: The choices of a single or multiple choice question: [{"code": .., "da": .., "en": ..}, ...].
    options: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: A number question's range.
    minimum: Mapped[int | None] = mapped_column(Integer)
    maximum: Mapped[int | None] = mapped_column(Integer)
    #: Shown only when an earlier question was answered so: {"key": "employment", "in": ["job_seeking"]}.
    show_if: Mapped[dict | None] = mapped_column(JSON)

    section: Mapped[SurveySection] = relationship(
        primaryjoin="SurveySection.id == foreign(Question.section_id)", viewonly=True)

    def text(self, locale: str) -> str:
        """The question in `locale`."""
        return self.text_da if locale == "da" else self.text_en


class SurveyPolicy(TenantOwned, db.Model):
    """How a city runs its surveys: reminder days, anonymity and how long a link lasts (one row per city)."""

    __tablename__ = "survey_policy"
    __not_personal__ = ("reminder_days",)
    __tenant_table_args__ = (UniqueConstraint("tenant_id"),
                             CheckConstraint("open_days between 1 and 120", name="open_days"))
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Days after sending on which those who have not answered are reminded, e.g. [7, 14, 21].
    reminder_days: Mapped[list] = mapped_column(JSON, nullable=False, default=lambda: [7, 14, 21])
    anonymity: Mapped[Anonymity] = mapped_column(VocabularyType(Anonymity, 12), nullable=False,
                                                 default=Anonymity.PSEUDONYMOUS)
    #: How many days a survey stays open (and its links valid) after it is sent.
    open_days: Mapped[int] = mapped_column(Integer, nullable=False, default=28)


class SurveySend(TenantOwned, db.Model):
    """A survey version sent to a round's mentors, mentees or company contacts."""

    __tablename__ = "survey_send"
    __not_personal__ = ("survey_key", "reminder_days")
    __tenant_table_args__ = (
        tenant_fk("cohort_id", "cohort"),
        tenant_fk("survey_id", "survey", ondelete=None),
        # One send per survey key and round: the coordinator reminds, never sends twice.
        UniqueConstraint("tenant_id", "cohort_id", "survey_key"),
        Index(None, "tenant_id", "closes_on"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    survey_id: Mapped[int] = mapped_column(Integer, nullable=False)
    survey_key: Mapped[str] = mapped_column(String(40), nullable=False)
    #: Fixed when sent, so a later change of the city's policy does not reveal who said what.
    anonymity: Mapped[Anonymity] = mapped_column(VocabularyType(Anonymity, 12), nullable=False)
    reminder_days: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    sent_on: Mapped[date] = mapped_column(Date, nullable=False)
    #: The last day answers are taken; the links expire after it.
    closes_on: Mapped[date] = mapped_column(Date, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: Sent by the daily task (the 6-month follow-up) rather than by a coordinator.
    automatic: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    survey: Mapped[Survey] = relationship(primaryjoin="Survey.id == foreign(SurveySend.survey_id)", viewonly=True)
    responses: Mapped[list["Response"]] = relationship(
        primaryjoin="SurveySend.id == foreign(Response.send_id)", viewonly=True)


class Response(TenantOwned, db.Model):
    """One person's response to one send: their personal link, and their answers once they give them."""

    __tablename__ = "survey_response"
    __personal__ = Personal(_l("Survey responses and links"), Purpose.EVALUATION, Basis.CONSENT,
                            (Subject.MENTEES, Subject.MENTORS, Subject.CONTACTS), (Recipient.COORDINATORS,),
                            {"nonce": TECHNICAL, "token_hash": TECHNICAL, "pseudonym": TECHNICAL, "locale": TECHNICAL},
                            erase=Erasure(Erase.CLEAR, Whose.APPLICATION, ("application_id",),
                                    keep=("pseudonym", "locale"),
                                    blanks={"nonce": "erased", "token_hash": ERASED_TOKEN}))
    __not_personal__ = ("role",)
    __tenant_table_args__ = (
        tenant_fk("send_id", "survey_send"),
        tenant_fk("application_id", "application"),
        tenant_fk("contact_id", "partner_contact"),
        UniqueConstraint("tenant_id", "token_hash"),  # per city: the city is in the link's path
        UniqueConstraint("tenant_id", "send_id", "application_id"),
        UniqueConstraint("tenant_id", "send_id", "contact_id"),
        Index(None, "tenant_id", "send_id", "submitted_at"),
        CheckConstraint("role in ('mentor', 'mentee', 'company')", name="role"),
        CheckConstraint("(application_id is null) <> (contact_id is null)", name="one_respondent"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    send_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: mentor, mentee or company: whose answers a criterion counts.
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    #: The participant's application to the round, or the company contact.
    application_id: Mapped[int | None] = mapped_column(Integer)
    contact_id: Mapped[int | None] = mapped_column(Integer)
    #: A random nonce; the link's token is an HMAC of it under the server's secret, so the database alone
    #: cannot open anyone's survey, while a reminder can send the same link again.
    nonce: Mapped[str] = mapped_column(String(32), nullable=False)
    #: SHA-256 of the token, to find the response from a link.
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    #: A stable pseudonym shown instead of the name when the send is pseudonymous.
    pseudonym: Mapped[str] = mapped_column(String(12), nullable=False)
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="da")
    source: Mapped[AnswerSource] = mapped_column(VocabularyType(AnswerSource, 8), nullable=False,
                                                 default=AnswerSource.LINK)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: How many reminders went out (the send's reminder_days say when each one is due).
    reminders_sent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    send: Mapped[SurveySend] = relationship(
        primaryjoin="SurveySend.id == foreign(Response.send_id)", viewonly=True)
    application = relationship("Application", primaryjoin="Application.id == foreign(Response.application_id)",
                               viewonly=True)
    contact = relationship("PartnerContact", primaryjoin="PartnerContact.id == foreign(Response.contact_id)",
                           viewonly=True)
    answers: Mapped[list["Answer"]] = relationship(
        primaryjoin="Response.id == foreign(Answer.response_id)", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def respondent_name(self) -> str:
        """The person's name (for named sends and the coordinator's list of who answered)."""
        person = self.application or self.contact
        return person.name if person is not None else ""

    @property
    def respondent_email(self) -> str:
        """The address the link went to."""
        person = self.application or self.contact
        return person.email if person is not None else ""


class Answer(TenantOwned, db.Model):
    """One answer: a code (Likert step, yes/no, choice, employment status, number) or a free text.

    A multiple-choice question has one row per choice, so counting the answers that count as a yes is one grouped
    query whatever the question's kind.
    """

    __tablename__ = "survey_answer"
    __personal__ = Personal(_l("Survey answers"), Purpose.EVALUATION, Basis.CONSENT,
                            (Subject.MENTEES, Subject.MENTORS, Subject.CONTACTS),
                            (Recipient.COORDINATORS, Recipient.NATIONAL),
                            {"value": OPINIONS, "text": OPINIONS},
                            erase=Erasure(Erase.KEEP, Whose.RESPONSE, ("response_id",)))
    __not_personal__ = ("key",)
    __tenant_table_args__ = (
        tenant_fk("response_id", "survey_response"),
        tenant_fk("question_id", "survey_question", ondelete=None),
        UniqueConstraint("tenant_id", "response_id", "question_id", "value"),
        Index(None, "tenant_id", "key", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(Integer, nullable=False)
    question_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The question's stable key, copied so evaluations compare across versions without a join.
    key: Mapped[str] = mapped_column(String(40), nullable=False)
    #: The code given (empty for a free text).
    value: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
