"""A coordinator keeps the city's partners and team, and cannot reach another city's pages."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_partners_team_and_isolation(page: Page, live_server):
    base, _ = live_server
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/login")
    if page.locator("html").get_attribute("lang") == "da":
        page.locator("form.lang button").click()
    page.get_by_label("E-mail").fill("koordinator@aarhus.example")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    expect(page.get_by_role("link", name="Aarhus Career Mentoring")).to_be_visible()
    # The demo coordinator chose Danish, so signing in switched the pages to Danish; the rest reads English.
    expect(page.locator("html")).to_have_attribute("lang", "da")
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Add a partner; a bad website is refused next to the field first.
    page.goto(f"{base}/aarhus/coordinator/partners/new")
    page.get_by_label("Name").fill("Sprogcenter Aarhus")
    page.get_by_label("Kind").select_option("language_school")
    page.get_by_label("Website").fill("not a website")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#website-error")).to_be_visible()
    page.get_by_label("Website").fill("https://sprogcenter.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Sprogcenter Aarhus")).to_be_visible()
    # Before htmx has loaded, choosing a kind changes nothing (a loaded CI machine got there first).
    page.wait_for_load_state("load")

    # The kind filter updates the list in place (htmx) and the URL follows.
    page.get_by_label("Kind").select_option("language_school")
    expect(page).to_have_url(re.compile(r"kind=language_school"))
    expect(page.locator("#partner-list li")).to_have_count(1)
    expect(page.locator("#partner-list")).to_have_count(1)

    # Invite a colleague.
    page.get_by_role("link", name="Team").click()
    page.get_by_label("Name").fill("Kirsten Kollega")
    page.get_by_label("E-mail").fill("kirsten@aarhus.example")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to kirsten@aarhus.example")).to_be_visible()

    # Another city's coordinator pages are closed; its public page shows no private data.
    response = page.goto(f"{base}/lyngby-taarbaek/coordinator/partners/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page.")
    page.goto(f"{base}/lyngby-taarbaek/")
    expect(page.get_by_text("kirsten@aarhus.example")).to_have_count(0)
