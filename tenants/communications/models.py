"""What the communications area keeps: the announcements a coordinator sent."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, tenant_fk, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType


class Audience(Vocabulary):
    """Who an announcement goes to."""

    ROUND = "round", _l("everyone taking part in the round")
    MENTORS = "mentors", _l("the round's mentors")
    MENTEES = "mentees", _l("the round's mentees")
    POOL = "pool", _l("the whole mentor pool")


#: Audiences within one round (the pool is the city's).
ROUND_AUDIENCES = (Audience.ROUND, Audience.MENTORS, Audience.MENTEES)


class Announcement(TenantOwned, db.Model):
    """An e-mail from a coordinator to a round (or one side of it) or to the mentor pool, in both languages."""

    __tablename__ = "announcement"
    __not_personal__ = ("subject_da", "body_da", "subject_en", "body_en")
    __audited__ = True
    __tenant_table_args__ = (
        tenant_fk("cohort_id", "cohort"),
        CheckConstraint(f"audience in {Audience.codes()}", name="audience"),
        CheckConstraint("(audience = 'pool') = (cohort_id is null)", name="round_or_pool"),
        Index(None, "tenant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The round it went to; None for the mentor pool.
    cohort_id: Mapped[int | None] = mapped_column(Integer)
    audience: Mapped[Audience] = mapped_column(VocabularyType(Audience, 10), nullable=False)
    subject_da: Mapped[str] = mapped_column(String(200), nullable=False)
    body_da: Mapped[str] = mapped_column(Text, nullable=False)
    subject_en: Mapped[str] = mapped_column(String(200), nullable=False)
    body_en: Mapped[str] = mapped_column(Text, nullable=False)
    #: How many people it went to (one e-mail each).
    recipients: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<Announcement id={self.id} tenant_id={self.tenant_id} audience={self.audience}>"
