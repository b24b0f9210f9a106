"""Language and time zone selection (Danish and English)."""

from flask import has_request_context, request, session
from flask_login import current_user

from mentorby.platform.accounts.models import LOCALES

SESSION_KEY = "lang"


def select_locale() -> str:
    """The page language: an explicit choice, then the person's setting, then the browser's, then Danish."""
    if not has_request_context():
        return "da"
    chosen = session.get(SESSION_KEY)
    if chosen in LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return request.accept_languages.best_match(LOCALES) or "da"


def select_timezone() -> str:
    """Times are stored in UTC and shown in Copenhagen time."""
    return "Europe/Copenhagen"
