"""Every form, sent empty and with bad values, answers in Danish: no English text, no raw dates, every label set."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from wtforms import Field, HiddenField

from tests.platform.test_isolation import _fill, _requests, victim  # noqa: F401 (victim is a fixture)

ROOT = Path(__file__).resolve().parents[2]


def _english_phrases() -> list[str]:
    """Literal runs of the catalogue's English texts whose Danish differs (the marks of an untranslated page)."""
    with (ROOT / "translations/da/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    phrases = set()
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in ids:
            for run in re.split(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}", text):
                run = run.strip(" .,:;()")
                # Long enough to be a sentence part, not a word that Danish shares ("Status", "E-mail").
                if len(run) >= 14 and " " in run and not any(run in s for s in strings):
                    phrases.add(run)
    # WTForms' own messages, which it would show in English where the project's catalogue lacks them.
    import wtforms

    with (Path(wtforms.__file__).parent / "locale/wtforms.pot").open("rb") as handle:
        for message in read_po(handle):
            for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
                run = re.split(r"%\(\w+\)[sdf]|%[sdf]", text)[0].strip(" .,:;()'") if text else ""
                if len(run) >= 12 and " " in run:
                    phrases.add(run)
    return sorted(phrases)


ENGLISH = _english_phrases()
RAW_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The text a reader sees in the page's language: no attributes, scripts or styles, and no part marked as
    written in another language (`lang="en"` on a text the person agreed to in English, say)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: whether it hides its text
        self._lang = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        if tag == "html":
            self._lang = attrs.get("lang")
        foreign = "lang" in attrs and tag != "html" and attrs["lang"] != self._lang
        self._stack.append(tag in ("script", "style", "textarea") or foreign)

    def handle_endtag(self, tag):
        if tag not in VOID and self._stack:
            self._stack.pop()

    @property
    def _skip(self) -> bool:
        return any(self._stack)

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def assert_danish(html: str, where: str) -> None:
    text = visible_text(html)
    english = [phrase for phrase in ENGLISH if phrase in text]
    assert not english, f"{where}: English text on a Danish page: {english[:5]}"
    assert not RAW_DATE.search(text), f"{where}: a date not written out: {RAW_DATE.search(text).group()}"


#: Values that break every validator: too long, not a number, not a date, not an e-mail, a bad choice.
BAD = {"name": "", "email": "not-an-e-mail", "starts_on": "2027-02-31", "ends_on": "tomorrow", "apply_by": "x",
       "mentor_capacity": "many", "mentee_capacity": "-1", "years_experience": "99", "arrived_on": "31/12/2031",
       "day": "x", "at": "25:99", "duration_minutes": "5", "field": "nonsense", "danish_level": "x",
       "language": "xx", "role": "x", "kind": "x", "url": "not a url", "turns": "0", "minutes": "x",
       "weight": "x", "password": "short", "new_password": "short", "description": "x" * 5000}


def test_every_form_field_has_a_label_of_its_own():
    """A field without a label gets one made from its name in English ("Consent"): give every field a label."""
    from mentorby.blueprints.forms import Form

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    import mentorby.blueprints  # noqa: F401
    from mentorby.blueprints import register_all  # noqa: F401 (imports every blueprint module)

    missing = []
    for form in subclasses(Form):
        for name in dir(form):
            unbound = getattr(form, name)
            if not hasattr(unbound, "field_class") or not issubclass(unbound.field_class, Field):
                continue
            if issubclass(unbound.field_class, HiddenField):
                continue
            if not (unbound.args or unbound.kwargs.get("label")):
                missing.append(f"{form.__name__}.{name}")
    assert not missing, f"fields without a label: {missing}"


@pytest.mark.parametrize("who", ["coordinator", "stranger"])
def test_every_form_answers_bad_input_in_danish(app, db, victim, login, coordinator, who):  # noqa: F811
    client = app.test_client()
    if who == "coordinator":
        login(coordinator, target=client)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    rules = [rule for rule, _method, _url in _requests(app, victim, "lyngby-taarbaek")]
    platform = [r for r in app.url_map.iter_rules() if "<city>" not in r.rule and not r.rule.startswith("/api/")
                and not r.rule.startswith("/static/")]
    checked = 0
    for rule in {r.rule: r for r in rules + platform}.values():
        if rule.rule.startswith("/api/") or "POST" not in rule.methods or rule.rule in ("/logout", "/lang"):
            continue
        url = _fill(rule, victim | {"action": "suspend", "sign_in_id": 1}, "lyngby-taarbaek")
        for data in ({}, BAD):
            response = client.post(url, data=data)
            assert response.status_code < 500, f"POST {url}: {response.status_code}"
            if response.status_code in (200, 400, 422) and response.mimetype == "text/html":
                assert_danish(response.text, f"POST {url} {sorted(data)[:3]}")
                checked += 1
    assert checked > 10
