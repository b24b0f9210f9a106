"""Account rules: sign-in, invitations, password resets, memberships and API tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform.accounts.models import CITY_ROLES, COORDINATOR, ApiToken, CityRole, Invitation, Membership, User
from mentorby.platform.accounts.passwords import hash_password, needs_rehash, verify_password
from mentorby.platform.accounts.schemas import AccountSchema, ApiTokenSchema, InvitationSchema
from mentorby.platform.accounts.tokens import LinkError, fingerprint, make_link_token, read_link_token
from mentorby.platform.cities.models import ACTIVE, Tenant
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import cross_tenant, set_session_tenant, utcnow

INVITE, RESET = "invite", "reset"
TOKEN_PREFIX = "mby_"
ACCOUNT, INVITATION, API_TOKEN = AccountSchema(), InvitationSchema(), ApiTokenSchema()
#: A person's own tokens are listed without paging; nobody needs more than this many for one city.
MAX_TOKENS_SHOWN = 50
#: The open invitations the team page lists.
MAX_INVITATIONS_SHOWN = 50


#: Where a reset link and an invitation lead (the auth blueprint serves them at these paths); links are built here,
#: where a worker with no request to ask for a URL may build them too.
RESET_PATH = "/password/reset/{token}"
INVITATION_PATH = "/invite/{token}"


class AccountError(RuleError):
    """A rule of the account area was broken."""

    area = "accounts"


def normalise_email(email: str) -> str:
    """E-mail addresses are compared lower-cased and trimmed."""
    return (email or "").strip().lower()


def find_user(session: Session, email: str) -> User | None:
    """The user with this e-mail, or None."""
    return session.execute(select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def create_user(session: Session, *, email: str, name: str = "", password: str | None = None, **extra) -> User:
    """Create a user; e-mails are unique."""
    email = normalise_email(email)
    if find_user(session, email) is not None:
        raise AccountError("email_taken", "email")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password) if password else None, **extra)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None; upgrades old hashes on the way."""
    user = find_user(session, email)
    # verify_password spends a hash's time even for an unknown address, so timing reveals nothing.
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def check_account(values: dict) -> dict:
    """What a person changes of their own account, as the schema takes it (every wrong field at once)."""
    return load(ACCOUNT, values, AccountError)


def update_account(session: Session, user: User, values: dict) -> User:
    """Change a person's own name and language."""
    for key, value in check_account(values).items():
        setattr(user, key, value)
    session.flush()
    return user


def roles_in_city(session: Session, user_id: int) -> set[str]:
    """The user's roles in the session's city (memberships are filtered to it)."""
    return set(session.execute(select(Membership.role).where(Membership.user_id == user_id)).scalars())


def memberships_of(session: Session, user_id: int) -> list[tuple[Tenant, str]]:
    """Every (active city, role) of a user, for the account page: the one place a person sees all their cities."""
    with cross_tenant(session):
        rows = session.execute(
            select(Tenant, Membership.role)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Membership.user_id == user_id, Tenant.status == ACTIVE)
            .order_by(Tenant.name, Membership.role)
        ).all()
    return [(tenant, role) for tenant, role in rows]


