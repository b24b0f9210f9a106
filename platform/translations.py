"""The translations in force, read once per request and locale: what templates' `_()` and vocabulary labels use.

A module of its own, importing nothing of the platform, so the vocabularies (which the models import) can call it
on every label without an import inside the call.
"""

from flask_babel import _get_current_context, get_locale, get_translations


def translations_in_force():
    """The translations in force, looked up once per request and locale rather than on every `_()` of a template.

    Flask-Babel finds them anew on each call (its context, the locale, the locale's name, a dict); a full selection
    board calls `_()` some 350 times. The cache is keyed on the locale object in force: `force_locale` (e-mails in the
    recipient's language) and `refresh` put another one in place, and so get their own translations.
    """
    context = _get_current_context()
    if context is None:
        return get_translations()
    locale = getattr(context, "babel_locale", None) or get_locale()
    cached = getattr(context, "mentorby_translations", None)
    if cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    context.mentorby_translations = (locale, translations)
    return translations
