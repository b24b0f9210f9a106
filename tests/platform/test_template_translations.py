"""Templates' `_()` reads the translations once per request and locale, and still follows force_locale."""

from flask import render_template_string
from flask_babel import force_locale, refresh

from mentorby.platform.i18n import SESSION_KEY


def test_a_template_follows_the_locale_in_force(app):
    template = "{{ _('My data') }}|{{ ngettext('%(num)d CV', '%(num)d CVs', 2) }}"
    with app.test_request_context("/"):
        from flask import session

        session[SESSION_KEY] = "da"
        assert render_template_string(template) == "Mine data|2 CV'er"
        with force_locale("en"):  # an e-mail in the recipient's language
            assert render_template_string(template) == "My data|2 CVs"
        assert render_template_string(template) == "Mine data|2 CV'er"
        session[SESSION_KEY] = "en"
        refresh()  # the person switched language during the request
        assert render_template_string(template) == "My data|2 CVs"
