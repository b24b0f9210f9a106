"""A mentee applies with a CV on a phone, the coordinator accepts on the selection board, the mentee joins."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _invitation_link, _sign_in
from tests.factories import PDF

pytestmark = pytest.mark.browser


def _link(app, to: str, path: str) -> str:
    from sqlalchemy import select

    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.models import OutboxMessage
    from mentorby.platform.tenancy import cross_tenant

    with app.app_context(), cross_tenant(db.session):
        body = db.session.execute(
            select(OutboxMessage.body).where(OutboxMessage.to_email == to).order_by(OutboxMessage.id.desc())
        ).scalars().first()
    return re.search(rf"(http://\S+{path}\S+)", body).group(1)


def _english(page: Page) -> None:
    if page.locator("html").get_attribute("lang") == "da":
        page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_apply_accept_and_join(page: Page, live_server, tmp_path: Path):
    base, app = live_server
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{base}/lyngby-taarbaek/")
    _english(page)
    page.get_by_role("link", name="Apply as a mentee").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply as a mentee")

    page.get_by_label("Full name").fill("Fatima Haddad")
    page.get_by_label("E-mail").fill("fatima.haddad@example.org")
    page.get_by_label("Education").fill("MSc Civil Engineering")
    page.get_by_label("Professional field").select_option("engineering")
    page.get_by_label("Years of work experience").fill("7")
    page.get_by_label("What job are you looking for?").fill("Structural engineer in a consultancy")
    page.get_by_label("Arabic").check()
    page.get_by_label("English").check()
    page.get_by_label("Your Danish").select_option("beginner")
    page.get_by_label("Where does your partner work?").fill("COWI")
    page.get_by_label("Weekday evenings").check()
    # A file that is not a PDF is refused with a message at the field, and nothing is saved.
    fake = tmp_path / "cv.pdf"
    fake.write_bytes(b"GIF89a this is a picture")
    page.get_by_label(re.compile("Your CV")).set_input_files(str(fake))
    page.get_by_label("I agree to the processing of my data").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator(".error-summary")).to_contain_text("The CV must be a PDF file.")
    # The answers are kept; only the file must be chosen again.
    expect(page.get_by_label("Full name")).to_have_value("Fatima Haddad")
    cv = tmp_path / "Fatima CV.pdf"
    cv.write_bytes(PDF)
    page.get_by_label(re.compile("Your CV")).set_input_files(str(cv))
    page.get_by_label("I agree to the processing of my data").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for applying")
    # She confirms her address from the e-mail; only then does the coordinator see the application.
    page.goto(_link(app, "fatima.haddad@example.org", "/apply/confirm/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your application is confirmed")

    # The coordinator finds her on the selection board and accepts her inline; the counter follows.
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    expect(page.get_by_role("button", name=re.compile("Sign out|Log ud"))).to_be_visible()
    _english(page)  # the demo coordinator chose Danish, unless an earlier test switched
    page.get_by_role("link", name="Lyngby-Taarbæk Vidensby").click()
    page.get_by_role("link", name="Rounds", exact=True).click()
    page.get_by_role("link", name="Forår 2027").click()
    page.get_by_role("link", name="Selection board").click()
    page.get_by_label("Search").fill("fatima")
    row = page.locator("tr", has_text="Fatima Haddad")
    expect(row).to_be_visible()
    expect(page.locator("tr", has_text="Wei Chen")).to_have_count(0)
    expect(row).to_contain_text("CV")
    # Other browser tests may have accepted demo mentees already: count from what the board says now.
    before = int(re.search(r"Mentees: (\d+) of 20", page.locator("#counters").inner_text()).group(1))
    row.get_by_label("Status of Fatima Haddad").select_option("accepted")
    row.get_by_role("button", name="Set").click()
    expect(page.locator("#counters")).to_contain_text(f"Mentees: {before + 1} of 20 accepted")
    expect(row.get_by_label("Status of Fatima Haddad")).to_have_value("accepted")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    # The invitation from the e-mail: she makes her account and lands in her portal.
    page.goto(_invitation_link(app, "fatima.haddad@example.org"))
    page.get_by_label("Your name").fill("Fatima Haddad")
    page.get_by_label("New password").fill("fatima passphrase 2026")
    page.get_by_label("Repeat the password").fill("fatima passphrase 2026")
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My programme")
    expect(page.get_by_text("Forår 2027").first).to_be_visible()
    expect(page.get_by_text("CV workshop")).to_be_visible()
    page.get_by_role("link", name="Edit my profile").click()
    page.get_by_label("Years of work experience").fill("8")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
