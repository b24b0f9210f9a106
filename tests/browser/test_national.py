"""The national layer on a phone: the stakeholder's dashboard with its filter, and the public headline figures."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.helpers import assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_the_national_figures_on_a_phone_in_both_languages(page: Page, live_server):
    base, _app = live_server
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/national/public")  # public: no sign-in
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_sideways_scroll(page)
    page.goto(f"{base}/login")
    if page.locator("html").get_attribute("lang") == "da":
        page.locator("form.lang button").click()
    page.get_by_label("E-mail").fill("national@mentorby.example")
    page.get_by_label(re.compile("^Password$")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.goto(f"{base}/national/")
    expect(page.get_by_role("heading", name="National figures")).to_be_visible()
    expect(page.get_by_text("Cities running the programme")).to_be_visible()
    expect(page.get_by_role("region", name="Participants by region")).to_be_visible()
    assert_no_sideways_scroll(page)
    # One region: the filter, its figures and its cities (the demo's Aarhus is in Central Denmark).
    page.get_by_label("Region", exact=True).select_option("midtjylland")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile("region=midtjylland"))
    expect(page.get_by_text("Showing Central Denmark Region.")).to_be_visible()
    expect(page.get_by_role("link", name="Aarhus Career Mentoring")).to_be_visible()
    expect(page.get_by_role("link", name="Lyngby-Taarbæk Vidensby")).to_have_count(0)
    assert_no_sideways_scroll(page)
    page.get_by_role("link", name="Show all regions").click()
    expect(page.get_by_role("link", name="Lyngby-Taarbæk Vidensby")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Dissemination and adoption")).click()
    expect(page).to_have_url(re.compile("/national/adoption/"))
    assert_no_sideways_scroll(page)
    page.locator("form.lang button").click()  # Danish
    expect(page.locator("html")).to_have_attribute("lang", "da")
    page.goto(f"{base}/national/")
    expect(page.get_by_role("heading", name="Nationale tal")).to_be_visible()
    assert_no_sideways_scroll(page)
