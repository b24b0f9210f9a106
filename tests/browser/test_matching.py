"""The coordinator accepts a mentor and two mentees, proposes pairs, pins one by hand, and publishes."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_recruitment import _english, selecting

pytestmark = pytest.mark.browser


def test_propose_change_and_publish(page: Page, live_server):
    base, _app = live_server
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    expect(page.get_by_role("button", name=re.compile("Sign out|Log ud"))).to_be_visible()
    _english(page)  # the demo coordinator chose Danish, unless an earlier test switched
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/")
    page.get_by_role("link", name="Forår 2027").click()
    selecting(page)
    page.get_by_role("link", name="Selection board").click()
    for name in ("Sofie Holm", "Ana Rodrigues", "Wei Chen"):
        page.get_by_label(f"Select {name}").check()
    page.get_by_label("Set the selected to").select_option("accepted")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator("#counters")).to_contain_text("Mentees: 2 of 20 accepted")

    page.goto(page.url.replace("/applications", "/matching"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Matching")
    page.get_by_label("Priority").select_option("everyone_matched")
    page.get_by_role("button", name="Propose pairs").click()
    # Sofie takes one mentee: the other is unmatched, with the reason in plain words.
    expect(page.get_by_text("every suitable mentor is full")).to_be_visible()
    expect(page.get_by_text(re.compile(r"1 proposed, 0 published"))).to_be_visible()
    page.get_by_role("button", name="Publish 1 proposed pair").click()
    expect(page.get_by_text(re.compile(r"0 proposed, 1 published"))).to_be_visible()
    expect(page.locator("table.board")).to_contain_text("published")
