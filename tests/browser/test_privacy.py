"""Access to one's data: a mentee on her phone opens "My data" from the portal and downloads it in one click."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_MENTEE, DEMO_PASSWORD
from tests.browser.helpers import assert_actions_usable, assert_no_sideways_scroll
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_recruitment import _english

pytestmark = pytest.mark.browser


def test_a_mentee_downloads_her_data_on_a_phone(page: Page, live_server):
    base, _app = live_server
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    _sign_in(page, base, DEMO_MENTEE, DEMO_PASSWORD)
    _english(page)
    page.goto(f"{base}/lyngby-taarbaek/portal/")
    page.get_by_role("link", name="My data", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My data")
    assert_no_sideways_scroll(page)
    assert_actions_usable(page, "main")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    saved = download.value
    name = saved.suggested_filename
    assert name.startswith("lyngby-taarbaek-my-data-") and name.endswith(".json")
    data = json.loads(Path(saved.path()).read_text(encoding="utf-8"))
    assert data["email"] == DEMO_MENTEE
    assert data["applications"] and all(a["email"] == DEMO_MENTEE for a in data["applications"])
    # The same, to read: every section on one page that fits the phone.
    page.get_by_role("link", name="Read or print my data").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("holds about you")
    expect(page.get_by_role("heading", level=2, name="Applications")).to_be_visible()
    assert_no_sideways_scroll(page)


def _new_mentee(app, email: str, name: str) -> None:
    """A mentee of a city of her own, in its running round with an account: the demo city's figures, which other
    tests count, stay as they are."""
    from mentorby.platform.extensions import db
    from tests import factories as F

    with app.app_context():
        city = F.create_city(slug=ERASE_CITY, name="Sletteby Career Mentoring", municipality="Sletteby Kommune")
        cohort = F.create_cohort(city, status="running", name="Sletteby 2027")
        F.create_application(cohort, status="accepted", name=name, email=email, cv=F.PDF)
        F.create_user(city=city, role="mentee", email=email, name=name, locale="en")
        db.session.commit()


ERASE_CITY = "sletteby"


def test_a_mentee_downloads_her_data_then_erases_her_account(page: Page, live_server):
    from tests.factories import PASSWORD

    base, app = live_server
    email, name = "ines.erase@mentee.example", "Inês Carvalho"
    _new_mentee(app, email, name)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    _sign_in(page, base, email, PASSWORD)
    _english(page)
    page.goto(f"{base}/{ERASE_CITY}/portal/my-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    assert json.loads(Path(download.value.path()).read_text(encoding="utf-8"))["account"]["name"] == name
    page.get_by_role("link", name="Erase my data…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase my data")
    expect(page.get_by_role("heading", level=2, name="What stays, without a name")).to_be_visible()
    assert_no_sideways_scroll(page)
    # Without the confirmation the browser holds the form back (the box is required; the server refuses it too).
    understood = page.get_by_label("I understand that erasure is final and cannot be undone")
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase my data")
    assert understood.evaluate("box => box.validity.valueMissing")
    understood.check()
    page.get_by_role("button", name="Erase my data").click()
    expect(page.locator(".flashes")).to_contain_text("Your data has been erased")
    # The account is gone: signing in again is refused.
    _sign_in(page, base, email, PASSWORD)
    expect(page.locator("main")).to_contain_text(re.compile("not correct|No account|forkert|ikke", re.I))
