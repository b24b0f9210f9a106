"""The mentor pool, applications to rounds and the CVs that come with them."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    CONTACT,
    CV,
    ERASED_EMAIL,
    ERASED_NAME,
    FAMILY,
    IDENTITY,
    NOTES,
    PARTICIPANTS,
    PARTICIPATION,
    PROFESSIONAL,
    TECHNICAL,
    Basis,
    CitySetting,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Recipient,
    Retention,
    Subject,
    Whose,
)
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, tenant_fk, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType
from mentorby.tenants.applications.profile import (
    MENTEES_PER_MENTOR,
    ROLES,
    YEARS_EXPERIENCE,
    Availability,
    DanishLevel,
    Field,
    Language,
    MentoringFormat,
    Role,
    members,
)
from mentorby.tenants.cohorts.models import Cohort

#: Days a public-form application waits for its applicant to confirm before it is deleted (with its CV).
CONFIRM_DAYS = 7


class ApplicationStatus(Vocabulary):
    """Where an application stands: new, shortlisted, then a decision (or withdrawn by the person)."""

    SUBMITTED = "submitted", _l("New")
    SHORTLISTED = "shortlisted", _l("Shortlisted")
    ACCEPTED = "accepted", _l("Accepted")
    WAITLISTED = "waitlisted", _l("Wait-listed")
    DECLINED = "declined", _l("Declined")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


SUBMITTED, SHORTLISTED, ACCEPTED, WAITLISTED, DECLINED, WITHDRAWN = ApplicationStatus
STATUSES = ApplicationStatus.codes()
#: Statuses a coordinator can set on the selection board.
DECISIONS = (SHORTLISTED, ACCEPTED, WAITLISTED, DECLINED, WITHDRAWN)
#: The decisions an applicant is told of (the notify step); shortlisting is the coordinator's own working mark.
OUTCOMES = (ACCEPTED, WAITLISTED, DECLINED)


class Source(Vocabulary):
    """How an application arrived (the label reads after "arrived through")."""

    FORM = "form", _l("the public form")
    REAPPLY = "reapply", _l("a re-application")
    IMPORT = "import", _l("an import")
    COORDINATOR = "coordinator", _l("a coordinator")


SOURCES = Source.codes()


class Participant(TenantOwned, db.Model):
    """A person in the city's pool, as mentor or as mentee; they stay across rounds and keep their history."""

    __tablename__ = "participant"
    __personal__ = Personal(_l("Mentor pool and participants"), Purpose.RECRUITMENT, Basis.CONSENT,
                            PARTICIPANTS, (Recipient.COORDINATORS,),
                            {"name": IDENTITY, "email": CONTACT}, Retention.CITY,
                            settings=(CitySetting.AFTER_FOLLOWUP,),
                            erase=Erasure(Erase.CLEAR, Whose.EMAIL, ("email",),
                                          blanks={"name": ERASED_NAME, "email": ERASED_EMAIL}))
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "role", "email"),
        CheckConstraint(f"role in {ROLES}", name="role"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: mentor or mentee.
    role: Mapped[Role] = mapped_column(VocabularyType(Role, 10), nullable=False)
    #: Lower-cased; the person's account in the city has the same address.
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: When the person was erased: name and address are gone, the row stays so their applications keep a pool entry.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    applications: Mapped[list["Application"]] = relationship(
        primaryjoin="Participant.id == foreign(Application.participant_id)", order_by="Application.created_at.desc()",
        viewonly=True,
    )


class Application(TenantOwned, db.Model):
    """One person's application to one round, with the profile they gave for it; accepted means taking part."""

    __tablename__ = "application"
    __personal__ = Personal(_l("Applications"), Purpose.RECRUITMENT, Basis.CONSENT,
                            (Subject.APPLICANTS, Subject.MENTEES, Subject.MENTORS),
                            (Recipient.COORDINATORS, Recipient.MATCHED, Recipient.COMPANY), {
        "name": IDENTITY, "email": CONTACT, "phone": CONTACT, "locale": TECHNICAL,
        "field": PROFESSIONAL, "languages": PROFESSIONAL, "education": PROFESSIONAL, "years_experience": PROFESSIONAL,
        "job_goal": PROFESSIONAL, "danish_level": PROFESSIONAL, "employer": PROFESSIONAL,
        "job_title": PROFESSIONAL, "industry": PROFESSIONAL, "expertise": PROFESSIONAL, "motivation": PROFESSIONAL,
        "arrived_on": FAMILY, "partner_employer": FAMILY,
        "availability": PARTICIPATION, "consent_version": PARTICIPATION, "consent_at": PARTICIPATION,
        "status": PARTICIPATION, "note": NOTES,
    }, Retention.UNCONFIRMED, CONFIRM_DAYS, settings=(CitySetting.NEVER_ACCEPTED, CitySetting.AFTER_FOLLOWUP),
        erase=Erasure(
            # The round's figures count role, field and status; the consent's version and time are not the person.
            Erase.CLEAR, Whose.EMAIL, ("email",), keep=("field", "status", "consent_version", "consent_at"),
            blanks={"name": ERASED_NAME, "email": ERASED_EMAIL}))
    __tenant_table_args__ = (
        # One application per address and round, whatever the role: a clear answer to a second try.
        UniqueConstraint("tenant_id", "cohort_id", "email"),
        tenant_fk("cohort_id", "cohort"),
        tenant_fk("participant_id", "participant"),
        # The selection board lists a round by status; the portal and history look a person up by e-mail.
        Index(None, "tenant_id", "cohort_id", "status"),
        Index(None, "tenant_id", "participant_id"),
        Index(None, "tenant_id", "email"),
        # The partner page and the company contact's page list the people of one organisation.
        Index(None, "tenant_id", "employer_id"),
        Index(None, "tenant_id", "partner_employer_id"),
        tenant_fk("partner_employer_id", "partner", ondelete=None),
        tenant_fk("employer_id", "partner", ondelete=None),
        CheckConstraint(f"role in {ROLES}", name="role"),
        CheckConstraint(f"status in {STATUSES}", name="status"),
        CheckConstraint(f"source in {SOURCES}", name="source"),
        CheckConstraint("years_experience is null or years_experience between {} and {}".format(*YEARS_EXPERIENCE),
                        name="years"),
        CheckConstraint("mentee_capacity between {} and {}".format(*MENTEES_PER_MENTOR), name="mentee_capacity"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    participant_id: Mapped[int] = mapped_column(Integer, nullable=False)
    role: Mapped[Role] = mapped_column(VocabularyType(Role, 10), nullable=False)
    #: submitted, shortlisted, accepted, waitlisted, declined or withdrawn.
    status: Mapped[ApplicationStatus] = mapped_column(VocabularyType(ApplicationStatus, 12), nullable=False,
                                                      default=SUBMITTED)
    #: How it arrived: the public form, a returning mentor's one-click re-application, an import, a coordinator.
    source: Mapped[Source] = mapped_column(VocabularyType(Source, 12), nullable=False, default=Source.FORM)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    #: The language the person applied in; their mail comes in it.
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="en")
    #: Professional field.
    field: Mapped[Field] = mapped_column(VocabularyType(Field, 20), nullable=False)
    #: Languages spoken, space-separated codes of profile.Language (`spoken` gives the members).
    languages: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    #: Weekly slots the person can meet in, space-separated codes of profile.Availability (`slots` gives them).
    availability: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    # --- mentee ---
    education: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    years_experience: Mapped[int | None] = mapped_column(Integer)
    job_goal: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: A code of profile.DanishLevel; empty for a mentor, who is not asked (`danish` gives the member).
    danish_level: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    arrived_on: Mapped[date | None] = mapped_column(Date)
    #: Where the international specialist (the mentee's partner) works, as written in the application.
    partner_employer: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    #: The same company as a partner organisation of the city, when it is one; the retention survey reaches it.
    partner_employer_id: Mapped[int | None] = mapped_column(Integer)
    #: Whether the mentee lets their mentor see the CV (asked on the form, changed in the profile; off by default).
    share_cv: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    # --- mentor ---
    employer: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    employer_id: Mapped[int | None] = mapped_column(Integer)
    job_title: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    #: A code of profile.Field; empty for a mentee, who is not asked (`industry_field` gives the member).
    industry: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    #: Keywords of what the mentor knows, comma-separated as typed.
    expertise: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: one, group or either.
    mentoring_format: Mapped[MentoringFormat] = mapped_column(VocabularyType(MentoringFormat, 8), nullable=False,
                                                              default=MentoringFormat.ONE)
    #: How many mentees the mentor can take.
    mentee_capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    motivation: Mapped[str] = mapped_column(Text, nullable=False, default="")

    #: The version of the data-processing consent text the person agreed to, and when.
    consent_version: Mapped[str] = mapped_column(String(20), nullable=False)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: The coordinator's notes; never shown to the applicant.
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: When the applicant confirmed the e-mail address from the link sent to it. Public-form applications count
    #: (board, portal, pool) only once confirmed, so nobody can apply in someone else's name; the others
    #: (import, re-application from an account, a coordinator) are confirmed when filed.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: Whether the accepted person has been told so: invited to make an account, or told they are in (with one).
    invited: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: The decision the person was last told of (accepted, waitlisted or declined) and when. Deciding sends nothing;
    #: the notify step tells those whose decision differs from what they were told, so nobody hears it twice and a
    #: changed decision is told again.
    notified_status: Mapped[ApplicationStatus | None] = mapped_column(VocabularyType(ApplicationStatus, 12))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the person was erased (tenants/privacy/erasure.py): the row stays, without their personal data, so the
    #: round's figures do not change.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Joins name only the id: tenant_id is the same on both rows (the composite foreign keys guarantee it).
    cohort: Mapped[Cohort] = relationship(primaryjoin="Cohort.id == foreign(Application.cohort_id)")
    participant: Mapped[Participant] = relationship(
        primaryjoin="Participant.id == foreign(Application.participant_id)")
    cv: Mapped["CvDocument | None"] = relationship(
        back_populates="application", primaryjoin="Application.id == foreign(CvDocument.application_id)",
        uselist=False, cascade="all, delete-orphan", passive_deletes=True)
    #: The consents given with this application (deleted with it, as the foreign key says).
    consents: Mapped[list["ConsentRecord"]] = relationship(
        primaryjoin="Application.id == foreign(ConsentRecord.application_id)", cascade="all, delete-orphan",
        passive_deletes=True, order_by="ConsentRecord.agreed_at")

    @property
    def company(self) -> str:
        """The company the application is tied to: the mentor's employer or the mentee's partner's employer."""
        return self.employer if self.role == Role.MENTOR else self.partner_employer

    @property
    def spoken(self) -> list[Language]:
        """The languages the person speaks, in the vocabulary's order."""
        return members(Language, self.languages)

    @property
    def slots(self) -> list[Availability]:
        """The weekly slots the person can meet in."""
        return members(Availability, self.availability)

    @property
    def danish(self) -> DanishLevel | None:
        """A mentee's Danish (None for a mentor)."""
        return DanishLevel.get(self.danish_level)

    @property
    def industry_field(self) -> Field | None:
        """A mentor's industry (None for a mentee)."""
        return Field.get(self.industry)

    @property
    def told(self) -> bool | None:
        """Whether the person has been told their current decision (None: there is nothing to tell)."""
        if self.status not in OUTCOMES:
            return None
        if self.status == ACCEPTED:
            return self.invited
        return self.notified_status == self.status


class CvDocument(TenantOwned, db.Model):
    """A mentee's CV (PDF), kept in the database so it is backed up, isolated and erased with the application."""

    __tablename__ = "cv_document"
    __personal__ = Personal(_l("CVs"), Purpose.RECRUITMENT, Basis.CONSENT, (Subject.APPLICANTS, Subject.MENTEES),
                            (Recipient.COORDINATORS, Recipient.MATCHED),
                            {"filename": CV, "sha256": CV, "content": CV}, Retention.UNCONFIRMED, CONFIRM_DAYS,
                            settings=(CitySetting.CV,),
                            erase=Erasure(Erase.DELETE, Whose.APPLICATION, ("application_id",)))
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "application_id"),
        tenant_fk("application_id", "application"),
        CheckConstraint("size > 0", name="size"),
    )
    __audited__ = True
    __audit_secret__ = ("content",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The name the file had on the applicant's machine, cleaned.
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    #: Deferred: lists never load the file.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    application: Mapped[Application] = relationship(
        back_populates="cv", primaryjoin="Application.id == foreign(CvDocument.application_id)")


