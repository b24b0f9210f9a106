"""Signed, expiring, single-use links for invitations and password resets."""

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkError(Exception):
    """A link that is malformed, expired or already used; `reason` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"mentorby.{purpose}")


def fingerprint(value: str | None) -> str:
    """A short digest of state that changes once the link is used (makes the link single-use)."""
    return hashlib.sha256((value or "").encode()).hexdigest()[:16]


def make_link_token(purpose: str, payload: dict) -> str:
    """Sign `payload` for `purpose`."""
    return _serializer(purpose).dumps(payload)


def read_link_token(purpose: str, token: str, max_age: timedelta) -> dict:
    """Return the payload of a valid token, or raise LinkError("expired" | "invalid")."""
    try:
        payload = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise LinkError("expired") from exc
    except BadSignature as exc:
        raise LinkError("invalid") from exc
    if not isinstance(payload, dict):
        raise LinkError("invalid")
    return payload
