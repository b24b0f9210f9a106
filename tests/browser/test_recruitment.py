"""A mentee applies with a CV on a phone; the coordinator shortlists her while recruiting, accepts her once the round
selects, tells her with the notify step, and she joins."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _invitation_link, _sign_in
from tests.factories import MENTEE_VALUES, MENTOR_VALUES, PDF

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


def selecting(page: Page) -> None:
    """Move the round whose page is open to Selecting if it still recruits: decisions wait for that."""
    close = page.get_by_role("button", name="Close applications and select")
    if close.count():
        close.click()
        expect(page.get_by_text("The round is now: Selecting.")).to_be_visible()


def recruiting_round(app, name: str, people: list[tuple[str, str, str, str]] = ()) -> int:
    """A recruiting round of Lyngby of the test's own, with confirmed applications: (role, name, e-mail, locale).

    The demo's "Forår 2027" is shared by every browser test, and others move it on; a round of one's own keeps a
    test independent of the order the tests run in.
    """
    from mentorby.platform.cities.services import find_city
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.applications import consent
    from mentorby.tenants.applications.services import submit_application
    from mentorby.tenants.cohorts.services import plan_cohort

    with app.app_context():
        city = find_city(db.session, "lyngby-taarbaek")
        with tenant_scope(db.session, city.id):
            cohort = plan_cohort(db.session, {
                "name": name, "starts_on": date.today() + timedelta(days=90), "ends_on": None, "apply_by": None,
                "mentor_capacity": 20, "mentee_capacity": 20, "description": ""})
            cohort.status = "recruiting"
            for role, person, email, locale in people:
                values = (MENTEE_VALUES if role == "mentee" else MENTOR_VALUES) | {
                    "name": person, "email": email, "locale": locale}
                submit_application(db.session, cohort, role, values, consent_version=consent.CURRENT,
                                   source="coordinator")
            db.session.commit()
            return cohort.id


def test_apply_shortlist_select_notify_and_join(page: Page, live_server, tmp_path: Path):
    base, app = live_server
    recruiting_round(app, "Sommer 2027")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{base}/lyngby-taarbaek/")
    # Looking at the city's page sets no cookie; the language switch works without one (and without a token).
    assert page.context.cookies() == []
    before = page.locator("html").get_attribute("lang")
    page.locator("form.lang button").click()
    expect(page.locator("html")).not_to_have_attribute("lang", before)
    _english(page)
    page.locator(".card", has_text="Sommer 2027").get_by_role("link", name="Apply as a mentee").click()
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
    # An arrival in the future is refused at the field, in the page's language.
    page.get_by_label("When did you arrive in Denmark?").fill("2031-03-01")
    page.get_by_label("I agree to the processing of my data").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator(".error-summary")).to_contain_text("not in the future and not before 1950")
    page.get_by_label("When did you arrive in Denmark?").fill("2025-08-15")
    # A file that is not a PDF is refused with a message at the field, and nothing is saved.
    fake = tmp_path / "cv.pdf"
    fake.write_bytes(b"GIF89a this is a picture")
    page.get_by_label(re.compile("Your CV")).set_input_files(str(fake))
    page.get_by_label("I agree to the processing of my data").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator(".error-summary")).to_contain_text("The CV must be a PDF file.")
    # The answers are kept; only the file must be chosen again.
    expect(page.get_by_label("Full name")).to_have_value("Fatima Haddad")
    expect(page.get_by_label("When did you arrive in Denmark?")).to_have_value("2025-08-15")
    cv = tmp_path / "Fatima CV.pdf"
    cv.write_bytes(PDF)
    page.get_by_label(re.compile("Your CV")).set_input_files(str(cv))
    page.get_by_label("My mentor may see my CV").check()
    page.get_by_label("I agree to the processing of my data").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for applying")
    # She confirms her address from the e-mail; only then does the coordinator see the application.
    page.goto(_link(app, "fatima.haddad@example.org", "/apply/confirm/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your application is confirmed")

    # While the round recruits, the coordinator reads and shortlists; the decision waits for selection.
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    expect(page.get_by_role("button", name=re.compile("Sign out|Log ud"))).to_be_visible()
    _english(page)  # the demo coordinator chose Danish, unless an earlier test switched
    page.get_by_role("link", name="Lyngby-Taarbæk Vidensby").click()
    page.get_by_role("link", name="Rounds", exact=True).click()
    page.get_by_role("link", name="Sommer 2027").click()
    page.get_by_role("link", name="Selection board").click()
    page.wait_for_load_state("load")  # htmx acts on the board's forms once the page has loaded
    expect(page.locator("#phase-note")).to_contain_text("decisions are made once you close recruitment")
    page.get_by_label("Search").fill("fatima")
    # The search swaps the board 400 ms after typing stops: act on its rows once it has (else the swap, read before
    # the change below, would put the old row back).
    expect(page).to_have_url(re.compile(r"[?&]q=fatima"))
    row = page.locator("tr", has_text="Fatima Haddad")
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name=re.compile("CV"))).to_be_visible()
    status = row.get_by_label("Status of Fatima Haddad")
    expect(status.locator("option[value=accepted]")).to_have_count(0)  # not offered while recruiting
    status.select_option("shortlisted")
    expect(row.get_by_text("Saved", exact=True)).to_be_visible()
    expect(row.get_by_label("Status of Fatima Haddad")).to_have_value("shortlisted")

    # Recruitment closes on the round's page; now she is accepted in place, and told with the notify step.
    page.get_by_role("link", name="Sommer 2027").click()
    page.get_by_role("button", name="Close applications and select").click()
    expect(page.get_by_text("The round is now: Selecting.")).to_be_visible()
    page.get_by_role("link", name="Selection board").click()
    page.wait_for_load_state("load")  # htmx acts on the board's forms once the page has loaded
    page.get_by_label("Search").fill("fatima")
    # The search swaps the board 400 ms after typing stops: act on its rows once it has (else the swap, read before
    # the change below, would put the old row back).
    expect(page).to_have_url(re.compile(r"[?&]q=fatima"))
    row = page.locator("tr", has_text="Fatima Haddad")
    row.get_by_label("Status of Fatima Haddad").select_option("accepted")
    expect(page.locator("#counters")).to_contain_text("Mentees: 1 of 20 accepted")
    expect(row.get_by_text("not told yet")).to_be_visible()
    page.get_by_role("link", name="Notify the accepted (1)").click()
    preview = page.locator(".mail-preview", has_text="Fatima Haddad")
    expect(preview).to_contain_text("Your application to Sommer 2027 is accepted")
    page.get_by_role("button", name="Send 1 e-mail").click()
    expect(page.get_by_text("1 e-mail is on its way.")).to_be_visible()
    expect(page.locator(".told-list")).to_contain_text("Fatima Haddad")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    # The invitation from the e-mail: she makes her account and lands in her portal.
    page.goto(_invitation_link(app, "fatima.haddad@example.org"))
    page.get_by_label("Your name").fill("Fatima Haddad")
    page.get_by_label("New password").fill("fatima passphrase 2026")
    page.get_by_label("Repeat the password").fill("fatima passphrase 2026")
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My programme")
    expect(page.get_by_text("Sommer 2027").first).to_be_visible()
    expect(page.get_by_text("CV workshop")).to_be_visible()
    page.get_by_role("link", name="Edit my profile").click()
    expect(page.get_by_label("My mentor may see my CV")).to_be_checked()
    page.get_by_label("Years of work experience").fill("8")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
