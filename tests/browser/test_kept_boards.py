"""A coordinator's board opened again and again on a laptop, and the laptop signed out from her phone.

The board is given again by the worker without the database while nothing changed (platform/kept_pages.py); the
sign-out ends that at the laptop's next request, on the phone in Danish and in English. (One server process here: a
sign-out through another process, seen only through the stamps, is tests/platform/test_kept_pages.py's.)
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_selection import _language, _t

pytestmark = pytest.mark.browser

COORDINATOR = "koordinator@lyngby-taarbaek.example"
#: The laptop's browser, so that the phone's list of sessions can tell it from the others ("Firefox · Windows").
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0"


def _a_round(app) -> int:
    from sqlalchemy import select

    from mentorby.platform.cities.models import Tenant
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.cohorts.models import Cohort

    with app.app_context():
        city = db.session.execute(select(Tenant).where(Tenant.slug == "lyngby-taarbaek")).scalar_one()
        with tenant_scope(db.session, city.id):
            return db.session.execute(select(Cohort.id).order_by(Cohort.id)).scalars().first()


@pytest.mark.parametrize("lang", ["en", "da"])
def test_a_board_kept_on_the_laptop_ends_when_the_phone_signs_the_laptop_out(page: Page, browser: Browser,
                                                                              live_server, lang: str):
    base, app = live_server
    board = f"{base}/lyngby-taarbaek/coordinator/cohorts/{_a_round(app)}/matching"
    laptop = browser.new_context(user_agent=LAPTOP, viewport={"width": 1280, "height": 900})
    try:
        on_laptop = laptop.new_page()
        _sign_in(on_laptop, base, COORDINATOR, DEMO_PASSWORD)
        on_laptop.wait_for_load_state("load")
        for _ in range(3):  # made, kept, then given again as it was
            on_laptop.goto(board)
            expect(on_laptop.locator("#matching-board")).to_be_visible()
        assert "/login" not in on_laptop.url

        # On her phone she signs the laptop out.
        page.set_viewport_size({"width": 390, "height": 844})
        _sign_in(page, base, COORDINATOR, DEMO_PASSWORD)
        page.wait_for_load_state("load")
        _language(page, lang)
        page.goto(f"{base}/account")
        sign_out = page.get_by_role("button", name=re.compile(_t(app, lang, "Sign out") + r" Firefox · Windows"))
        expect(sign_out).to_have_count(1)
        sign_out.click()
        expect(page.get_by_text(_t(app, lang, "That session is signed out."))).to_be_visible()

        # The laptop's next look at the board asks her to sign in.
        on_laptop.goto(board)
        expect(on_laptop).to_have_url(re.compile(r"/login"))
    finally:
        laptop.close()
