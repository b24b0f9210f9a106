"""The host city's programme model as inspiration, and the dissemination register on a phone."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_record_an_organisation_and_start_from_the_model_on_a_phone(page: Page, live_server):
    base, _app = live_server
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/login")
    if page.locator("html").get_attribute("lang") == "da":
        page.locator("form.lang button").click()
    page.get_by_label("E-mail").fill("admin@mentorby.example")
    page.get_by_label(re.compile("^Password$")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()

    page.goto(f"{base}/national/adoption/new")
    page.get_by_label("Organisation or city").fill("Odense Kommune")
    page.get_by_label("Informed on").fill((date.today() + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#informed_on-error")).to_contain_text("cannot be in the future")
    page.get_by_label("Informed on").fill((date.today() - timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Odense Kommune")
    page.get_by_label("New stage").select_option("interested")
    page.get_by_role("button", name="Change the stage").click()
    expect(page.locator("dl.numbers")).to_contain_text("Interested")
    page.goto(f"{base}/national/adoption/")
    expect(page.get_by_role("table").first).to_contain_text("Interested")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Another city's coordinator reads the model signed out (switching language signed in would change the
    # admin's own language for the tests that follow).
    page.get_by_role("button", name=re.compile("Sign out|Log ud")).click()
    page.goto(f"{base}/lyngby-taarbaek/model/")
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    page.get_by_role("link", name="Start programmet i din by").click()
    expect(page).to_have_url(re.compile(r"/start\?model=lyngby-taarbaek"))
    expect(page.locator(".notice")).to_contain_text("programmodellen")
