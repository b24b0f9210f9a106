"""Users, memberships in cities, invitations and personal API tokens."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    ACCOUNT_HOLDERS,
    CONTACT,
    IDENTITY,
    TECHNICAL,
    Basis,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Recipient,
    Subject,
    Whose,
)
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType


class CityRole(Vocabulary):
    """A role a person holds in a city (the label fits inside a sentence: "invited as coordinator")."""

    COORDINATOR = "coordinator", _l("coordinator")
    MENTOR = "mentor", _l("mentor")
    MENTEE = "mentee", _l("mentee")
    COMPANY_CONTACT = "company_contact", _l("company contact")


class PlatformRole(Vocabulary):
    """A role on the platform itself, above the cities."""

    ADMIN = "admin", _l("platform admin")
    NATIONAL = "national", _l("national stakeholder")


COORDINATOR, MENTOR, MENTEE, COMPANY_CONTACT = CityRole
#: The codes of the roles a user can hold in a city.
CITY_ROLES = CityRole.codes()
PLATFORM_ADMIN, NATIONAL = PlatformRole
#: The codes of the roles on the platform itself.
PLATFORM_ROLES = PlatformRole.codes()
LOCALES = ("da", "en")


class User(UserMixin, db.Model):
    """A person with a login; their rights come from memberships and the platform role."""

    __tablename__ = "user_account"
    __personal__ = Personal(_l("Accounts"), Purpose.ACCOUNTS, Basis.CONSENT, ACCOUNT_HOLDERS,
                            (Recipient.COORDINATORS,), {
        "email": CONTACT, "name": IDENTITY, "password_hash": TECHNICAL, "locale": TECHNICAL,
        "last_login_at": TECHNICAL},
                            erase=Erasure(Erase.DELETE, Whose.USER, ("id",)))
    __table_args__ = (CheckConstraint("platform_role is null or platform_role in ('admin', 'national')", name="role"),)
    __audited__ = True
    __audit_secret__ = ("password_hash",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Lower-cased; the login name.
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    #: argon2id hash; None until the person accepts an invitation and chooses a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: The language the person chose for pages and e-mails.
    locale: Mapped[str | None] = mapped_column(String(5))
    #: "admin" or "national" for platform staff, None for everyone else.
    platform_role: Mapped[PlatformRole | None] = mapped_column(VocabularyType(PlatformRole, 20))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        """Flask-Login: a deactivated user cannot log in."""
        return self.active

    #: The random id of the sign-in this object was loaded for (platform/accounts/sessions.py); not stored.
    sign_in_token = None

    def get_id(self) -> str:
        """Flask-Login's session id: the random id of the person's current sign-in, which the server can end."""
        if not self.sign_in_token:
            raise RuntimeError("a person is signed in only through accounts.sessions.start")
        return self.sign_in_token

    @property
    def is_platform_admin(self) -> bool:
        """Whether the user operates the platform."""
        return self.platform_role == PLATFORM_ADMIN

    @property
    def is_national(self) -> bool:
        """Whether the user may see the national layer."""
        return self.platform_role in (NATIONAL, PLATFORM_ADMIN)

    @property
    def display_name(self) -> str:
        """The name, or the e-mail where no name is known."""
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User id={self.id}>"


class Membership(TenantOwned, db.Model):
    """A user's role in one city: a mentor of Aarhus has no rights in Lyngby."""

    __tablename__ = "membership"
    __tenant_table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "role"),
        CheckConstraint(f"role in {CITY_ROLES}", name="role"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    #: coordinator, mentor, mentee or company_contact.
    role: Mapped[CityRole] = mapped_column(VocabularyType(CityRole, 20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class Invitation(TenantOwned, db.Model):
    """An invitation to take a role in a city, sent as a signed, expiring, single-use link."""

    __tablename__ = "invitation"
    __personal__ = Personal(_l("Invitations to an account"), Purpose.ACCOUNTS, Basis.PUBLIC_TASK,
                            ACCOUNT_HOLDERS,
                            (Recipient.COORDINATORS, Recipient.MAIL), {"email": CONTACT, "name": IDENTITY},
                            erase=Erasure(Erase.DELETE, Whose.EMAIL, ("email",)))
    __tenant_table_args__ = (CheckConstraint(f"role in {CITY_ROLES}", name="role"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    #: The role the invitation gives: coordinator, mentor, mentee or company_contact.
    role: Mapped[CityRole] = mapped_column(VocabularyType(CityRole, 20), nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: Set when the link is used; a used link is refused.
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when a coordinator withdraws the invitation.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the link stops working. An accepted applicant's lasts until the round's kick-off; None (invitations
    #: made before this was recorded) means the configured INVITATION_MAX_AGE after `created_at`.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_open(self) -> bool:
        """Whether the link may still be used (expiry is checked on the signed token)."""
        return self.accepted_at is None and self.revoked_at is None


class ApiToken(TenantOwned, db.Model):
    """A coordinator's personal API token: hashed at rest, scoped to one city, revocable."""

    __tablename__ = "api_token"
    __personal__ = Personal(_l("API tokens"), Purpose.INTEGRATION, Basis.PUBLIC_TASK, (Subject.COORDINATORS,),
                            (Recipient.COORDINATORS,),
                            {"user_id": IDENTITY, "token_hash": TECHNICAL, "prefix": TECHNICAL},
                            erase=Erasure(Erase.DELETE, Whose.USER, ("user_id",)))
    __not_personal__ = ("name",)
    __audited__ = True
    __audit_secret__ = ("token_hash",)
    # Unique per city (Citus enforces unique keys only within a city's shard); the secret names no city, so a request
    # finds its token by the hash alone, through the plain index.
    __tenant_table_args__ = (UniqueConstraint("tenant_id", "token_hash"), Index(None, "token_hash"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    #: A label the owner chose ("Power BI export").
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    #: The first characters, so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
