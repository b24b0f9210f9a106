"""A coordinator reads the city's record of processing personal data on a phone, in Danish."""

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_the_record_of_processing_on_a_phone(page: Page, live_server):
    base, _ = live_server
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/login")
    if page.locator("html").get_attribute("lang") == "da":
        page.locator("form.lang button").click()
    page.get_by_label("E-mail").fill("koordinator@aarhus.example")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    # Read in Danish (and checked for English left in it). The demo coordinator chose Danish, but an earlier test
    # on the same demo data may have switched the account to English: switch it back for this test, and restore
    # the account's choice at the end.
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    chose = page.locator("html").get_attribute("lang")
    if chose != "da":
        page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    page.get_by_role("link", name="Personoplysninger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fortegnelse over behandling af personoplysninger")
    expect(page.get_by_text("Aarhus Career Mentoring").first).to_be_visible()
    cvs = page.locator("#record-cv_document")
    expect(cvs.get_by_role("heading", name="CV'er")).to_be_visible()
    expect(cvs.get_by_role("cell", name="Filens indhold")).to_be_visible()
    # The summary by category leads to the table that holds it.
    page.get_by_role("region", name="Kategorier af personoplysninger").get_by_role("link", name="CV'er").click()
    expect(page).to_have_url(f"{base}/aarhus/coordinator/privacy/records#record-cv_document")
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with page.expect_download() as download:
        page.get_by_role("link", name="Hent som PDF").click()
    assert download.value.suggested_filename == "aarhus-record-of-processing.pdf"
    if chose != "da":
        page.locator("form.lang button").click()
        expect(page.locator("html")).to_have_attribute("lang", chose)
