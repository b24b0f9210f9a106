"""Language and time zone selection (Danish and English)."""

from datetime import date, datetime, time
from functools import lru_cache

from flask import has_request_context, request, session
from flask_login import current_user

from mentorby.platform.accounts.models import LOCALES
from mentorby.platform.translations import translations_in_force

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
    """Times are stored in UTC and shown in the request's city's time zone (Copenhagen outside a city)."""
    from mentorby.platform import clock

    return clock.zone().key


#: One written form of dates and times per language ("2. feb. 2027" and "2 Feb 2027"; 24-hour clock in both),
#: never the locale's numeric short form ("2/11/27") or ISO. "long" writes the month out, "full" adds the weekday.
PATTERNS = {
    "da": {"date": "d. MMM y", "long": "d. MMMM y", "full": "EEEE 'den' d. MMMM y", "time": "HH.mm",
           "at": "{date} kl. {time}"},
    "en": {"date": "d MMM y", "long": "d MMMM y", "full": "EEEE d MMMM y", "time": "HH:mm", "at": "{date}, {time}"},
}
#: Flask-Babel's format names, as the templates use them, mapped to ours.
_KINDS = {"short": "date", "medium": "date", "long": "long", "full": "full"}


def _language() -> str:
    from flask_babel import get_locale

    language = str(get_locale() or "da")
    return language if language in PATTERNS else "da"


def _patterns() -> dict:
    return PATTERNS[_language()]


@lru_cache(maxsize=8192)
def _written_day(day: date, pattern: str, language: str) -> str:
    # The same few hundred days fill every list (a board formats one a row); Babel takes about 25 µs a date.
    from babel.dates import format_date

    return format_date(day, pattern, locale=language)


def format_day(value: date | datetime | None, kind: str = "medium") -> str:
    """A date (or a datetime's day in the city's time zone) written out in the page's language."""
    from flask_babel import to_user_timezone

    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    language = _language()
    return _written_day(value, PATTERNS[language][_KINDS.get(kind, kind)], language)


def format_clock(value: datetime | time | None, kind: str = "short") -> str:
    """A time of day to the minute, in the city's time zone."""
    from flask_babel import format_time, to_user_timezone

    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value)
    return format_time(value, _patterns()["time"], rebase=False)


def format_moment(value: datetime | None, kind: str = "medium") -> str:
    """A date and its time to the minute, in the city's time zone ("2. feb. 2027 kl. 17.00")."""
    if value is None:
        return ""
    return _patterns()["at"].format(date=format_day(value, kind), time=format_clock(value))


def format_value(value):
    """A message parameter as a reader should see it: dates and times written out, everything else as it is."""
    if isinstance(value, datetime):
        return format_moment(value)
    if isinstance(value, date):
        return format_day(value)
    return value


def install_template_gettext(app) -> None:
    """Templates' `_()`, `ngettext()` and friends through the per-request translations (after Babel's init_app).

    `_`, `gettext` and `ngettext` are then replaced by functions that do what Jinja's "new style" ones do (the
    text marked safe where the template escapes, then always formatted with its variables, so `%%` is `%`) in one
    call instead of three: Jinja's `_` resolves `gettext`, which calls the translation function, each through the
    template context. A board with a picker per mentee calls them about a thousand times.
    """
    from jinja2 import pass_eval_context
    from markupsafe import Markup

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations_in_force().ugettext(s),
        ngettext=lambda s, p, n: translations_in_force().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations_in_force().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations_in_force().unpgettext(c, s, p, n),
    )

    @pass_eval_context
    def gettext(eval_context, string, /, **variables):
        text = translations_in_force().ugettext(string)
        if not variables and "%" not in text:
            # What formatting would give, without markupsafe's escaping formatter: most of a page's texts.
            return Markup(text) if eval_context.autoescape else text
        return (Markup(text) if eval_context.autoescape else text) % variables

    @pass_eval_context
    def ngettext(eval_context, singular, plural, num, /, **variables):
        variables.setdefault("num", num)
        text = translations_in_force().ungettext(singular, plural, num)
        return (Markup(text) if eval_context.autoescape else text) % variables

    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
