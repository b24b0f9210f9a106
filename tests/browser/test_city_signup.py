"""A new city signs up, the platform admin approves it, its coordinator logs in and switches language."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.tenancy import cross_tenant
from mentorby.tenants.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _invitation_link(app, to: str) -> str:
    from mentorby.platform.extensions import db

    with app.app_context(), cross_tenant(db.session):
        body = db.session.execute(
            select(OutboxMessage.body).where(OutboxMessage.to_email == to).order_by(OutboxMessage.id.desc())
        ).scalars().first()
    return re.search(r"(http://\S+/invite/\S+)", body).group(1)


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("E-mail|E-mail")).fill(email)
    page.get_by_label(re.compile("^(Password|Adgangskode)$")).fill(password)
    page.get_by_role("button", name=re.compile("Sign in|Log ind")).last.click()


def test_sign_up_approve_and_coordinate_a_new_city(page: Page, live_server):
    base, app = live_server
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{base}/start")
    page.locator("form.lang button").click()  # switch to English if the browser got Danish
    if page.locator("html").get_attribute("lang") == "da":
        page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Bad input first: a reserved address and no region are refused with a message next to each field.
    page.get_by_label("Programme name").fill("Odense Career Mentoring")
    page.get_by_label("Web address").fill("platform")
    page.get_by_label("Municipality").fill("Odense Kommune")
    page.get_by_label("Your name").fill("Olga Odense")
    page.get_by_label("Your e-mail").fill("olga@odense.example")
    page.get_by_role("button", name="Send the sign-up").click()
    expect(page.locator("#slug-error")).to_contain_text("used by the platform itself")
    expect(page.locator("#region-error")).to_be_visible()
    page.get_by_label("Web address").fill("odense")
    page.get_by_label("Region", exact=True).select_option("syddanmark")
    page.get_by_role("button", name="Send the sign-up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing up")

    # The platform admin approves inline (htmx), without a page reload.
    _sign_in(page, base, "admin@mentorby.example", DEMO_PASSWORD)
    page.goto(f"{base}/platform/cities")
    row = page.locator("li.row", has_text="Odense Career Mentoring")
    row.get_by_role("button", name=re.compile("Approve")).click()
    expect(row).to_contain_text("is now active")
    page.get_by_role("button", name="Sign out").click()

    # The coordinator accepts the invitation from the e-mail and lands on the city's overview.
    page.goto(_invitation_link(app, "olga@odense.example"))
    page.get_by_label("Your name").fill("Olga Odense")
    page.get_by_label("New password").fill("odense passphrase 2026")
    page.get_by_label("Repeat the password").fill("odense passphrase 2026")
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Odense Career Mentoring")
    expect(page.get_by_text("No rounds yet")).to_be_visible()

    # Keyboard: the programme's first event opens for editing in place and saves.
    page.get_by_role("link", name="Programme", exact=True).click()
    # htmx takes the links over once the page has loaded; before that, Enter follows the link to the whole edit page
    # (what a browser without JavaScript gets), which a loaded machine showed in CI.
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme model")
    page.wait_for_load_state("load")
    page.get_by_role("link", name=re.compile("Edit CV workshop")).focus()
    page.keyboard.press("Enter")
    # The form arrives in place with focus on its first field (htmx has swapped and settled it).
    expect(page.get_by_label("Name in Danish")).to_be_focused()
    # Under load the form has arrived more than once (a late duplicate swap or navigation reset what was typed):
    # let every request finish before typing.
    page.wait_for_load_state("networkidle")
    page.get_by_label("Name in English").fill("CV and LinkedIn workshop")
    expect(page.get_by_label("Name in English")).to_have_value("CV and LinkedIn workshop")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#events")).to_contain_text("CV and LinkedIn workshop")

    # Switch language: the same page in Danish.
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmodel")
    page.get_by_role("button", name="Log ud").click()
    _sign_in(page, base, "olga@odense.example", "odense passphrase 2026")
    expect(page.get_by_role("link", name="Odense Career Mentoring")).to_be_visible()
