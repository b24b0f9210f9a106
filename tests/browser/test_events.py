"""Check-in at the door of a joint event on a 390 px phone: search by name, one tap, the count moves."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.helpers import assert_actions_usable, assert_no_sideways_scroll
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_recruitment import _english

pytestmark = pytest.mark.browser


def _running_event(app):
    """The demo's running round, its kick-off, and the name of one mentee who takes part."""
    from sqlalchemy import select

    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import cross_tenant
    from mentorby.tenants.applications.models import Application
    from mentorby.tenants.cohorts.models import Cohort, CohortEvent

    with app.app_context(), cross_tenant(db.session):
        cohort = db.session.execute(select(Cohort).where(Cohort.status == "running")).scalars().first()
        event = db.session.execute(select(CohortEvent).where(
            CohortEvent.cohort_id == cohort.id, CohortEvent.audience == "both")).scalars().first()
        mentee = db.session.execute(select(Application).where(
            Application.cohort_id == cohort.id, Application.role == "mentee", Application.status == "accepted")
            .order_by(Application.name)).scalars().first()
        return cohort.id, event.id, mentee.name


def test_check_someone_in_at_the_door_on_a_phone(page: Page, live_server):
    base, app = live_server
    cohort_id, event_id, name = _running_event(app)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    expect(page.get_by_role("button", name=re.compile("Sign out|Log ud"))).to_be_visible()
    _english(page)
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/events/{event_id}/check-in")
    expect(page.get_by_role("heading", name="Check-in")).to_be_visible()
    count = page.locator("#door-count")
    expect(count).to_contain_text("0 checked in")
    assert_no_sideways_scroll(page)

    # Typing part of the name narrows the list as you type (htmx), without pressing anything.
    page.get_by_label("Search by name").press_sequentially(name.split()[0][:4], delay=40)
    row = page.locator("li.row", has_text=name)
    expect(row).to_be_visible()
    # Wait for the narrowed list, so the tap below does not race the search's own answer.
    expect(page.locator("#door li.row")).to_have_count(1)
    row.get_by_role("button", name=re.compile("^Check in")).click()
    expect(count).to_contain_text("1 checked in")
    expect(page.locator("li.row", has_text=name).get_by_role("button", name=re.compile("^Undo"))).to_be_visible()
    assert_actions_usable(page, "#door")
    assert_no_sideways_scroll(page)

    # A tap by mistake is undone with one more tap.
    page.locator("li.row", has_text=name).get_by_role("button", name=re.compile("^Undo")).click()
    expect(count).to_contain_text("0 checked in")