class ConsentChannel(Vocabulary):
    """How a person gave their consent (the label reads after "given through")."""

    FORM = "form", _l("the public application form")
    PORTAL = "portal", _l("the portal")
    PAPER = "paper", _l("a paper form")
    EMAIL = "email", _l("e-mail")
    PHONE = "phone", _l("the phone")
    IN_PERSON = "in_person", _l("a meeting in person")
    COORDINATOR = "coordinator", _l("a coordinator, on the person's behalf")
    #: Imports made before the city's own channel was recorded.
    IMPORT = "import", _l("an import (how the city collected it was not recorded)")


CHANNELS = ConsentChannel.codes()
#: The channels a city collects consent through itself, outside the platform: what an import names.
CITY_CHANNELS = (ConsentChannel.PAPER, ConsentChannel.EMAIL, ConsentChannel.PHONE, ConsentChannel.IN_PERSON)


class ConsentRecord(TenantOwned, db.Model):
    """One consent a person gave, by e-mail address in the city: which text and notice version, when and how.

    A person has several over time: with each application, and again in the portal when the text or the city's
    privacy notice changes. The text itself is not copied: `version` names the platform's consent text (kept in
    consent.TEXTS) and the city's published notice version (kept as a row), so it can always be shown again.
    """

    __tablename__ = "consent_record"
    __personal__ = Personal(_l("Consents"), Purpose.RECRUITMENT, Basis.LEGAL_OBLIGATION,
                            (Subject.APPLICANTS, Subject.MENTEES, Subject.MENTORS), (Recipient.COORDINATORS,),
                            {"email": CONTACT, "version": PARTICIPATION, "locale": TECHNICAL,
                             "agreed_at": PARTICIPATION, "channel": PARTICIPATION},
                            # Once the person is erased there is nothing left that the consent was for.
                            erase=Erasure(Erase.DELETE, Whose.EMAIL, ("email",)))
    __tenant_table_args__ = (
        tenant_fk("application_id", "application"),
        Index(None, "tenant_id", "email", "agreed_at"),
        Index(None, "tenant_id", "application_id"),
        CheckConstraint(f"channel in {CHANNELS}", name="channel"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Lower-cased; the person's applications and account have the same address.
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    #: The application the consent came with (none for a re-consent in the portal); deleted with it.
    application_id: Mapped[int | None] = mapped_column(Integer)
    #: consent.key(): the platform text's version, and "/n" for the city's notice version n when it has one.
    version: Mapped[str] = mapped_column(String(20), nullable=False)
    #: The language the text was read in.
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="en")
    channel: Mapped[ConsentChannel] = mapped_column(VocabularyType(ConsentChannel, 12), nullable=False)
    #: When the person agreed; for a consent the city collected itself, the day it names (see `date_only`).
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: Only the day is known (an import names a date): pages show the day, not a time.
    date_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: When the platform recorded it (an import records consents the city collected earlier), and by whom.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<ConsentRecord {self.id} of city {self.tenant_id}: {self.version} by {self.channel}>"


#: Applications that count: confirmed by their applicant (public form) or filed confirmed (import, re-application).
CONFIRMED = Application.confirmed_at.is_not(None)
