"""Access to one's data: a mentee on her phone opens "My data" from the portal and downloads it in one click."""

import json
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
