"""What matching keeps: the city's score weights, a round's speed-networking plan and ratings, and its matches."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, tenant_fk, utcnow

PROPOSED, PUBLISHED, COMPLETED, ENDED_EARLY, REPLACED = "proposed", "published", "completed", "ended_early", "replaced"
MATCH_STATUSES = (PROPOSED, PUBLISHED, COMPLETED, ENDED_EARLY, REPLACED)
#: Matches that are (or will be, once published) a working pair.
LIVE = (PROPOSED, PUBLISHED)
PRIORITIES = ("best_total", "everyone_matched")
METHODS = ("optimal", "stable", "groups")
CONFLICT_POLICIES = ("flag", "forbid")


class MatchingWeights(TenantOwned, db.Model):
    """The city's weights for the compatibility score (one row per city; the defaults until it sets its own)."""

    __tablename__ = "matching_weights"
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id"),
        CheckConstraint(f"conflict_policy in {CONFLICT_POLICIES}", name="conflict_policy"),
        CheckConstraint("field >= 0 and goal_expertise >= 0 and languages >= 0 and availability >= 0 "
                        "and preference >= 0", name="weights"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    field: Mapped[float] = mapped_column(Numeric(6, 2), nullable=False, default=20)
    goal_expertise: Mapped[float] = mapped_column(Numeric(6, 2), nullable=False, default=35)
    languages: Mapped[float] = mapped_column(Numeric(6, 2), nullable=False, default=15)
    availability: Mapped[float] = mapped_column(Numeric(6, 2), nullable=False, default=15)
    preference: Mapped[float] = mapped_column(Numeric(6, 2), nullable=False, default=15)
    #: A mentor from the company where the mentee's partner works: flagged on the board, or never proposed.
    conflict_policy: Mapped[str] = mapped_column(String(8), nullable=False, default="flag")


class NetworkingPlan(TenantOwned, db.Model):
    """A round's speed-networking rotation at the kick-off: who sits at which table in which turn."""

    __tablename__ = "networking_plan"
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "cohort_id"),
        tenant_fk("cohort_id", "cohort"),
        CheckConstraint("turns between 1 and 60 and minutes between 2 and 60", name="turns"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: How many turns of conversations, and minutes each.
    turns: Mapped[int] = mapped_column(Integer, nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    #: The accepted mentors' and mentees' application ids when the plan was made, in seating order, so the plan
    #: stays the same on every sheet even if someone joins or leaves later.
    mentor_ids: Mapped[list] = mapped_column(JSON, nullable=False)
    mentee_ids: Mapped[list] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Rating(TenantOwned, db.Model):
    """After speed networking: how much one participant would like to work with one they met (1-5)."""

    __tablename__ = "rating"
    __audited__ = True
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "rater_id", "rated_id"),
        tenant_fk("cohort_id", "cohort"),
        tenant_fk("rater_id", "application"),
        tenant_fk("rated_id", "application"),
        Index(None, "tenant_id", "cohort_id"),
        CheckConstraint("value between 1 and 5", name="value"),
        CheckConstraint("rater_id <> rated_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    rater_id: Mapped[int] = mapped_column(Integer, nullable=False)
    rated_id: Mapped[int] = mapped_column(Integer, nullable=False)
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class MatchingRun(TenantOwned, db.Model):
    """A round's matching choice and the run of the engine that made the proposal on its board (one row a round).

    A run either proposes pairs, replacing the engine's earlier proposal, or changes nothing (the board says why):
    so the proposed pairs on the board always come from the run described here.
    """

    __tablename__ = "matching_run"
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "cohort_id"),
        tenant_fk("cohort_id", "cohort"),
        CheckConstraint(f"method in {METHODS}", name="method"),
        CheckConstraint(f"priority in {PRIORITIES}", name="priority"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The round's chosen method (optimal, stable or groups) and priority (used by the optimal method).
    method: Mapped[str] = mapped_column(String(12), nullable=False)
    priority: Mapped[str] = mapped_column(String(20), nullable=False)
    #: When the engine proposed the pairs now on the board.
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: The mentees that run left without a mentor, each with the engine's reason: [[mentee id, reason key], ...].
    unmatched: Mapped[list] = mapped_column(JSON, nullable=False, default=list)


class NetworkingLink(TenantOwned, db.Model):
    """A participant's personal speed-networking link was e-mailed; reminders go only to people who got one."""

    __tablename__ = "networking_link"
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "cohort_id", "application_id"),
        tenant_fk("cohort_id", "cohort"),
        tenant_fk("application_id", "application"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    application_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: When the link was first sent, and when last (a reminder sends it again).
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class PairRule(TenantOwned, db.Model):
    """The coordinator's word on one pair of a round: always together (pin) or never (forbid)."""

    __tablename__ = "pair_rule"
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "mentor_id", "mentee_id"),
        tenant_fk("cohort_id", "cohort"),
        tenant_fk("mentor_id", "application"),
        tenant_fk("mentee_id", "application"),
        Index(None, "tenant_id", "cohort_id"),
        CheckConstraint("kind in ('pin', 'forbid')", name="kind"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    mentor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    mentee_id: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(6), nullable=False)


class Match(TenantOwned, db.Model):
    """A mentor and a mentee of a round: proposed, published to both, and at the end completed or ended early.

    Rows are never reused: a change mid-round marks the old pair replaced (or ended early) and adds a new one, so
    the history of who mentored whom stays.
    """

    __tablename__ = "match"
    __tenant_table_args__ = (
        tenant_fk("cohort_id", "cohort"),
        tenant_fk("mentor_id", "application"),
        tenant_fk("mentee_id", "application"),
        tenant_fk("replaced_by_id", "match", ondelete=None),
        Index(None, "tenant_id", "cohort_id", "status"),
        Index(None, "tenant_id", "mentee_id"),
        Index(None, "tenant_id", "mentor_id"),
        CheckConstraint(f"status in {MATCH_STATUSES}", name="status"),
        CheckConstraint("ended_by is null or ended_by in ('coordinator', 'mentor', 'mentee')", name="ended_by"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    mentor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    mentee_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: Mentees of one mentoring group share a group number (group mentoring); None for a 1:1 pair.
    group_no: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=PROPOSED)
    #: The compatibility score (0-100) when proposed, and its parts in plain words' keys: [[key, points, detail]].
    score: Mapped[float] = mapped_column(Numeric(6, 2), nullable=False, default=0)
    reasons: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: Set when the coordinator chose the pair by hand rather than taking the engine's proposal.
    manual: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who ended the pair (coordinator, mentor or mentee) and why, for completed, ended early or replaced.
    ended_by: Mapped[str | None] = mapped_column(String(12))
    end_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    replaced_by_id: Mapped[int | None] = mapped_column(Integer)
