"""A coordinator imports a large spreadsheet: the page follows the job's progress and shows its report, in Danish."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _sign_in
from tests.transfer.samples import csv_bytes, mentee, mentor
from tests.transfer.workbooks import numbers_bomb, shared_strings_bomb

pytestmark = pytest.mark.browser

COORDINATOR = "koordinator@lyngby-taarbaek.example"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(app, name: str) -> tuple[int, int]:
    """(city id, round id) of a demo round of Lyngby."""
    from sqlalchemy import select

    from mentorby.platform.cities.models import Tenant
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.cohorts.models import Cohort

    with app.app_context():
        city_id = db.session.execute(select(Tenant.id).where(Tenant.slug == "lyngby-taarbaek")).scalar_one()
        with tenant_scope(db.session, city_id):
            return city_id, db.session.execute(select(Cohort.id).where(Cohort.name == name)).scalar_one()


def _danish(page: Page) -> None:
    if page.locator("html").get_attribute("lang") != "da":
        page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")


def _upload(page: Page, name: str, data: bytes, mime: str) -> None:
    page.get_by_label(re.compile("Regneark")).set_input_files({"name": name, "mimeType": mime, "buffer": data})
    page.get_by_role("button", name="Kun kontrol").click()


def test_a_large_file_is_checked_in_the_background_and_a_hostile_one_refused(page: Page, live_server):
    base, app = live_server
    _, cohort_id = _round(app, "Forår 2027")
    _sign_in(page, base, COORDINATOR, DEMO_PASSWORD)
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/import")
    _danish(page)
    expect(page.get_by_text("En fil med mere end 2.000 rækker kontrolleres i baggrunden")).to_be_visible()

    rows = [mentee(n, name=f"Søren Ærø {n}") if n % 5 else mentor(n) for n in range(2_500)]
    _upload(page, "forår.csv", csv_bytes(rows, delimiter=";", encoding="cp1252"), "text/csv")
    expect(page).to_have_url(re.compile(r"/import/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontrol af forår.csv")
    expect(page.get_by_role("heading", name="Filen er klar til import")).to_be_visible()
    expect(page.get_by_text("2500 rækker læst")).to_be_visible()
    expect(page.get_by_text("Tegnkodning: Windows-1252.")).to_be_visible()
    expect(page.get_by_text("“Søren Ærø 1”")).to_be_visible()

    # Too many columns: refused at once, on the form. Too many texts for a request: refused by the queue.
    page.get_by_role("link", name="Vælg filen igen").click()
    _upload(page, "kolonner.xlsx", numbers_bomb(), XLSX)
    expect(page.get_by_role("alert")).to_contain_text("Række 1: Kolonne AW har data, men en fil må højst have 48")
    _upload(page, "tekster.xlsx", shared_strings_bomb(), XLSX)
    expect(page.get_by_role("heading", name="Filen kan ikke importeres")).to_be_visible()
    expect(page.get_by_text("Filen har mere end 240.012 forskellige tekster")).to_be_visible()


def test_the_page_follows_a_running_job_until_its_report(page: Page, live_server):
    from sqlalchemy import select

    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope, utcnow
    from mentorby.tenants.transfer.checks import Report
    from mentorby.tenants.transfer.models import CHECKING, DONE, ImportJob

    base, app = live_server
    city_id, cohort_id = _round(app, "Forår 2027")
    with app.app_context(), tenant_scope(db.session, city_id):
        job = ImportJob(cohort_id=cohort_id, action="check", filename="stor-liste.xlsx", size=4_000_000,
                        state=CHECKING, progress=6_000, total=18_000)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    _sign_in(page, base, COORDINATOR, DEMO_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/import/{job_id}")
    _danish(page)
    expect(page.get_by_text("Kontrollerer rækkerne: 6.000 af 18.000.")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "6000")

    with app.app_context(), tenant_scope(db.session, city_id):
        running = db.session.execute(select(ImportJob).where(ImportJob.id == job_id)).scalar_one()
        running.progress = 12_000
        db.session.commit()
    expect(page.get_by_text("Kontrollerer rækkerne: 12.000 af 18.000.")).to_be_visible()

    with app.app_context(), tenant_scope(db.session, city_id):
        running = db.session.execute(select(ImportJob).where(ImportJob.id == job_id)).scalar_one()
        report = Report(total=18_000, rows=[None] * 18_000, encoding=None)
        report.counts.update({"mentee": 15_000, "mentor": 3_000})
        running.report = report.summary().to_json()
        running.state, running.progress, running.finished_at = DONE, 18_000, utcnow()
        db.session.commit()
    expect(page.get_by_role("heading", name="Filen er klar til import")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Kontrollen er færdig. Rapporten står nedenfor.")
    expect(page.get_by_role("progressbar")).to_have_count(0)