def grant_role(session: Session, user: User, role: str) -> Membership:
    """Give `user` a role in the session's city (idempotent)."""
    if role not in CITY_ROLES:
        raise AccountError("bad_role", "role")
    existing = session.execute(
        select(Membership).where(Membership.user_id == user.id, Membership.role == role)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    membership = Membership(user_id=user.id, role=role)
    session.add(membership)
    session.flush()
    return membership


_mail = queue_template_mail


def _locale_for(user: User | None) -> str:
    if user is not None and user.locale:
        return user.locale
    return str(get_locale() or "da")


#: The longest a signed invitation link can be read at all; each invitation's own `expires_at` decides within it.
LINK_MAX_AGE = timedelta(days=400)


def invitation_expiry(invitation: Invitation) -> datetime:
    """When an invitation's link stops working."""
    if invitation.expires_at is not None:
        return invitation.expires_at
    return invitation.created_at + current_app.config["INVITATION_MAX_AGE"]


def check_invitation(values: dict) -> dict:
    """An invitation's name and address as the schema takes them (every wrong field at once)."""
    return load(INVITATION, values, AccountError)


def invite_coordinator(session: Session, tenant: Tenant, values: dict, *, invited_by: User | None) -> Invitation:
    """Invite a colleague as a coordinator of the session's city (the team page)."""
    clean = check_invitation(values)
    return invite(session, tenant, email=clean["email"], name=clean["name"], role=COORDINATOR, invited_by=invited_by)


def revoke_invitation(invitation: Invitation) -> Invitation:
    """Withdraw an invitation; its link stops working (an accepted or withdrawn one stays as it is)."""
    if invitation.is_open:
        invitation.revoked_at = utcnow()
    return invitation


def members(role: CityRole):
    """The people with a role in the session's city, by name: a select for paging."""
    return (select(Membership).join(User, User.id == Membership.user_id).where(Membership.role == role)
            .order_by(User.name, Membership.id))


def open_invitations(session: Session, role: CityRole) -> list[Invitation]:
    """Invitations to a role in the session's city not yet accepted or withdrawn, newest first (a bounded list)."""
    return list(session.execute(
        select(Invitation).where(Invitation.role == role, Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(MAX_INVITATIONS_SHOWN)
    ).scalars())


def team_size_of(role: CityRole):
    """An SQL expression: how many people have a role in the session's city or are invited to it."""
    holding = select(func.count()).select_from(Membership).where(Membership.role == role).scalar_subquery()
    invited = (select(func.count()).select_from(Invitation)
               .where(Invitation.role == role, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
               .scalar_subquery())
    return holding + invited


def team_size(session: Session, role: CityRole) -> int:
    """How many people have a role in the session's city or are invited to it (one statement)."""
    return session.execute(select(team_size_of(role))).scalar_one()


def invitation_mail(tenant: Tenant, *, name: str, role: str, link: str, expires_at: datetime,
                    accepted_to: str = "") -> dict:
    """What the invitation e-mail (mail/invitation) is rendered with; the preview of a notification uses it too."""
    return {"link": link, "accepted_to": accepted_to, "city": tenant, "role": role, "name": name,
            "until": expires_at}


def invite(
    session: Session, tenant: Tenant, *, email: str, name: str, role: str, invited_by: User | None,
    locale: str | None = None, accepted_to: str = "", expires_at: datetime | None = None,
) -> Invitation:
    """Invite someone to take `role` in the session's city; the link goes out by e-mail.

    `locale` is the language of the mail when the person has no account yet (an applicant's language);
    `accepted_to` names the round whose accepted application the invitation follows; `expires_at` is when the
    link stops working (by default INVITATION_MAX_AGE from now).
    """
    if role not in CITY_ROLES:
        raise AccountError("bad_role", "role")
    email = normalise_email(email)
    existing = find_user(session, email)
    if existing is not None and role in roles_in_city(session, existing.id):
        raise AccountError("already_member", "email")
    open_invitation = session.execute(
        select(Invitation).where(
            func.lower(Invitation.email) == email,
            Invitation.role == role,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ).scalar_one_or_none()
    if open_invitation is not None:
        # A second invitation replaces the first, so only the newest link works.
        open_invitation.revoked_at = utcnow()
    invitation = Invitation(
        email=email, name=name.strip(), role=role, invited_by_id=invited_by.id if invited_by else None,
        expires_at=expires_at or utcnow() + current_app.config["INVITATION_MAX_AGE"],
    )
    session.add(invitation)
    session.flush()
    token = make_link_token(INVITE, {"t": tenant.id, "i": invitation.id})
    link = current_app.config["BASE_URL"].rstrip("/") + INVITATION_PATH.format(token=token)
    _mail(
        session,
        to=email,
        kind="invitation",
        template="invitation",
        tenant_id=tenant.id,
        locale=_locale_for(existing) if existing is not None or locale is None else locale,
        **invitation_mail(tenant, name=name, role=role, link=link, expires_at=invitation.expires_at,
                          accepted_to=accepted_to),
    )
    return invitation


def load_invitation(session: Session, token: str) -> tuple[Tenant, Invitation]:
    """The city and the open invitation behind a link; sets the session's city to it."""
    payload = read_link_token(INVITE, token, LINK_MAX_AGE)
    tenant = session.get(Tenant, payload.get("t"))
    if tenant is None or tenant.status != ACTIVE:
        raise LinkError("invalid")
    set_session_tenant(session, tenant.id)
    invitation = session.execute(select(Invitation).where(Invitation.id == payload.get("i"))).scalar_one_or_none()
    if invitation is None:
        raise LinkError("invalid")
    if not invitation.is_open:
        raise LinkError("used")
    if invitation_expiry(invitation) <= utcnow():
        raise LinkError("expired")
    return tenant, invitation


def accept_invitation(
    session: Session, invitation: Invitation, *, name: str, password: str | None, user: User | None
) -> User:
    """Turn an invitation into a membership, creating the account or confirming an existing one."""
    existing = find_user(session, invitation.email)
    if existing is not None:
        if user is None or user.id != existing.id:
            if existing.password_hash:
                if not password or not verify_password(existing.password_hash, password):
                    raise AccountError("wrong_password", "password")
            else:
                existing.password_hash = hash_password(password)
        if name and not existing.name:
            existing.name = name.strip()
        account = existing
    else:
        if user is not None:
            # Signed in as someone else: the link was sent to another address.
            raise AccountError("other_account", None)
        account = create_user(session, email=invitation.email, name=name or invitation.name, password=password)
    grant_role(session, account, invitation.role)
    invitation.accepted_at = utcnow()
    return account



def request_password_reset(session: Session, email: str) -> None:
    """Hand the reset mail to the task queue, whether or not the address has an account.

    The request does the same work either way (one task queued after commit), so its answer time does not tell
    which addresses have accounts; the worker finds out and sends the link, or nothing.
    """
    from mentorby.platform.outbox.services import queue_task
    from mentorby.platform.tasks import send_password_reset

    queue_task(session, send_password_reset, normalise_email(email), str(get_locale() or "da"))


def mail_password_reset(session: Session, email: str, locale: str) -> bool:
    """Queue the reset link for an active account with this address (in its language); whether one was sent."""
    user = find_user(session, email)
    if user is None or not user.active:
        return False
    token = make_link_token(RESET, {"u": user.id, "f": fingerprint(user.password_hash)})
    link = current_app.config["BASE_URL"].rstrip("/") + RESET_PATH.format(token=token)
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60)
    _mail(session, to=user.email, kind="password_reset", template="password_reset", tenant_id=None,
          locale=user.locale or locale, link=link, minutes=minutes)
    return True


def user_for_reset(session: Session, token: str) -> User:
    """The user a reset link is for; a link stops working once the password changed (single use)."""
    payload = read_link_token(RESET, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = session.get(User, payload.get("u"))
    if user is None or not user.active:
        raise LinkError("invalid")
    if payload.get("f") != fingerprint(user.password_hash):
        raise LinkError("used")
    return user


def set_password(user: User, password: str) -> None:
    """Store a new password hash."""
    user.password_hash = hash_password(password)


def change_password(user: User, current: str, password: str) -> None:
    """Store a new password for a person who proved the current one."""
    if not verify_password(user.password_hash, current):
        raise AccountError("current_password_wrong", "current")
    set_password(user, password)


# --- API tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewToken:
    """A freshly made token: `secret` is shown once and never stored."""

    token: ApiToken
    secret: str


def _digest(secret: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(secret.encode()).hexdigest()


def check_api_token(values: dict) -> dict:
    """A new token's label as the schema takes it."""
    return load(API_TOKEN, values, AccountError)


def create_api_token(session: Session, user: User, name: str) -> NewToken:
    """Make a token for `user`, scoped to the session's city."""
    clean = check_api_token({"name": name})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=clean["name"], token_hash=_digest(secret), prefix=secret[:10])
    session.add(token)
    session.flush()
    return NewToken(token, secret)


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """A person's own tokens for the session's city, newest first (a bounded list)."""
    return list(session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(MAX_TOKENS_SHOWN)
    ).scalars())


def revoke_api_token(token: ApiToken, *, by: User | None = None) -> None:
    """Revoke a token; it stops working at once. Only its owner revokes it from the pages (`by`)."""
    if by is not None and token.user_id != by.id:
        raise AccountError("not_own_token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def authenticate_api_token(session: Session, secret: str) -> ApiToken | None:
    """The live token with this secret, whatever its city (the caller checks the city), or None."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    with cross_tenant(session):
        token = session.execute(select(ApiToken).where(ApiToken.token_hash == _digest(secret))).scalar_one_or_none()
        if token is None or token.revoked_at is not None or not token.user.active:
            return None
        tenant = session.get(Tenant, token.tenant_id)
        if tenant is None or tenant.status != ACTIVE:
            return None
        token.last_used_at = utcnow()
    return token
