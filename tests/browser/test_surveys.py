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


def _others_answer(app, emails: tuple[str, ...]) -> None:
    """Four of Olena's fellow mentees answer the closing survey (all agree their network grew)."""
    from sqlalchemy import select

    from mentorby.platform import clock
    from mentorby.platform.cities.services import find_city
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.applications.models import Application
    from mentorby.tenants.surveys import answering
    from mentorby.tenants.surveys.models import Response, SurveySend

    with app.test_request_context():
        city = find_city(db.session, "lyngby-taarbaek")
    with app.test_request_context(), tenant_scope(db.session, city.id):
        responses = db.session.execute(
            select(Response).join(Application, Application.id == Response.application_id)
            .join(SurveySend, SurveySend.id == Response.send_id)
            .where(Application.email.in_(emails), SurveySend.survey_key == "closing")).scalars().all()
        for response in responses:
            ids = {question.key: str(question.id) for question in answering.questions_of(response)}
            answering.submit(db.session, response, {ids["network"]: ["5"], ids["job_search_active"]: ["4"],
                                                    ids["direction"]: ["4"], ids["would_recommend"]: ["yes"]},
                             clock.today())
        db.session.commit()
    assert len(responses) == len(emails)


def _network_row(page: Page):
    return page.locator("table.criteria tr", has_text="mentees report a strengthened professional network")


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
    _others_answer(app, ("carlos.mendoza@example.org", "aisha.rahman@example.org", "marta.nowak@example.org",
                         "giulia.rossi@example.org"))
    evaluation_url = surveys_url.replace("/surveys", "/evaluation")
    page.goto(evaluation_url)
    expect(_network_row(page)).to_contain_text("Not enough data")
    expect(_network_row(page)).to_contain_text("4 answers")

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
    expect(page.locator("#live-rates")).to_contain_text("5 of 6")
    expect(page.locator("#slot-closing")).to_contain_text("5 of 12 have answered.")
    # Her answer was the fifth: the criterion now has its verdict.
    page.goto(evaluation_url)
    expect(_network_row(page)).to_contain_text("Met")
    expect(_network_row(page)).to_contain_text("5 of 5")
