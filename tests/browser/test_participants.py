"""A mentee and a mentor on their phones, in both languages; a national stakeholder and the public on a desktop."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_MENTEE, DEMO_MENTOR, DEMO_PASSWORD
from tests.browser.test_city_signup import _sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _language(page: Page, lang: str) -> None:
    if page.locator("html").get_attribute("lang") != lang:
        page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def _fits(page: Page) -> None:
    """Nothing sticks out sideways: a phone never scrolls a page horizontally."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_mentee_on_a_phone_sees_the_round_and_the_mentor(page: Page, live_server, lang):
    base, _app = live_server
    page.set_viewport_size(PHONE)
    _sign_in(page, base, DEMO_MENTEE, DEMO_PASSWORD)
    # The mentee lands on their portal, not on "My account".
    expect(page).to_have_url(re.compile(r"/lyngby-taarbaek/portal/$"))
    _language(page, lang)
    expect(page.locator("#round-title")).to_have_text("Vinter 2026")
    mentor = page.locator(".card").first
    expect(mentor).to_contain_text("@")
    expect(page.get_by_role("heading", name=re.compile("Din mentor|Your mentor"))).to_be_visible()
    _fits(page)
    page.screenshot(path=f"/tmp/shots/portal-mentee-{lang}.png", full_page=True)
    page.get_by_role("link", name=re.compile("Redigér min profil|Edit my profile")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _fits(page)
    page.goto(f"{base}/account")
    expect(page.get_by_text(re.compile("denne enhed|this device"))).to_be_visible()
    _fits(page)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_mentor_sees_the_running_round_with_the_mentees_profile(page: Page, live_server, lang):
    base, _app = live_server
    page.set_viewport_size(PHONE)
    _sign_in(page, base, DEMO_MENTOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/lyngby-taarbaek/portal/$"))
    _language(page, lang)
    # Lars mentored in the closed autumn round too: the portal leads with the running one.
    expect(page.locator("#round-title")).to_have_text("Vinter 2026")
    expect(page.locator("#history-title")).to_be_visible()
    expect(page.locator("dl.answers").first).to_contain_text(re.compile("Dansk|Danish"))
    _fits(page)
    page.screenshot(path=f"/tmp/shots/portal-mentor-{lang}.png", full_page=True)


def test_a_national_stakeholder_lands_on_the_national_page(page: Page, live_server):
    base, _app = live_server
    page.set_viewport_size(DESKTOP)
    _sign_in(page, base, "national@mentorby.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/national/$"))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP])
def test_the_public_reads_the_city_page_and_its_contact(page: Page, live_server, viewport):
    base, _app = live_server
    page.set_viewport_size(viewport)
    page.goto(f"{base}/lyngby-taarbaek/")
    _language(page, "da")
    expect(page.get_by_role("link", name="mentoring@vidensbyen.example")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("koordinator@lyngby-taarbaek.example")
    _fits(page)
    _language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _fits(page)
