"""A coordinator imports a closed round's paper answers on a phone, in Danish: every bad cell, then every row."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_import import COORDINATOR, _danish, _round
from tests.transfer.samples import csv_bytes

pytestmark = pytest.mark.browser

HEADER = ["email", "network", "intercultural", "job_search_active", "direction", "would_recommend", "best"]


def _people(app, city_id: int, cohort_id: int) -> dict[str, list[str]]:
    """The round's accepted people's addresses, by role."""
    from sqlalchemy import select

    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.applications.models import Application

    with app.app_context(), tenant_scope(db.session, city_id):
        rows = db.session.execute(select(Application.role, Application.email).where(
            Application.cohort_id == cohort_id, Application.status == "accepted").order_by(Application.id)).all()
    found: dict[str, list[str]] = {}
    for role, email in rows:
        found.setdefault(getattr(role, "value", role), []).append(email)
    return found


def _ran_on_paper(app, city_id: int, cohort_id: int) -> None:
    """The demo's closed round answered its closing survey online; here it ran on paper, so that send goes."""
    from sqlalchemy import delete, select

    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.surveys.models import Answer, Response, SurveySend

    with app.app_context(), tenant_scope(db.session, city_id):
        sends = select(SurveySend.id).where(SurveySend.cohort_id == cohort_id, SurveySend.survey_key == "closing")
        responses = select(Response.id).where(Response.send_id.in_(sends))
        db.session.execute(delete(Answer).where(Answer.response_id.in_(responses)))
        db.session.execute(delete(Response).where(Response.send_id.in_(sends)))
        db.session.execute(delete(SurveySend).where(SurveySend.id.in_(sends)))
        db.session.commit()


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"


def test_paper_answers_are_checked_then_imported_on_a_phone(page: Page, live_server):
    base, app = live_server
    city_id, cohort_id = _round(app, "Efterår 2025")
    _ran_on_paper(app, city_id, cohort_id)
    people = _people(app, city_id, cohort_id)
    _sign_in(page, base, COORDINATOR, DEMO_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/surveys/closing/import")
    _danish(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Importér svar på “Evaluering af forløbet”")
    _no_sideways_scroll(page)

    mentee, mentor = people["mentee"][0], people["mentor"][0]
    bad = [{"email": mentee, "network": "7", "job_search_active": "4", "direction": "4", "would_recommend": "ja"},
           {"email": "fremmed@example.org", "network": "4", "would_recommend": "nej"},
           {"email": mentor, "network": "5", "intercultural": "4", "job_search_active": "3",
            "would_recommend": "ja"}]
    upload = page.get_by_label(re.compile("Regneark"))
    upload.set_input_files({"name": "papir.csv", "mimeType": "text/csv",
                            "buffer": csv_bytes(bad, HEADER, delimiter=";", encoding="cp1252")})
    page.get_by_role("button", name="Kun kontrol").click()
    expect(page.get_by_role("heading", name="Filen har problemer")).to_be_visible()
    table = page.get_by_role("table", name="Fundne problemer pr. række")
    expect(table.get_by_role("row")).to_have_count(4)
    expect(table).to_contain_text("“7” er ikke en af koderne: 1, 2, 3, 4, 5.")
    expect(table).to_contain_text("Ingen, der deltager i dette forløb, har denne e-mailadresse.")
    expect(table).to_contain_text("Dette spørgsmål er kun for mentees")
    _no_sideways_scroll(page)

    good = [{"email": mentee, "network": "4", "job_search_active": "4", "direction": "5", "would_recommend": "ja",
             "best": "Netværket på rådhuset"},
            {"email": mentor, "network": "5", "intercultural": "4", "would_recommend": "ja"}]
    page.get_by_label(re.compile("Regneark")).set_input_files(
        {"name": "papir.csv", "mimeType": "text/csv", "buffer": csv_bytes(good, HEADER, bom=True)})
    page.get_by_role("button", name="Importér", exact=True).click()
    expect(page.get_by_text("Svar fra 2 personer importeret.")).to_be_visible()
    # Now sent to the round: the page offers the export.
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/surveys/closing/import")
    expect(page.get_by_role("link", name="Excel (.xlsx)")).to_be_visible()
    _no_sideways_scroll(page)
