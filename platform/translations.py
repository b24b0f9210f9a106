"""The translations in force, read once per request and locale: what templates' `_()` and vocabulary labels use.

A module of its own, importing nothing of the platform, so the vocabularies (which the models import) can call it
on every label without an import inside the call.
"""

from flask.globals import _cv_app
from flask_babel import _get_current_context, get_locale, get_translations


def translations_in_force():
    """The translations in force, looked up once per request and locale rather than on every `_()` of a template.

    Flask-Babel finds them anew on each call (its context, the locale, the locale's name, a dict); a full selection
    board calls `_()` and labels some 600 times. The cache is keyed on the locale object in force: `force_locale`
    (e-mails in the recipient's language) and `refresh` put another one in place, and so get their own translations.

    Flask-Babel keeps its context on `g`; reaching `g` through its proxy costs three proxy lookups a call, so the app
    context is read from Flask's context variable directly (what the proxy itself does), and Flask-Babel's own
    function only makes the context on the first call of a request.
    """
    app_context = _cv_app.get(None)
    context = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    if context is None:
        context = _get_current_context()
        if context is None:
            return get_translations()
    state = context.__dict__
    locale = state.get("babel_locale") or get_locale()
    cached = state.get("mentorby_translations")
    if cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    context.mentorby_translations = (locale, translations)
    return translations
