"""Personal links: tokens that open one row (a survey response, an RSVP, a calendar feed) without a sign-in.

A token is an HMAC, under the server's secret, of the purpose, the city and a random nonce stored on the row. The
database keeps only the nonce and the token's SHA-256, so a copy of it opens nobody's page; the server can make the
same link again (a reminder) from the nonce; and a token is bound to its city and purpose.
"""

import base64
import hashlib
import hmac
import secrets

from flask import current_app


def new_nonce() -> str:
    """A fresh random nonce for a row's link."""
    return secrets.token_hex(16)


def link_token(purpose: str, tenant_id: int, nonce: str) -> str:
    """The token of a row's link (the same every time it is asked for)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, f"{purpose}:{tenant_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    """What is stored to find a row from its token."""
    return hashlib.sha256(token.encode()).hexdigest()
