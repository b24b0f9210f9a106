"""The round's evaluation and the rounds compared, on a desktop and a phone, in Danish and English; the PDF report.

A city of its own (so that no other browser test sees its rounds), with two closed rounds whose surveys were
answered. axe-core checks every page and htmx state (see conftest.py).
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_overview import SIZES, _fits, _language

pytestmark = pytest.mark.browser

SLUG, EMAIL = "evalby", "koordinator@evalby.example"


def _seed(app) -> list[int]:
    """The city, its coordinator and two closed rounds with answered surveys; returns the rounds' ids."""
    from sqlalchemy import select

    from mentorby.platform.accounts.models import Membership, User
    from mentorby.platform.accounts.passwords import hash_password
    from mentorby.platform.cities.models import ACTIVE, Tenant
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope, utcnow
    from mentorby.tenants.applications import consent
    from mentorby.tenants.applications.filing import submit_many
    from mentorby.tenants.cohorts.services import plan_cohort
    from mentorby.tenants.programme.services import install_model
    from mentorby.tenants.surveys import builder, sending
    from mentorby.tenants.surveys.models import Answer, Question, Response

    with app.app_context():
        existing = db.session.execute(select(Tenant).where(Tenant.slug == SLUG)).scalar_one_or_none()
        if existing is not None:
            with tenant_scope(db.session, existing.id):
                from mentorby.tenants.cohorts.models import Cohort

                return list(db.session.execute(select(Cohort.id).order_by(Cohort.starts_on)).scalars())
        city = Tenant(slug=SLUG, name="Evalby Career Mentoring", municipality="Evalby Kommune", status=ACTIVE)
        db.session.add(city)
        db.session.flush()
        install_model(db.session, city, "lyngby-taarbaek")
        user = User(email=EMAIL, name="Eva Koordinator", password_hash=hash_password(DEMO_PASSWORD))
        db.session.add(user)
        db.session.flush()
        ids = []
        with tenant_scope(db.session, city.id):
            db.session.add(Membership(user_id=user.id, role="coordinator"))
            for number, (name, share) in enumerate((("Forår 2025", 3), ("Efterår 2025", 5))):
                starts = date(2025, 2, 1) + timedelta(days=200 * number)
                cohort = plan_cohort(db.session, {"name": name, "starts_on": starts,
                                                  "ends_on": starts + timedelta(days=120), "apply_by": None,
                                                  "mentor_capacity": 6, "mentee_capacity": 6, "description": ""})
                people = [(role, {"name": f"{role.title()} {n}", "email": f"{role}{number}.{n}@evalby.example",
                                  "field": "engineering", "languages": ["en"], "availability": ["weekend"],
                                  "locale": "en", **({"employer": "COWI", "job_title": "Engineer",
                                                      "industry": "engineering", "expertise": "wind",
                                                      "mentoring_format": "one", "mentee_capacity": 1}
                                                     if role == "mentor" else
                                                     {"education": "MSc", "years_experience": 4,
                                                      "job_goal": "Engineer", "danish_level": "beginner"})})
                          for role in ("mentor", "mentee") for n in range(6)]
                for application in submit_many(db.session, cohort, people, consent_version=consent.CURRENT,
                                               source="coordinator"):
                    application.status = "accepted"
                cohort.status = "closed"
                db.session.flush()
                for key in ("closing", "follow_up"):
                    sent = sending.send(db.session, cohort, builder.current(db.session, key), notify=False)
                    questions = {q.key: q for q in db.session.execute(
                        select(Question).where(Question.survey_id == sent.survey_id)).scalars()}
                    for index, response in enumerate(db.session.execute(
                            select(Response).where(Response.send_id == sent.id).order_by(Response.id)).scalars()):
                        yes = index % 6 < share
                        given = ({"employment": "full_time" if yes else "job_seeking"} if key == "follow_up" else
                                 {"network": "5" if yes else "2", "would_recommend": "yes" if yes else "no",
                                  "intercultural" if response.role == "mentor" else "direction": "4"})
                        for question_key, value in given.items():
                            db.session.add(Answer(response_id=response.id, question_id=questions[question_key].id,
                                                  key=question_key, value=value))
                        if yes:
                            db.session.add(Answer(response_id=response.id, question_id=questions["may_quote"].id,
                                                  key="may_quote", value="yes"))
                            text_key = "best" if key == "closing" else "comment"
                            db.session.add(Answer(response_id=response.id, question_id=questions[text_key].id,
                                                  key=text_key, text="The network opened doors for me."))
                        response.submitted_at = utcnow()
                ids.append(cohort.id)
            db.session.flush()
        db.session.commit()
        return ids


