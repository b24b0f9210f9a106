"""Partner organisations of a city."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    CONTACT,
    ERASED_EMAIL,
    ERASED_NAME,
    IDENTITY,
    PROFESSIONAL,
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


class PartnerKind(Vocabulary):
    """What kind of organisation a partner is; only companies have company contacts."""

    COMPANY = "company", _l("Company")
    UNIVERSITY = "university", _l("University")
    LANGUAGE_SCHOOL = "language_school", _l("Language school")
    MUNICIPALITY = "municipality", _l("Municipality")
    OTHER = "other", _l("Other")


#: The codes of the kinds of partner.
KINDS = PartnerKind.codes()


class Partner(TenantOwned, db.Model):
    """An organisation that lends mentors or supports the city's programme."""

    __tablename__ = "partner"
    __not_personal__ = ("name", "website", "description")
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint(f"kind in {KINDS}", name="kind"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    #: company, university, language_school, municipality or other.
    kind: Mapped[PartnerKind] = mapped_column(VocabularyType(PartnerKind, 20), nullable=False)
    website: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: Whether the city's public front page lists the partner.
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    # Joins name only the id: tenant_id is shared by both rows (the composite foreign key guarantees it).
    contacts: Mapped[list["PartnerContact"]] = relationship(
        back_populates="partner", primaryjoin="Partner.id == foreign(PartnerContact.partner_id)",
        order_by="(PartnerContact.name, PartnerContact.id)", viewonly=True,
    )

    @property
    def is_company(self) -> bool:
        """Whether the partner is a company (whose contact persons may be invited as company contacts)."""
        return self.kind == PartnerKind.COMPANY


class PartnerContact(TenantOwned, db.Model):
    """A contact person at a partner organisation; at a company, invited as the city's company contact."""

    __tablename__ = "partner_contact"
    __personal__ = Personal(_l("Partner contacts"), Purpose.PARTNERS, Basis.PUBLIC_TASK, (Subject.CONTACTS,),
                            (Recipient.COORDINATORS,),
                            {"name": IDENTITY, "email": CONTACT, "phone": CONTACT, "job_title": PROFESSIONAL},
                            erase=Erasure(Erase.CLEAR, Whose.EMAIL, ("email",),
                                    blanks={"name": ERASED_NAME, "email": ERASED_EMAIL}))
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "partner_id", "email"),
        Index(None, "tenant_id", "email"),
        tenant_fk("partner_id", "partner"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    #: Lower-cased; the company contact's login when invited.
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    job_title: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    #: When the contact was invited as the city's company contact (None: not invited).
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    partner: Mapped[Partner] = relationship(
        back_populates="contacts", primaryjoin="Partner.id == foreign(PartnerContact.partner_id)", viewonly=True)
