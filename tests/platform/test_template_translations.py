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


def test_the_fast_gettext_escapes_and_formats_as_jinjas_own(app):
    with app.test_request_context("/"), force_locale("en"):
        # Variables are escaped in an HTML template, the text is not; "%%" is "%" with or without variables.
        assert render_template_string("{{ _('Select %(name)s', name='<b>') }}") == "Select &lt;b&gt;"
        assert render_template_string("{{ _('100%%') }}|{{ gettext('100%%') }}") == "100%|100%"
        assert render_template_string("{{ ngettext('%(num)d CV', '%(num)d CVs', 1) }}") == "1 CV"
        # A text template (an e-mail's body) does not escape.
        assert app.jinja_env.from_string("{% autoescape false %}{{ _('Select %(name)s', name='<b>') }}"
                                         "{% endautoescape %}").render() == "Select <b>"
        assert render_template_string("{% trans name='<i>' %}Select {{ name }}{% endtrans %}") == "Select &lt;i&gt;"


def test_every_vocabulary_label_reads_as_its_lazy_text_in_both_languages(app):
    from mentorby.platform.vocab import Vocabulary

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    vocabularies = [cls for cls in every(Vocabulary) if len(cls)]
    members = [member for cls in vocabularies for member in cls]
    assert len(vocabularies) > 20
    # Nearly every label is a plain _l("..."): read through the request's translations, not Flask-Babel's lookup.
    assert sum(member._msgid is not None for member in members) > 0.9 * len(members)
    with app.test_request_context("/"):
        for locale in ("da", "en"):
            with force_locale(locale):
                assert [member.label for member in members] == [str(member._label) for member in members]
        with force_locale("da"):
            from mentorby.tenants.cohorts.models import CohortStatus

            assert CohortStatus.RECRUITING.label == "Rekruttering"