def test_the_evaluation_on_a_desktop_and_a_phone_in_both_languages(page: Page, live_server):
    base, app = live_server
    older, newer = _seed(app)
    page.set_viewport_size(SIZES[0])
    _sign_in(page, base, EMAIL, DEMO_PASSWORD)
    for size in SIZES:
        page.set_viewport_size(size)
        for language in ("da", "en"):
            page.goto(f"{base}/{SLUG}/coordinator/cohorts/{newer}/evaluation")
            _language(page, language)
            met = "Opfyldt" if language == "da" else "Met"
            table = page.get_by_role("region", name=re.compile("Succeskriterierne for|The success criteria of"))
            expect(table).to_contain_text(met)
            expect(page.locator("svg[role=img]")).to_have_count(9)
            expect(page.locator(".quotes li").first).to_contain_text("The network opened doors for me.")
            _fits(page)
            # The table's region takes the keyboard (it may scroll on a narrow screen).
            table.focus()
            expect(table).to_be_focused()
            # Beside the national figures of the round's year, in words.
            national = page.get_by_role("region", name=re.compile(
                "Forløbet ved siden af de landsdækkende tal for 2025|The round beside the national figures for 2025"))
            expect(national).to_contain_text("Alle byer samlet" if language == "da" else "All cities pooled")
            expect(national.locator("tbody tr")).to_have_count(9)
            expect(national).to_contain_text(re.compile(
                "landsandelen|Endnu ikke nok svar på landsplan" if language == "da"
                else "the national share|Not enough answers nationally yet"))
            national.focus()
            expect(national).to_be_focused()
            _fits(page)

            page.goto(f"{base}/{SLUG}/coordinator/evaluation")
            expect(page.locator("table.compare thead")).to_contain_text("Forår 2025")
            expect(page.locator("table.compare thead")).to_contain_text("Efterår 2025")
            national = page.get_by_role("region", name=re.compile(
                "Byens forløb samlet ved siden af|The city's rounds pooled beside"))
            expect(national).to_contain_text(
                "Sammenlignet med landet" if language == "da" else "Compared with the country")
            expect(national.locator("tbody tr")).to_have_count(9)
            _fits(page)


def test_the_pdf_report_is_made_and_offered(page: Page, live_server):
    base, app = live_server
    _older, newer = _seed(app)
    page.set_viewport_size(SIZES[1])
    _sign_in(page, base, EMAIL, DEMO_PASSWORD)
    page.goto(f"{base}/{SLUG}/coordinator/cohorts/{newer}/evaluation")
    _language(page, "en")
    page.get_by_role("button", name=re.compile("Make (the|a new) PDF report")).click()
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible()
    _fits(page)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"


def test_a_criterion_is_edited_as_data_with_the_questions_answers_shown(page: Page, live_server):
    base, app = live_server
    _seed(app)
    _sign_in(page, base, EMAIL, DEMO_PASSWORD)
    for size, language in ((SIZES[1], "da"), (SIZES[0], "en")):
        page.set_viewport_size(size)
        page.goto(f"{base}/{SLUG}/coordinator/programme/criteria/new")
        _language(page, language)
        question = page.locator("select[name=question_key]")
        question.select_option("employment")
        expect(page.locator("#yes-codes")).to_contain_text("full_time")
        question.select_option("network")
        expect(page.locator("#yes-codes")).to_contain_text("5")
        page.locator("input[name=yes_values]").fill("4, 5, 6")
        page.get_by_role("button", name=re.compile("^(Tilføj kriteriet|Add the criterion)$")).click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator("#yes_values-error")).to_contain_text("6")
        _fits(page)
