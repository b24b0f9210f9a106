"""What matching keeps: the city's score weights, a round's speed-networking plan and ratings, and its matches."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    NOTES,
    OPINIONS,
    PARTICIPANTS,
    PARTICIPATION,
    PROFESSIONAL,
    Basis,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Recipient,
    Whose,
)
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, tenant_fk, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType
from mentorby.tenants.applications.models import Application


class MatchStatus(Vocabulary):
    """A pair's place in its life: proposed, published to both, then completed, ended early or replaced."""

    PROPOSED = "proposed", _l("proposed")
    PUBLISHED = "published", _l("published")
    COMPLETED = "completed", _l("completed")
    ENDED_EARLY = "ended_early", _l("ended early")
    REPLACED = "replaced", _l("replaced")


PROPOSED, PUBLISHED, COMPLETED, ENDED_EARLY, REPLACED = MatchStatus
MATCH_STATUSES = MatchStatus.codes()
#: Matches that are (or will be, once published) a working pair.
LIVE = (PROPOSED, PUBLISHED)
#: How a published pair may be closed (replaced is the work of a new mentor, not an ending chosen).
ENDINGS = (COMPLETED, ENDED_EARLY)


class Method(Vocabulary):
    """How the engine proposes pairs."""

    OPTIMAL = "optimal", _l("Best pairs overall (optimal)")
    STABLE = "stable", _l("Stable: no two would rather have each other")
    GROUPS = "groups", _l("Groups: 2 mentors with 3-4 mentees")


class Priority(Vocabulary):
    """What the optimal method puts first."""

    BEST_TOTAL = "best_total", _l("Best total score")
    EVERYONE_MATCHED = "everyone_matched", _l("Everyone matched first")


METHODS, PRIORITIES = Method.codes(), Priority.codes()


class EndedBy(Vocabulary):
    """Who ended a pair (the words are the roles' own)."""

    COORDINATOR = "coordinator", _l("coordinator")
    MENTOR = "mentor", _l("mentor")
    MENTEE = "mentee", _l("mentee")


class PairRuleKind(Vocabulary):
    """The coordinator's word on a pair: always together, or never."""

    PIN = "pin", _l("pinned")
    FORBID = "forbid", _l("forbidden")


PIN, FORBID = PairRuleKind


class ConflictPolicy(Vocabulary):
    """What the board does with a mentor from the company where the mentee's partner works."""

    FLAG = "flag", _l("Allow, but flag it")
    FORBID = "forbid", _l("Never propose it")


CONFLICT_POLICIES = ConflictPolicy.codes()


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
    conflict_policy: Mapped[ConflictPolicy] = mapped_column(VocabularyType(ConflictPolicy, 8), nullable=False,
                                                            default=ConflictPolicy.FLAG)


class NetworkingPlan(TenantOwned, db.Model):
    """A round's speed-networking rotation at the kick-off: who sits at which table in which turn."""

    __tablename__ = "networking_plan"
    __personal__ = Personal(_l("Speed-networking plans"), Purpose.PROGRAMME, Basis.CONSENT,
                            PARTICIPANTS, (Recipient.COORDINATORS,),
                            {"mentor_ids": PARTICIPATION, "mentee_ids": PARTICIPATION},
                            erase=Erasure(Erase.KEEP, Whose.APPLICATION, ("mentor_ids", "mentee_ids")))
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
    __personal__ = Personal(_l("Mentees' private ratings of their mentor"), Purpose.EVALUATION, Basis.CONSENT,
                            PARTICIPANTS, (Recipient.COORDINATORS,), {"value": OPINIONS},
                            erase=Erasure(Erase.KEEP, Whose.APPLICATION, ("rater_id", "rated_id")))
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
    __personal__ = Personal(_l("Matching runs"), Purpose.MATCHING, Basis.CONSENT, PARTICIPANTS,
                            (Recipient.COORDINATORS,), {"unmatched": PARTICIPATION},
                            erase=Erasure(Erase.KEEP, Whose.APPLICATION, ("unmatched",)))
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
    method: Mapped[Method] = mapped_column(VocabularyType(Method, 12), nullable=False)
    priority: Mapped[Priority] = mapped_column(VocabularyType(Priority, 20), nullable=False)
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
        CheckConstraint(f"kind in {PairRuleKind.codes()}", name="kind"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    mentor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    mentee_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: pin or forbid.
    kind: Mapped[PairRuleKind] = mapped_column(VocabularyType(PairRuleKind, 6), nullable=False)


class Match(TenantOwned, db.Model):
    """A mentor and a mentee of a round: proposed, published to both, and at the end completed or ended early.

    Rows are never reused: a change mid-round marks the old pair replaced (or ended early) and adds a new one, so
    the history of who mentored whom stays.
    """

    __tablename__ = "match"
    __personal__ = Personal(_l("Matches"), Purpose.MATCHING, Basis.CONSENT, PARTICIPANTS,
                            (Recipient.COORDINATORS, Recipient.MATCHED), {
        "mentor_id": PARTICIPATION, "mentee_id": PARTICIPATION, "reasons": PROFESSIONAL, "end_reason": NOTES},
                            erase=Erasure(Erase.CLEAR, Whose.APPLICATION, ("mentor_id", "mentee_id"),
                                    keep=("mentor_id", "mentee_id")))
    __tenant_table_args__ = (
        tenant_fk("cohort_id", "cohort"),
        tenant_fk("mentor_id", "application"),
        tenant_fk("mentee_id", "application"),
        tenant_fk("replaced_by_id", "match", ondelete=None),
        Index(None, "tenant_id", "cohort_id", "status"),
        Index(None, "tenant_id", "mentee_id"),
        Index(None, "tenant_id", "mentor_id"),
        CheckConstraint(f"status in {MATCH_STATUSES}", name="status"),
        CheckConstraint(f"ended_by is null or ended_by in {EndedBy.codes()}", name="ended_by"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    mentor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    mentee_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: Mentees of one mentoring group share a group number (group mentoring); None for a 1:1 pair.
    group_no: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[MatchStatus] = mapped_column(VocabularyType(MatchStatus, 12), nullable=False, default=PROPOSED)
    #: The compatibility score (0-100) when proposed, and its parts in plain words' keys: [[key, points, detail]].
    score: Mapped[float] = mapped_column(Numeric(6, 2), nullable=False, default=0)
    reasons: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: Set when the coordinator chose the pair by hand rather than taking the engine's proposal.
    manual: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who ended the pair (coordinator, mentor or mentee) and why, for completed, ended early or replaced.
    ended_by: Mapped[EndedBy | None] = mapped_column(VocabularyType(EndedBy, 12))
    end_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: The pair that took this one's place when the mentee got a new mentor.
    replaced_by_id: Mapped[int | None] = mapped_column(Integer)

    # Joins name only the id: tenant_id is shared by both rows (the composite foreign keys guarantee it), and
    # SQLAlchemy would otherwise see several relationships writing one tenant_id column. Application keeps no
    # relationship back: the applications area does not know about pairs.
    mentor: Mapped[Application] = relationship(primaryjoin="Application.id == foreign(Match.mentor_id)")
    mentee: Mapped[Application] = relationship(primaryjoin="Application.id == foreign(Match.mentee_id)")
    replaced_by: Mapped["Match | None"] = relationship(
        primaryjoin="remote(Match.id) == foreign(Match.replaced_by_id)")
