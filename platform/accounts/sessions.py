"""Sign-ins the server can end: one record per sign-in, the browser holding only a random id.

A signed cookie alone cannot be revoked: it would still open pages after a logout, a password change or a
deactivation. Here the cookie's Flask-Login id is a random token; the server keeps its SHA-256 with the device and
times, and a request is signed in only while that record is open and recent.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    ACCOUNT_HOLDERS,
    TECHNICAL,
    Basis,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Whose,
)
from mentorby.platform.tenancy import UTCDateTime, utcnow

#: A sign-in ends after this long without a request (matches the cookie's lifetime) ...
IDLE = timedelta(hours=12)
#: ... and in any case this long after it began.
ABSOLUTE = timedelta(days=14)
#: Last-seen times are written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=5)
#: Why a sign-in ended (shown to nobody but kept for the person's own list and for support).
LOGOUT, PASSWORD, EVERYWHERE, REVOKED, DEACTIVATED = "logout", "password", "everywhere", "revoked", "deactivated"


class SignIn(db.Model):
    """One sign-in of a person on one device, open until they sign out or it is ended for them."""

    __tablename__ = "sign_in"
    __personal__ = Personal(_l("Sign-ins"), Purpose.ACCOUNTS, Basis.CONSENT,
                            ACCOUNT_HOLDERS, (),
                            {"token_hash": TECHNICAL, "user_agent": TECHNICAL, "last_seen_at": TECHNICAL},
                            erase=Erasure(Erase.DELETE, Whose.USER, ("user_id",)))
    __not_personal__ = ("end_reason",)
    __table_args__ = (Index(None, "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    #: SHA-256 of the random id in the person's cookie (the id itself is never stored).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    #: The browser's description of itself, shortened: for "your sessions" on the account page.
    user_agent: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: When and why it ended; None while open.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(20))

    def __repr__(self) -> str:
        return f"<SignIn id={self.id} user_id={self.user_id}>"

    @property
    def device(self) -> str:
        """A short name of the browser and system ("Firefox on Windows") from the user agent."""
        return describe_device(self.user_agent)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user, user_agent: str = "") -> str:
    """Open a sign-in for `user`; returns the random id for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(SignIn(user_id=user.id, token_hash=_digest(token), user_agent=(user_agent or "")[:200],
                       created_at=now, last_seen_at=now))
    user.last_login_at = now
    session.flush()
    return token


def find(session: Session, token: str, *, roles_of=None) -> tuple[SignIn, object, set[str]] | None:
    """The open, recent sign-in with this cookie id, its person and (with `roles_of`) their roles, else None.

    One statement per request: the person comes with the sign-in (the ORM keeps it, so loading them by id
    afterwards asks nothing), and `roles_of`, the request's city's Membership model, adds their roles in that city
    as rows of an outer join. The last-seen time is refreshed now and then.
    """
    from mentorby.platform.accounts.models import User

    if not token or len(token) > 100:
        return None
    query = select(SignIn, User).join(User, User.id == SignIn.user_id).where(SignIn.token_hash == _digest(token))
    if roles_of is not None:
        query = query.add_columns(roles_of.role).outerjoin(roles_of, roles_of.user_id == User.id)
    rows = session.execute(query).all()
    if not rows:
        return None
    sign_in, user = rows[0][0], rows[0][1]
    roles = {str(row[2]) for row in rows if row[2] is not None} if roles_of is not None else set()
    now = utcnow()
    if sign_in.ended_at is not None:
        return None
    if now - sign_in.last_seen_at > IDLE or now - sign_in.created_at > ABSOLUTE:
        end(session, sign_in, "expired")
        return None
    if now - sign_in.last_seen_at > TOUCH_EVERY:
        sign_in.last_seen_at = now
    return sign_in, user, roles


def unchanged_until(sign_in: SignIn) -> datetime:
    """Until when find() answers this open sign-in as it is now, writing nothing: then it touches or ends it."""
    return min(sign_in.last_seen_at + TOUCH_EVERY, sign_in.created_at + ABSOLUTE)


def end(session: Session, sign_in: SignIn, reason: str) -> None:
    """End one sign-in."""
    if sign_in.ended_at is None:
        sign_in.ended_at, sign_in.end_reason = utcnow(), reason
        session.flush()


def end_all(session: Session, user_id: int, reason: str, *, keep: SignIn | None = None) -> int:
    """End every open sign-in of a person (but `keep`); how many ended."""
    query = update(SignIn).where(SignIn.user_id == user_id, SignIn.ended_at.is_(None))
    if keep is not None:
        query = query.where(SignIn.id != keep.id)
    # (mentorby_person: whose sign-ins, for the boards given at once: platform/kept_pages.py)
    result = session.execute(query.values(ended_at=utcnow(), end_reason=reason).execution_options(
        synchronize_session="fetch", mentorby_person=user_id))
    return result.rowcount


def open_sign_ins(session: Session, user_id: int) -> list[SignIn]:
    """A person's open sign-ins, most recently used first (at most 50: old ones expire)."""
    oldest = utcnow() - ABSOLUTE
    return list(session.execute(
        select(SignIn).where(SignIn.user_id == user_id, SignIn.ended_at.is_(None), SignIn.created_at > oldest)
        .order_by(SignIn.last_seen_at.desc(), SignIn.id.desc()).limit(50)
    ).scalars())


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_device(user_agent: str) -> str:
    """The browser and system ("Chrome · Android"); the agent's first characters when neither is known."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or (user_agent[:40] or "?")
