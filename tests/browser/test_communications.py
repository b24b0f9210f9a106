"""A coordinator words an e-mail with its live preview, then writes to a round after seeing the preview, on a phone.

axe-core checks every page and htmx state (see conftest.py).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_overview import _fits, _language

pytestmark = pytest.mark.browser

CITY = "/lyngby-taarbaek/coordinator"


def test_word_an_email_with_live_preview_and_send_an_announcement(page: Page, live_server):
    base, app = live_server
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    _language(page, "en")

    page.goto(f"{base}{CITY}/mail-templates/")
    _fits(page)
    # A kind no other browser test sends, put back to the platform's wording at the end.
    page.locator(f"a[href='{CITY}/mail-templates/follow_up_due/en']").click()
    subject, body, preview = page.get_by_label("Subject"), page.get_by_label("Text"), page.locator("#preview")
    expect(body).to_have_value(re.compile(r"\{\{ cohort \}\}"))
    subject.fill("Time to follow up {{ cohort }}")
    body.fill("Dear {{ name }},\n\n{{ cohort }} ended half a year ago. Hello {{ nobody }}")
    expect(preview).to_contain_text("has no variable nobody")
    body.fill("Dear {{ name }},\n\n{{ cohort }} ended half a year ago: time for the follow-up.")
    expect(preview).to_contain_text("Dear Amira Haddad")
    expect(preview).to_contain_text("Time to follow up Forår 2027 / Spring 2027")
    _fits(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("is saved")
    page.locator(f"a[href='{CITY}/mail-templates/follow_up_due/en']").click()
    expect(subject).to_have_value("Time to follow up {{ cohort }}")
    page.get_by_role("button", name="Use the platform's wording").click()
    expect(page.locator(".flash")).to_contain_text("uses the platform's wording again")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="E-mail").click()
    page.get_by_role("link", name="To Vinter 2026").click()
    page.get_by_label("To").select_option("mentors")
    page.get_by_label("Subject in Danish").fill("Mentortræf torsdag")
    page.get_by_label("Text in Danish").fill("Kære mentorer,\nvi ses torsdag kl. 17.")
    page.get_by_label("Subject in English").fill("Mentor meet-up on Thursday")
    page.get_by_label("Text in English").fill("Dear mentors,\nsee you on Thursday at 5 pm.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".mail-preview")).to_contain_text("It goes to 6 people")
    expect(page.locator(".mail-preview")).to_contain_text("Mentortræf torsdag")
    _fits(page)
    page.get_by_role("button", name=re.compile(r"^Send to 6 people")).click()
    expect(page.locator(".flash")).to_contain_text("on its way to 6 people")
    expect(page.locator("main")).to_contain_text("Mentor meet-up on Thursday")

    from sqlalchemy import select

    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.models import OutboxMessage
    from mentorby.platform.tenancy import cross_tenant

    with app.app_context(), cross_tenant(db.session):
        subjects = list(db.session.execute(select(OutboxMessage.subject)
                                           .where(OutboxMessage.kind == "announcement")).scalars())
    assert len(subjects) == 6 and set(subjects) <= {"Mentortræf torsdag", "Mentor meet-up on Thursday"}
