"""Partner organisations of a city."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, utcnow

KINDS = ("company", "university", "language_school", "municipality", "other")


class Partner(TenantOwned, db.Model):
    """An organisation that lends mentors or supports the city's programme."""

    __tablename__ = "partner"
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint(f"kind in {KINDS}", name="kind"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    #: company, university, language_school, municipality or other.
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    website: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: Whether the city's public front page lists the partner.
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
