"""The adoption register's rows: organisations and cities told about the programme, their stages, the targets.

The register is the platform's, not a city's: no tenant_id. A city that signed up is linked by `city_id`.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import IDENTITY, NOTES, Basis, Personal, Purpose, Subject
from mentorby.platform.tenancy import UTCDateTime, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType


class Stage(Vocabulary):
    """How far an organisation has come towards running the programme (in this order)."""

    INFORMED = "informed", _l("Informed")
    INTERESTED = "interested", _l("Interested")
    IMPLEMENTING = "implementing", _l("Implementing")
    RUNNING = "running", _l("Running rounds")


class OrganisationKind(Vocabulary):
    """What kind of organisation was told about the programme."""

    CITY = "city", _l("City or municipality")
    ORGANISATION = "organisation", _l("Organisation")
    COMPANY = "company", _l("Company")
    AGENCY = "agency", _l("Public agency")


class Channel(Vocabulary):
    """How the organisation was told."""

    PRESENTATION = "presentation", _l("Presentation")
    MEETING = "meeting", _l("Meeting")
    NEWSLETTER = "newsletter", _l("Newsletter")
    PRESS = "press", _l("Press")
    VISIT = "visit", _l("Visit")
    SIGNUP = "signup", _l("Signed up on the platform")


class AdoptionContact(db.Model):
    """An organisation or city told about the programme: who, when, how, and where it stands now."""

    __tablename__ = "adoption_contact"
    __personal__ = Personal(_l("Dissemination register"), Purpose.PLATFORM, Basis.PUBLIC_TASK, (Subject.CONTACTS,), (),
                            {"name": IDENTITY, "notes": NOTES}, city=False)
    __not_personal__ = ("model_from",)
    __table_args__ = (CheckConstraint(f"stage in {Stage.codes()}", name="stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(160), nullable=False)
    kind: Mapped[OrganisationKind] = mapped_column(VocabularyType(OrganisationKind, 20), nullable=False)
    channel: Mapped[Channel] = mapped_column(VocabularyType(Channel, 20), nullable=False)
    informed_on: Mapped[date] = mapped_column(Date, nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    stage: Mapped[Stage] = mapped_column(VocabularyType(Stage, 20), nullable=False, default=Stage.INFORMED)
    #: The city whose programme model a city that signed up asked to copy (its slug), "" for the host's.
    model_from: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    #: The city on the platform this organisation became, once it signed up.
    city_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    changes: Mapped[list["StageChange"]] = relationship(
        back_populates="contact", order_by="StageChange.changed_on, StageChange.id", cascade="all, delete-orphan")


class StageChange(db.Model):
    """One step of an organisation's way: from one stage to another, on a date."""

    __tablename__ = "adoption_stage_change"
    __not_personal__ = ("note",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("adoption_contact.id", ondelete="CASCADE"), nullable=False,
                                            index=True)
    from_stage: Mapped[Stage | None] = mapped_column(VocabularyType(Stage, 20))
    to_stage: Mapped[Stage] = mapped_column(VocabularyType(Stage, 20), nullable=False)
    changed_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    #: Who recorded it; None when the platform did (a sign-up, a first round).
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")

    contact: Mapped[AdoptionContact] = relationship(back_populates="changes")


class AdoptionTarget(db.Model):
    """A dissemination target of the sources: at least `minimum` organisations reached `stage` by `due_on`."""

    __tablename__ = "adoption_target"
    __table_args__ = (CheckConstraint("minimum between 1 and 10000", name="minimum"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage: Mapped[Stage] = mapped_column(VocabularyType(Stage, 20), nullable=False)
    minimum: Mapped[int] = mapped_column(Integer, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
