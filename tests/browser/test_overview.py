"""The coordinator's overview and audit log on a desktop and a phone, in Danish and English; the admin's counts."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _sign_in

pytestmark = pytest.mark.browser

SIZES = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})
#: The page's words per language.
WORDS = {
    "da": {"rounds": "Aktuelle forløb", "area": "Område", "by": "Ændret af", "rounds_area": "Forløb",
           "partners_area": "Partnere", "changed": "ændrede fællesarrangementet Midtvejsmøde i Vinter 2026",
           "location": "sted: — → DTU Skylab", "everyone": "Alle"},
    "en": {"rounds": "Current rounds", "area": "Area", "by": "Changed by", "rounds_area": "Rounds",
           "partners_area": "Partners", "changed": "changed the joint event Midway meeting of Vinter 2026",
           "location": "location: — → DTU Skylab", "everyone": "Everyone"},
}


def _language(page: Page, language: str) -> None:
    if page.locator("html").get_attribute("lang") != language:
        page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _fits(page: Page) -> None:
    """Nothing sticks out sideways: no word or table wider than the screen."""
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 0, f"{page.url} is {wide}px wider than the screen"


def _move_midway_meeting(page: Page, base: str) -> None:
    """A change to find in the log: Vinter 2026's midway meeting gets a location (inline, with htmx)."""
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/")
    page.get_by_role("link", name="Vinter 2026").click()
    page.get_by_role("link", name=re.compile(r"^(Change|Ændr) Midway meeting")).click()
    page.get_by_label("Location").fill("DTU Skylab")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#events")).to_contain_text("DTU Skylab")


def test_overview_and_audit_log_on_desktop_and_phone_in_both_languages(page: Page, live_server):
    base, _app = live_server
    page.set_viewport_size(SIZES[0])
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    _language(page, "en")
    _move_midway_meeting(page, base)

    for size in SIZES:
        page.set_viewport_size(size)
        for language in ("da", "en"):
            words = WORDS[language]
            page.goto(f"{base}/lyngby-taarbaek/coordinator/")
            _language(page, language)
            expect(page.get_by_role("heading", level=2, name=words["rounds"])).to_be_visible()
            spring = page.locator("li.round-card", has_text="Forår 2027")
            expect(spring.locator(".next-steps a").first).to_be_visible()
            _fits(page)

            # Each next step leads to where it is done.
            step = spring.locator(".next-steps a").last
            target = step.get_attribute("href")
            step.click()
            expect(page).to_have_url(re.compile(re.escape(target.split("#")[0])))

            # The log, filtered by area (in place, and the address follows), then by person.
            page.goto(f"{base}/lyngby-taarbaek/coordinator/audit")
            page.get_by_label(words["area"]).select_option(label=words["rounds_area"])
            expect(page).to_have_url(re.compile(r"area=rounds"))
            entry = page.locator("li.audit-entry", has_text=words["changed"]).first
            expect(entry).to_contain_text(words["location"])
            expect(entry).to_contain_text("Mette Koordinator")
            _fits(page)
            page.get_by_label(words["area"]).select_option(label=words["partners_area"])
            expect(page).to_have_url(re.compile(r"area=partners"))
            expect(page.locator("li.audit-entry", has_text=words["changed"])).to_have_count(0)
            page.get_by_label(words["area"]).select_option(value="")
            page.get_by_label(words["by"]).select_option(label="Mette Koordinator")
            expect(page).to_have_url(re.compile(r"person=\d+"))
            expect(page.locator("li.audit-entry", has_text=words["changed"]).first).to_be_visible()
            entries = page.locator("li.audit-entry .audit-what")
            for i in range(entries.count()):
                expect(entries.nth(i)).to_contain_text("Mette Koordinator")
            page.get_by_label(words["by"]).select_option(label=words["everyone"])
            expect(page).not_to_have_url(re.compile(r"person=\d"))


def _sign_up(page: Page, base: str, name: str, slug: str) -> None:
    page.goto(f"{base}/start")
    _language(page, "en")
    page.get_by_label("Programme name").fill(name)
    page.get_by_label("Web address").fill(slug)
    page.get_by_label("Municipality").fill(f"{name.split()[0]} Kommune")
    page.get_by_label("Region", exact=True).select_option("syddanmark")
    page.get_by_label("Your name").fill("Kontakt Person")
    page.get_by_label("Your e-mail").fill(f"kontakt@{slug}.example")
    page.get_by_role("button", name="Send the sign-up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing up")


def _count(tabs, label: str) -> int:
    return int(re.search(rf"{re.escape(label)} \((\d+)\)", tabs.inner_text()).group(1))


def test_the_admins_counts_follow_an_inline_approval(page: Page, live_server):
    base, _app = live_server
    for size, language, name, slug in ((SIZES[1], "da", "Vejle Career Mentoring", "vejle"),
                                       (SIZES[0], "en", "Herning Career Mentoring", "herning")):
        page.context.clear_cookies()
        page.set_viewport_size(size)
        _sign_up(page, base, name, slug)
        _sign_in(page, base, "admin@mentorby.example", DEMO_PASSWORD)
        page.goto(f"{base}/platform/cities")
        _language(page, language)
        waiting, active = ("afventer godkendelse", "aktiv") if language == "da" else ("waiting for approval",
                                                                                      "active")
        tabs = page.locator("#city-tabs")
        before_waiting, before_active = _count(tabs, waiting), _count(tabs, active)
        row = page.locator("li.row", has_text=name)
        row.get_by_role("button", name=re.compile("^(Approve|Godkend)")).click()
        expect(row).to_contain_text(re.compile(r"is now active|er nu: aktiv"))
        expect(tabs).to_contain_text(f"{waiting} ({before_waiting - 1})")
        expect(tabs).to_contain_text(f"{active} ({before_active + 1})")
        _fits(page)

        # The platform's log tells the approval as a sentence.
        page.goto(f"{base}/platform/audit")
        sentence = "Platform Admin godkendte byen" if language == "da" else "Platform Admin approved the city"
        expect(page.locator("li.audit-entry", has_text=f"{sentence} {name}")).to_be_visible()
        _fits(page)
