"""The base of every web form: CSRF from Flask-WTF, and WTForms' own messages in the page's language.

WTForms ships no Danish catalogue, so its built-in messages ("This field is required.", "Not a valid date value.")
are listed here for extraction and translated in the project's own catalogue like every other text.
"""

from flask_babel import get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm


class _BabelTranslations:
    """WTForms' translation hook answered from the project's catalogue (Flask-Babel, the page's language)."""

    # WTForms fills in the placeholders itself: only look the texts up (Flask-Babel's ngettext would format them).
    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    """A form of this site: its validator messages follow the page's language."""

    class Meta:
        def get_translations(self, form):
            """WTForms' messages from the project's catalogue."""
            return _BabelTranslations()


#: WTForms' messages that the site's forms can show, so that extraction puts them in the catalogue.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Field must be equal to %(other_name)s."),
)
#: The same for WTForms' plural messages (never called: the lambdas only carry the texts to extraction).
WTFORMS_PLURAL_MESSAGES = (
    lambda n: ngettext("Field must be at least %(min)d character long.",
                       "Field must be at least %(min)d characters long.", n),
    lambda n: ngettext("Field cannot be longer than %(max)d character.",
                       "Field cannot be longer than %(max)d characters.", n),
    lambda n: ngettext("Field must be exactly %(max)d character long.",
                       "Field must be exactly %(max)d characters long.", n),
)
