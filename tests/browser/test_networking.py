"""Speed networking: the coordinator plans the rotation and sends the links; a mentee rates on a phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_recruitment import _english, _link, selecting

pytestmark = pytest.mark.browser


def test_plan_send_and_rate_on_a_phone(page: Page, live_server):
    base, app = live_server
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    expect(page.get_by_role("button", name=re.compile("Sign out|Log ud"))).to_be_visible()
    _english(page)  # the demo coordinator chose Danish, unless an earlier test switched
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/")
    page.get_by_role("link", name="Forår 2027").click()
    selecting(page)
    round_url = page.url
    page.get_by_role("link", name="Selection board").click()
    for name in ("Sofie Holm", "Ana Rodrigues", "Wei Chen"):
        checkbox = page.get_by_label(f"Select {name}")
        if page.locator("tr", has_text=name).get_by_label(f"Status of {name}").input_value() != "accepted":
            checkbox.check()
    page.get_by_label("Set the selected to").select_option("accepted")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator("#counters")).to_contain_text("Mentees: 2 of 20 accepted")

    page.goto(round_url)
    page.get_by_role("link", name="Speed networking").click()
    page.get_by_label("Turns").fill("2")
    page.get_by_role("button", name="Make the plan").click()
    expect(page.get_by_role("heading", name="Master sheet")).to_be_visible()
    page.get_by_role("button", name=re.compile("Send the personal links")).click()
    expect(page.get_by_text("Ana Rodrigues (mentee)")).to_be_visible()  # not answered yet

    # Ana opens her link on her phone, sees her table and rates Sofie.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(_link(app, "ana.rodrigues@example.org", "/networking/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your speed networking")
    page.locator("fieldset", has_text="Sofie Holm").get_by_label("Very much").check()
    page.get_by_role("button", name="Save my ratings").click()
    expect(page.get_by_text("Thank you! Your ratings are saved.")).to_be_visible()
