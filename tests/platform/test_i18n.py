import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.platform.test_danish_forms import assert_danish
from tests.platform.test_isolation import victim  # noqa: F401 (a fixture: a city with data on every page)

ROOT = Path(__file__).resolve().parents[2]


def test_danish_catalogue_is_complete_and_up_to_date(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        # Plural messages have a (singular, plural) id; compare them as such.
        extracted = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "translations/da/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id for m in catalogue if m.id and m.string and "fuzzy" not in m.flags}
    missing = extracted - translated
    assert missing == set(), f"untranslated: {sorted(map(str, missing))[:10]} (run pybabel update and translate)"


def test_language_switch(client, host_city):
    danish = client.get("/lyngby-taarbaek/", headers={"Accept-Language": "da"})
    assert '<html lang="da">' in danish.text and "Partnere" in danish.text
    client.post("/lang", data={"lang": "en", "next": "/lyngby-taarbaek/"})
    english = client.get("/lyngby-taarbaek/", headers={"Accept-Language": "da"})
    assert '<html lang="en">' in english.text and "How a round runs" in english.text


def test_unknown_language_and_foreign_next_are_refused(client):
    response = client.post("/lang", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp or "'unsafe-inline'" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert not re.search(r"<script>(?!</script>)", response.text), "inline scripts break the CSP"


def test_friendly_error_pages(client):
    response = client.get("/nowhere/at/all")
    assert response.status_code == 404 and "could not find" in response.text.lower() or "kunne ikke" in response.text
    assert client.get("/api/v1/nothing").get_json()["code"] == 404
    assert client.get("/health").get_json() == {"status": "ok"}



def test_every_city_page_renders_in_danish_for_its_coordinator(app, db, login, coordinator, victim):  # noqa: F811
    """Every GET page of a city, in Danish, with data on it: a translation with a wrong placeholder would fail."""
    from tests.platform.test_isolation import _requests

    client = login(coordinator, target=app.test_client())
    checked = 0
    for rule, method, url in _requests(app, victim, "lyngby-taarbaek"):
        if method != "GET" or rule.rule.startswith("/api/"):
            continue
        response = client.get(url, headers={"Accept-Language": "da"})
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if response.status_code == 200 and response.mimetype == "text/html":
            assert_danish(response.text, url)
        checked += 1
    assert checked > 20


def test_page_titles_name_the_city_once(client, host_city, coordinator, login, create_cohort):
    import re as regex

    cohort = create_cohort(host_city, status="recruiting")
    for url in ("/lyngby-taarbaek/", "/lyngby-taarbaek/apply/"):
        title = regex.search(r"<title>(.*?)</title>", client.get(url).text, regex.S).group(1)
        assert title.count("Lyngby-Taarbæk Vidensby") == 1, title
    login(coordinator)
    title = regex.search(r"<title>(.*?)</title>",
                         client.get(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}").text, regex.S).group(1)
    assert title == f"{cohort.name} · Lyngby-Taarbæk Vidensby"


def test_405_keeps_its_allow_header_and_signed_in_pages_are_not_stored(client, login, coordinator):
    refused = client.post("/health")
    assert refused.status_code == 405 and "GET" in refused.headers["Allow"]
    api = client.delete("/api/v1/cities")
    assert api.status_code == 405 and "GET" in api.headers["Allow"] and api.get_json()["code"] == 405
    assert "no-store" not in client.get("/lyngby-taarbaek/").headers.get("Cache-Control", "")
    login(coordinator)
    for url in ("/account", "/lyngby-taarbaek/coordinator/", "/lyngby-taarbaek/"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_dates_are_written_in_the_page_language_and_the_citys_day(app):
    from datetime import UTC, date, datetime

    from flask_babel import force_locale

    from mentorby.platform.i18n import format_day, format_moment

    late = datetime(2027, 2, 1, 23, 30, tzinfo=UTC)  # already 2 February in Copenhagen
    with app.test_request_context("/"):
        for _ in range(2):  # the second time from the kept written forms
            with force_locale("da"):
                assert format_day(date(2027, 2, 2)) == format_day(late) == "2. feb. 2027"
                assert format_day(date(2027, 2, 2), "long") == "2. februar 2027"
                assert format_day(date(2027, 2, 2), "full") == "tirsdag den 2. februar 2027"
                assert format_moment(late) == "2. feb. 2027 kl. 00.30"
            with force_locale("en"):
                assert format_day(late, "short") == "2 Feb 2027" and format_day(None) == ""
                assert format_day(date(2027, 2, 2), "full") == "Tuesday 2 February 2027"
                assert format_moment(late) == "2 Feb 2027, 00:30"


# --- a visitor's first look sets no cookie; the language switch without a token -----------------------------------

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def csrf_checked(app):
    """CSRF checked as in production (the suite turns it off)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_visitor_looking_at_public_pages_is_given_no_cookie(client, host_city):
    for url in ("/", "/lyngby-taarbaek/", "/lyngby-taarbaek/privacy/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Set-Cookie" not in page.headers, url
        assert "csrf_token" not in page.text and "X-CSRFToken" not in page.text, url
        assert 'action="/lang"' in page.text, url  # the switch is there, without a token
        assert "Cookie" in page.vary, url
    assert client.get_cookie("session") is None


def test_a_form_a_visitor_opens_starts_the_session_and_later_pages_carry_its_token(client, host_city, csrf_checked):
    form = client.get("/login")
    assert "Set-Cookie" in form.headers and CSRF_INPUT.search(form.text)
    front = client.get("/lyngby-taarbaek/")
    # The same session's token, signed anew with the second it is written in: compare what it signs, not the string.
    signed = re.search(r'"X-CSRFToken": "([^"]+)"', front.text)
    assert signed and CSRF_INPUT.search(front.text)
    assert signed.group(1).split(".")[0] == CSRF_INPUT.search(form.text).group(1).split(".")[0]


def test_a_visitor_switches_language_without_a_token(client, host_city, csrf_checked):
    assert "csrf_token" not in client.get("/lyngby-taarbaek/").text
    switched = client.post("/lang", data={"lang": "en", "next": "/lyngby-taarbaek/"})
    refused = client.post("/lang", data={"lang": "xx", "next": "/lyngby-taarbaek/"})
    assert switched.status_code == 302 and switched.headers["Location"] == "/lyngby-taarbaek/"
    assert refused.status_code == 302  # an unknown language changes nothing and says so on the next page
    english = client.get("/lyngby-taarbaek/", headers={"Accept-Language": "da"})
    assert '<html lang="en">' in english.text and "Unknown language." in english.text


def test_a_signed_in_persons_language_is_saved_only_with_the_token(app, client, db, coordinator, login):
    login(coordinator)
    before = coordinator.locale
    wanted = "en" if before == "da" else "da"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        forged = client.post("/lang", data={"lang": wanted, "next": "/account"})
        db.session.refresh(coordinator)
        assert forged.status_code == 400 and "form has expired" in forged.text
        assert coordinator.locale == before
        token = CSRF_INPUT.search(client.get("/account").text).group(1)
        switched = client.post("/lang", data={"lang": wanted, "next": "/account", "csrf_token": token})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False  # the sign-in above went through without a token
    assert switched.status_code == 302
    db.session.refresh(coordinator)
    assert coordinator.locale == wanted


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "https://evil.example"}])
def test_another_sites_language_switch_is_refused_and_starts_no_session(client, host_city, headers):
    # Such a form arrives without the person's cookie (SameSite=Lax): answered with a new session, it would sign
    # a signed-in person out.
    refused = client.post("/lang", data={"lang": "en", "next": "/lyngby-taarbaek/"}, headers=headers)
    assert refused.status_code == 400 and "form has expired or was sent from another site" in refused.text
    assert "Set-Cookie" not in refused.headers


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"},
                                     {"Origin": "http://localhost"}])
def test_the_platforms_own_language_switch_goes_through(client, host_city, headers):
    switched = client.post("/lang", data={"lang": "en", "next": "/lyngby-taarbaek/"}, headers=headers)
    assert switched.status_code == 302 and switched.headers["Location"] == "/lyngby-taarbaek/"
