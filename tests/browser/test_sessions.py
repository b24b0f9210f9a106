"""The running round: a mentee logs a 1:1 session on her phone, her mentor confirms it, the coordinator sees it."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_MENTEE, DEMO_MENTOR, DEMO_PASSWORD
from tests.browser.helpers import assert_actions_usable, assert_no_sideways_scroll
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_recruitment import _english

pytestmark = pytest.mark.browser
RUNNING = "Vinter 2026"


def test_log_a_session_on_a_phone_confirm_it_and_see_it_in_the_rounds_health(page: Page, live_server):
    base, _app = live_server
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    _sign_in(page, base, DEMO_MENTEE, DEMO_PASSWORD)
    _english(page)
    page.goto(f"{base}/lyngby-taarbaek/portal/")
    page.get_by_role("link", name="Log a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a session")
    expect(page.get_by_text("With Lars Mentor")).to_be_visible()
    assert_no_sideways_scroll(page)
    # Today is filled in; a length, two topics and a next step are a few taps.
    page.get_by_label("45 min").check()
    page.get_by_label("CV", exact=True).check()
    page.get_by_label("Interview practice").check()
    page.get_by_label("Next step").fill("Send the CV to Novo Nordisk")
    page.get_by_label("Private notes").fill("Nervous about the panel interview")
    page.get_by_role("button", name="Log the session").click()
    expect(page.get_by_text("The session is logged.")).to_be_visible()
    expect(page.locator("#session-list")).to_contain_text("waiting for the other side to confirm")
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name=re.compile("Sign out")).click()

    # Her mentor confirms it with one tap, on his phone.
    _sign_in(page, base, DEMO_MENTOR, DEMO_PASSWORD)
    _english(page)
    page.goto(f"{base}/lyngby-taarbaek/portal/")
    expect(page.get_by_text("1 to confirm")).to_be_visible()
    page.get_by_role("link", name="My sessions").click()
    session = page.locator("#session-list li.card", has_text="Send the CV to Novo Nordisk")
    expect(session).to_contain_text("With Priya Sharma")
    session.get_by_role("button", name="Confirm that we met").click()
    expect(page.locator("#session-list li.card", has_text="Send the CV to Novo Nordisk")).to_contain_text("confirmed")
    expect(page.get_by_role("button", name="Confirm that we met")).to_have_count(0)
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name=re.compile("Sign out")).click()

    # The coordinator sees it in the round's health; the private notes stay with the two of them.
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    _english(page)
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/")
    page.get_by_role("link", name=RUNNING).first.click()
    page.get_by_role("link", name="Round health").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Round health: {RUNNING}")
    lars = page.locator("li.unit", has_text="Lars Mentor")
    expect(lars).to_contain_text("1 session (1 confirmed, 0 to confirm)")
    expect(lars).to_contain_text("last contact")
    expect(page.locator("main")).not_to_contain_text("Nervous about the panel interview")
    # A quiet pair gets its nudge in one click.
    quiet = page.locator("li.unit.at-risk", has_text="Peter Lund")
    quiet.get_by_role("button", name=re.compile("Nudge both")).click()
    expect(page.locator("li.unit", has_text="Peter Lund")).to_contain_text("Nudged today.")
    assert_actions_usable(page, "main")
