"""Surveys: the coordinator sends the closing survey; a mentee answers it through her link on a phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.helpers import assert_actions_usable, assert_no_sideways_scroll
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_recruitment import _english, _link

pytestmark = pytest.mark.browser
RUNNING = "Vinter 2026"


def _open_round_surveys(page: Page, base: str) -> str:
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/")
    page.get_by_role("link", name=RUNNING).first.click()
    page.get_by_role("link", name="Surveys", exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Surveys of {RUNNING}")
    return page.url


def test_send_the_closing_survey_and_answer_it_on_a_phone(page: Page, live_server):
    base, app = live_server
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    expect(page.get_by_role("button", name=re.compile("Sign out|Log ud"))).to_be_visible()
    _english(page)
    surveys_url = _open_round_surveys(page, base)
    closing = page.locator("#slot-closing")
    closing.get_by_role("button", name=re.compile("Send now")).click()
    expect(page.get_by_text("Sent to 12 people. Their personal links are on their way.")).to_be_visible()
    expect(page.locator("#live-rates")).to_contain_text("6 more answers reach 90%")
    assert_actions_usable(page, "#slot-closing")

    # Olena opens her link on her phone, signed out.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Sign out").click()
    olena = _link(app, "olena.kovalenko@example.org", "/survey/")
    page.goto(olena)
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation of the programme")
    assert_no_sideways_scroll(page)
    network = page.get_by_role("group", name=re.compile("developed my personal and professional network"))
    network.get_by_label("Agree", exact=True).check()
    expect(page.locator("#status-network")).to_have_text("Saved")  # autosaved, no button pressed

    # She comes back later through the same link: the answer is still there.
    page.goto(olena)
    expect(page.get_by_role("group", name=re.compile("personal and professional network"))
           .get_by_label("Agree", exact=True)).to_be_checked()
    # Sending with required questions open names each one.
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".error-summary")).to_contain_text("This question needs an answer.")
    page.get_by_role("group", name=re.compile("more active in my job search")).get_by_label(
        "Strongly agree").check()
    page.get_by_role("group", name=re.compile("clearer direction")).get_by_label("Agree", exact=True).check()
    page.get_by_role("group", name=re.compile("recommend others")).get_by_label("Yes").check()
    page.get_by_role("group", name=re.compile("What worked best")).get_by_role("textbox").fill(
        "Practising interviews with my mentor.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
    assert_no_sideways_scroll(page)

    # The coordinator sees the answer count move.
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    page.goto(surveys_url)
    expect(page.locator("#live-rates")).to_contain_text("1 of 6")
    expect(page.locator("#slot-closing")).to_contain_text("1 of 12 have answered.")
