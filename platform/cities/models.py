"""The city (tenant) model."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import CONTACT, IDENTITY, Basis, Personal, Purpose, Subject
from mentorby.platform.tenancy import UTCDateTime, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType


class CityStatus(Vocabulary):
    """Where a city stands on the platform (the admin's tabs, in this order); the label fits inside a sentence."""

    PENDING = "pending", _l("waiting for approval")
    ACTIVE = "active", _l("active")
    SUSPENDED = "suspended", _l("suspended")
    REJECTED = "rejected", _l("rejected")


PENDING, ACTIVE, SUSPENDED, REJECTED = CityStatus
#: The codes of a city's statuses.
CITY_STATUSES = CityStatus.codes()


class Region(Vocabulary):
    """Denmark's five regions: where a city is, for the national figures' region filter."""

    HOVEDSTADEN = "hovedstaden", _l("Capital Region of Denmark")
    SJAELLAND = "sjaelland", _l("Region Zealand")
    SYDDANMARK = "syddanmark", _l("Region of Southern Denmark")
    MIDTJYLLAND = "midtjylland", _l("Central Denmark Region")
    NORDJYLLAND = "nordjylland", _l("North Denmark Region")


class Tenant(db.Model):
    """A city running the programme; `Tenant` in code where it is about tenancy itself."""

    __tablename__ = "tenant"
    __personal__ = Personal(_l("Cities' sign-up and contacts"), Purpose.PLATFORM, Basis.PUBLIC_TASK,
                            (Subject.COORDINATORS,), (), {
        "contact_name": IDENTITY, "contact_email": CONTACT, "public_email": CONTACT, "public_phone": CONTACT,
    }, city=False)
    __not_personal__ = ("slug", "name", "municipality", "motivation", "intro_da", "intro_en", "timezone",
                        "public_stamp")
    __table_args__ = (CheckConstraint(f"status in {CITY_STATUSES}", name="status"),
                      CheckConstraint(f"region in {Region.codes()}", name="region"))
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The path segment of the city's pages: /<slug>/.
    slug: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    #: The programme's name as the city uses it, e.g. "Lyngby-Taarbæk Vidensby".
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    #: The municipality the city belongs to.
    municipality: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    #: The region the city is in (None for a city that signed up before regions were asked).
    region: Mapped[Region | None] = mapped_column(VocabularyType(Region, 20))
    #: pending → active (approved) or rejected; active ⇄ suspended.
    status: Mapped[CityStatus] = mapped_column(VocabularyType(CityStatus, 20), nullable=False, default=PENDING)
    #: The host city's programme is the model new cities copy.
    is_host: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Who signed the city up: the platform writes to them; never shown to the public (it is a person's address).
    contact_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    contact_email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    #: The programme's own address and phone for the public (a shared mailbox, not a person's), set by coordinators.
    public_email: Mapped[str] = mapped_column(String(254), nullable=False, default="", server_default="")
    public_phone: Mapped[str] = mapped_column(String(40), nullable=False, default="", server_default="")
    #: Why the city wants to run the programme (from the sign-up form).
    motivation: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: The front page's introduction, per language.
    intro_da: Mapped[str] = mapped_column(Text, nullable=False, default="")
    intro_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: The IANA time zone the city's dates and times are counted and shown in.
    timezone: Mapped[str] = mapped_column(String(40), nullable=False, default="Europe/Copenhagen",
                                          server_default="Europe/Copenhagen")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A new random number at each commit that changed what the public page lists (joint events, public partners,
    #: rounds): web workers keep that part of the page rendered under it (tenants/public_page.py). Written by a plain
    #: UPDATE at commit, not through the model, so it is neither audited nor shown as a change of the city.
    public_stamp: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")

    @property
    def is_active(self) -> bool:
        """Whether the city's pages are open."""
        return self.status == ACTIVE

    def intro(self, locale: str) -> str:
        """The front page introduction in `locale`, falling back to the other language."""
        first, second = (self.intro_da, self.intro_en) if locale == "da" else (self.intro_en, self.intro_da)
        return first or second

    def __repr__(self) -> str:
        return f"<Tenant id={self.id} slug={self.slug} status={self.status}>"
