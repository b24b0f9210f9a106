"""Consent: a coordinator publishes a new version of the city's privacy notice; a mentee on her phone reads it and
agrees before continuing in the portal; the public notice reads in both languages.

The test makes a city of its own, so the demo's shared mentee is never asked to agree again in other tests.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_no_sideways_scroll
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_recruitment import _english

pytestmark = pytest.mark.browser

SLUG = "samtykkeby"
COORDINATOR = "koordinator@samtykkeby.example"
MENTEE = "amira.haddad@samtykkeby.example"


def _city_of_its_own(app) -> None:
    """A city with a coordinator and a mentee who applied (agreeing to the standard notice) and takes part."""
    from mentorby.platform.extensions import db
    from tests import factories as F

    with app.app_context():
        city = F.create_city(slug=SLUG, name="Samtykkeby Career Mentoring", municipality="Samtykkeby Kommune")
        F.create_user(city=city, role="coordinator", email=COORDINATOR, name="Mette Koordinator", locale="en")
        cohort = F.create_cohort(city, status="running", name="Samtykkeby 2027")
        F.create_application(cohort, status="accepted", name="Amira Haddad", email=MENTEE)
        F.create_user(city=city, role="mentee", email=MENTEE, name="Amira Haddad", locale="en")
        db.session.commit()


def test_a_new_notice_is_published_and_a_mentee_agrees_on_her_phone(page: Page, live_server):
    from tests.factories import PASSWORD

    base, app = live_server
    _city_of_its_own(app)

    # The coordinator fills in the notice from the record of processing, and publishes it.
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, base, COORDINATOR, PASSWORD)
    _english(page)
    page.goto(f"{base}/{SLUG}/coordinator/privacy/records")
    page.get_by_role("link", name="Privacy notice and retention periods").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    expect(page.get_by_label("Data controller")).to_have_value("Samtykkeby Kommune")
    page.get_by_label("The controller's address").fill("Rådhuspladsen 1, 9999 Samtykkeby")
    page.get_by_label("E-mail for questions about personal data").fill("persondata@samtykkeby.example")
    page.get_by_label("Data-protection officer (DPO)").fill("DPO, dpo@samtykkeby.example")
    # A period beyond the bounds is refused at the field, and nothing is published.
    page.get_by_label("Days to keep CVs").fill("5000")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".error-summary")).to_contain_text("Write a whole number of days from 30 to 3650.")
    page.get_by_label("Days to keep CVs").fill("200")
    page.get_by_label("A paragraph of your own, in English (optional)").fill("We never keep CPR numbers.")
    page.get_by_label("A paragraph of your own, in Danish (optional)").fill("Vi gemmer aldrig CPR-numre.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Version 1 of the privacy notice is published.")).to_be_visible()
    page.goto(f"{base}/{SLUG}/coordinator/privacy/records")
    expect(page.locator("#record-cv_document")).to_contain_text("CVs: deleted 200 days after their round ended")
    page.get_by_role("button", name=re.compile("Log out|Sign out")).first.click()

    # The mentee, on her phone, is asked to agree before the portal goes on.
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, base, MENTEE, PASSWORD)
    page.goto(f"{base}/{SLUG}/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Please agree to the new privacy text")
    expect(page.locator("main")).to_contain_text("has published a new version of its privacy notice")
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Agree and continue").click()
    expect(page.locator(".error-summary")).to_contain_text("Tick the box to agree")
    page.get_by_label("I have read the text and the privacy notice").check()
    page.get_by_role("button", name="Agree and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My programme")
    expect(page.get_by_text("Thank you: your consent is recorded.")).to_be_visible()
    page.get_by_role("link", name="Privacy", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy")
    expect(page.locator("ol.consents > li")).to_have_count(2)
    expect(page.locator("ol.consents > li").first).to_contain_text("Through the portal")
    assert_no_sideways_scroll(page)
    # The version agreed to before stays readable.
    page.locator("ol.consents > li").last.get_by_role("link", name="The platform's standard privacy notice").click()
    expect(page.get_by_text("This is an earlier version.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Log out|Sign out")).first.click()


def test_the_public_notice_reads_in_both_languages(page: Page, live_server):
    base, _app = live_server
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/lyngby-taarbaek/")
    _english(page)
    page.get_by_role("contentinfo").get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    expect(page.get_by_role("heading", level=2, name="Your rights")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="How long your data is kept")).to_be_visible()
    page.locator("details.notice-entry").first.locator("summary").click()
    assert_no_sideways_scroll(page)
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privatlivspolitik")
    expect(page.get_by_role("heading", level=2, name="Dine rettigheder")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.locator("form.lang button").click()  # leave the browser's language as found
