"""A city's privacy notice: what the city fills in (a draft it edits) and every version it published."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, utcnow

#: The retention periods a city sets: (default, least, most) days. The least keeps a round's selection and
#: follow-up possible; the most is ten years.
PERIODS = {
    "never_accepted_days": (180, 30, 3650),
    "cv_days": (365, 30, 3650),
    "after_followup_days": (365, 30, 3650),
}
#: What the city fills in; a published version keeps a copy of each.
FILLED = ("controller_name", "controller_address", "contact_email", "dpo_contact", "extra_da", "extra_en",
          *PERIODS)
#: The organisation's details on the notice: the controller's and the data-protection officer's official contact
#: points, published to everyone (a function address, not a person's private one).
_NOT_PERSONAL = ("controller_name", "controller_address", "contact_email", "dpo_contact", "extra_da", "extra_en")


def _period_checks() -> tuple:
    return tuple(CheckConstraint(f"{name} between {low} and {high}", name=name.removesuffix("_days"))
                 for name, (_default, low, high) in PERIODS.items())


class _Filled:
    """The columns a city fills in, shared by the draft and each published version."""

    #: The data controller: the municipality, as it names itself.
    controller_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    controller_address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    #: Where people write about their data.
    contact_email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    #: How to reach the data-protection officer (DPO): a name or function, an address, a phone number.
    dpo_contact: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    #: A paragraph of the city's own, in Danish and in English (optional).
    extra_da: Mapped[str] = mapped_column(Text, nullable=False, default="")
    extra_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: Days the applications of people never accepted are kept after their round ended.
    never_accepted_days: Mapped[int] = mapped_column(Integer, nullable=False,
                                                     default=PERIODS["never_accepted_days"][0])
    #: Days CVs are kept after their round ended.
    cv_days: Mapped[int] = mapped_column(Integer, nullable=False, default=PERIODS["cv_days"][0])
    #: Days participants' personal data is kept after their round's follow-up.
    after_followup_days: Mapped[int] = mapped_column(Integer, nullable=False,
                                                     default=PERIODS["after_followup_days"][0])

    def filled(self) -> dict:
        """The filled-in values, as a dict."""
        return {name: getattr(self, name) for name in FILLED}


class PrivacyNotice(_Filled, TenantOwned, db.Model):
    """What the city fills in for its privacy notice, as it edits it; people read only what it published."""

    __tablename__ = "privacy_notice"
    __not_personal__ = _NOT_PERSONAL
    __tenant_table_args__ = (UniqueConstraint("tenant_id"), *_period_checks())
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<PrivacyNotice {self.id} of city {self.tenant_id}>"


class NoticeVersion(_Filled, TenantOwned, db.Model):
    """A published version of the city's privacy notice, kept as it was: people's consents name it."""

    __tablename__ = "privacy_notice_version"
    __not_personal__ = _NOT_PERSONAL
    __tenant_table_args__ = (UniqueConstraint("tenant_id", "version"), Index(None, "tenant_id", "published_at"),
                             CheckConstraint("version >= 1", name="version"), *_period_checks())
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: 1, 2, 3… in the order published.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<NoticeVersion {self.id} of city {self.tenant_id}: version {self.version}>"
