"""Speed networking: the coordinator plans the rotation and sends the links; a mentee rates on a phone."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.helpers import assert_actions_usable, assert_no_sideways_scroll
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_matching import ROUND, accept, close_recruitment, open_round, reopen_recruitment
from tests.browser.test_recruitment import _english, _link

pytestmark = pytest.mark.browser


def _kickoff_begins(app) -> None:
    """The evening of the kick-off comes: its start is moved to an hour ago (the clock cannot be)."""
    from sqlalchemy import select

    from mentorby.platform.cities.models import Tenant
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import cross_tenant, utcnow
    from mentorby.tenants.cohorts.models import Cohort, CohortEvent

    with app.app_context(), cross_tenant(db.session):
        # The demo city's round: other tests' cities may have a round of the same name.
        event = db.session.execute(
            select(CohortEvent).join(Cohort, Cohort.id == CohortEvent.cohort_id)
            .join(Tenant, Tenant.id == Cohort.tenant_id)
            .where(Tenant.slug == "lyngby-taarbaek", Cohort.name == ROUND, CohortEvent.kind == "kickoff")).scalar_one()
        event.starts_at = utcnow() - timedelta(hours=1)
        db.session.commit()


def test_plan_send_and_rate_on_a_phone(page: Page, live_server):
    base, app = live_server
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    expect(page.get_by_role("button", name=re.compile("Sign out|Log ud"))).to_be_visible()
    _english(page)  # the demo coordinator chose Danish, unless an earlier test switched
    round_url = open_round(page, base)
    close_recruitment(page, round_url)
    accept(page, round_url, ("Sofie Holm", "Ana Rodrigues", "Wei Chen"))
    expect(page.locator("#counters")).to_contain_text("Mentees: 2 of 20 accepted")

    page.goto(round_url)
    page.get_by_role("link", name="Speed networking").click()
    page.get_by_label("Turns").fill("2")
    page.get_by_role("button", name="Make the plan").click()
    expect(page.get_by_role("heading", name="Master sheet")).to_be_visible()
    # No one has a link yet, so there is no one to remind.
    expect(page.get_by_role("button", name=re.compile("^Remind"))).to_have_count(0)
    expect(page.get_by_text("Ana Rodrigues (mentee) · no link sent yet")).to_be_visible()
    page.get_by_role("button", name=re.compile("Send the personal links")).click()
    expect(page.get_by_text("Ana Rodrigues (mentee)", exact=True)).to_be_visible()  # not answered yet
    expect(page.get_by_role("button", name="Remind the 3 who have not answered")).to_be_visible()
    assert_actions_usable(page, "section[aria-labelledby=ratings]")
    reopen_recruitment(page, round_url)

    # Ana opens her link on her phone before the kick-off: her tables, and when she can rate.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    ana = _link(app, "ana.rodrigues@example.org", "/networking/")
    page.goto(ana)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your speed networking")
    expect(page.get_by_role("heading", name="Turn 1")).to_be_visible()
    expect(page.locator("#rating-opens")).to_contain_text("Rating opens when the kick-off begins:")
    expect(page.get_by_role("button", name="Save my ratings")).to_have_count(0)
    assert_no_sideways_scroll(page)

    # During the kick-off she rates Sofie.
    _kickoff_begins(app)
    page.goto(ana)
    page.locator("fieldset", has_text="Sofie Holm").get_by_label("Very much").check()
    page.get_by_role("button", name="Save my ratings").click()
    expect(page.get_by_text("Thank you! Your ratings are saved.")).to_be_visible()
    assert_no_sideways_scroll(page)
