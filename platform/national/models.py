"""The national rollups: per city and round aggregates, the only rows the national layer reads.

They hold counts, never a person: no names, no e-mails, no answers. They are not city-owned (no `tenant_id`, no
row-level security): the national pages read every city's aggregates and nothing else. A city's services keep them
up to date (tenants/evaluation/rollups.py) when answers, participations or rounds change; `flask rebuild-rollups`
makes them again from the cities' rows.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.tenancy import UTCDateTime, utcnow


class RoundRollup(db.Model):
    """A round of a city: its year and the people who took part in it, per role."""

    __tablename__ = "round_rollup"
    __not_personal__ = ("status",)
    __table_args__ = (Index(None, "year", "city_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False, index=True)
    #: The year the round starts in.
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The round's status code (planned, open, running, closed, followed_up, ...).
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    mentors: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    mentees: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class CriterionRollup(db.Model):
    """A success criterion for one role in one round of a city: yes, answered and eligible people."""

    __tablename__ = "criterion_rollup"
    __not_personal__ = ("code", "role")
    __table_args__ = (Index(None, "year", "code"), UniqueConstraint("cohort_id", "code", "role"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("round_rollup.cohort_id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    city_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    threshold: Mapped[float] = mapped_column(Numeric(5, 4), nullable=False)
    of_everyone: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    yes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    answered: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    eligible: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
